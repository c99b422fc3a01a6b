package org.radlab.api.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.radlab.api.db.Database;
import org.radlab.api.db.DeploymentDao;
import org.radlab.api.jobs.JobQueue;
import org.radlab.api.jobs.JobViews;
import org.radlab.api.db.DeploymentDao.DeployedCase;
import org.radlab.api.db.DeploymentDao.Deployment;
import org.radlab.api.db.ModelDao;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Requests;
import org.radlab.api.http.Times;
import org.radlab.core.dataset.Csv;
import org.radlab.core.task.TaskType;

/**
 * Assess: a deployed model's predictions and the radiologists' reads, recorded case by case as they happen, and the
 * assess job run on them (metrics at a threshold, threshold sweep, ROC, probability over time, drift by period). A
 * deployment of a detection use case records boxes instead: the model's, with scores, and the radiologist's, each
 * in the case's image pixels (Run's answer has this shape); its assessment reports mAP and mean IoU over time. A
 * deployment of a segmentation use case records masks (the model's and the radiologist's, over the same voxels);
 * its assessment reports Dice and IoU over time and the volumes' Bland-Altman agreement.
 */
public final class DeploymentRoutes {
  public static final int MAX_CASES_PER_CALL = 10_000;

  public record DeploymentRequest(String name, Long useCaseId, Long modelId) {}

  /** A box of a case, in its image's pixels; a read box has no score. Run's {@code name} is taken and ignored. */
  @com.fasterxml.jackson.annotation.JsonIgnoreProperties({"name"})
  public record CaseBox(Double x, Double y, Double width, Double height, String code, Double score) {}

  /**
   * A segmenter's mask of a case: {@code slices} slices of {@code width} x {@code height} pixels, slice after slice,
   * run-length encoded as a mask snapshot stores it (class i the use case's i-th category, 0 background), and the
   * voxel spacing in mm ({@code [row, column, slice]}; for a single image its slice thickness, default 1).
   */
  public record CaseMask(Integer width, Integer height, Integer slices, List<Double> spacing, String runs) {}

  /** A classifier's prediction (probabilities), a detector's (boxes, possibly none) or a segmenter's (a mask). */
  public record CasePrediction(String caseId, String date, Map<String, Double> probabilities, List<CaseBox> boxes,
      CaseMask mask) {}

  public record PredictionsRequest(List<CasePrediction> cases) {}

  /**
   * A classification read (a category code), a detection read (boxes, none when the case holds no finding) or a
   * segmentation read (a mask).
   */
  public record CaseRead(String caseId, String read, List<CaseBox> boxes, CaseMask mask) {}

  /** The most voxels a case's mask may hold. */
  public static final long MAX_MASK_VOXELS = 1L << 26;

  /** Boxes per case a prediction or a read may hold. */
  public static final int MAX_BOXES_PER_CASE = 300;

  public record ReadsRequest(List<CaseRead> reads) {}

  public record DeploymentView(Deployment deployment, int cases, int predicted, int read, int assessable) {}

  private final DeploymentDao deployments;
  private final UseCaseDao useCases;
  private final ModelDao models;
  private final JobQueue queue;
  private final JobViews jobs;
  private final Database db;
  private final java.nio.file.Path home;

  public DeploymentRoutes(Database db, java.nio.file.Path home, JobQueue queue, JobViews jobs) {
    this.db = db;
    this.home = home;
    this.queue = queue;
    this.deployments = db.dao(DeploymentDao.class);
    this.useCases = db.dao(UseCaseDao.class);
    this.models = db.dao(ModelDao.class);
    this.jobs = jobs;
  }

  public void create(Context ctx) {
    Caller caller = Requests.caller(ctx);
    DeploymentRequest r = Json.body(ctx, DeploymentRequest.class);
    String name = Requests.field(r.name(), "name", 100);
    if (r.useCaseId() == null) {
      throw ApiException.badRequest("'useCaseId' is required");
    }
    useCases.findVisible(r.useCaseId(), caller.isAdmin() ? null : caller.id())
        .orElseThrow(() -> ApiException.notFound("use case " + r.useCaseId()));
    if (r.modelId() != null && models.find(r.modelId()).filter(m -> caller.isAdmin() || m.ownerId() == caller.id())
        .filter(m -> m.useCaseId() == r.useCaseId()).isEmpty()) {
      throw ApiException.badRequest("modelId " + r.modelId() + " is not one of your models for use case "
          + r.useCaseId());
    }
    if (deployments.countNamed(caller.id(), name) > 0) {
      throw ApiException.conflict("you have a deployment named '" + name + "' already");
    }
    long id = deployments.insert(name, r.useCaseId(), r.modelId(), caller.id(), Times.now());
    ctx.status(201).json(view(deployments.find(id).orElseThrow()));
  }

  public void list(Context ctx) {
    Caller caller = Requests.caller(ctx);
    ctx.json(deployments.list(caller.isAdmin() ? null : caller.id()).stream().map(this::view).toList());
  }

  public void get(Context ctx) {
    ctx.json(view(owned(ctx)));
  }

  /**
   * Records (or replaces) the model's prediction for each case: a date and a probability per category, or for a
   * detector the boxes it drew with their scores. Nothing is recorded if any case is refused.
   */
  public void predictions(Context ctx) {
    Deployment d = owned(ctx);
    List<String> codes = codes(d);
    boolean detector = isDetection(d);
    boolean segmenter = taskOf(d) == TaskType.SEGMENTATION;
    PredictionsRequest r = Json.body(ctx, PredictionsRequest.class);
    List<CasePrediction> cases = checkedSize(r.cases(), "cases");
    List<DeploymentDao.PredictionRow> rows = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      CasePrediction c = cases.get(i);
      String at = "cases[" + i + "]";
      String caseId = Requests.field(c.caseId(), at + ".caseId", 128);
      String date = date(c.date(), at + ".date");
      if (segmenter) {
        if (c.probabilities() != null || c.boxes() != null || c.mask() == null) {
          throw ApiException.badRequest(at + ": deployment " + d.id() + " is of a segmentation use case: send 'mask' "
              + "(all background when the model found nothing), not probabilities or boxes");
        }
        rows.add(new DeploymentDao.PredictionRow(caseId, date, null, null, mask(c.mask(), codes.size(), at)));
        continue;
      }
      if (c.mask() != null) {
        throw ApiException.badRequest(at + ": deployment " + d.id() + " is of a " + taskOf(d).id() + " use case: a "
            + "mask is for segmentation use cases");
      }
      if (detector) {
        if (c.probabilities() != null || c.boxes() == null) {
          throw ApiException.badRequest(at + ": deployment " + d.id() + " is of a detection use case: send 'boxes' "
              + "(an empty list when the model found nothing), not probabilities");
        }
        rows.add(new DeploymentDao.PredictionRow(caseId, date, null, boxes(c.boxes(), codes, at, true), null));
        continue;
      }
      if (c.boxes() != null) {
        throw ApiException.badRequest(at + ": deployment " + d.id() + " is of a classification use case: send "
            + "'probabilities', not boxes");
      }
      if (c.probabilities() == null || !c.probabilities().keySet().equals(new java.util.HashSet<>(codes))) {
        throw ApiException.badRequest(at + ".probabilities must give one value for each of " + codes);
      }
      List<Double> values = new ArrayList<>();
      for (String code : codes) {
        Double p = c.probabilities().get(code);
        if (p == null || !(p >= 0 && p <= 1)) {
          throw ApiException.badRequest(at + ".probabilities." + code + " must be between 0 and 1, got " + p);
        }
        values.add(p);
      }
      rows.add(new DeploymentDao.PredictionRow(caseId, date, Json.MAPPER.valueToTree(values).toString(), null, null));
    }
    deployments.recordPredictions(d.id(), rows, Times.now());
    ctx.json(view(d));
  }

  /**
   * Records (or replaces) the radiologist's read of each case: one of the use case's category codes, or for a
   * detector the boxes the radiologist drew (none when the case holds no finding).
   */
  public void reads(Context ctx) {
    Deployment d = owned(ctx);
    List<String> codes = codes(d);
    boolean detector = isDetection(d);
    boolean segmenter = taskOf(d) == TaskType.SEGMENTATION;
    String type = ctx.contentType() == null ? "" : ctx.contentType();
    List<CaseRead> reads = checkedSize(type.startsWith("text/csv") ? csvReads(ctx, d)
        : Json.body(ctx, ReadsRequest.class).reads(), "reads");
    List<DeploymentDao.ReadRow> rows = new ArrayList<>();
    for (int i = 0; i < reads.size(); i++) {
      CaseRead c = reads.get(i);
      String at = "reads[" + i + "]";
      String caseId = Requests.field(c.caseId(), at + ".caseId", 128);
      if (segmenter) {
        if (c.read() != null || c.boxes() != null || c.mask() == null) {
          throw ApiException.badRequest(at + ": deployment " + d.id() + " is of a segmentation use case: send 'mask' "
              + "(all background when the case holds no finding), not a read code or boxes");
        }
        rows.add(new DeploymentDao.ReadRow(caseId, null, null, mask(c.mask(), codes.size(), at)));
        continue;
      }
      if (c.mask() != null) {
        throw ApiException.badRequest(at + ": deployment " + d.id() + " is of a " + taskOf(d).id() + " use case: a "
            + "mask is for segmentation use cases");
      }
      if (detector) {
        if (c.read() != null || c.boxes() == null) {
          throw ApiException.badRequest(at + ": deployment " + d.id() + " is of a detection use case: send 'boxes' "
              + "(an empty list when the case holds no finding), not a read code");
        }
        rows.add(new DeploymentDao.ReadRow(caseId, null, boxes(c.boxes(), codes, at, false), null));
        continue;
      }
      if (c.boxes() != null) {
        throw ApiException.badRequest(at + ": deployment " + d.id() + " is of a classification use case: send "
            + "'read', not boxes");
      }
      if (!codes.contains(c.read())) {
        throw ApiException.badRequest(at + ".read must be one of " + codes + ", got '" + c.read() + "'");
      }
      rows.add(new DeploymentDao.ReadRow(caseId, c.read(), null, null));
    }
    deployments.recordReads(d.id(), rows, Times.now());
    ctx.json(view(d));
  }

  /**
   * A classification deployment's reads as CSV: {@code case,read} with the deployment's case ids, or (admins only)
   * {@code study_uid,read} with the original StudyInstanceUIDs, or {@code accession_number,read} for a deployment
   * that watches a PACS (each number is looked up there). An original identifier becomes the case id a watch records
   * (the site secret's pseudonym), so reads meet the predictions of the same study; it is not kept.
   */
  private List<CaseRead> csvReads(Context ctx, Deployment d) {
    if (taskOf(d) != TaskType.CLASSIFICATION) {
      throw ApiException.badRequest("reads as CSV are for classification deployments; send boxes or masks as JSON");
    }
    List<String> lines = Json.text(ctx).lines().filter(l -> !l.isBlank()).toList();
    List<String> header = lines.isEmpty() ? List.of() : Csv.fields(lines.get(0));
    List<String> keys = List.of("case", "study_uid", "accession_number");
    if (header.size() != 2 || !keys.contains(header.get(0)) || !header.get(1).equals("read")) {
      throw ApiException.badRequest("the CSV's header must be one of case,read / study_uid,read / "
          + "accession_number,read; got '" + (lines.isEmpty() ? "" : lines.get(0)) + "'");
    }
    String key = header.get(0);
    Caller caller = Requests.caller(ctx);
    if (!key.equals("case") && !caller.isAdmin()) {
      throw ApiException.forbidden("reads keyed by " + key + " name original studies: an admin imports them");
    }
    if (lines.size() - 1 > MAX_CASES_PER_CALL) {
      throw ApiException.badRequest("'reads' must list 1 to " + MAX_CASES_PER_CALL + " cases");
    }
    StudyKeys studies = key.equals("case") ? null : new StudyKeys(key, d);
    List<CaseRead> reads = new ArrayList<>();
    try {
      Csv.rows(lines, "the CSV", 2, "two columns", (where, f) -> {
        String id = f.get(0).strip();
        reads.add(new CaseRead(studies == null ? id : studies.caseId(id, where), f.get(1).strip(), null, null));
      });
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    return reads;
  }

  /** Original study keys to case ids: through the site secret, an accession number first through the PACS. */
  private final class StudyKeys {
    final String key;
    final org.radlab.core.deid.Pseudonymizer pseudonyms;
    final org.radlab.core.pacs.PacsClient pacs;

    StudyKeys(String key, Deployment d) {
      this.key = key;
      this.pseudonyms = DatasetRoutes.pseudonymizer(home);
      if (key.equals("accession_number")) {
        var watch = db.dao(org.radlab.api.db.DeploymentWatchDao.class).find(d.id()).orElseThrow(() ->
            ApiException.badRequest("deployment " + d.id() + " watches no PACS, so accession numbers cannot be "
                + "looked up; send study_uid,read"));
        try {
          pacs = org.radlab.core.pacs.PacsClient.of(org.radlab.core.pacs.PacsSources.read(
              home.resolve(org.radlab.core.pacs.PacsSources.FILE)).get(watch.source()), null);
        } catch (IOException | IllegalArgumentException e) {
          throw ApiException.conflict("PACS source '" + watch.source() + "': " + e.getMessage());
        }
      } else {
        pacs = null;
      }
    }

    String caseId(String id, String where) {
      if (pacs == null) {
        if (!org.radlab.core.pacs.DicomWebClient.isUid(id)) {
          throw new IllegalArgumentException(where + ": '" + id + "' is not a DICOM UID");
        }
        return pseudonyms.uid(id);
      }
      List<org.radlab.core.pacs.PacsClient.StudyMatch> found;
      try {
        found = pacs.studies(org.radlab.core.pacs.StudyQuery.all().withAccessionNumber(id));
      } catch (IOException e) {
        throw ApiException.conflict(where + ": the PACS could not be asked for accession number " + id + ": "
            + e.getMessage());
      }
      if (found.size() != 1) {
        throw new IllegalArgumentException(where + ": the PACS holds " + found.size() + " studies with accession "
            + "number '" + id + "' (one is needed)");
      }
      return pseudonyms.uid(found.get(0).studyUid());
    }
  }

  /** Queues the assess job on every case with both a prediction and a read; its options as in the assess config. */
  public void assess(Context ctx) {
    Caller caller = Requests.caller(ctx);
    Deployment d = owned(ctx);
    ObjectNode config = ctx.body().isBlank() ? Json.MAPPER.createObjectNode() : (ObjectNode) Json.objectBody(ctx);
    for (String field : List.of("predictions", "output")) {
      if (config.has(field)) {
        throw ApiException.badRequest("'" + field + "' is set by the server");
      }
    }
    List<String> codes = codes(d);
    TaskType task = taskOf(d);
    boolean detector = task == TaskType.DETECTION;
    boolean segmenter = task == TaskType.SEGMENTATION;
    if (config.has("task") && !config.get("task").asText().equals(task.id())) {
      throw ApiException.badRequest("deployment " + d.id() + " is of a " + task.id() + " use case; its assessments "
          + "have that task, not '" + config.get("task").asText() + "'");
    }
    if (config.has("classes")) {
      throw ApiException.badRequest("'classes' is set by the server (the use case's categories)");
    }
    if (task != TaskType.CLASSIFICATION) {
      config.put("task", task.id());
    }
    if (segmenter) {
      ArrayNode classes = config.putArray("classes");
      codes.forEach(classes::add);
    }
    StringBuilder csv = new StringBuilder(detector ? DETECTION_HEADER : segmenter ? SEGMENTATION_HEADER
        : "case,date,read," + String.join(",", codes) + "\n");
    int n = 0;
    for (DeployedCase c : deployments.cases(d.id())) {
      if (segmenter) {
        if (c.predictedMask() != null && c.readMask() != null) {
          if (!appendMasks(csv, c)) {
            throw ApiException.rule("case " + c.caseId() + " of deployment " + d.id() + " has a predicted and a read "
                + "mask of different sizes or spacings; record them again over the same voxels");
          }
          n++;
        }
        continue;
      }
      if (detector) {
        if (c.predictedBoxes() != null && c.readBoxes() != null) {
          appendBoxes(csv, c, "model", c.predictedBoxes());
          appendBoxes(csv, c, "read", c.readBoxes());
          n++;
        }
        continue;
      }
      if (c.probabilities() == null || c.readCode() == null) {
        continue;
      }
      String values = c.probabilities().substring(1, c.probabilities().length() - 1);
      csv.append(Csv.quote(c.caseId())).append(',').append(c.caseDate()).append(',').append(c.readCode()).append(',')
          .append(values).append('\n');
      n++;
    }
    if (n < 2) {
      throw ApiException.rule("assessment needs at least 2 cases with both a prediction and a read; deployment "
          + d.id() + " has " + n);
    }
    ctx.status(201).json(jobs.view(caller, queue.enqueueAssessment(caller, config, csv.toString(), d.id())));
  }

  /** The deployment's assess jobs, newest first. */
  public void assessments(Context ctx) {
    ctx.json(jobs.views(Requests.caller(ctx), deployments.assessments(owned(ctx).id())));
  }

  private DeploymentView view(Deployment d) {
    DeploymentDao.Counts c = deployments.counts(d.id());
    return new DeploymentView(d, c.cases(), c.predicted(), c.read(), c.assessable());
  }

  private static final String DETECTION_HEADER = "case,date,source,x_min,y_min,x_max,y_max,label,score\n";
  private static final String SEGMENTATION_HEADER =
      "case,date,source,width,height,slices,row_spacing,column_spacing,slice_spacing,runs\n";

  /** A case's two masks as rows of the segmentation assessment's CSV; false when they cover different voxels. */
  private static boolean appendMasks(StringBuilder csv, DeployedCase c) {
    try {
      JsonNode model = Json.MAPPER.readTree(c.predictedMask());
      JsonNode read = Json.MAPPER.readTree(c.readMask());
      for (String f : List.of("width", "height", "slices", "spacing")) {
        if (!model.path(f).equals(read.path(f))) {
          return false;
        }
      }
      for (String source : List.of("model", "read")) {
        JsonNode v = source.equals("model") ? model : read;
        JsonNode sp = v.path("spacing");
        csv.append(Csv.quote(c.caseId())).append(',').append(c.caseDate()).append(',')
            .append(source).append(',').append(v.path("width").asInt()).append(',')
            .append(v.path("height").asInt()).append(',').append(v.path("slices").asInt()).append(',')
            .append(sp.get(0).asDouble()).append(',').append(sp.get(1).asDouble()).append(',')
            .append(sp.get(2).asDouble()).append(',').append(v.path("runs").asText()).append('\n');
      }
      return true;
    } catch (IOException e) {
      throw new IllegalStateException("the recorded masks of case " + c.caseId() + " are not JSON: " + e.getMessage(),
          e);
    }
  }

  /**
   * A checked mask as the JSON the case keeps: a size of at most {@link #MAX_MASK_VOXELS} voxels, positive finite
   * spacings (default 1 mm each), and runs that cover it exactly with classes 0 to {@code classes}.
   */
  private static String mask(CaseMask m, int classes, String at) {
    int slices = m.slices() == null ? 1 : m.slices();
    if (m.width() == null || m.height() == null || m.width() < 1 || m.height() < 1 || slices < 1
        || (long) m.width() * m.height() * slices > MAX_MASK_VOXELS) {
      throw ApiException.badRequest(at + ".mask needs a width, a height and slices (default 1) from 1, at most "
          + MAX_MASK_VOXELS + " voxels in all; got " + m.width() + " x " + m.height() + " x " + slices);
    }
    List<Double> spacing = m.spacing() == null ? List.of(1.0, 1.0, 1.0) : m.spacing();
    if (spacing.size() != 3 || spacing.stream().anyMatch(v -> !finite(v) || !(v > 0))) {
      throw ApiException.badRequest(at + ".mask.spacing must be [row, column, slice] in mm, each above 0; got "
          + m.spacing());
    }
    if (m.runs() == null || m.runs().isBlank()) {
      throw ApiException.badRequest(at + ".mask.runs is required: CLASS*LENGTH pairs covering the voxels slice "
          + "after slice, row by row");
    }
    org.radlab.core.dataset.LabelMask labels;
    try {
      labels = org.radlab.core.dataset.MaskTable.mask(m.width(), m.height() * slices, m.runs(), at + ".mask");
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (labels.maxLabel() > classes) {
      throw ApiException.badRequest(at + ".mask holds class " + labels.maxLabel() + "; the use case has " + classes
          + " categories (1 to " + classes + ", 0 is background)");
    }
    ObjectNode out = Json.MAPPER.createObjectNode().put("width", m.width()).put("height", m.height())
        .put("slices", slices);
    ArrayNode sp = out.putArray("spacing");
    spacing.forEach(sp::add);
    out.put("runs", m.runs().trim());
    return out.toString();
  }

  /** A case's boxes of one source as rows of the detection assessment's CSV; one empty row when there are none. */
  private static void appendBoxes(StringBuilder csv, DeployedCase c, String source, String json) {
    String lead = Csv.quote(c.caseId()) + "," + c.caseDate() + "," + source + ",";
    try {
      JsonNode boxes = Json.MAPPER.readTree(json);
      if (boxes.isEmpty()) {
        csv.append(lead).append(",,,,,\n");
      }
      for (JsonNode b : boxes) {
        double x = b.path("x").asDouble();
        double y = b.path("y").asDouble();
        csv.append(lead).append(x).append(',').append(y).append(',').append(x + b.path("width").asDouble())
            .append(',').append(y + b.path("height").asDouble()).append(',').append(Csv.quote(b.path("code").asText()))
            .append(',').append(b.has("score") ? Double.toString(b.path("score").asDouble()) : "").append('\n');
      }
    } catch (IOException e) {
      throw new IllegalStateException("the recorded boxes of case " + c.caseId() + " are not JSON: " + e.getMessage(),
          e);
    }
  }

  /**
   * Checked boxes as the JSON the case keeps: finite coordinates from 0, a positive size, a code of the use case,
   * and for a prediction a score from 0 to 1 (a read has none).
   */
  private static String boxes(List<CaseBox> boxes, List<String> codes, String at, boolean scored) {
    if (boxes.size() > MAX_BOXES_PER_CASE) {
      throw ApiException.badRequest(at + ".boxes holds " + boxes.size() + " boxes; at most " + MAX_BOXES_PER_CASE);
    }
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (int i = 0; i < boxes.size(); i++) {
      CaseBox b = boxes.get(i);
      String where = at + ".boxes[" + i + "]";
      if (b == null || !finite(b.x()) || !finite(b.y()) || b.x() < 0 || b.y() < 0 || !finite(b.width())
          || !finite(b.height()) || !(b.width() > 0) || !(b.height() > 0)) {
        throw ApiException.badRequest(where + " needs x and y from 0 and a width and height above 0, all finite "
            + "numbers; got " + b);
      }
      if (!codes.contains(b.code())) {
        throw ApiException.badRequest(where + ".code must be one of " + codes + ", got '" + b.code() + "'");
      }
      ObjectNode box = out.addObject().put("x", b.x()).put("y", b.y()).put("width", b.width())
          .put("height", b.height()).put("code", b.code());
      if (scored) {
        if (!(b.score() != null && b.score() >= 0 && b.score() <= 1)) {
          throw ApiException.badRequest(where + ".score must be between 0 and 1, got " + b.score());
        }
        box.put("score", b.score());
      } else if (b.score() != null) {
        throw ApiException.badRequest(where + ": a read box has no score");
      }
    }
    return out.toString();
  }

  private static boolean finite(Double v) {
    return v != null && Double.isFinite(v);
  }

  private boolean isDetection(Deployment d) {
    return taskOf(d) == TaskType.DETECTION;
  }

  private TaskType taskOf(Deployment d) {
    return useCases.find(d.useCaseId()).map(UseCaseDao.UseCase::taskType).orElse(TaskType.CLASSIFICATION);
  }

  private List<String> codes(Deployment d) {
    return useCases.categories(d.useCaseId()).stream().map(UseCaseDao.Category::code).toList();
  }

  private static <T> List<T> checkedSize(List<T> items, String field) {
    if (items == null || items.isEmpty() || items.size() > MAX_CASES_PER_CALL) {
      throw ApiException.badRequest("'" + field + "' must list 1 to " + MAX_CASES_PER_CALL + " cases");
    }
    return items;
  }

  private static String date(String value, String field) {
    try {
      return LocalDate.parse(Requests.field(value, field, 10)).toString();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(field + " must be a date such as 2027-03-01, got '" + value + "'");
    }
  }

  private Deployment owned(Context ctx) {
    Caller caller = Requests.caller(ctx);
    long id = Requests.id(ctx, "deploymentId", "deployment");
    Deployment d = deployments.find(id).orElseThrow(() -> ApiException.notFound("deployment " + id));
    caller.requireOwnerOrAdmin(d.ownerId(), "deployment " + id);
    return d;
  }
}
