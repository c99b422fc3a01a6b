package org.radlab.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.radlab.api.db.Database;
import org.radlab.api.db.UserDao;
import org.radlab.api.http.Access;
import org.radlab.api.http.ApiError;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Endpoint;
import org.radlab.api.http.Json;
import org.radlab.api.http.LogText;
import org.radlab.api.http.ServerPaths;
import org.radlab.api.http.Times;
import org.radlab.api.http.Tokens;
import org.radlab.api.http.WebPages;
import org.radlab.api.jobs.JobOutcomes;
import org.radlab.api.jobs.JobQueue;
import org.radlab.api.jobs.JobRunner;
import org.radlab.api.jobs.JobViews;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control API: one Javalin app over one SQLite file, with the job runner. {@link #start} serves it;
 * {@link #stop} drains requests, stops scheduling (running jobs carry on and are adopted by the next start) and
 * closes the database.
 */
public final class ControlApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlApi.class);

  /**
   * @param home          the workspace ({@code radlab.db}, datasets, jobs, models)
   * @param host          the address to bind (127.0.0.1 unless it must be reachable from elsewhere)
   * @param port          0 for any free port
   * @param master        the Spark master jobs run against
   * @param maxJobs       how many jobs run at once
   * @param maxBodyBytes  the largest request body accepted
   * @param sparkConf     extra Spark settings for every job
   * @param minTrainingLabels the fewest labelled studies a training job accepts (and a challenge's default
   *                      minimum of annotations before a submission)
   * @param clock         the time challenges open, close and count daily submissions by
   */
  public record Settings(Path home, String host, int port, String master, int maxJobs, long maxBodyBytes,
      long maxUploadBytes, Map<String, String> sparkConf, int minTrainingLabels, java.time.Clock clock) {
    /** The default minimum of labelled studies to train on. */
    public static final int MIN_TRAINING_LABELS = 100;

    public Settings {
      home = home.toAbsolutePath().normalize();
      sparkConf = sparkConf == null ? Map.of() : Map.copyOf(sparkConf);
      clock = clock == null ? java.time.Clock.systemUTC() : clock;
      if (minTrainingLabels < 1 || minTrainingLabels > 100_000) {
        throw new IllegalArgumentException("the minimum of labelled studies to train must be 1 to 100000, got "
            + minTrainingLabels);
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
      }
      if (maxBodyBytes < 1024) {
        throw new IllegalArgumentException("the body limit must be at least 1024 bytes, got " + maxBodyBytes);
      }
      if (maxUploadBytes < maxBodyBytes) {
        throw new IllegalArgumentException("the upload limit (" + maxUploadBytes + ") must be at least the body "
            + "limit (" + maxBodyBytes + ")");
      }
    }

    public Settings(Path home, String host, int port, String master, int maxJobs, long maxBodyBytes,
        long maxUploadBytes, Map<String, String> sparkConf) {
      this(home, host, port, master, maxJobs, maxBodyBytes, maxUploadBytes, sparkConf, MIN_TRAINING_LABELS, null);
    }

    public static Settings defaults(Path home) {
      return new Settings(home, "127.0.0.1", 7070, "local[*]", 1, 1L << 20, 64L << 20, Map.of());
    }

    public Settings withPort(int p) {
      return new Settings(home, host, p, master, maxJobs, maxBodyBytes, maxUploadBytes, sparkConf, minTrainingLabels,
          clock);
    }

    public Settings withMinTrainingLabels(int n) {
      return new Settings(home, host, port, master, maxJobs, maxBodyBytes, maxUploadBytes, sparkConf, n, clock);
    }

    public Settings withClock(java.time.Clock c) {
      return new Settings(home, host, port, master, maxJobs, maxBodyBytes, maxUploadBytes, sparkConf,
          minTrainingLabels, c);
    }
  }

  private final Settings settings;
  private final Database db;
  private final JobRunner runner;
  private final org.radlab.api.watch.DeploymentWatcher watcher;
  private final Javalin app;
  private final ApiRoutes routes;
  private final Optional<String> firstAdminToken;
  private final UserDao users;
  private final Callers callers;
  private final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();

  private ControlApi(Settings settings) {
    this.settings = settings;
    this.db = Database.open(settings.home());
    this.users = db.dao(UserDao.class);
    this.callers = new Callers(db.dao(org.radlab.api.db.TokenDao.class));
    this.firstAdminToken = Seeds.adminToken(db, settings.home());
    Seeds.breastDensity(db, Times.now());
    this.runner = new JobRunner(db, new JobRunner.Settings(settings.home(), settings.master(), settings.maxJobs(),
        settings.sparkConf()), new JobOutcomes(db));
    this.watcher = new org.radlab.api.watch.DeploymentWatcher(db, settings.home(), settings.maxUploadBytes(),
        java.time.Clock.systemUTC());
    this.routes = new ApiRoutes(settings, db, new JobQueue(db, settings.home(), runner),
        new JobViews(db, new ServerPaths(settings.home())), runner, callers, watcher);
    this.app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
      config.http.maxRequestSize = settings.maxUploadBytes();
      config.http.prefer405over404 = true;
      config.jetty.host = settings.host();
      config.jetty.port = settings.port();
      // Request threads match the connection pool, so no request waits for a connection; a few per core is enough
      // for a store that answers in microseconds, and more only adds contention on a small machine.
      config.jetty.threadPool = new org.eclipse.jetty.util.thread.QueuedThreadPool(Database.POOL_SIZE, 4);
      org.radlab.api.http.SecurityHeaders.install(config, ApiRoutes.DOCS_STYLE);
      routes.install(config.routes);
      WebPages pages = WebPages.load();
      pages.configure(config);
      for (String page : WebPages.PAGES) {
        config.routes.get(page, pages::page);
      }
      config.routes.beforeMatched(this::authenticate);
      ServerPaths paths = new ServerPaths(settings.home());
      config.routes.exception(ApiException.class, (e, ctx) -> ctx.status(e.status()).json(isAdmin(ctx) ? e.body()
          : new ApiError(e.body().error(), paths.scrub(e.body().detail()))));
      config.routes.exception(HttpResponseException.class, (e, ctx) -> ctx.status(e.getStatus())
          .json(new ApiError(errorName(e.getStatus()), httpDetail(e, ctx))));
      config.routes.exception(java.nio.file.InvalidPathException.class, (e, ctx) -> ctx.status(400)
          .json(new ApiError("bad_request", "not a usable path: " + LogText.clean(e.getMessage()))));
      config.routes.exception(Exception.class, (e, ctx) -> {
        LOG.error("{} {} failed: {}", ctx.method(), LogText.clean(ctx.path()), LogText.stackTrace(e));
        ctx.status(500).json(new ApiError("internal_error", "the server failed on this request; its log says why"));
      });
      config.routes.error(404, ctx -> {
        if (ctx.result() == null || ctx.result().isEmpty()) {
          ctx.json(new ApiError("not_found", "no endpoint " + ctx.method() + " " + ctx.path() + "; GET /api lists "
              + "them"));
        }
      });
      config.routes.error(405, ctx -> {
        if (ctx.result() == null || ctx.result().isEmpty()) {
          ctx.json(new ApiError("method_not_allowed", ctx.method() + " is not allowed on " + ctx.path()));
        }
      });
    });
  }

  /** Opens the database (migrating it), seeds an empty one, and builds the app; nothing listens yet. */
  public static ControlApi create(Settings settings) {
    return new ControlApi(settings);
  }

  /**
   * Before every matched route: the route's {@link Access}. Public routes need nothing; the others a valid token,
   * and admin routes an admin's.
   */
  private void authenticate(Context ctx) {
    if (ctx.routeRoles().contains(Access.PUBLIC) || !ctx.path().startsWith("/api")) {
      return;
    }
    String header = ctx.header("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      throw ApiException.unauthorized("send your API token as 'Authorization: Bearer <token>'");
    }
    ctx.attribute(Json.BODY_LIMIT, settings.maxBodyBytes());
    Caller caller = callers.caller(Tokens.hash(header.substring(7).strip()));
    ctx.attribute(Caller.class.getName(), caller);
    if (ctx.routeRoles().contains(Access.ADMIN)) {
      caller.requireAdmin(ctx.method() + " " + LogText.clean(ctx.path()));
    }
  }

  private static boolean isAdmin(Context ctx) {
    Caller caller = ctx.attribute(Caller.class.getName());
    return caller != null && caller.isAdmin();
  }




  private static String errorName(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "body_too_large";
      case 415 -> "unsupported_media_type";
      default -> status >= 500 ? "internal_error" : "http_" + status;
    };
  }

  private String httpDetail(HttpResponseException e, Context ctx) {
    if (e.getStatus() == HttpStatus.CONTENT_TOO_LARGE.getCode()) {
      return "the request body is larger than the upload limit of " + settings.maxUploadBytes() + " bytes";
    }
    return e.getMessage();
  }

  /**
   * Starts listening, the job runner (which first settles jobs an earlier run left behind) and the watcher of
   * deployments that follow a PACS.
   */
  public ControlApi start() {
    runner.start();
    app.start();
    watcher.start();
    return this;
  }

  public int port() { return app.port(); }

  public Javalin javalin() { return app; }

  public Database database() { return db; }

  public Settings settings() { return settings; }

  /** The admin token this start made (a new database, or no admin token worked), also in {@link #adminTokenFile}. */
  public Optional<String> firstAdminToken() { return firstAdminToken; }

  /** Where a start that makes an admin token writes it: the workspace's {@code admin-token}, owner-only. */
  public Path adminTokenFile() { return settings.home().resolve(Seeds.ADMIN_TOKEN_FILE); }

  public List<Endpoint> endpoints() { return routes.endpoints(); }

  /** Graceful: stops taking requests and lets in-flight ones finish, stops scheduling, closes the database. */
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    app.stop();
    watcher.close();
    runner.close();
    db.close();
  }

  @Override
  public void close() {
    stop();
  }

  /** Runs {@code onStop} on SIGTERM or SIGINT after a graceful {@link #stop}. */
  public void stopOnShutdown(Consumer<ControlApi> onStop) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop();
      onStop.accept(this);
    }, "radlab-shutdown"));
  }
}
