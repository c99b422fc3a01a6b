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
 * in the case's image pixels (Run's answer has this shape); its assessment reports mAP and mean IoU over time.
 */
public final class DeploymentRoutes {
  public static final int MAX_CASES_PER_CALL = 10_000;

  public record DeploymentRequest(String name, Long useCaseId, Long modelId) {}

  /** A box of a case, in its image's pixels; a read box has no score. Run's {@code name} is taken and ignored. */
  @com.fasterxml.jackson.annotation.JsonIgnoreProperties({"name"})
  public record CaseBox(Double x, Double y, Double width, Double height, String code, Double score) {}

  /** A classifier's prediction (probabilities) or a detector's (boxes, possibly none). */
  public record CasePrediction(String caseId, String date, Map<String, Double> probabilities, List<CaseBox> boxes) {}

  public record PredictionsRequest(List<CasePrediction> cases) {}

  /** A classification read (a category code) or a detection read (boxes, none when the case holds no finding). */
  public record CaseRead(String caseId, String read, List<CaseBox> boxes) {}

  /** Boxes per case a prediction or a read may hold. */
  public static final int MAX_BOXES_PER_CASE = 300;

  public record ReadsRequest(List<CaseRead> reads) {}

  public record DeploymentView(Deployment deployment, int cases, int predicted, int read, int assessable) {}

  private final DeploymentDao deployments;
  private final UseCaseDao useCases;
  private final ModelDao models;
  private final JobQueue queue;
  private final JobViews jobs;

  public DeploymentRoutes(Database db, JobQueue queue, JobViews jobs) {
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
    PredictionsRequest r = Json.body(ctx, PredictionsRequest.class);
    List<CasePrediction> cases = checkedSize(r.cases(), "cases");
    List<DeploymentDao.PredictionRow> rows = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      CasePrediction c = cases.get(i);
      String at = "cases[" + i + "]";
      String caseId = Requests.field(c.caseId(), at + ".caseId", 128);
      String date = date(c.date(), at + ".date");
      if (detector) {
        if (c.probabilities() != null || c.boxes() == null) {
          throw ApiException.badRequest(at + ": deployment " + d.id() + " is of a detection use case: send 'boxes' "
              + "(an empty list when the model found nothing), not probabilities");
        }
        rows.add(new DeploymentDao.PredictionRow(caseId, date, null, boxes(c.boxes(), codes, at, true)));
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
      rows.add(new DeploymentDao.PredictionRow(caseId, date, Json.MAPPER.valueToTree(values).toString(), null));
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
    ReadsRequest r = Json.body(ctx, ReadsRequest.class);
    List<CaseRead> reads = checkedSize(r.reads(), "reads");
    List<DeploymentDao.ReadRow> rows = new ArrayList<>();
    for (int i = 0; i < reads.size(); i++) {
      CaseRead c = reads.get(i);
      String at = "reads[" + i + "]";
      String caseId = Requests.field(c.caseId(), at + ".caseId", 128);
      if (detector) {
        if (c.read() != null || c.boxes() == null) {
          throw ApiException.badRequest(at + ": deployment " + d.id() + " is of a detection use case: send 'boxes' "
              + "(an empty list when the case holds no finding), not a read code");
        }
        rows.add(new DeploymentDao.ReadRow(caseId, null, boxes(c.boxes(), codes, at, false)));
        continue;
      }
      if (c.boxes() != null) {
        throw ApiException.badRequest(at + ": deployment " + d.id() + " is of a classification use case: send "
            + "'read', not boxes");
      }
      if (!codes.contains(c.read())) {
        throw ApiException.badRequest(at + ".read must be one of " + codes + ", got '" + c.read() + "'");
      }
      rows.add(new DeploymentDao.ReadRow(caseId, c.read(), null));
    }
    deployments.recordReads(d.id(), rows, Times.now());
    ctx.json(view(d));
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
    boolean detector = isDetection(d);
    if (config.has("task") && !config.get("task").asText().equals(detector ? "detection" : "classification")) {
      throw ApiException.badRequest("deployment " + d.id() + " is of a " + (detector ? "detection" : "classification")
          + " use case; its assessments have that task, not '" + config.get("task").asText() + "'");
    }
    if (detector) {
      config.put("task", TaskType.DETECTION.id());
    }
    StringBuilder csv = new StringBuilder(detector ? DETECTION_HEADER
        : "case,date,read," + String.join(",", codes) + "\n");
    int n = 0;
    for (DeployedCase c : deployments.cases(d.id())) {
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
    return useCases.find(d.useCaseId()).map(UseCaseDao.UseCase::taskType).orElse(TaskType.CLASSIFICATION)
        == TaskType.DETECTION;
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
