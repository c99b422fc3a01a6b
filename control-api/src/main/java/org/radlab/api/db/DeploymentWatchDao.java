package org.radlab.api.db;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Deployments that watch a PACS query, and what each poll did with each study it found. A study is known only by
 * its case id (the site secret's pseudonym of its StudyInstanceUID).
 */
@RegisterConstructorMapper(DeploymentWatchDao.Watch.class)
@RegisterConstructorMapper(DeploymentWatchDao.WatchedStudy.class)
@RegisterConstructorMapper(DeploymentWatchDao.Tally.class)
public interface DeploymentWatchDao extends SqlObject {
  /** A watch: the source's name, the query as JSON, how often, whether results go back to the PACS. */
  record Watch(long deploymentId, String source, String query, int intervalSeconds, boolean sendBack,
      boolean readsFromReports, long createdBy, String createdAt, int polls, String lastPollAt, String lastError) {}

  /** One study a poll handled: a prediction made (error null) or why not, and the SR sent back or why not. */
  record WatchedStudy(String caseId, int poll, int images, int skipped, String error, String reportUid,
      String sendError, String reportRead, String at) {}

  /** How many studies were predicted, failed, and had their report stored. */
  record Tally(int predicted, int failed, int sent, int sendFailed, int readsTaken) {}

  @SqlUpdate("INSERT INTO deployment_watch (deployment_id, source, query, interval_seconds, send_back, "
      + "reads_from_reports, created_by, created_at) VALUES (:deployment, :source, :query, :interval, :sendBack, "
      + ":reads, :by, :at) ON CONFLICT (deployment_id) DO UPDATE SET source = excluded.source, query = "
      + "excluded.query, interval_seconds = excluded.interval_seconds, send_back = excluded.send_back, "
      + "reads_from_reports = excluded.reads_from_reports, created_by = excluded.created_by, created_at = "
      + "excluded.created_at, last_error = NULL")
  void upsert(@Bind("deployment") long deploymentId, @Bind("source") String source, @Bind("query") String query,
      @Bind("interval") int intervalSeconds, @Bind("sendBack") boolean sendBack,
      @Bind("reads") boolean readsFromReports, @Bind("by") long createdBy, @Bind("at") String at);

  @SqlUpdate("DELETE FROM deployment_watch WHERE deployment_id = :deployment")
  int delete(@Bind("deployment") long deploymentId);

  String COLUMNS = "deployment_id, source, query, interval_seconds, send_back, reads_from_reports, created_by, "
      + "created_at, polls, last_poll_at, last_error";

  @SqlQuery("SELECT " + COLUMNS + " FROM deployment_watch WHERE deployment_id = :deployment")
  Optional<Watch> find(@Bind("deployment") long deploymentId);

  @SqlQuery("SELECT " + COLUMNS + " FROM deployment_watch ORDER BY deployment_id")
  List<Watch> all();

  /** Counts a poll as started and returns its number. */
  @SqlQuery("UPDATE deployment_watch SET polls = polls + 1 WHERE deployment_id = :deployment RETURNING polls")
  Optional<Integer> startPoll(@Bind("deployment") long deploymentId);

  @SqlUpdate("UPDATE deployment_watch SET last_poll_at = :at, last_error = :error WHERE deployment_id = :deployment")
  void endPoll(@Bind("deployment") long deploymentId, @Bind("at") String at, @Bind("error") String error);

  /** The case ids this deployment's watch has handled (predicted or failed). */
  @SqlQuery("SELECT case_id FROM watched_study WHERE deployment_id = :deployment")
  List<String> handled(@Bind("deployment") long deploymentId);

  @SqlUpdate("INSERT INTO watched_study (deployment_id, case_id, poll, images, skipped, error, report_uid, "
      + "send_error, at) VALUES (:deployment, :case, :poll, :images, :skipped, :error, :report, :sendError, :at) "
      + "ON CONFLICT (deployment_id, case_id) DO UPDATE SET poll = excluded.poll, images = excluded.images, skipped = "
      + "excluded.skipped, error = excluded.error, report_uid = excluded.report_uid, send_error = "
      + "excluded.send_error, at = excluded.at")
  void record(@Bind("deployment") long deploymentId, @Bind("case") String caseId, @Bind("poll") int poll,
      @Bind("images") int images, @Bind("skipped") int skipped, @Bind("error") String error,
      @Bind("report") String reportUid, @Bind("sendError") String sendError, @Bind("at") String at);

  /** Notes the read a radiologist's SR gave a handled study. */
  @SqlUpdate("UPDATE watched_study SET report_read = :code WHERE deployment_id = :deployment AND case_id = :case")
  void reportRead(@Bind("deployment") long deploymentId, @Bind("case") String caseId, @Bind("code") String code);

  /** The studies handled, the most recent first. */
  @SqlQuery("SELECT case_id, poll, images, skipped, error, report_uid, send_error, report_read, at "
      + "FROM watched_study "
      + "WHERE deployment_id = :deployment ORDER BY at DESC, case_id LIMIT :limit")
  List<WatchedStudy> recent(@Bind("deployment") long deploymentId, @Bind("limit") int limit);

  @SqlQuery("SELECT count(CASE WHEN error IS NULL THEN 1 END) AS predicted, count(error) AS failed, "
      + "count(report_uid) AS sent, count(send_error) AS send_failed, count(report_read) AS reads_taken "
      + "FROM watched_study "
      + "WHERE deployment_id = :deployment")
  Tally tally(@Bind("deployment") long deploymentId);
}
