package org.radlab.api.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.radlab.api.db.ChallengeDao;
import org.radlab.api.db.Database;
import org.radlab.api.db.JobDao.Job;
import org.radlab.api.http.Json;
import org.radlab.api.http.Times;

/** An evaluation job's outcome: when it evaluated a challenge submission, the submission's score. */
final class EvaluateOutcome implements JobOutcome {
  private final ChallengeDao challenges;

  EvaluateOutcome(Database db) {
    this.challenges = db.dao(ChallengeDao.class);
  }

  /** The submission's kappa and AUC, from the first row of the evaluation's {@code comparison.json}. */
  @Override
  public void succeeded(Job job) {
    challenges.byJob(job.id()).ifPresent(s -> {
      try {
        Path output = JobQueue.output(job).orElseThrow(() -> new IOException("its config names no output folder"));
        JsonNode result = Json.MAPPER.readTree(Files.readString(output.resolve("comparison.json"))).get(0);
        challenges.score(s.id(), "scored", result.path("kappaLinear").asDouble(), result.path("aucMacro").asDouble(),
            Times.now());
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException("cannot read the evaluation of submission " + s.id() + ": "
            + e.getMessage(), e);
      }
    });
  }

  @Override
  public void notSucceeded(Job job) {
    challenges.byJob(job.id()).ifPresent(s -> challenges.score(s.id(), "failed", null, null, Times.now()));
  }
}
