package org.radlab.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leaderboard's order in the SQLite store: each participant's most recent submission, by kappa then AUC on a
 * classification challenge, by mAP then AP50 on a detection one, by mean Dice then IoU on a segmentation one,
 * unscored last. The expected orders are written
 * out by hand from the scores below.
 */
class LeaderboardOrderTest {
  @TempDir Path home;

  @Test
  void aDetectionChallengeRanksByMapThenAp50AndCountsTheLatestSubmission() {
    try (Database db = Database.open(home)) {
      long challenge = db.write(h -> challenge(h, "detection"));
      ChallengeDao dao = db.dao(ChallengeDao.class);
      // ana: an older, better submission, then a worse one (the latest counts); ben and cy tie on mAP, cy has the
      // better AP50; dan is still being evaluated
      score(dao, submit(db, challenge, "ana", 1), new ChallengeDao.Scores(null, null, 0.90, 0.95, null, null));
      score(dao, submit(db, challenge, "ana", 2), new ChallengeDao.Scores(null, null, 0.20, 0.40, null, null));
      score(dao, submit(db, challenge, "ben", 3), new ChallengeDao.Scores(null, null, 0.50, 0.60, null, null));
      score(dao, submit(db, challenge, "cy", 4), new ChallengeDao.Scores(null, null, 0.50, 0.70, null, null));
      submit(db, challenge, "dan", 5);
      List<ChallengeDao.Standing> board = dao.leaderboard(challenge, "test");
      assertEquals(List.of("cy", "ben", "ana", "dan"), board.stream().map(ChallengeDao.Standing::userName).toList());
      assertEquals(0.20, board.get(2).map(), 0);
      assertEquals(0.40, board.get(2).ap50(), 0);
      assertEquals(null, board.get(2).kappa());
    }
  }

  @Test
  void aSegmentationChallengeRanksByDiceThenIou() {
    try (Database db = Database.open(home)) {
      long challenge = db.write(h -> challenge(h, "segmentation"));
      ChallengeDao dao = db.dao(ChallengeDao.class);
      // ben and cy tie on Dice, ben has the better IoU; ana's Dice is highest; dan's evaluation failed
      score(dao, submit(db, challenge, "ana", 1), new ChallengeDao.Scores(null, null, null, null, 0.81, 0.70));
      score(dao, submit(db, challenge, "ben", 2), new ChallengeDao.Scores(null, null, null, null, 0.75, 0.62));
      score(dao, submit(db, challenge, "cy", 3), new ChallengeDao.Scores(null, null, null, null, 0.75, 0.60));
      dao.score(submit(db, challenge, "dan", 4), "failed", ChallengeDao.Scores.NONE, "2027-01-05T00:00:00Z");
      List<ChallengeDao.Standing> board = dao.leaderboard(challenge, "test");
      assertEquals(List.of("ana", "ben", "cy", "dan"), board.stream().map(ChallengeDao.Standing::userName).toList());
      assertEquals(0.62, board.get(1).iou(), 0);
      assertEquals(null, board.get(1).map());
    }
  }

  @Test
  void aClassificationChallengeStillRanksByKappaThenAuc() {
    try (Database db = Database.open(home)) {
      long challenge = db.write(h -> challenge(h, "classification"));
      ChallengeDao dao = db.dao(ChallengeDao.class);
      score(dao, submit(db, challenge, "ana", 1), new ChallengeDao.Scores(0.3, 0.9, null, null, null, null));
      score(dao, submit(db, challenge, "ben", 2), new ChallengeDao.Scores(0.6, 0.7, null, null, null, null));
      score(dao, submit(db, challenge, "cy", 3), new ChallengeDao.Scores(0.6, 0.8, null, null, null, null));
      assertEquals(List.of("cy", "ben", "ana"), dao.leaderboard(challenge, "test").stream()
          .map(ChallengeDao.Standing::userName).toList());
    }
  }

  private static void score(ChallengeDao dao, long submission, ChallengeDao.Scores scores) {
    assertEquals(1, dao.score(submission, "scored", scores, "2027-01-0" + submission + "T00:00:00Z"));
  }

  /** A submission of a model of its own by {@code user} (created if new), at day {@code day}. */
  private static long submit(Database db, long challenge, String user, int day) {
    return db.write(h -> {
      long owner = h.createQuery("SELECT id FROM app_user WHERE name = :n").bind("n", user).mapTo(Long.class)
          .findOne().orElseGet(() -> h.createUpdate("INSERT INTO app_user (name, role, token_hash, created_at) "
              + "VALUES (:n, 'participant', :n, 't')").bind("n", user).executeAndReturnGeneratedKeys("id")
              .mapTo(Long.class).one());
      long job = h.createUpdate("INSERT INTO job (kind, owner_id, status, config, submitted_at) VALUES ('train', "
          + ":o, 'SUCCEEDED', '{}', 't')").bind("o", owner).executeAndReturnGeneratedKeys("id").mapTo(Long.class)
          .one();
      long model = h.createUpdate("INSERT INTO model (job_id, owner_id, use_case_id, dataset_id, path, "
          + "architecture, status, created_at) VALUES (:j, :o, 1, 1, 'm', 'resnet18', 'ready', 't')")
          .bind("j", job).bind("o", owner).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
      return h.attach(ChallengeDao.class).submit(challenge, owner, model, "test", "2027-01-0" + day + "T00:00:00Z");
    });
  }

  private static long challenge(Handle h, String task) {
    h.execute("INSERT INTO app_user (name, role, token_hash, created_at) VALUES ('root', 'admin', 'r', 't')");
    h.execute("INSERT INTO use_case (title, body_area, modality, task, status, created_at, updated_at) VALUES "
        + "('u', 'Breast', 'MG', ?, 'published', 't', 't')", task);
    for (String name : List.of("pool", "test", "final")) {
      h.execute("INSERT INTO dataset (name, use_case_id, source, path, status, created_by, created_at) VALUES "
          + "(?, 1, 's', 'p', 'ready', 1, 't')", name);
    }
    return h.attach(ChallengeDao.class).insert("c", 1, 1, 2, 3, "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z", 3,
        1, 25, 1, "t");
  }
}
