package org.radlab.api.db;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/**
 * The agreement matrix's frozen snapshot: a participant's labels against the reference labels, refreshed only at
 * milestones of N labels. A refresh counts each waiting study once, with both labels as they are at that moment;
 * later changes never move it. Studies wait while fewer than {@link #MIN_GROUP} of the participant's waiting
 * studies share their label, so no column of what one refresh adds covers fewer studies than that. Hidden datasets
 * are never counted, and studies counted before their dataset was hidden no longer show.
 */
@RegisterConstructorMapper(AgreementDao.State.class)
@RegisterConstructorMapper(AgreementDao.Cell.class)
public interface AgreementDao extends SqlObject {
  /** The fewest waiting studies with one label (of the participant's) that a refresh counts together. */
  int MIN_GROUP = 5;

  /** The participant's label count at the last refresh, and when it was. */
  record State(int labels, String refreshedAt) {}

  record Cell(String reference, String mine, int studies) {}

  @SqlQuery("SELECT labels, refreshed_at FROM agreement_state WHERE user_id = :u AND use_case_id = :uc")
  Optional<State> state(@Bind("u") long userId, @Bind("uc") long useCaseId);

  /** The participant's labelled studies of the use case on datasets that are not hidden. */
  @SqlQuery("SELECT count(*) FROM annotation a JOIN dataset d ON d.id = a.dataset_id WHERE a.user_id = :u "
      + "AND a.use_case_id = :uc AND d.hidden = 0")
  int labels(@Bind("u") long userId, @Bind("uc") long useCaseId);

  /** The snapshot as counts: frozen studies of datasets that are not hidden now. */
  @SqlQuery("SELECT s.reference, s.mine, count(*) AS studies FROM agreement_study s JOIN dataset d "
      + "ON d.id = s.dataset_id WHERE s.user_id = :u AND s.use_case_id = :uc AND d.hidden = 0 "
      + "GROUP BY s.reference, s.mine")
  List<Cell> cells(@Bind("u") long userId, @Bind("uc") long useCaseId);

  /**
   * Refreshes the snapshot if the participant has labelled at least {@code every} studies since the last refresh:
   * counts the waiting studies (labelled with a category, with a reference label, on a dataset that is not hidden,
   * not counted yet) whose label at least {@link #MIN_GROUP} waiting studies share. Returns whether it refreshed.
   */
  @Transaction
  default boolean refreshIfDue(long userId, long useCaseId, int every, String at) {
    int labels = labels(userId, useCaseId);
    if (labels < state(userId, useCaseId).map(State::labels).orElse(0) + every) {
      return false;
    }
    getHandle().createUpdate("INSERT INTO agreement_study (user_id, use_case_id, dataset_id, study_uid, mine, "
        + "reference, labels) WITH waiting AS (SELECT a.dataset_id, a.study_uid, a.code AS mine, r.code AS reference "
        + "FROM annotation a JOIN dataset d ON d.id = a.dataset_id AND d.hidden = 0 JOIN reference_label r "
        + "ON r.dataset_id = a.dataset_id AND r.use_case_id = a.use_case_id AND r.study_uid = a.study_uid "
        + "WHERE a.user_id = :u AND a.use_case_id = :uc AND a.code IS NOT NULL AND NOT EXISTS (SELECT 1 "
        + "FROM agreement_study s WHERE s.user_id = a.user_id AND s.use_case_id = a.use_case_id "
        + "AND s.dataset_id = a.dataset_id AND s.study_uid = a.study_uid)) "
        + "SELECT :u, :uc, dataset_id, study_uid, mine, reference, :labels FROM waiting "
        + "WHERE mine IN (SELECT mine FROM waiting GROUP BY mine HAVING count(*) >= :least)")
        .bind("u", userId).bind("uc", useCaseId).bind("labels", labels).bind("least", MIN_GROUP).execute();
    getHandle().createUpdate("INSERT INTO agreement_state (user_id, use_case_id, labels, refreshed_at) "
        + "VALUES (:u, :uc, :labels, :at) ON CONFLICT (user_id, use_case_id) DO UPDATE SET labels = excluded.labels, "
        + "refreshed_at = excluded.refreshed_at")
        .bind("u", userId).bind("uc", useCaseId).bind("labels", labels).bind("at", at).execute();
    return true;
  }
}
