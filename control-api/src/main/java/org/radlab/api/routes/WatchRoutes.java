package org.radlab.api.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radlab.api.db.Database;
import org.radlab.api.db.DeploymentDao;
import org.radlab.api.db.DeploymentWatchDao;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Requests;
import org.radlab.api.http.Times;
import org.radlab.api.watch.DeploymentWatcher;
import org.radlab.core.pacs.PacsSources;
import org.radlab.core.pacs.StudyQuery;
import org.radlab.core.task.TaskType;

/**
 * A deployment's watch of a PACS query (admins set and remove it; the deployment's owner can read it): the source
 * of the workspace's sources file, the query, the polling interval, whether predictions go back to the PACS as SRs,
 * and what the polls did.
 */
public final class WatchRoutes {
  public static final int MIN_INTERVAL_SECONDS = 5;
  public static final int MAX_INTERVAL_SECONDS = 86_400;
  public static final int DEFAULT_INTERVAL_SECONDS = 300;
  /** How many of the studies handled last a watch's view lists. */
  static final int RECENT = 50;

  public record WatchRequest(String source, String modality, String from, String to, String description,
      Integer intervalSeconds, Boolean sendBack, Boolean readsFromReports) {}

  private final Database db;
  private final Path home;
  private final DeploymentWatcher watcher;

  public WatchRoutes(Database db, Path home, DeploymentWatcher watcher) {
    this.db = db;
    this.home = home;
    this.watcher = watcher;
  }

  /**
   * Sets (or replaces) the deployment's watch. Without {@code from}, the watch starts at today's studies: a study
   * from before the watch is not predicted unless {@code from} reaches back to it.
   */
  public void set(Context ctx) {
    Caller caller = Requests.caller(ctx);
    DeploymentDao.Deployment d = deployment(ctx);
    TaskType task = db.dao(UseCaseDao.class).find(d.useCaseId()).map(UseCaseDao.UseCase::taskType)
        .orElse(TaskType.CLASSIFICATION);
    if (task != TaskType.CLASSIFICATION) {
      throw ApiException.rule("deployment " + d.id() + " is of a " + task.id() + " use case; a watched deployment "
          + "predicts classification studies (boxes and masks are recorded through /predictions)");
    }
    if (d.modelId() == null) {
      throw ApiException.rule("deployment " + d.id() + " has no model to predict with; register a deployment with "
          + "a modelId");
    }
    WatchRequest r = Json.body(ctx, WatchRequest.class);
    String source = Requests.field(r.source(), "source", 100);
    String unfit;
    try {
      unfit = DeploymentWatcher.unfit(PacsSources.read(home.resolve(PacsSources.FILE)).get(source),
          Boolean.TRUE.equals(r.readsFromReports()));
    } catch (IOException | IllegalArgumentException e) {
      throw ApiException.conflict("PACS source '" + source + "': " + e.getMessage());
    }
    if (unfit != null) {
      throw ApiException.conflict(unfit);
    }
    int interval = r.intervalSeconds() == null ? DEFAULT_INTERVAL_SECONDS : r.intervalSeconds();
    if (interval < MIN_INTERVAL_SECONDS || interval > MAX_INTERVAL_SECONDS) {
      throw ApiException.badRequest("'intervalSeconds' must be from " + MIN_INTERVAL_SECONDS + " to "
          + MAX_INTERVAL_SECONDS + ", got " + interval);
    }
    LocalDate from = r.from() == null ? LocalDate.now(ZoneOffset.UTC) : date(r.from(), "from");
    LocalDate to = r.to() == null ? null : date(r.to(), "to");
    String description = r.description() == null ? null : Requests.field(r.description(), "description", 64);
    StudyQuery query;
    try {
      query = new StudyQuery(r.modality(), from, to, description, null, null);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    ObjectNode stored = Json.MAPPER.createObjectNode();
    stored.put("modality", query.modality()).put("from", from.toString())
        .put("to", to == null ? null : to.toString()).put("description", description);
    db.dao(DeploymentWatchDao.class).upsert(d.id(), source, stored.toString(), interval,
        Boolean.TRUE.equals(r.sendBack()), Boolean.TRUE.equals(r.readsFromReports()), caller.id(), Times.now());
    watcher.pollSoon(d.id());
    ctx.json(view(d.id()));
  }

  /** The watch, what its polls did, and the studies it handled last. */
  public void get(Context ctx) {
    Caller caller = Requests.caller(ctx);
    DeploymentDao.Deployment d = deployment(ctx);
    caller.requireOwnerOrAdmin(d.ownerId(), "deployment " + d.id());
    ctx.json(view(d.id()));
  }

  /** Stops watching; what the watch recorded stays. */
  public void remove(Context ctx) {
    DeploymentDao.Deployment d = deployment(ctx);
    if (db.dao(DeploymentWatchDao.class).delete(d.id()) == 0) {
      throw ApiException.notFound("a watch of deployment " + d.id());
    }
    ctx.json(Map.of("deploymentId", d.id(), "watching", false));
  }

  private Map<String, Object> view(long deploymentId) {
    DeploymentWatchDao watches = db.dao(DeploymentWatchDao.class);
    DeploymentWatchDao.Watch w = watches.find(deploymentId)
        .orElseThrow(() -> ApiException.notFound("a watch of deployment " + deploymentId));
    DeploymentWatchDao.Tally t = watches.tally(deploymentId);
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("deploymentId", deploymentId);
    v.put("source", w.source());
    try {
      v.put("query", Json.MAPPER.readTree(w.query()));
    } catch (IOException e) {
      throw new IllegalStateException("a watch's stored query is not JSON", e);
    }
    v.put("intervalSeconds", w.intervalSeconds());
    v.put("sendBack", w.sendBack());
    v.put("readsFromReports", w.readsFromReports());
    v.put("createdAt", w.createdAt());
    v.put("polls", w.polls());
    v.put("lastPollAt", w.lastPollAt());
    v.put("lastError", w.lastError());
    v.put("predicted", t.predicted());
    v.put("failed", t.failed());
    v.put("sent", t.sent());
    v.put("sendFailed", t.sendFailed());
    v.put("readsTaken", t.readsTaken());
    v.put("recent", watches.recent(deploymentId, RECENT));
    return v;
  }

  private DeploymentDao.Deployment deployment(Context ctx) {
    long id = Requests.id(ctx, "deploymentId", "deployment");
    return db.dao(DeploymentDao.class).find(id).orElseThrow(() -> ApiException.notFound("deployment " + id));
  }

  private static LocalDate date(String value, String field) {
    try {
      return LocalDate.parse(Requests.field(value, field, 10));
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest("'" + field + "' must be a date such as 2027-03-01, got '" + value + "'");
    }
  }

}
