package org.radlab.api.routes;

import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radlab.api.db.AnnotationDao;
import org.radlab.api.db.ChallengeDao;
import org.radlab.api.jobs.JobQueue;
import org.radlab.api.db.ChallengeDao.Challenge;
import org.radlab.api.db.ChallengeDao.Submission;
import org.radlab.api.db.Database;
import org.radlab.api.db.DatasetDao;
import org.radlab.api.db.DatasetDao.Dataset;
import org.radlab.api.db.JobDao;
import org.radlab.api.db.ModelDao;
import org.radlab.api.db.ModelDao.Model;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.db.UserDao;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Requests;
import org.radlab.api.http.Times;
import org.radlab.core.task.TaskType;

/**
 * Challenges: participants annotate a training pool, train on their own annotations and submit models; each
 * submission is evaluated on a hidden test set by a job the participant cannot see. The leaderboard shows each
 * participant's most recent submission, ranked by linear-weighted kappa, then AUC, on a classification use case; by
 * mAP (IoU 0.5 to 0.95), then AP50, on a detection use case. After the end, an admin finalizes: every participant's
 * most recent submission is evaluated once on the final hidden set.
 */
public final class ChallengeRoutes {
  public record ChallengeRequest(String title, Long useCaseId, Long poolDatasetId, Long testDatasetId,
      Long finalDatasetId, String startsAt, String endsAt, Integer dailyLimit, Integer minAnnotations,
      Integer agreementMilestone) {}

  public record SubmitRequest(Long modelId) {}

  /** What a participant sees of a challenge; the hidden sets are named only for admins. */
  public record ChallengeView(long id, String title, long useCaseId, TaskType task, long poolDatasetId,
      Long testDatasetId,
      Long finalDatasetId, String startsAt, String endsAt, int dailyLimit, int minAnnotations,
      int agreementMilestone, String phase, String finalizedAt, Map<String, Object> you) {}

  /** A submission as its participant sees it: kappa and AUC, or mAP and AP50 (by the use case's task). */
  public record SubmissionView(long id, long userId, long modelId, String phase, String status, Double kappa,
      Double auc, Double map, Double ap50, Double dice, Double iou, String submittedAt, String scoredAt, Long jobId) {}

  public record Row(int rank, String userName, long modelId, String status, Double kappa, Double auc, Double map,
      Double ap50, Double dice, Double iou, String submittedAt) {}

  private final Database db;
  private final ChallengeDao challenges;
  private final DatasetDao datasets;
  private final UseCaseDao useCases;
  private final ModelDao models;
  private final AnnotationDao annotations;
  private final UserDao users;
  private final JobQueue jobs;
  private final Clock clock;
  private final int defaultMinAnnotations;

  /**
   * @param clock                 what opens and closes challenges and starts each day's submission count
   * @param defaultMinAnnotations annotations of the pool a participant needs before submitting, unless the
   *                              challenge sets its own
   */
  public ChallengeRoutes(Database db, JobQueue jobs, Clock clock, int defaultMinAnnotations) {
    this.db = db;
    this.clock = clock;
    this.defaultMinAnnotations = defaultMinAnnotations;
    this.challenges = db.dao(ChallengeDao.class);
    this.datasets = db.dao(DatasetDao.class);
    this.useCases = db.dao(UseCaseDao.class);
    this.models = db.dao(ModelDao.class);
    this.annotations = db.dao(AnnotationDao.class);
    this.users = db.dao(UserDao.class);
    this.jobs = jobs;
  }

  public void create(Context ctx) {
    Caller caller = Requests.caller(ctx);
    ChallengeRequest r = Json.body(ctx, ChallengeRequest.class);
    String title = Requests.field(r.title(), "title", 200);
    if (challenges.countTitled(title) > 0) {
      throw ApiException.conflict("a challenge titled '" + title + "' exists already");
    }
    UseCaseDao.UseCase u = r.useCaseId() == null ? null : useCases.find(r.useCaseId()).orElse(null);
    if (u == null || !"published".equals(u.status())) {
      throw ApiException.badRequest("useCaseId must name a published use case, got " + r.useCaseId());
    }
    Dataset pool = readyDataset(r.poolDatasetId(), "poolDatasetId");
    Dataset test = readyDataset(r.testDatasetId(), "testDatasetId");
    Dataset fin = readyDataset(r.finalDatasetId(), "finalDatasetId");
    if (pool.id() == test.id() || pool.id() == fin.id() || test.id() == fin.id()) {
      throw ApiException.badRequest("the pool, test and final datasets must be three different datasets");
    }
    for (Dataset hidden : List.of(test, fin)) {
      switch (u.taskType()) {
        case CLASSIFICATION -> {
          if (datasets.referenceLabelCount(hidden.id(), u.id()) == 0) {
            throw ApiException.rule("dataset " + hidden.id() + " has no reference labels for use case " + u.id()
                + "; import them first");
          }
        }
        case DETECTION -> {
          if (datasets.referenceBoxCount(hidden.id(), u.id()) == 0) {
            throw ApiException.rule("dataset " + hidden.id() + " has no reference boxes for use case " + u.id()
                + "; import them first (POST /api/datasets/" + hidden.id() + "/reference-boxes)");
          }
        }
        case SEGMENTATION -> {
          if (datasets.referenceMaskCount(hidden.id(), u.id()) == 0) {
            throw ApiException.rule("dataset " + hidden.id() + " has no reference masks for use case " + u.id()
                + "; import them first (POST /api/datasets/" + hidden.id() + "/reference-masks)");
          }
        }
      }
    }
    Instant starts = instant(r.startsAt(), "startsAt");
    Instant ends = instant(r.endsAt(), "endsAt");
    if (!ends.isAfter(starts)) {
      throw ApiException.badRequest("endsAt must be after startsAt");
    }
    int limit = r.dailyLimit() == null ? 3 : r.dailyLimit();
    int min = r.minAnnotations() == null ? defaultMinAnnotations : r.minAnnotations();
    if (limit < 1 || limit > 1000 || min < 1 || min > 100_000) {
      throw ApiException.badRequest("dailyLimit must be 1 to 1000 and minAnnotations 1 to 100000");
    }
    int milestone = r.agreementMilestone() == null ? AgreementMatrix.DEFAULT_MILESTONE : r.agreementMilestone();
    if (milestone < AgreementMatrix.MIN_MILESTONE || milestone > AgreementMatrix.MAX_MILESTONE) {
      throw ApiException.badRequest("agreementMilestone must be " + AgreementMatrix.MIN_MILESTONE + " to "
          + AgreementMatrix.MAX_MILESTONE + " labels, got " + milestone);
    }
    long id = challenges.insert(title, u.id(), pool.id(), test.id(), fin.id(), starts.toString(), ends.toString(),
        limit, min, milestone, caller.id(), now());
    datasets.hide(test.id());
    datasets.hide(fin.id());
    ctx.status(201).json(view(caller, challenges.find(id).orElseThrow()));
  }

  public void list(Context ctx) {
    Caller caller = Requests.caller(ctx);
    ctx.json(challenges.list().stream().map(c -> view(caller, c)).toList());
  }

  public void get(Context ctx) {
    Caller caller = Requests.caller(ctx);
    ctx.json(view(caller, found(ctx)));
  }

  /** A participant submits one of their models; it is evaluated on the hidden test set. */
  public void submit(Context ctx) {
    Caller caller = Requests.caller(ctx);
    Challenge c = found(ctx);
    if (!"open".equals(phase(c))) {
      throw ApiException.conflict("challenge " + c.id() + " is not open for submissions (" + phase(c) + ")");
    }
    SubmitRequest r = Json.body(ctx, SubmitRequest.class);
    if (r.modelId() == null) {
      throw ApiException.badRequest("'modelId' is required");
    }
    Model m = models.find(r.modelId()).filter(x -> x.ownerId() == caller.id())
        .orElseThrow(() -> ApiException.badRequest("model " + r.modelId() + " is not one of your models"));
    JobDao.LabelSnapshotRow snapshot = m.snapshotId() == null ? null
        : db.dao(JobDao.class).snapshot(m.snapshotId()).orElse(null);
    if (m.datasetId() != c.poolDatasetId() || m.useCaseId() != c.useCaseId() || snapshot == null
        || !"mine".equals(snapshot.source()) || snapshot.userId() != caller.id()) {
      throw ApiException.rule("a submission must be a model trained on your own annotations of the training pool "
          + "(dataset " + c.poolDatasetId() + ", use case " + c.useCaseId() + ")");
    }
    int annotated = annotations.countMine(caller.id(), c.useCaseId(), c.poolDatasetId());
    if (annotated < c.minAnnotations()) {
      throw ApiException.rule("annotate at least " + c.minAnnotations() + " studies of the training pool before "
          + "submitting; you have " + annotated);
    }
    String dayStart = Times.startOfDayUtc(clock.instant());
    if (challenges.countSince(c.id(), caller.id(), dayStart) >= c.dailyLimit()) {
      throw new ApiException(429, "daily_limit", "you have made your " + c.dailyLimit() + " submissions for today "
          + "(UTC); the next one is possible after midnight UTC");
    }
    long id = evaluate(c, caller.id(), m, "test", c.testDatasetId());
    ctx.status(201).json(submissionView(caller, challenges.submissions(c.id(), caller.id()).stream()
        .filter(s -> s.id() == id).findFirst().orElseThrow()));
  }

  public void submissions(Context ctx) {
    Caller caller = Requests.caller(ctx);
    Challenge c = found(ctx);
    ctx.json(challenges.submissions(c.id(), caller.isAdmin() ? null : caller.id()).stream()
        .map(s -> submissionView(caller, s)).toList());
  }

  /** {@code ?phase=test|final}; by default the final ranking once there is one. */
  public void leaderboard(Context ctx) {
    Requests.caller(ctx);
    Challenge c = found(ctx);
    String phase = Requests.text(ctx, "phase");
    if (phase == null) {
      phase = c.finalizedAt() != null ? "final" : "test";
    }
    if (!phase.equals("test") && !phase.equals("final")) {
      throw ApiException.badRequest("phase must be test or final, got '" + phase + "'");
    }
    List<Row> rows = new ArrayList<>();
    int rank = 0;
    for (ChallengeDao.Standing s : challenges.leaderboard(c.id(), phase)) {
      boolean scored = "scored".equals(s.status());
      rows.add(new Row(scored ? ++rank : 0, s.userName(), s.modelId(), s.status(), s.kappa(), s.auc(), s.map(),
          s.ap50(), s.dice(), s.iou(), s.submittedAt()));
    }
    ctx.json(Map.of("challenge", c.id(), "phase", phase, "rows", rows));
  }

  /** Admin, after the end: evaluates each participant's most recent submission on the final hidden set, once. */
  public void finalizeRanking(Context ctx) {
    Challenge c = found(ctx);
    if (!"ended".equals(phase(c))) {
      throw ApiException.conflict("challenge " + c.id() + " can be finalized after its end, once; it is " + phase(c));
    }
    if (challenges.finalize(c.id(), now()) != 1) {
      throw ApiException.conflict("challenge " + c.id() + " is finalized already");
    }
    int queued = 0;
    for (ChallengeDao.Standing s : challenges.leaderboard(c.id(), "test")) {
      Model m = models.find(s.modelId()).orElseThrow();
      evaluate(c, s.userId(), m, "final", c.finalDatasetId());
      queued++;
    }
    ctx.json(Map.of("challenge", c.id(), "finalEvaluations", queued));
  }

  /** Records a submission and queues its evaluation, owned by the challenge's admin. */
  private long evaluate(Challenge c, long userId, Model m, String phase, long datasetId) {
    long id = challenges.submit(c.id(), userId, m.id(), phase, now());
    try {
      UserDao.User owner = users.find(c.createdBy()).orElseThrow();
      JobDao.Job job = jobs.enqueueHiddenEvaluation(new Caller(owner.id(), owner.name(), owner.role()),
          datasets.find(datasetId).orElseThrow(), useCases.find(c.useCaseId()).orElseThrow(), List.of(m.path()));
      challenges.setJob(id, job.id());
    } catch (RuntimeException e) {
      challenges.score(id, "failed", ChallengeDao.Scores.NONE, now());
      throw e;
    }
    return id;
  }

  private ChallengeView view(Caller caller, Challenge c) {
    Map<String, Object> you = new LinkedHashMap<>();
    you.put("annotations", annotations.countMine(caller.id(), c.useCaseId(), c.poolDatasetId()));
    String dayStart = Times.startOfDayUtc(clock.instant());
    you.put("submissionsToday", challenges.countSince(c.id(), caller.id(), dayStart));
    TaskType task = useCases.find(c.useCaseId()).map(UseCaseDao.UseCase::taskType).orElse(TaskType.CLASSIFICATION);
    return new ChallengeView(c.id(), c.title(), c.useCaseId(), task, c.poolDatasetId(),
        caller.isAdmin() ? c.testDatasetId() : null, caller.isAdmin() ? c.finalDatasetId() : null, c.startsAt(),
        c.endsAt(), c.dailyLimit(), c.minAnnotations(), c.agreementMilestone(), phase(c), c.finalizedAt(), you);
  }

  /** The evaluation job (on a hidden set) is named only to admins. */
  private static SubmissionView submissionView(Caller caller, Submission s) {
    return new SubmissionView(s.id(), s.userId(), s.modelId(), s.phase(), s.status(), s.kappa(), s.auc(), s.map(),
        s.ap50(), s.dice(), s.iou(), s.submittedAt(), s.scoredAt(), caller.isAdmin() ? s.jobId() : null);
  }

  private String now() {
    return Times.format(clock.instant());
  }

  private String phase(Challenge c) {
    Instant now = clock.instant();
    if (c.finalizedAt() != null) {
      return "finalized";
    }
    if (now.isBefore(Instant.parse(c.startsAt()))) {
      return "upcoming";
    }
    return now.isBefore(Instant.parse(c.endsAt())) ? "open" : "ended";
  }

  private Challenge found(Context ctx) {
    long id = Requests.id(ctx, "challengeId", "challenge");
    return challenges.find(id).orElseThrow(() -> ApiException.notFound("challenge " + id));
  }

  private Dataset readyDataset(Long id, String field) {
    Dataset d = id == null ? null : datasets.find(id).orElse(null);
    if (d == null || !"ready".equals(d.status())) {
      throw ApiException.badRequest(field + " must name a ready dataset, got " + id);
    }
    return d;
  }

  private static Instant instant(String value, String field) {
    try {
      return Instant.parse(Requests.field(value, field, 40));
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(field + " must be an ISO 8601 instant such as 2027-03-01T00:00:00Z, got '"
          + value + "'");
    }
  }
}
