package org.radlab.api.db;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The model registry: one row per model a training job left behind. */
@RegisterConstructorMapper(ModelDao.Model.class)
public interface ModelDao {
  record Model(long id, long jobId, long ownerId, long useCaseId, long datasetId, Long snapshotId, String path,
      String architecture, String status, Double kappa, Double auc, Double map, Double dice, String createdAt) {}

  String COLUMNS = "id, job_id, owner_id, use_case_id, dataset_id, snapshot_id, path, architecture, status, kappa, "
      + "auc, map, dice, created_at";

  /**
   * Registers a model with its best validation: kappa and AUC for a classifier, mAP for a detector, mean Dice for a
   * segmenter (others null).
   */
  @SqlUpdate("INSERT OR IGNORE INTO model (job_id, owner_id, use_case_id, dataset_id, snapshot_id, path, architecture, "
      + "status, kappa, auc, map, dice, created_at) VALUES (:job, :owner, :useCase, :dataset, :snapshot, :path, "
      + ":architecture, :status, :kappa, :auc, :map, :dice, :at)")
  @GetGeneratedKeys("id")
  long insert(@Bind("job") long jobId, @Bind("owner") long ownerId, @Bind("useCase") long useCaseId,
      @Bind("dataset") long datasetId, @Bind("snapshot") Long snapshotId, @Bind("path") String path,
      @Bind("architecture") String architecture, @Bind("status") String status, @Bind("kappa") Double kappa,
      @Bind("auc") Double auc, @Bind("map") Double map, @Bind("dice") Double dice, @Bind("at") String at);

  @SqlQuery("SELECT " + COLUMNS + " FROM model WHERE id = :id")
  Optional<Model> find(@Bind("id") long id);

  @SqlQuery("SELECT " + COLUMNS + " FROM model WHERE job_id = :job")
  Optional<Model> byJob(@Bind("job") long jobId);

  @SqlQuery("SELECT " + COLUMNS + " FROM model WHERE (:useCase IS NULL OR use_case_id = :useCase) "
      + "AND (:owner IS NULL OR owner_id = :owner) ORDER BY id DESC LIMIT :limit OFFSET :offset")
  List<Model> list(@Bind("useCase") Long useCaseId, @Bind("owner") Long ownerId, @Bind("limit") int limit,
      @Bind("offset") int offset);
}
