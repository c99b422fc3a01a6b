package org.radlab.api;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.radlab.api.db.Database;
import org.radlab.api.http.Access;
import org.radlab.api.http.ApiError;
import org.radlab.api.http.Endpoint;
import org.radlab.api.jobs.JobQueue;
import org.radlab.api.jobs.JobRunner;
import org.radlab.api.jobs.JobViews;
import org.radlab.api.routes.AnnotationRoutes;
import org.radlab.api.routes.ChallengeRoutes;
import org.radlab.api.routes.DatasetRoutes;
import org.radlab.api.routes.DeploymentRoutes;
import org.radlab.api.routes.DestinationRoutes;
import org.radlab.api.routes.JobRoutes;
import org.radlab.api.routes.ModelRoutes;
import org.radlab.api.routes.PacsRoutes;
import org.radlab.api.routes.PublishRoutes;
import org.radlab.api.routes.TokenRoutes;
import org.radlab.api.routes.UseCaseRoutes;
import org.radlab.api.routes.UserRoutes;
import org.radlab.api.routes.WatchRoutes;

/**
 * The control API's endpoint table: every method and path with who may call it, what it does, what it takes and
 * gives, and its handler. The same table is the routes Javalin serves, {@code GET /api} and the {@code /api/docs}
 * page, so the three cannot disagree.
 */
final class ApiRoutes {
  /** The /api/docs page's inline stylesheet; the Content-Security-Policy allows it by its hash. */
  static final String DOCS_STYLE = "body{font:14px sans-serif;margin:2em}td,th{border-bottom:1px solid #ddd;"
      + "padding:4px 8px;vertical-align:top;text-align:left}code{white-space:pre-wrap}";

  private final ControlApi.Settings settings;
  private final Database db;
  private final JobQueue queue;
  private final JobViews jobViews;
  private final JobRunner runner;
  private final Callers callers;
  private final List<Endpoint> endpoints = new ArrayList<>();

  private final org.radlab.api.watch.DeploymentWatcher watcher;

  ApiRoutes(ControlApi.Settings settings, Database db, JobQueue queue, JobViews jobViews, JobRunner runner,
      Callers callers, org.radlab.api.watch.DeploymentWatcher watcher) {
    this.watcher = watcher;
    this.settings = settings;
    this.db = db;
    this.queue = queue;
    this.jobViews = jobViews;
    this.runner = runner;
    this.callers = callers;
  }

  List<Endpoint> endpoints() {
    return List.copyOf(endpoints);
  }

  /** Adds every endpoint to {@code r}, and to the list that {@code GET /api} and {@code /api/docs} show. */
  void install(io.javalin.config.RoutesConfig r) {
    JobRoutes jobs = new JobRoutes(db, settings.home(), settings.minTrainingLabels(), queue, jobViews, runner);
    UserRoutes userRoutes = new UserRoutes(db);
    UseCaseRoutes useCases = new UseCaseRoutes(db);
    DatasetRoutes datasets = new DatasetRoutes(db, settings.home(), queue, jobViews);
    AnnotationRoutes annotate = new AnnotationRoutes(db);
    ModelRoutes models = new ModelRoutes(db, jobViews, settings.maxUploadBytes());
    PublishRoutes publish = new PublishRoutes(db, settings.home());
    ChallengeRoutes challenges = new ChallengeRoutes(db, queue, settings.clock(), settings.minTrainingLabels());
    DeploymentRoutes deployments = new DeploymentRoutes(db, settings.home(), queue, jobViews);
    WatchRoutes watches = new WatchRoutes(db, settings.home(), watcher);
    String uc = "/api/use-cases/{useCaseId}";
    String ds = "/api/datasets/{datasetId}";
    String an = "/api/annotate/{useCaseId}/{datasetId}";
    String job = "/api/jobs/{jobId}";
    add(r, "GET", "/api/health", Access.PUBLIC, "public", "Liveness and the database's state", "",
        "{status, database, jobsRunning}", this::health);
    add(r, "GET", "/api", Access.PUBLIC, "public", "This list of endpoints, as JSON", "", "[Endpoint]",
        ctx -> ctx.json(endpoints));
    add(r, "GET", "/api/docs", Access.PUBLIC, "public", "This list of endpoints, as a page", "", "HTML", this::docs);
    add(r, "GET", "/api/me", Access.USER,
        "any user", "Who the token belongs to", "", "{id, name, role}", userRoutes::me);
    add(r, "GET", "/api/settings", Access.USER,
        "any user", "The server's limits that pages and clients need to know", "",
        "{minTrainingLabels, maxBodyBytes, maxUploadBytes}", ctx -> ctx.json(Map.of("minTrainingLabels",
            settings.minTrainingLabels(), "maxBodyBytes", settings.maxBodyBytes(), "maxUploadBytes",
            settings.maxUploadBytes())));
    add(r, "GET", "/api/users", Access.ADMIN,
        "admin", "All users", "", "[{id, name, role, createdAt}]", userRoutes::list);
    add(r, "POST", "/api/users", Access.ADMIN, "admin", "Create a user; the token is shown only in this answer",
        "{name, role: admin|participant, days?: token lifetime 1-365, default 90}",
        "{id, name, role, token, tokenId, tokenExpiresAt}", userRoutes::create);
    TokenRoutes tokens = new TokenRoutes(db, callers::forgetAll);
    add(r, "GET", "/api/tokens", Access.USER,
        "any user (their own; admins anyone's with ?userId=)", "API tokens, newest first "
        + "(never the secret)", "?userId=", "[{id, userId, label, createdAt, expiresAt, revokedAt, status: "
        + "active|expired|revoked}]", tokens::list);
    add(r, "POST", "/api/tokens", Access.ADMIN,
        "admin", "Make a new token for a user; the token is shown only in this answer",
        "{userId, label?, days?: 1-365, default 90}", "201 {id, userId, label, expiresAt, token}", tokens::create);
    add(r, "POST", "/api/tokens/{tokenId}/revoke", Access.USER, "its user or an admin", "Revoke a token at once (401 "
        + "token_revoked from then on)", "", "Token", tokens::revoke);

    add(r, "GET", "/api/use-cases", Access.USER,
        "any user (participants see published ones, admins' drafts and their own)",
        "Search, filter and sort use cases",
        "?q=text&status=draft|in_review|published&modality=&bodyArea=&task=&sort=title|-updated|created|status|"
            + "modality|bodyArea|id&limit=&offset=", "[UseCase]", useCases::list);
    add(r, "POST", "/api/use-cases", Access.USER, "any user (an admin's starts as draft, anyone else's goes to review)",
        "Submit a use case", "{title, summary, bodyArea, modality, task: classification|detection, "
            + "categories: [{code, name, description, cdeId}]}", "UseCase", useCases::create);
    add(r, "GET", uc, Access.USER,
        "any user who may see it", "One use case with its categories", "", "UseCase", useCases::get);
    add(r, "PUT", uc, Access.USER,
        "admin, or its author before publication", "Replace a use case's fields and categories",
        "as POST /api/use-cases", "UseCase", useCases::update);
    add(r, "POST", uc + "/review", Access.USER,
        "admin (publish, return); author (submit a draft)", "Move a use case along "
        + "draft -> in_review -> published", "{decision: publish|return|submit, note?}", "UseCase", useCases::review);
    add(r, "GET", uc + "/comments", Access.USER, "any user", "Comments on a published use case", "",
        "[{id, userId, userName, body, createdAt}]", useCases::comments);
    add(r, "POST", uc + "/comments", Access.USER, "any user", "Comment on a published use case", "{body}", "Comment",
        useCases::comment);
    add(r, "POST", uc + "/draft-requests", Access.USER, "any user", "Ask to draft a use case that is not published yet",
        "{note}", "{id, useCaseId, note}", useCases::requestDraft);
    add(r, "GET", uc + "/draft-requests", Access.ADMIN, "admin", "Requests to draft this use case", "",
        "[{id, userId, userName, note, createdAt}]", useCases::draftRequests);
    add(r, "GET", uc + "/board", Access.USER,
        "any user", "Crowdsourcing board: annotations per user, most first", "?limit=",
        "[{userId, userName, annotations}]", useCases::board);
    add(r, "GET", uc + "/agreement", Access.USER,
        "any user (about themselves)", "Your labels against the reference reader "
        + "(classification use cases; 409 for others), as a confusion matrix of counts, refreshed only after every agreementMilestone new labels (the use case's "
        + "newest challenge's, else 25), over a frozen snapshot; never a hidden dataset", "", "{categories, rows: "
        + "reference, columns: mine, matrix, studies, milestone, labels, labelsUntilRefresh, refreshedAt}",
        useCases::agreement);

    add(r, "GET", "/api/datasets", Access.USER, "any user", "All datasets", "", "[Dataset]", datasets::list);
    add(r, "POST", "/api/datasets", Access.ADMIN, "admin", "Register a dataset: queues the prep job on a server path "
        + "or a PACS query (dicomweb://SOURCE?modality=&from=&to=&description=, SOURCE a name of the sources file)",
        "{name, useCaseId, source, options?: {pngLongEdge, tensorSide, writeNpy, dates, allowBurnedIn, voiIndex, "
            + "flipByLaterality, partitions}}", "202 {dataset, job}", datasets::register);
    add(r, "GET", ds, Access.USER, "any user", "One dataset: status, counts, prep job", "", "Dataset", datasets::get);
    add(r, "POST", ds + "/prepare", Access.ADMIN, "admin", "Prepare the dataset again from its source, with its "
        + "options: only files prep has not seen are converted (a PACS query pulls only new studies); 409 while a "
        + "prep of it is queued or running", "", "202 {dataset, job}", datasets::prepareAgain);
    add(r, "GET", ds + "/summary", Access.USER,
        "any user", "The prep summary: images, rejects by reason, transfer syntaxes", "",
        "summary.json", datasets::summary);
    add(r, "GET", ds + "/studies", Access.USER,
        "any user", "The dataset's studies in annotation order", "?limit=&offset=",
        "[{ordinal, studyUid, patientId, images}]", datasets::studies);
    add(r, "GET", ds + "/images", Access.USER, "any user", "The dataset's images", "?study=&limit=&offset=", "[Image]",
        datasets::images);
    add(r, "GET", ds + "/images/{imageId}/png", Access.USER,
        "any user", "One image's PNG", "", "image/png", datasets::png);
    add(r, "POST", ds + "/reference-labels", Access.ADMIN,
        "admin", "Import the reference reader's labels (never returned)",
        "?useCaseId=&keys=pseudonymous|original; {labels: {studyUid: code}} or text/csv study_uid,label",
        "{dataset, useCaseId, studies}", datasets::importReferenceLabels);
    add(r, "POST", ds + "/reference-boxes", Access.ADMIN,
        "admin", "Import the reference reader's boxes of a detection use case (never returned)",
        "?useCaseId=&keys=pseudonymous|original; text/csv image,x_min,y_min,x_max,y_max,label (image ids, PNG "
        + "pixels), or with keys=original SOPInstanceUID,x_min,... in the DICOM's pixels",
        "{dataset, useCaseId, images, boxes}", datasets::importReferenceBoxes);
    add(r, "POST", ds + "/reference-masks", Access.ADMIN,
        "admin", "Import the reference reader's masks of a segmentation use case (never returned)",
        "?useCaseId=; text/csv image,width,height,runs (a mask snapshot: image ids, PNG pixels, runs CLASS*LENGTH "
        + "row by row, class i the use case's i-th category)",
        "{dataset, useCaseId, images, pixelsPerClass}", datasets::importReferenceMasks);

    add(r, "GET", an + "/next", Access.USER, "any user", "Your next study to label (404 no_more_studies when done)", "",
        "{useCaseId, datasetId, studyUid, images, annotation, annotatedByYou, studiesInDataset}", annotate::next);
    add(r, "GET", an + "/studies/{studyUid}", Access.USER,
        "any user", "One study with your label, to come back to it", "",
        "as next", annotate::study);
    add(r, "POST", an + "/studies/{studyUid}", Access.USER,
        "any user", "Label a study (201 first time, 200 on a change)",
        "{code} or {boxes: [{imageId, x, y, width, height, code}]} or {masks: [{imageId, runs}]}", "Annotation",
        annotate::label);
    add(r, "POST", an + "/studies/{studyUid}/skip", Access.USER,
        "any user", "Skip a study for now", "", "{skipped: [studyUid]}",
        annotate::skip);
    add(r, "GET", an + "/skipped", Access.USER,
        "any user", "Your skipped studies", "", "{skipped: [studyUid]}", annotate::skipped);
    add(r, "GET", "/api/annotations", Access.USER, "any user (their own)", "Your annotations, most recent first",
        "?useCaseId=&datasetId=&limit=&offset=", "{total, annotations: [Annotation]}", annotate::mine);
    add(r, "GET", "/api/annotations/{annotationId}", Access.USER, "its author (403 on a hidden dataset)", "One of your "
        + "annotations with its history", "", "{annotation, history: [{version, code, boxes, masks, changedAt}]}",
        annotate::get);
    add(r, "PUT", "/api/annotations/{annotationId}", Access.USER,
        "its author (403 on a hidden dataset)", "Change one of your "
        + "labels (kept in history)", "{code} or {boxes} or {masks}", "{annotation, history}", annotate::change);

    add(r, "GET", uc + "/assist-module", Access.USER,
        "any user who may see it", "The use case's assist module: report text "
        + "per category (XML, namespace urn:radlab:assist-module:1)", "", "application/xml", useCases::assistModule);
    add(r, "PUT", uc + "/assist-module", Access.ADMIN,
        "admin", "Replace the assist module (checked against its schema and the "
        + "categories)", "application/xml document", "application/xml", useCases::putAssistModule);

    add(r, "GET", "/api/models", Access.USER, "any user (their own; admins all)", "Models, newest first",
        "?useCaseId=&owner=&limit=&offset=", "[Model]", models::list);
    add(r, "GET", "/api/models/{modelId}", Access.USER,
        "its owner or an admin", "One model: card (config, curves, validation "
        + "metrics), job, dataset, label snapshot", "", "{model, card, job, dataset, labelSnapshot}", models::get);
    add(r, "POST", "/api/models/{modelId}/predict", Access.USER,
        "its owner or an admin", "Run the model on a dataset image or "
        + "an uploaded DICOM or PNG; a segmenter on a dataset image answers a DICOM SEG when asked with Accept: "
        + "application/dicom (406 otherwise)", "application/json {datasetId, imageId}, or application/dicom or "
        + "image/png bytes", "{modelId, probabilities, predicted, predictedName, reportText, input} (detectors: "
        + "boxes; segmenters: mask runs and areas)", models::predict);

    add(r, "POST", "/api/models/{modelId}/publish", Access.USER,
        "its owner or an admin", "Publish the model package (weights, "
        + "model.json, MODEL_CARD.md, SHA256SUMS) to a directory or to an HTTP endpoint under an allowed publish "
        + "destination (403 otherwise); every attempt is recorded (a refusal: 502 from an endpoint, 409 from a "
        + "directory)", "{directory: name (admins: or absolute path)} or {url, token?}",
        "Publication {id, kind, destination, status, detail, sha256, bytes}", publish::publish);
    DestinationRoutes destinations = new DestinationRoutes(db);
    add(r, "GET", "/api/publish-destinations", Access.USER,
        "any user", "Where models may be published by HTTP (allowed by an "
        + "admin)", "", "[{id, scheme, host, port, pathPrefix, allowPrivate, note, createdBy, createdAt}]",
        destinations::list);
    add(r, "POST", "/api/publish-destinations", Access.ADMIN,
        "admin", "Allow a publish destination: URLs with its scheme, host "
        + "and port under its path; allowPrivate lets its host resolve to a loopback or private address",
        "{url, allowPrivate?, note?}", "201 Destination", destinations::add);
    add(r, "POST", "/api/publish-destinations/{destinationId}/remove", Access.ADMIN,
        "admin", "Remove a publish destination", "",
        "{removed: Destination}", destinations::remove);
    add(r, "GET", "/api/models/{modelId}/publications", Access.USER,
        "its owner or an admin", "Every publication of the model",
        "", "[Publication]", publish::history);

    PacsRoutes pacs = new PacsRoutes(settings.home());
    add(r, "GET", "/api/pacs-sources", Access.ADMIN, "admin", "The PACS of the server's sources file (pacs.json in "
        + "the workspace, owner-only, edited on the server): never a user or password, only whether credentials are "
        + "set; 409 naming the fix when the file is missing, open to others or malformed", "",
        "{file, sources: [{name, url, credentials}]}", pacs::list);
    add(r, "POST", "/api/pacs-sources/{source}/test", Access.ADMIN, "admin", "Test the connection: one QIDO-RS query "
        + "for at most 5 studies, within 10 s; the reason when it fails", "",
        "{source, ok, millis, studies, limit} or {source, ok: false, millis, reason: unreachable|timeout|"
        + "credentials_refused|not_dicomweb|pacs_error, detail}", pacs::test);

    String dp = "/api/deployments/{deploymentId}";
    add(r, "GET", "/api/deployments", Access.USER,
        "any user (their own; admins all)", "Deployed models being assessed", "",
        "[{deployment, cases, predicted, read, assessable}]", deployments::list);
    add(r, "POST", "/api/deployments", Access.USER,
        "any user", "Register a deployment to record its predictions and reads "
        + "(its name unique among your deployments)",
        "{name, useCaseId, modelId?}", "201 Deployment", deployments::create);
    add(r, "GET", dp, Access.USER,
        "its owner or an admin", "One deployment with its counts", "", "Deployment", deployments::get);
    add(r, "POST", dp + "/predictions", Access.USER,
        "its owner or an admin", "Record the model's predictions (replaces a case's "
        + "earlier one)", "{cases: [{caseId, date: YYYY-MM-DD, probabilities: {code: p}}]} (up to 10000); a detection use case's: "
        + "{cases: [{caseId, date, boxes: [{x, y, width, height, code, score}]}]}",
        "Deployment", deployments::predictions);
    add(r, "POST", dp + "/reads", Access.USER, "its owner or an admin", "Record the radiologists' reads",
        "{reads: [{caseId, read: code}]} (up to 10000), or text/csv case,read (admins also study_uid,read, or "
        + "accession_number,read for a watched deployment); a detection use case's: {reads: [{caseId, boxes: [{x, "
        + "y, width, height, code}]}]}", "Deployment", deployments::reads);
    add(r, "POST", dp + "/assess", Access.USER,
        "its owner or an admin", "Queue the assess job on every case with a prediction "
        + "and a read; results via the job's artifacts", "{positive?, threshold?, period?, bootstrap?} (the assess "
        + "config; a detector's: threshold is the score from which a box is shown)", "201 Job", deployments::assess);
    add(r, "GET", dp + "/assessments", Access.USER,
        "its owner or an admin", "The deployment's assess jobs, newest first", "",
        "[Job]", deployments::assessments);
    add(r, "PUT", dp + "/watch", Access.ADMIN, "admin", "Watch a PACS query: every interval the server pulls each "
        + "new matching study, predicts it with the deployment's model, records it as a case and, with sendBack, "
        + "stores the result in the PACS as a DICOM SR (classification deployments; docs/pacs.md)",
        "{source, modality?, from? (default: today), to?, description?, intervalSeconds? (5-86400, default 300), "
        + "sendBack?, readsFromReports? (reads from the radiologists' SRs in the PACS)}", "Watch", watches::set);
    add(r, "GET", dp + "/watch", Access.USER, "its owner or an admin", "The deployment's watch: its query, its "
        + "polls, the studies predicted, failed and sent back, the last 50 handled", "",
        "{deploymentId, source, query, intervalSeconds, sendBack, readsFromReports, polls, lastPollAt, lastError, "
        + "predicted, failed, sent, sendFailed, readsTaken, recent: [{caseId, poll, images, skipped, error, "
        + "reportUid, sendError, at}]}",
        watches::get);
    add(r, "POST", dp + "/watch/remove", Access.ADMIN, "admin", "Stop watching (what was recorded stays)", "",
        "{deploymentId, watching: false}", watches::remove);

    String ch = "/api/challenges/{challengeId}";
    add(r, "GET", "/api/challenges", Access.USER,
        "any user", "Challenges, with your progress (annotations, submissions today)",
        "", "[Challenge]", challenges::list);
    add(r, "POST", "/api/challenges", Access.ADMIN,
        "admin", "Create a challenge; its test and final datasets (each with reference "
        + "labels, or reference boxes for a detection use case) become hidden",
        "{title, useCaseId, poolDatasetId, testDatasetId, finalDatasetId, startsAt, endsAt (ISO 8601), dailyLimit, "
            + "minAnnotations (default: the server's minimum to train, 100 unless set), agreementMilestone (labels "
            + "between agreement refreshes, 5 to 1000, default 25)}", "201 Challenge", challenges::create);
    add(r, "GET", ch, Access.USER, "any user", "One challenge, with your progress", "", "Challenge", challenges::get);
    add(r, "POST", ch + "/submissions", Access.USER,
        "any user", "Submit one of your models trained on your own annotations of "
        + "the pool; it is evaluated on the hidden test set (429 past the daily limit)", "{modelId}",
        "201 Submission", challenges::submit);
    add(r, "GET", ch + "/submissions", Access.USER,
        "any user (their own; admins all)", "Submissions and their scores", "",
        "[Submission]", challenges::submissions);
    add(r, "GET", ch + "/leaderboard", Access.USER, "any user", "Each participant's most recent submission, ranked by "
        + "linear-weighted kappa, then AUC (detection: mAP, then AP50; segmentation: mean Dice, then IoU)",
        "?phase=test|final", "{challenge, phase, rows: [{rank, userName, modelId, status, kappa, auc | map, ap50 | "
        + "dice, iou, submittedAt}]}", challenges::leaderboard);
    add(r, "POST", ch + "/finalize", Access.ADMIN,
        "admin", "After the end: evaluate everyone's most recent submission on the "
        + "final hidden set", "", "{challenge, finalEvaluations}", challenges::finalizeRanking);

    add(r, "GET", "/api/jobs", Access.USER, "any user (their own; admins all)", "Jobs, newest first",
        "?status=QUEUED|RUNNING|SUCCEEDED|FAILED|CANCELLED&owner=&limit=&offset=", "[Job]", jobs::list);
    add(r, "POST", "/api/jobs", Access.USER,
        "any user (prep: admin)", "Queue a job. train and evaluate take a label snapshot "
        + "of your annotations (labels: mine) at submission", "{kind: prep|train|evaluate|assess, datasetId, "
        + "useCaseId, labels: mine|reference, models: [model id], predictionsCsv, config: {job config}}",
        "201 Job", jobs::submit);
    add(r, "GET", job, Access.USER, "its owner or an admin", "A job's status and config", "", "Job", jobs::get);
    add(r, "GET", job + "/progress", Access.USER, "its owner or an admin", "The progress events the job wrote", "",
        "{id, status, events: [object]}", jobs::progress);
    add(r, "GET", job + "/artifacts", Access.USER,
        "its owner or an admin", "The reports and charts a job wrote (JSON, CSV, PNG, "
        + "SVG, Markdown)", "", "{id, status, files: [{path, bytes}]}", jobs::artifacts);
    add(r, "GET", job + "/artifact", Access.USER,
        "its owner or an admin", "One of them", "?path=", "the file", jobs::artifact);
    add(r, "GET", job + "/log", Access.USER,
        "its owner or an admin", "The end of the job's output", "?bytes=", "text/plain",
        jobs::log);
    add(r, "POST", job + "/cancel", Access.USER, "its owner or an admin", "Cancel a queued or running job", "", "Job",
        jobs::cancel);
  }

  /**
   * One row: {@code role} is enforced before the handler runs ({@link Access}); {@code who} says the rule in words,
   * with the finer rules the handler applies.
   */
  private void add(io.javalin.config.RoutesConfig r, String method, String path, Access role, String who,
      String summary, String request, String response, Handler handler) {
    endpoints.add(new Endpoint(method, path, who, summary, request, response));
    switch (method) {
      case "GET" -> r.get(path, handler, role);
      case "POST" -> r.post(path, handler, role);
      case "PUT" -> r.put(path, handler, role);
      default -> throw new IllegalArgumentException(method);
    }
  }

  private void health(Context ctx) {
    String database;
    try {
      database = db.jdbi().withHandle(h -> h.createQuery("SELECT 'ok'").mapTo(String.class).one());
    } catch (RuntimeException e) {
      ctx.status(503).json(new ApiError("unavailable", "the database cannot be read: " + e.getMessage()));
      return;
    }
    ctx.json(Map.of("status", "ok", "database", database, "jobsRunning", runner.watching()));
  }

  private void docs(Context ctx) {
    StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset=utf-8><title>RadLab API"
        + "</title><style>" + DOCS_STYLE + "</style></head><body><h1>RadLab control API"
        + "</h1><p>Send <code>Authorization: Bearer &lt;token&gt;</code>. Errors are <code>{error, detail}</code> "
        + "with a 4xx or 5xx status.</p><table><tr><th>Method</th><th>Path</th><th>Who</th><th>What</th>"
        + "<th>Request</th><th>Response</th></tr>");
    for (Endpoint e : endpoints) {
      html.append("<tr><td>").append(e.method()).append("</td><td><code>").append(escape(e.path()))
          .append("</code></td><td>").append(escape(e.access())).append("</td><td>").append(escape(e.summary()))
          .append("</td><td><code>").append(escape(e.request())).append("</code></td><td><code>")
          .append(escape(e.response())).append("</code></td></tr>");
    }
    ctx.html(html.append("</table></body></html>").toString());
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
