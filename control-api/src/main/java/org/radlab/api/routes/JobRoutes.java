package org.radlab.api.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.radlab.api.db.AnnotationDao;
import org.radlab.api.db.Database;
import org.radlab.api.db.DatasetDao;
import org.radlab.api.db.DatasetDao.Dataset;
import org.radlab.api.db.JobDao;
import org.radlab.api.db.JobDao.Job;
import org.radlab.api.db.ModelDao;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Requests;
import org.radlab.api.http.ServerPaths;
import org.radlab.api.jobs.JobFiles;
import org.radlab.core.jobs.JobConfig;
import org.radlab.core.jobs.JobKind;
import org.radlab.api.jobs.JobQueue;
import org.radlab.api.jobs.JobQueue.Snapshot;
import org.radlab.api.jobs.JobRunner;
import org.radlab.api.jobs.JobViews;
import org.radlab.api.jobs.PretrainedWeights;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;
import org.radlab.core.task.TaskType;

/**
 * The job endpoints: submit prep, train, evaluate and assess jobs (checked here against the caller's rights, the
 * dataset and the labels, then queued by {@link JobQueue}), follow their status, progress, log and artifacts, and
 * cancel them. Participants see and cancel only their own jobs.
 */
public final class JobRoutes {
  /** Equal-class sampling needs at least this many studies of every class. */
  public static final int MIN_PER_CLASS_EQUAL = 10;

  public record JobRequest(String kind, Long datasetId, Long useCaseId, String labels, List<Long> models,
      String predictionsCsv, ObjectNode config) {}

  private final Path home;
  private final JobDao jobs;
  private final DatasetDao datasets;
  private final UseCaseDao useCases;
  private final AnnotationDao annotations;
  private final ModelDao modelDao;
  private final int minTrainingLabels;
  private final JobQueue queue;
  private final JobViews views;
  private final JobRunner runner;
  private final ServerPaths paths;

  /** {@code minTrainingLabels}: training needs at least this many labelled studies. */
  public JobRoutes(Database db, Path home, int minTrainingLabels, JobQueue queue, JobViews views, JobRunner runner) {
    this.home = home;
    this.minTrainingLabels = minTrainingLabels;
    this.jobs = db.dao(JobDao.class);
    this.datasets = db.dao(DatasetDao.class);
    this.useCases = db.dao(UseCaseDao.class);
    this.annotations = db.dao(AnnotationDao.class);
    this.modelDao = db.dao(ModelDao.class);
    this.queue = queue;
    this.views = views;
    this.runner = runner;
    this.paths = views.paths();
  }



  public void submit(Context ctx) {
    Caller caller = Requests.caller(ctx);
    JobRequest r = Json.body(ctx, JobRequest.class);
    JobKind kind;
    try {
      kind = JobKind.of(r.kind());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    ObjectNode config = r.config() == null ? Json.MAPPER.createObjectNode() : r.config().deepCopy();
    if (!caller.isAdmin()) {
      Set<String> serverFields = JobConfig.serverFields(kind.configType());
      config.fieldNames().forEachRemaining(f -> {
        if (serverFields.contains(f)) {
          throw ApiException.badRequest("config field '" + f + "' is set by the server; name the dataset with "
              + "datasetId, the labels with useCaseId and labels, and models by job id");
        }
      });
    }
    Job job = switch (kind) {
      case PREP -> {
        caller.requireAdmin("running prep (register a dataset instead)");
        yield queue.enqueue(caller, kind, config, r.datasetId());
      }
      case TRAIN -> train(caller, r, config);
      case EVALUATE -> evaluate(caller, r, config);
      case ASSESS -> assess(caller, r, config);
    };
    ctx.status(201).json(views.view(caller, job));
  }

  private Job train(Caller caller, JobRequest r, ObjectNode config) {
    UseCaseDao.UseCase u = useCase(caller, r.useCaseId());
    long useCase = u.id();
    Dataset d = readyDataset(caller, r.datasetId());
    if (!config.has("classes")) {
      ArrayNode classes = config.putArray("classes");
      useCases.categories(useCase).forEach(c -> classes.add(c.code()));
    }
    if (config.hasNonNull("weights")) {
      config.put("weights", PretrainedWeights.resolve(home, config.get("weights").asText(), caller.isAdmin())
          .toString());
    }
    config.put("dataset", d.path());
    config.put("task", taskOf(config, u));
    if (u.taskType() == TaskType.DETECTION) {
      return queue.enqueue(caller, JobKind.TRAIN, config, d.id(),
          boxSnapshot(caller, r.labels(), d, useCase, minTrainingLabels, "training"));
    }
    if (u.taskType() == TaskType.SEGMENTATION) {
      return queue.enqueue(caller, JobKind.TRAIN, config, d.id(),
          maskSnapshot(caller, r.labels(), d, useCase, minTrainingLabels, "training"));
    }
    Map<String, String> labels = labels(caller, r.labels(), d.id(), useCase);
    if (labels.size() < minTrainingLabels) {
      throw ApiException.rule("training needs at least " + minTrainingLabels + " labelled studies; "
          + labelSource(r.labels()) + " of use case " + useCase + " on dataset " + d.id() + " have " + labels.size());
    }
    Map<String, Integer> perClass = new TreeMap<>();
    config.get("classes").forEach(c -> perClass.put(c.asText(), 0));
    labels.values().forEach(code -> perClass.computeIfPresent(code, (k, n) -> n + 1));
    perClass.forEach((code, n) -> {
      if (n == 0) {
        throw ApiException.rule("class " + code + " has no labelled studies among the " + labels.size() + "; label "
            + "some, or leave it out of the config's classes");
      }
    });
    if ("equal_class".equals(config.path("sampling").asText())) {
      perClass.forEach((code, n) -> {
        if (n < MIN_PER_CLASS_EQUAL) {
          throw ApiException.rule("equal_class sampling needs at least " + MIN_PER_CLASS_EQUAL + " studies of each "
              + "class; class " + code + " has " + n);
        }
      });
    }
    return queue.enqueue(caller, JobKind.TRAIN, config, d.id(), Snapshot.ofStudies(useCase, source(r.labels()),
        labels));
  }

  /** The task of a use case's training job: the use case's own; a config naming another is refused. */
  private static String taskOf(ObjectNode config, UseCaseDao.UseCase u) {
    if (config.has("task") && !u.task().equals(config.get("task").asText())) {
      throw ApiException.badRequest("use case " + u.id() + " is a " + u.task() + " use case; its jobs have task '"
          + u.task() + "', not '" + config.get("task").asText() + "'");
    }
    return u.task();
  }

  /**
   * The caller's boxes on a detection use case's dataset as a snapshot: every image of each study they annotated
   * (an empty list means the study was read and holds no finding), each box in its PNG's pixels. Needs at least
   * {@code minStudies} annotated studies and one box.
   */
  private Snapshot boxSnapshot(Caller caller, String source, Dataset d, long useCase, int minStudies, String what) {
    if ("reference".equals(source)) {
      caller.requireAdmin("training or evaluating on the reference boxes");
      BoxTable reference = datasets.referenceBoxes(d.id(), useCase);
      int studies = datasets.referenceBoxStudies(d.id(), useCase);
      if (studies < minStudies || reference.boxes().isEmpty()) {
        throw ApiException.rule(what + " needs at least " + minStudies + " studies with reference boxes, and one"
            + " box; dataset " + d.id() + " has " + studies + " studies and " + reference.boxes().size()
            + " boxes for use case " + useCase + " (POST /api/datasets/" + d.id() + "/reference-boxes)");
      }
      return Snapshot.ofBoxes(useCase, "reference", reference, studies);
    }
    if (source != null && !"mine".equals(source)) {
      throw ApiException.badRequest("labels must be 'mine' or 'reference', got '" + source + "'");
    }
    Map<String, String> studies = annotations.boxes(caller.id(), useCase, d.id());
    if (studies.size() < minStudies) {
      throw ApiException.rule(what + " needs at least " + minStudies + " annotated studies; your boxes on use case "
          + useCase + " and dataset " + d.id() + " cover " + studies.size());
    }
    List<String> images = new ArrayList<>();
    List<BoxTable.Box> boxes = new ArrayList<>();
    studies.forEach((study, json) -> {
      datasets.studyImages(d.id(), study).forEach(i -> images.add(i.imageId()));
      try {
        for (JsonNode b : Json.MAPPER.readTree(json)) {
          double x = b.path("x").asDouble();
          double y = b.path("y").asDouble();
          boxes.add(new BoxTable.Box(b.path("imageId").asText(), b.path("code").asText(), x, y,
              x + b.path("width").asDouble(), y + b.path("height").asDouble(), Double.NaN));
        }
      } catch (IOException e) {
        throw new IllegalStateException("annotation boxes of study " + study + " are not JSON: " + e.getMessage(), e);
      }
    });
    if (boxes.isEmpty()) {
      throw ApiException.rule(what + " needs at least one box; your " + studies.size() + " annotated studies of use"
          + " case " + useCase + " hold none");
    }
    return Snapshot.ofBoxes(useCase, "mine", new BoxTable(images, boxes), studies.size());
  }

  /**
   * A segmentation use case's masks on the dataset as a snapshot: the reference reader's (admins), or the caller's
   * from Annotate (every image of each annotated study; an image without a mask holds no finding), each in its PNG's
   * pixels. Needs at least {@code minStudies} studies, and for the caller's one outlined finding.
   */
  private Snapshot maskSnapshot(Caller caller, String source, Dataset d, long useCase, int minStudies, String what) {
    if ("reference".equals(source)) {
      caller.requireAdmin("training or evaluating on the reference masks");
      int studies = datasets.referenceMaskStudies(d.id(), useCase);
      if (studies < minStudies) {
        throw ApiException.rule(what + " needs reference masks on at least " + minStudies + " studies; dataset "
            + d.id() + " has them on " + studies + " for use case " + useCase + " (POST /api/datasets/" + d.id()
            + "/reference-masks)");
      }
      return Snapshot.ofMasks(useCase, "reference", datasets.referenceMasks(d.id(), useCase), studies);
    }
    if (source != null && !"mine".equals(source)) {
      throw ApiException.badRequest("labels must be 'mine' or 'reference', got '" + source + "'");
    }
    Map<String, String> studies = annotations.masks(caller.id(), useCase, d.id());
    if (studies.size() < minStudies) {
      throw ApiException.rule(what + " needs at least " + minStudies + " annotated studies; your masks on use case "
          + useCase + " and dataset " + d.id() + " cover " + studies.size());
    }
    Map<String, LabelMask> masks = new java.util.TreeMap<>();
    boolean found = false;
    for (var e : studies.entrySet()) {
      Map<String, String> runs = new HashMap<>();
      try {
        for (JsonNode m : Json.MAPPER.readTree(e.getValue())) {
          runs.put(m.path("imageId").asText(), m.path("runs").asText());
        }
      } catch (IOException ex) {
        throw new IllegalStateException("annotation masks of study " + e.getKey() + " are not JSON: "
            + ex.getMessage(), ex);
      }
      for (DatasetDao.Image i : datasets.studyImages(d.id(), e.getKey())) {
        String r = runs.get(i.imageId());
        LabelMask mask = r == null ? new LabelMask(i.pngWidth(), i.pngHeight(), new byte[i.pngWidth() * i.pngHeight()])
            : MaskTable.mask(i.pngWidth(), i.pngHeight(), r, "mask of image " + i.imageId());
        found |= mask.maxLabel() > 0;
        masks.put(i.imageId(), mask);
      }
    }
    if (!found) {
      throw ApiException.rule(what + " needs at least one outlined finding; your " + studies.size() + " annotated "
          + "studies of use case " + useCase + " hold none");
    }
    return Snapshot.ofMasks(useCase, "mine", new MaskTable(masks), studies.size());
  }

  private Job evaluate(Caller caller, JobRequest r, ObjectNode config) {
    UseCaseDao.UseCase u = useCase(caller, r.useCaseId());
    long useCase = u.id();
    Dataset d = readyDataset(caller, r.datasetId());
    Snapshot snapshot;
    if (u.taskType() == TaskType.DETECTION) {
      snapshot = boxSnapshot(caller, r.labels(), d, useCase, 1, "evaluation");
    } else if (u.taskType() == TaskType.SEGMENTATION) {
      snapshot = maskSnapshot(caller, r.labels(), d, useCase, 1, "evaluation");
    } else {
      Map<String, String> labels = labels(caller, r.labels(), d.id(), useCase);
      if (labels.isEmpty()) {
        throw ApiException.rule("evaluation needs labelled studies; " + labelSource(r.labels()) + " of use case "
            + useCase + " on dataset " + d.id() + " have none");
      }
      snapshot = Snapshot.ofStudies(useCase, source(r.labels()), labels);
    }
    if (r.models() == null || r.models().isEmpty()) {
      if (!caller.isAdmin() || !config.has("models")) {
        throw ApiException.badRequest("'models' must list the ids of one or more of your models (GET /api/models)");
      }
    } else {
      ArrayNode models = config.putArray("models");
      for (Long id : r.models()) {
        ModelDao.Model m = modelDao.find(id == null ? -1 : id)
            .filter(x -> caller.isAdmin() || x.ownerId() == caller.id())
            .orElseThrow(() -> ApiException.badRequest("model " + id + " is not one of your models"));
        String task = useCases.find(m.useCaseId()).map(UseCaseDao.UseCase::task).orElse(u.task());
        if (!task.equals(u.task())) {
          throw ApiException.badRequest("model " + id + " is a " + task + " model; use case " + useCase + " is a "
              + u.task() + " use case");
        }
        models.add(m.path());
      }
    }
    config.put("dataset", d.path());
    return queue.enqueue(caller, JobKind.EVALUATE, config, d.id(), snapshot);
  }

  /** Inline predictions, or (admins only) a predictions file already on the server named in the config. */
  private Job assess(Caller caller, JobRequest r, ObjectNode config) {
    if (caller.isAdmin() && config.has("predictions")) {
      return queue.enqueue(caller, JobKind.ASSESS, config, null);
    }
    String csv = r.predictionsCsv();
    if (csv == null || csv.isBlank()) {
      throw ApiException.badRequest("'predictionsCsv' must hold the recorded predictions: "
          + "ID,DATE,READ,CLASS1,CLASS2,... (with config.task 'detection': case,date,source,x_min,y_min,x_max,y_max,"
          + "label,score)");
    }
    return queue.enqueueAssessment(caller, config, csv, null);
  }





  public void list(Context ctx) {
    Caller caller = Requests.caller(ctx);
    String status = Requests.text(ctx, "status");
    if (status != null && !Set.of(JobDao.QUEUED, JobDao.RUNNING, JobDao.SUCCEEDED, JobDao.FAILED, JobDao.CANCELLED)
        .contains(status)) {
      throw ApiException.badRequest("status must be QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED, got '" + status
          + "'");
    }
    Long owner = caller.isAdmin() ? Requests.optionalLong(ctx, "owner") : Long.valueOf(caller.id());
    ctx.json(jobs.list(owner, status, Requests.limit(ctx, 100), Requests.offset(ctx)).stream()
        .map(j -> views.view(caller, j)).toList());
  }

  public void get(Context ctx) {
    ctx.json(views.view(Requests.caller(ctx), owned(ctx)));
  }

  /** The job's progress events: the JSON objects the job wrote, oldest first. */
  public void progress(Context ctx) {
    Job job = owned(ctx);
    Path file = JobFiles.of(home, job.id()).progress();
    List<JsonNode> events = new ArrayList<>();
    if (Files.isRegularFile(file)) {
      try {
        for (String line : Files.readAllLines(file)) {
          if (!line.isBlank()) {
            events.add(Json.MAPPER.readTree(line));
          }
        }
      } catch (IOException e) {
        // A line being rewritten: the next poll gets it.
      }
    }
    ctx.json(Map.of("id", job.id(), "status", job.status(), "events", Requests.caller(ctx).isAdmin() ? events
        : events.stream().map(paths::scrub).toList()));
  }

  public void log(Context ctx) {
    Job job = owned(ctx);
    Long bytes = Requests.optionalLong(ctx, "bytes");
    int max = bytes == null ? 65_536 : (int) Math.max(1, Math.min(bytes, 4_194_304));
    ctx.contentType("text/plain; charset=utf-8").result(paths.view(Requests.caller(ctx),
        JobFiles.tail(JobFiles.of(home, job.id()).log(), max)));
  }

  public void cancel(Context ctx) {
    Caller caller = Requests.caller(ctx);
    Job job = owned(ctx);
    if (!runner.cancel(job, caller.name())) {
      throw ApiException.conflict("job " + job.id() + " has already ended: " + jobs.find(job.id()).orElseThrow()
          .status());
    }
    ctx.json(views.view(caller, jobs.find(job.id()).orElseThrow()));
  }


  private Job owned(Context ctx) {
    Caller caller = Requests.caller(ctx);
    long id = Requests.id(ctx, "jobId", "job");
    Job job = jobs.find(id).orElseThrow(() -> ApiException.notFound("job " + id));
    caller.requireOwnerOrAdmin(job.ownerId(), "job " + id);
    return job;
  }

  private Dataset readyDataset(Caller caller, Long id) {
    if (id == null) {
      throw ApiException.badRequest("'datasetId' is required");
    }
    Dataset d = datasets.findVisible(id, caller.isAdmin())
        .orElseThrow(() -> ApiException.badRequest("dataset " + id + " does not exist"));
    if (!"ready".equals(d.status())) {
      throw ApiException.rule("dataset " + id + " is " + d.status() + "; jobs need a ready dataset");
    }
    return d;
  }

  /** A use case the caller may see (one they may not is as missing as one that does not exist). */
  private UseCaseDao.UseCase useCase(Caller caller, Long id) {
    if (id == null) {
      throw ApiException.badRequest("'useCaseId' is required");
    }
    return useCases.findVisible(id, caller.isAdmin() ? null : caller.id())
        .orElseThrow(() -> ApiException.notFound("use case " + id));
  }

  private Map<String, String> labels(Caller caller, String source, long datasetId, long useCaseId) {
    String s = source == null ? "mine" : source;
    return switch (s) {
      case "mine" -> annotations.labels(caller.id(), useCaseId, datasetId);
      case "reference" -> {
        caller.requireAdmin("training or evaluating on the reference labels");
        yield datasets.referenceLabels(datasetId, useCaseId);
      }
      default -> throw ApiException.badRequest("labels must be 'mine' or 'reference', got '" + s + "'");
    };
  }



  /** The files a finished job wrote (model folder, evaluation or assessment output), for reports and charts. */
  public void artifacts(Context ctx) throws IOException {
    Job job = owned(ctx);
    Path out = JobQueue.output(job).orElse(null);
    List<Map<String, Object>> files = new ArrayList<>();
    if (out != null && Files.isDirectory(out)) {
      try (var walk = Files.walk(out, 3)) {
        for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
          String name = out.relativize(f).toString();
          if (ARTIFACT_TYPES.containsKey(extension(name))) {
            files.add(Map.of("path", name, "bytes", Files.size(f)));
          }
        }
      }
    }
    ctx.json(Map.of("id", job.id(), "status", job.status(), "files", files));
  }

  /** One artifact: {@code ?path=} as listed by {@link #artifacts}. */
  public void artifact(Context ctx) throws IOException {
    Job job = owned(ctx);
    Path out = JobQueue.output(job).orElse(null);
    String name = Requests.text(ctx, "path");
    if (name == null || out == null) {
      throw ApiException.badRequest("give the artifact's path as ?path=, as GET /api/jobs/" + job.id()
          + "/artifacts lists it");
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw ApiException.badRequest("the artifact path must not hold control characters (such as %00); give it as "
          + "GET /api/jobs/" + job.id() + "/artifacts lists it");
    }
    Path file = out.resolve(name).normalize();
    String type = ARTIFACT_TYPES.get(extension(name));
    if (!file.startsWith(out) || type == null || !Files.isRegularFile(file)) {
      throw ApiException.notFound("artifact '" + name + "' of job " + job.id());
    }
    if (!Requests.caller(ctx).isAdmin() && !type.startsWith("image/png")) {
      ctx.contentType(type).result(paths.scrub(Files.readString(file, StandardCharsets.UTF_8)));
      return;
    }
    ctx.contentType(type).result(Files.newInputStream(file));
  }

  static final Map<String, String> ARTIFACT_TYPES = Map.of("json", "application/json", "csv", "text/csv",
      "png", "image/png", "svg", "image/svg+xml", "md", "text/markdown", "txt", "text/plain");

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
  }


  private static String source(String labels) {
    return "reference".equals(labels) ? "reference" : "mine";
  }


  private static String labelSource(String source) {
    return "reference".equals(source) ? "the reference labels" : "your annotations";
  }



}
