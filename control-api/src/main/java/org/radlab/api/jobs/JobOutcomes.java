package org.radlab.api.jobs;

import java.util.EnumMap;
import java.util.Map;
import org.radlab.api.db.Database;
import org.radlab.api.db.JobDao;
import org.radlab.api.db.JobDao.Job;
import org.radlab.core.jobs.JobKind;

/** The runner's hooks: each ending job goes to the outcome of its kind. */
public final class JobOutcomes implements JobRunner.Hooks {
  private final Map<JobKind, JobOutcome> byKind = new EnumMap<>(JobKind.class);

  public JobOutcomes(Database db) {
    for (JobKind kind : JobKind.values()) {
      byKind.put(kind, switch (kind) {
        case PREP -> new PrepOutcome(db);
        case TRAIN -> new TrainOutcome(db);
        case EVALUATE -> new EvaluateOutcome(db);
        case ASSESS -> JobOutcome.NONE;
      });
    }
  }

  @Override
  public void recordResults(Job job) {
    outcome(job).succeeded(job);
  }

  @Override
  public void ended(Job job) {
    if (!JobDao.SUCCEEDED.equals(job.status())) {
      outcome(job).notSucceeded(job);
    }
  }

  private JobOutcome outcome(Job job) {
    return byKind.get(JobKind.of(job.kind()));
  }
}
