package org.radlab.api.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
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

/**
 * Assess: a deployed model's predictions and the radiologists' reads, recorded case by case as they happen, and the
 * assess job run on them (metrics at a threshold, threshold sweep, ROC, probability over time, drift by period).
 */
public final class DeploymentRoutes {
  public static final int MAX_CASES_PER_CALL = 10_000;

  public record DeploymentRequest(String name, Long useCaseId, Long modelId) {}

  public record CasePrediction(String caseId, String date, Map<String, Double> probabilities) {}

  public record PredictionsRequest(List<CasePrediction> cases) {}

  public record CaseRead(String caseId, String read) {}

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

  /** Records (or replaces) the model's prediction for each case: a date and a probability per category. */
  public void predictions(Context ctx) {
    Deployment d = owned(ctx);
    List<String> codes = codes(d);
    PredictionsRequest r = Json.body(ctx, PredictionsRequest.class);
    List<CasePrediction> cases = checkedSize(r.cases(), "cases");
    List<DeploymentDao.PredictionRow> rows = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      CasePrediction c = cases.get(i);
      String at = "cases[" + i + "]";
      String caseId = Requests.field(c.caseId(), at + ".caseId", 128);
      String date = date(c.date(), at + ".date");
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
      rows.add(new DeploymentDao.PredictionRow(caseId, date, Json.MAPPER.valueToTree(values).toString()));
    }
    deployments.recordPredictions(d.id(), rows, Times.now());
    ctx.json(view(d));
  }

  /** Records (or replaces) the radiologist's read of each case: one of the use case's category codes. */
  public void reads(Context ctx) {
    Deployment d = owned(ctx);
    List<String> codes = codes(d);
    ReadsRequest r = Json.body(ctx, ReadsRequest.class);
    List<CaseRead> reads = checkedSize(r.reads(), "reads");
    List<String[]> rows = new ArrayList<>();
    for (int i = 0; i < reads.size(); i++) {
      CaseRead c = reads.get(i);
      String caseId = Requests.field(c.caseId(), "reads[" + i + "].caseId", 128);
      if (!codes.contains(c.read())) {
        throw ApiException.badRequest("reads[" + i + "].read must be one of " + codes + ", got '" + c.read() + "'");
      }
      rows.add(new String[] {caseId, c.read()});
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
    StringBuilder csv = new StringBuilder("case,date,read," + String.join(",", codes) + "\n");
    int n = 0;
    for (DeployedCase c : deployments.cases(d.id())) {
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
