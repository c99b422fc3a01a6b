package org.radlab.api.jobs;

import org.radlab.api.db.JobDao.Job;

/** What the control API records when a job of one kind ends; {@link JobOutcomes} picks the one for each kind. */
public interface JobOutcome {
  /** Nothing to record: assessments keep their results in their own folder. */
  JobOutcome NONE = new JobOutcome() {};

  /**
   * Records a successful job's results before the job is marked SUCCEEDED, so a client that sees SUCCEEDED sees
   * them too. Throwing marks the job FAILED with the message instead.
   */
  default void succeeded(Job job) {}

  /** After the job failed or was cancelled ({@code job.status()} says which). */
  default void notSucceeded(Job job) {}
}
