package org.radlab.api.routes;

import io.javalin.http.Context;
import java.util.Map;
import org.radlab.api.db.Database;
import org.radlab.api.db.PublishDestinationDao;
import org.radlab.api.db.PublishDestinationDao.Destination;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Requests;
import org.radlab.api.http.Times;
import org.radlab.api.publish.Destinations;

/**
 * The publish allow-list: models go by HTTP only to a destination listed here (scheme, host, port and a path
 * prefix). Admins add and remove destinations; everyone may read the list, to know where they can publish. A
 * destination whose host resolves to a loopback or private address needs {@code allowPrivate}.
 */
public final class DestinationRoutes {
  /** {@code url}: scheme, host, optional port and path prefix (default "/"); no credentials, no query. */
  public record NewDestination(String url, Boolean allowPrivate, String note) {}

  private final PublishDestinationDao destinations;

  public DestinationRoutes(Database db) {
    this.destinations = db.dao(PublishDestinationDao.class);
  }

  public void list(Context ctx) {
    Requests.caller(ctx);
    ctx.json(destinations.list());
  }

  public void add(Context ctx) {
    Caller admin = Requests.caller(ctx);
    NewDestination r = Json.body(ctx, NewDestination.class);
    Destinations.Parsed url = Destinations.parse(r.url(), "url");
    if (url.rawQuery() != null) {
      throw ApiException.badRequest("url must not hold a query: a destination is a scheme, a host, a port and a "
          + "path prefix");
    }
    String note = r.note() == null || r.note().isBlank() ? "" : Requests.field(r.note(), "note", 200);
    if (destinations.same(url.scheme(), url.host(), url.port(), url.path()).isPresent()) {
      throw ApiException.conflict(url.recorded() + " is allowed already");
    }
    long id = destinations.insert(url.scheme(), url.host(), url.port(), url.path(),
        Boolean.TRUE.equals(r.allowPrivate()), note, admin.id(), Times.now());
    ctx.status(201).json(destinations.find(id).orElseThrow());
  }

  public void remove(Context ctx) {
    long id = Requests.id(ctx, "destinationId", "publish destination");
    Destination d = destinations.find(id).orElseThrow(() -> ApiException.notFound("publish destination " + id));
    destinations.delete(id);
    ctx.json(Map.of("removed", d));
  }
}
