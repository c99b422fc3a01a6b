package org.radlab.api.routes;

import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.radlab.api.db.Database;
import org.radlab.api.db.ModelDao.Model;
import org.radlab.api.db.ModelDao;
import org.radlab.api.db.PublicationDao;
import org.radlab.api.db.PublishDestinationDao;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Requests;
import org.radlab.api.http.ServerPaths;
import org.radlab.api.http.Times;
import org.radlab.api.publish.Destinations;
import org.radlab.api.publish.ModelPackage;
import org.radlab.api.publish.PackagePoster;
import org.radlab.core.Workspace;

/**
 * Publish: a model package (weights, model.json, model card, checksums) to a directory or an HTTP endpoint, each
 * attempt recorded. Participants publish their own models, to a named folder under the workspace's
 * {@code published/} or to a URL under a destination an admin allowed; admins may also name any absolute
 * directory. Tokens are sent, never stored; of an endpoint's answer only the status code is kept.
 */
public final class PublishRoutes {
  /** Exactly one of {@code directory} and {@code url}; {@code token} goes with {@code url}. */
  public record PublishRequest(String directory, String url, String token) {}

  private final Path home;
  private final ModelDao models;
  private final UseCaseDao useCases;
  private final PublicationDao publications;
  private final PublishDestinationDao destinations;

  public PublishRoutes(Database db, Path home) {
    this.home = home;
    this.models = db.dao(ModelDao.class);
    this.useCases = db.dao(UseCaseDao.class);
    this.publications = db.dao(PublicationDao.class);
    this.destinations = db.dao(PublishDestinationDao.class);
  }

  public void publish(Context ctx) throws IOException {
    Caller caller = Requests.caller(ctx);
    Model m = owned(ctx);
    PublishRequest r = Json.body(ctx, PublishRequest.class);
    if ((r.directory() == null) == (r.url() == null)) {
      throw ApiException.badRequest("give exactly one destination: 'directory' or 'url'");
    }
    // A URL is checked (allowed, resolved, its address checked) before any work on the package.
    Destinations.Target target = r.url() != null ? checked(r) : null;
    ModelPackage pkg = ModelPackage.of(m.id(), Path.of(m.path()), useCases.find(m.useCaseId()).orElseThrow().title());
    long id = r.directory() != null ? toDirectory(caller, m, pkg, r.directory()) : toUrl(caller, m, pkg, r, target);
    PublicationDao.Publication p = publications.find(id).orElseThrow();
    if (!"published".equals(p.status())) {
      // A refused endpoint is a bad gateway; a directory that cannot take the package is a conflict.
      throw new ApiException("http".equals(p.kind()) ? 502 : 409, "publication_failed",
          new ServerPaths(home).view(caller, p.detail()) + " (recorded as publication " + p.id() + ")");
    }
    ctx.status(201).json(new ServerPaths(home).view(caller, p));
  }

  public void history(Context ctx) {
    Caller caller = Requests.caller(ctx);
    ctx.json(publications.ofModel(owned(ctx).id()).stream().map(p -> new ServerPaths(home).view(caller, p)).toList());
  }

  private long toDirectory(Caller caller, Model m, ModelPackage pkg, String directory) {
    Path parent;
    if (directory.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")) {
      parent = new Workspace(home).published().resolve(directory);
    } else if (caller.isAdmin() && Path.of(directory).isAbsolute()) {
      parent = Path.of(directory).normalize();
    } else {
      throw ApiException.badRequest("directory must be a simple folder name (under the workspace's published/)"
          + (caller.isAdmin() ? " or an absolute path" : "") + ", got '" + directory + "'");
    }
    try {
      Path written = pkg.writeTo(parent);
      return record(m, caller, "directory", written.toString(), "published", null, pkg);
    } catch (IOException e) {
      return record(m, caller, "directory", parent.resolve(pkg.name()).toString(), "failed",
          "cannot write the package: " + e.getMessage(), pkg);
    }
  }

  /**
   * Sends the package to an allowed destination (see {@link DestinationRoutes}). Nothing of the answer but its
   * status code is kept or shown, and every failure to get an HTTP answer reads the same.
   */
  private Destinations.Target checked(PublishRequest r) {
    Destinations.Parsed url = Destinations.parse(r.url(), "url");
    if (r.token() != null && !r.token().matches("[\\x21-\\x7e]{0,4096}")) {
      throw ApiException.badRequest("token must be printable ASCII without spaces, at most 4096 characters");
    }
    return Destinations.resolve(url, Destinations.allowed(url, destinations.list()));
  }

  private long toUrl(Caller caller, Model m, ModelPackage pkg, PublishRequest r, Destinations.Target target)
      throws IOException {
    byte[] zip = pkg.zip();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/zip");
    headers.put("X-RadLab-Package", pkg.name());
    headers.put("X-RadLab-SHA256", ModelPackage.sha256(zip));
    if (r.token() != null && !r.token().isBlank()) {
      headers.put("Authorization", "Bearer " + r.token());
    }
    int status = PackagePoster.post(target, zip, headers);
    boolean ok = status / 100 == 2;
    String detail = status < 0 ? "no HTTP answer from the endpoint" : "HTTP " + status;
    return record(m, caller, "http", target.recorded(), ok ? "published" : "failed", detail, pkg, zip);
  }

  private long record(Model m, Caller caller, String kind, String destination, String status, String detail,
      ModelPackage pkg) {
    return record(m, caller, kind, destination, status, detail, pkg, null);
  }

  private long record(Model m, Caller caller, String kind, String destination, String status, String detail,
      ModelPackage pkg, byte[] zip) {
    long bytes = zip != null ? zip.length : pkg.files().values().stream().mapToLong(b -> b.length).sum();
    String sha = zip != null ? ModelPackage.sha256(zip) : ModelPackage.sha256(pkg.files().get(ModelPackage.CHECKSUMS));
    return publications.insert(m.id(), caller.id(), kind, destination, status, detail, sha, bytes, Times.now());
  }

  private Model owned(Context ctx) {
    return ModelRoutes.owned(ctx, models);
  }
}
