package org.radlab.api.db;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The job queue. Every state change is one conditional UPDATE on the expected current state, so the runner, a
 * cancel request and a restart can never both win.
 */
@RegisterConstructorMapper(JobDao.Job.class)
@RegisterConstructorMapper(JobDao.LabelSnapshotRow.class)
public interface JobDao {
  String QUEUED = "QUEUED";
  String RUNNING = "RUNNING";
  String SUCCEEDED = "SUCCEEDED";
  String FAILED = "FAILED";
  String CANCELLED = "CANCELLED";

  record Job(long id, String kind, long ownerId, String status, String config, Long datasetId, Long snapshotId,
      String reason, Long pid, Integer exitCode, String submittedAt, String startedAt, String finishedAt) {
    public boolean finished() {
      return !QUEUED.equals(status) && !RUNNING.equals(status);
    }
  }

  record LabelSnapshotRow(long id, long useCaseId, long datasetId, long userId, String source, String path,
      int studies, String createdAt) {}

  String COLUMNS = "id, kind, owner_id, status, config, dataset_id, snapshot_id, reason, pid, exit_code, "
      + "submitted_at, started_at, finished_at";

  @SqlUpdate("INSERT INTO job (kind, owner_id, status, config, dataset_id, snapshot_id, submitted_at) "
      + "VALUES (:kind, :owner, 'QUEUED', '{}', :dataset, :snapshot, :at)")
  @GetGeneratedKeys("id")
  long insert(@Bind("kind") String kind, @Bind("owner") long ownerId, @Bind("dataset") Long datasetId,
      @Bind("snapshot") Long snapshotId, @Bind("at") String at);

  @SqlUpdate("UPDATE job SET snapshot_id = :snapshot WHERE id = :id")
  int setSnapshot(@Bind("id") long id, @Bind("snapshot") long snapshotId);

  @SqlUpdate("UPDATE job SET config = :config WHERE id = :id")
  int setConfig(@Bind("id") long id, @Bind("config") String config);

  @SqlQuery("SELECT " + COLUMNS + " FROM job WHERE id = :id")
  Optional<Job> find(@Bind("id") long id);

  @SqlQuery("SELECT " + COLUMNS + " FROM job WHERE (:owner IS NULL OR owner_id = :owner) "
      + "AND (:status IS NULL OR status = :status) ORDER BY id DESC LIMIT :limit OFFSET :offset")
  List<Job> list(@Bind("owner") Long ownerId, @Bind("status") String status, @Bind("limit") int limit,
      @Bind("offset") int offset);

  /**
   * The next job to start, fair between users: among the users with queued jobs, the one with the fewest running
   * jobs, then the one whose last job started longest ago (never first); of that user's queued jobs, the oldest. So
   * one user's burst of submissions takes turns with everyone else's instead of running first.
   */
  @SqlQuery("SELECT " + COLUMNS + " FROM job q WHERE status = 'QUEUED' ORDER BY "
      + "(SELECT count(*) FROM job r WHERE r.owner_id = q.owner_id AND r.status = 'RUNNING'), "
      + "(SELECT max(s.started_at) FROM job s WHERE s.owner_id = q.owner_id) NULLS FIRST, id LIMIT 1")
  Optional<Job> nextQueued();

  /** The dataset's jobs of {@code kind} that are queued or running, oldest first. */
  @SqlQuery("SELECT " + COLUMNS + " FROM job WHERE dataset_id = :dataset AND kind = :kind "
      + "AND status IN ('QUEUED', 'RUNNING') ORDER BY id")
  List<Job> activeOfDataset(@Bind("dataset") long datasetId, @Bind("kind") String kind);

  @SqlQuery("SELECT " + COLUMNS + " FROM job WHERE status = 'RUNNING' ORDER BY id")
  List<Job> running();

  @SqlQuery("SELECT count(*) FROM job WHERE status = 'RUNNING'")
  int countRunning();

  @SqlUpdate("UPDATE job SET status = 'RUNNING', started_at = :at WHERE id = :id AND status = 'QUEUED'")
  int claim(@Bind("id") long id, @Bind("at") String at);

  @SqlUpdate("UPDATE job SET pid = :pid WHERE id = :id")
  int setPid(@Bind("id") long id, @Bind("pid") long pid);

  /** Ends a job that is still queued or running; 0 if it had already ended. */
  @SqlUpdate("UPDATE job SET status = :status, reason = :reason, exit_code = :exit, finished_at = :at "
      + "WHERE id = :id AND status IN ('QUEUED', 'RUNNING')")
  int finish(@Bind("id") long id, @Bind("status") String status, @Bind("reason") String reason,
      @Bind("exit") Integer exitCode, @Bind("at") String at);

  @SqlUpdate("INSERT INTO label_snapshot (use_case_id, dataset_id, user_id, source, path, studies, created_at) "
      + "VALUES (:uc, :d, :u, :source, :path, :studies, :at)")
  @GetGeneratedKeys("id")
  long insertSnapshot(@Bind("uc") long useCaseId, @Bind("d") long datasetId, @Bind("u") long userId,
      @Bind("source") String source, @Bind("path") String path, @Bind("studies") int studies, @Bind("at") String at);

  @SqlQuery("SELECT id, use_case_id, dataset_id, user_id, source, path, studies, created_at FROM label_snapshot "
      + "WHERE id = :id")
  Optional<LabelSnapshotRow> snapshot(@Bind("id") long id);
}
