package org.radlab.api.db;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/** Deployed models and, per case, the prediction they made and the radiologist's read. */
@RegisterConstructorMapper(DeploymentDao.Deployment.class)
@RegisterConstructorMapper(DeploymentDao.DeployedCase.class)
@RegisterConstructorMapper(DeploymentDao.Counts.class)
public interface DeploymentDao extends SqlObject {
  record Deployment(long id, String name, long useCaseId, Long modelId, long ownerId, String createdAt) {}

  /**
   * One case: its date, the predicted probabilities (a JSON array in category order) and the read; for a detector,
   * the predicted boxes and the read boxes instead (JSON arrays of {x, y, width, height, code[, score]}); for a
   * segmenter, the predicted and the read mask (JSON {width, height, slices, spacing, runs}).
   */
  record DeployedCase(String caseId, String caseDate, String probabilities, String readCode, String predictedBoxes,
      String readBoxes, String predictedMask, String readMask) {}

  /** How many cases a deployment holds, with a prediction, with a read, and with both (assessable). */
  record Counts(int cases, int predicted, int read, int assessable) {}

  /**
   * A prediction to record: probabilities as a JSON array in the use case's category order, or (a detector's) boxes
   * as a JSON array; the other is null.
   */
  record PredictionRow(String caseId, String caseDate, String probabilities, String boxes, String mask) {}

  /**
   * A read to record: a category code, or (for a detector) boxes as a JSON array, or (for a segmenter) a mask as
   * JSON; the others null.
   */
  record ReadRow(String caseId, String code, String boxes, String mask) {}

  @SqlUpdate("INSERT INTO deployment (name, use_case_id, model_id, owner_id, created_at) "
      + "VALUES (:name, :useCase, :model, :owner, :at)")
  @GetGeneratedKeys("id")
  long insert(@Bind("name") String name, @Bind("useCase") long useCaseId, @Bind("model") Long modelId,
      @Bind("owner") long ownerId, @Bind("at") String at);

  @SqlQuery("SELECT id, name, use_case_id, model_id, owner_id, created_at FROM deployment WHERE id = :id")
  Optional<Deployment> find(@Bind("id") long id);

  /** How many of this owner's deployments have this name (names are unique per owner). */
  @SqlQuery("SELECT count(*) FROM deployment WHERE owner_id = :owner AND name = :name")
  int countNamed(@Bind("owner") long ownerId, @Bind("name") String name);

  @SqlQuery("SELECT id, name, use_case_id, model_id, owner_id, created_at FROM deployment "
      + "WHERE (:owner IS NULL OR owner_id = :owner) ORDER BY id DESC")
  List<Deployment> list(@Bind("owner") Long ownerId);

  @Transaction
  default void recordPredictions(long deploymentId, List<PredictionRow> rows, String at) {
    var batch = getHandle().prepareBatch("INSERT INTO deployed_case (deployment_id, case_id, case_date, "
        + "probabilities, predicted_boxes, predicted_mask, predicted_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
        + "(deployment_id, case_id) DO UPDATE SET case_date = excluded.case_date, probabilities = "
        + "excluded.probabilities, predicted_boxes = excluded.predicted_boxes, predicted_mask = excluded.predicted_mask, "
        + "predicted_at = excluded.predicted_at");
    rows.forEach(r -> batch.add(deploymentId, r.caseId(), r.caseDate(), r.probabilities(), r.boxes(), r.mask(),
        at));
    batch.execute();
  }

  @Transaction
  default void recordReads(long deploymentId, List<ReadRow> reads, String at) {
    var batch = getHandle().prepareBatch("INSERT INTO deployed_case (deployment_id, case_id, read_code, read_boxes, "
        + "read_mask, read_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (deployment_id, case_id) DO UPDATE SET "
        + "read_code = excluded.read_code, read_boxes = excluded.read_boxes, read_mask = excluded.read_mask, "
        + "read_at = excluded.read_at");
    reads.forEach(r -> batch.add(deploymentId, r.caseId(), r.code(), r.boxes(), r.mask(), at));
    batch.execute();
  }

  @SqlQuery("SELECT case_id, case_date, probabilities, read_code, predicted_boxes, read_boxes, predicted_mask, "
      + "read_mask FROM deployed_case "
      + "WHERE deployment_id = :id ORDER BY case_date, case_id")
  List<DeployedCase> cases(@Bind("id") long deploymentId);

  @SqlQuery("SELECT count(*) AS cases, count(coalesce(probabilities, predicted_boxes, predicted_mask)) AS predicted, "
      + "count(coalesce(read_code, read_boxes, read_mask)) AS \"read\", count(CASE WHEN coalesce(probabilities, "
      + "predicted_boxes, predicted_mask) IS NOT NULL AND coalesce(read_code, read_boxes, read_mask) IS NOT NULL "
      + "THEN 1 END) AS assessable "
      + "FROM deployed_case WHERE deployment_id = :id")
  Counts counts(@Bind("id") long deploymentId);

  @SqlUpdate("INSERT INTO deployment_assessment (deployment_id, job_id) VALUES (:deployment, :job)")
  void linkAssessment(@Bind("deployment") long deploymentId, @Bind("job") long jobId);

  /** The assess jobs of a deployment, newest first. */
  @SqlQuery("SELECT job_id FROM deployment_assessment WHERE deployment_id = :id ORDER BY job_id DESC")
  List<Long> assessments(@Bind("id") long deploymentId);
}
