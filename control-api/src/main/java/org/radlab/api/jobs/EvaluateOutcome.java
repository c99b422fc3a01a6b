package org.radlab.api.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.radlab.api.db.ChallengeDao;
import org.radlab.api.db.Database;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.db.JobDao.Job;
import org.radlab.api.http.Json;
import org.radlab.api.http.Times;
import org.radlab.core.task.TaskType;

/** An evaluation job's outcome: when it evaluated a challenge submission, the submission's score. */
final class EvaluateOutcome implements JobOutcome {
  private final ChallengeDao challenges;
  private final UseCaseDao useCases;

  EvaluateOutcome(Database db) {
    this.challenges = db.dao(ChallengeDao.class);
    this.useCases = db.dao(UseCaseDao.class);
  }

  /** The ranking score: a number, or the evaluation cannot be ranked. */
  private static double score(JsonNode row, String field) throws IOException {
    JsonNode value = row.path(field);
    if (!value.isNumber()) {
      throw new IOException("its comparison row has no number '" + field + "': " + row);
    }
    return value.asDouble();
  }

  /** The tie-breaking score: null when the evaluation could not compute it (AUC with one class present). */
  private static Double tieBreak(JsonNode row, String field) {
    JsonNode value = row.path(field);
    return value.isNumber() ? value.asDouble() : null;
  }

  /**
   * The submission's scores, from the first row of the evaluation's {@code comparison.json}: kappa and AUC on a
   * classification challenge, mAP and AP50 on a detection one, mean Dice and IoU on a segmentation one.
   */
  @Override
  public void succeeded(Job job) {
    challenges.byJob(job.id()).ifPresent(s -> {
      try {
        Path output = JobQueue.output(job).orElseThrow(() -> new IOException("its config names no output folder"));
        JsonNode result = Json.MAPPER.readTree(Files.readString(output.resolve("comparison.json"))).get(0);
        TaskType task = challenges.find(s.challengeId()).flatMap(c -> useCases.find(c.useCaseId()))
            .orElseThrow(() -> new IOException("its challenge or use case is gone")).taskType();
        ChallengeDao.Scores scores = switch (task) {
          case CLASSIFICATION -> new ChallengeDao.Scores(score(result, "kappaLinear"), tieBreak(result, "aucMacro"),
              null, null, null, null);
          case DETECTION -> new ChallengeDao.Scores(null, null, score(result, "map"), tieBreak(result, "ap50"), null,
              null);
          case SEGMENTATION -> new ChallengeDao.Scores(null, null, null, null, score(result, "dice"),
              tieBreak(result, "iou"));
        };
        challenges.score(s.id(), "scored", scores, Times.now());
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException("cannot read the evaluation of submission " + s.id() + ": "
            + e.getMessage(), e);
      }
    });
  }

  @Override
  public void notSucceeded(Job job) {
    challenges.byJob(job.id()).ifPresent(s -> challenges.score(s.id(), "failed", ChallengeDao.Scores.NONE,
        Times.now()));
  }
}
