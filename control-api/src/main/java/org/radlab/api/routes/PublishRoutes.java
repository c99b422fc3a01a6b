package org.radlab.api.routes;

import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.radlab.api.db.Database;
import org.radlab.api.db.ModelDao;
import org.radlab.api.db.ModelDao.Model;
import org.radlab.api.db.PublicationDao;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Requests;
import org.radlab.api.http.ServerPaths;
import org.radlab.api.http.Times;
import org.radlab.api.publish.ModelPackage;

/**
 * Publish: a model package (weights, model.json, model card, checksums) to a directory or an HTTP endpoint, each
 * attempt recorded. Participants publish their own models, to a named folder under the workspace's
 * {@code published/} or to a URL; admins may also name any absolute directory. Tokens are sent, never stored.
 */
public final class PublishRoutes {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
      .followRedirects(HttpClient.Redirect.NEVER).build();

  /** Exactly one of {@code directory} and {@code url}; {@code token} goes with {@code url}. */
  public record PublishRequest(String directory, String url, String token) {}

  private final Path home;
  private final ModelDao models;
  private final UseCaseDao useCases;
  private final PublicationDao publications;

  public PublishRoutes(Database db, Path home) {
    this.home = home;
    this.models = db.dao(ModelDao.class);
    this.useCases = db.dao(UseCaseDao.class);
    this.publications = db.dao(PublicationDao.class);
  }

  public void publish(Context ctx) throws IOException {
    Caller caller = Requests.caller(ctx);
    Model m = owned(ctx);
    PublishRequest r = Json.body(ctx, PublishRequest.class);
    if ((r.directory() == null) == (r.url() == null)) {
      throw ApiException.badRequest("give exactly one destination: 'directory' or 'url'");
    }
    ModelPackage pkg = ModelPackage.of(m.id(), Path.of(m.path()), useCases.find(m.useCaseId()).orElseThrow().title());
    long id = r.directory() != null ? toDirectory(caller, m, pkg, r.directory()) : toUrl(caller, m, pkg, r);
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
      parent = home.resolve("published").resolve(directory);
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

  private long toUrl(Caller caller, Model m, ModelPackage pkg, PublishRequest r) throws IOException {
    URI uri;
    try {
      uri = URI.create(r.url());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("url is not a valid URL: " + e.getMessage());
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw ApiException.badRequest("url must be an http or https URL, got '" + r.url() + "'");
    }
    byte[] zip = pkg.zip();
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/zip")
        .header("X-RadLab-Package", pkg.name())
        .header("X-RadLab-SHA256", ModelPackage.sha256(zip))
        .POST(HttpRequest.BodyPublishers.ofByteArray(zip));
    if (r.token() != null && !r.token().isBlank()) {
      request.header("Authorization", "Bearer " + r.token());
    }
    String destination = uri.getScheme() + "://" + uri.getAuthority() + uri.getPath();
    try {
      HttpResponse<String> answer = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      boolean ok = answer.statusCode() / 100 == 2;
      String detail = "HTTP " + answer.statusCode() + (ok ? "" : ": " + abbreviate(answer.body()));
      return record(m, caller, "http", destination, ok ? "published" : "failed", detail, pkg, zip);
    } catch (IOException e) {
      return record(m, caller, "http", destination, "failed", "the endpoint cannot be reached: " + reason(e),
          pkg, zip);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while publishing", e);
    }
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

  private static String abbreviate(String s) {
    String one = s == null ? "" : s.replaceAll("\\s+", " ").strip();
    return one.length() > 300 ? one.substring(0, 300) + "..." : one;
  }

  private Model owned(Context ctx) {
    return ModelRoutes.owned(ctx, models);
  }

  /** An I/O failure in words: its message, else its kind (a refused connection has no message). */
  private static String reason(IOException e) {
    String message = e.getMessage() != null ? e.getMessage() : e.getCause() != null ? e.getCause().getMessage() : null;
    String kind = e.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
    return message == null || message.isBlank() ? kind : kind + " (" + message + ")";
  }
}
