package org.radlab.api.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.radlab.api.db.Database;
import org.radlab.api.db.JobDao;
import org.radlab.api.db.JobDao.Job;
import org.radlab.api.db.ModelDao;
import org.radlab.api.http.Times;
import org.radlab.core.model.ModelCard;

/**
 * A training job's outcome: the model it left is registered when it succeeded, and also when it was cancelled
 * after saving weights (a cancelled training keeps its best weights so far). The model's row carries the use case
 * of the job's label snapshot and the best validation scores from its card (kappa and AUC, mAP, or mean Dice).
 */
final class TrainOutcome implements JobOutcome {
  private final Database db;

  TrainOutcome(Database db) {
    this.db = db;
  }

  @Override
  public void succeeded(Job job) {
    register(job);
  }

  @Override
  public void notSucceeded(Job job) {
    if (JobDao.CANCELLED.equals(job.status())) {
      register(job);
    }
  }

  private void register(Job job) {
    if (job.datasetId() == null || job.snapshotId() == null) {
      return;
    }
    Path dir = JobQueue.output(job).orElse(null);
    if (dir == null || !Files.isRegularFile(dir.resolve(ModelCard.FILE))) {
      return;
    }
    try {
      ModelCard card = ModelCard.in(dir);
      if (!card.hasWeightsIn(dir)) {
        return;
      }
      long useCase = db.dao(JobDao.class).snapshot(job.snapshotId()).orElseThrow().useCaseId();
      ModelCard.Validation v = card.validation();
      db.dao(ModelDao.class).insert(job.id(), job.ownerId(), useCase, job.datasetId(), job.snapshotId(),
          dir.toString(), card.architecture(), card.status(), v == null ? null : number(v.kappaLinear()),
          v == null ? null : number(v.auc()), v == null ? null : v.map(),
          v == null || v.dice() == null ? null : number(v.dice()), Times.now());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the model card of job " + job.id() + ": " + e.getMessage(), e);
    }
  }

  /** A score as the registry keeps it: NaN (a score that does not apply, or could not be computed) as null. */
  private static Double number(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
