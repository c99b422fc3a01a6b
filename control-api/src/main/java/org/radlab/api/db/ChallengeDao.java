package org.radlab.api.db;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Challenges and their submissions. */
@RegisterConstructorMapper(ChallengeDao.Challenge.class)
@RegisterConstructorMapper(ChallengeDao.Submission.class)
@RegisterConstructorMapper(ChallengeDao.Standing.class)
public interface ChallengeDao {
  record Challenge(long id, String title, long useCaseId, long poolDatasetId, long testDatasetId,
      long finalDatasetId, String startsAt, String endsAt, int dailyLimit, int minAnnotations, String finalizedAt,
      long createdBy, String createdAt, int agreementMilestone) {}

  /**
   * A submission and its scores: kappa and AUC on a classification challenge, mAP and AP50 on a detection one, mean
   * Dice and IoU on a segmentation one.
   */
  record Submission(long id, long challengeId, long userId, long modelId, String phase, Long jobId, String status,
      Double kappa, Double auc, Double map, Double ap50, Double dice, Double iou, String submittedAt,
      String scoredAt) {}

  /** A leaderboard row: one participant's most recent submission of a phase. */
  record Standing(long userId, String userName, long submissionId, long modelId, String status, Double kappa,
      Double auc, Double map, Double ap50, Double dice, Double iou, String submittedAt) {}

  /** What a finished evaluation scored: the two scores of the challenge's task, the others null. */
  record Scores(Double kappa, Double auc, Double map, Double ap50, Double dice, Double iou) {
    public static final Scores NONE = new Scores(null, null, null, null, null, null);
  }

  String COLUMNS = "id, title, use_case_id, pool_dataset_id, test_dataset_id, final_dataset_id, starts_at, ends_at, "
      + "daily_limit, min_annotations, finalized_at, created_by, created_at, agreement_milestone";
  String SUBMISSION_COLUMNS = "id, challenge_id, user_id, model_id, phase, job_id, status, kappa, auc, map, ap50, "
      + "dice, iou, submitted_at, scored_at";

  @SqlUpdate("INSERT INTO challenge (title, use_case_id, pool_dataset_id, test_dataset_id, final_dataset_id, "
      + "starts_at, ends_at, daily_limit, min_annotations, agreement_milestone, created_by, created_at) "
      + "VALUES (:title, :useCase, :pool, :test, :final, :starts, :ends, :limit, :min, :milestone, :by, :at)")
  @GetGeneratedKeys("id")
  long insert(@Bind("title") String title, @Bind("useCase") long useCaseId, @Bind("pool") long pool,
      @Bind("test") long test, @Bind("final") long finalSet, @Bind("starts") String startsAt,
      @Bind("ends") String endsAt, @Bind("limit") int dailyLimit, @Bind("min") int minAnnotations,
      @Bind("milestone") int agreementMilestone, @Bind("by") long createdBy, @Bind("at") String at);

  @SqlQuery("SELECT " + COLUMNS + " FROM challenge WHERE id = :id")
  Optional<Challenge> find(@Bind("id") long id);

  @SqlQuery("SELECT " + COLUMNS + " FROM challenge ORDER BY id DESC")
  List<Challenge> list();

  /** The agreement milestone of the use case's newest challenge, if it has one. */
  @SqlQuery("SELECT agreement_milestone FROM challenge WHERE use_case_id = :uc ORDER BY id DESC LIMIT 1")
  Optional<Integer> agreementMilestone(@Bind("uc") long useCaseId);

  @SqlQuery("SELECT count(*) FROM challenge WHERE title = :title")
  int countTitled(@Bind("title") String title);

  @SqlUpdate("UPDATE challenge SET finalized_at = :at WHERE id = :id AND finalized_at IS NULL")
  int finalize(@Bind("id") long id, @Bind("at") String at);

  @SqlUpdate("INSERT INTO submission (challenge_id, user_id, model_id, phase, status, submitted_at) "
      + "VALUES (:challenge, :user, :model, :phase, 'evaluating', :at)")
  @GetGeneratedKeys("id")
  long submit(@Bind("challenge") long challengeId, @Bind("user") long userId, @Bind("model") long modelId,
      @Bind("phase") String phase, @Bind("at") String at);

  @SqlUpdate("UPDATE submission SET job_id = :job WHERE id = :id")
  int setJob(@Bind("id") long id, @Bind("job") long jobId);

  @SqlQuery("SELECT " + SUBMISSION_COLUMNS + " FROM submission WHERE job_id = :job")
  Optional<Submission> byJob(@Bind("job") long jobId);

  @SqlUpdate("UPDATE submission SET status = :status, kappa = :s.kappa, auc = :s.auc, map = :s.map, ap50 = :s.ap50, "
      + "dice = :s.dice, iou = :s.iou, scored_at = :at WHERE id = :id")
  int score(@Bind("id") long id, @Bind("status") String status, @BindMethods("s") Scores scores,
      @Bind("at") String at);

  @SqlQuery("SELECT " + SUBMISSION_COLUMNS + " FROM submission WHERE challenge_id = :c AND (:user IS NULL OR "
      + "user_id = :user) ORDER BY id DESC")
  List<Submission> submissions(@Bind("c") long challengeId, @Bind("user") Long userId);

  @SqlQuery("SELECT count(*) FROM submission WHERE challenge_id = :c AND user_id = :user AND phase = 'test' "
      + "AND submitted_at >= :since")
  int countSince(@Bind("c") long challengeId, @Bind("user") long userId, @Bind("since") String since);

  /**
   * Each participant's most recent submission of {@code phase}, best first: kappa, then AUC on a classification
   * challenge; mAP, then AP50 on a detection one; mean Dice, then mean IoU on a segmentation one (a challenge's
   * submissions all carry the scores of its task); unscored last.
   */
  @SqlQuery("SELECT s.user_id, u.name AS user_name, s.id AS submission_id, s.model_id, s.status, s.kappa, s.auc, "
      + "s.map, s.ap50, s.dice, s.iou, s.submitted_at FROM submission s JOIN app_user u ON u.id = s.user_id WHERE s.challenge_id = :c "
      + "AND s.phase = :phase AND s.id = (SELECT max(x.id) FROM submission x WHERE x.challenge_id = s.challenge_id "
      + "AND x.phase = s.phase AND x.user_id = s.user_id) "
      + "ORDER BY coalesce(s.kappa, s.map, s.dice) IS NULL, coalesce(s.kappa, s.map, s.dice) DESC, "
      + "coalesce(s.auc, s.ap50, s.iou) DESC, "
      + "s.submitted_at")
  List<Standing> leaderboard(@Bind("c") long challengeId, @Bind("phase") String phase);
}
