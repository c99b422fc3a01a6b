-- Version 7: the agreement matrix refreshes only at milestones of N labels, over studies frozen when counted, so a
-- participant cannot difference it to read one study's reference label.

-- N for the challenge's use case: the matrix refreshes after every N new labels.
ALTER TABLE challenge ADD COLUMN agreement_milestone INTEGER NOT NULL DEFAULT 25;

-- Per participant and use case: how many labels they had at the last refresh.
CREATE TABLE agreement_state (
  user_id      INTEGER NOT NULL REFERENCES app_user (id),
  use_case_id  INTEGER NOT NULL REFERENCES use_case (id),
  labels       INTEGER NOT NULL,
  refreshed_at TEXT    NOT NULL,
  PRIMARY KEY (user_id, use_case_id)
);

-- The studies the matrix counts, each with the participant's label and the reference label as they were at the
-- refresh that counted it (labels = the participant's label count then). Rows are never changed afterwards.
CREATE TABLE agreement_study (
  user_id     INTEGER NOT NULL REFERENCES app_user (id),
  use_case_id INTEGER NOT NULL REFERENCES use_case (id),
  dataset_id  INTEGER NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
  study_uid   TEXT    NOT NULL,
  mine        TEXT    NOT NULL,
  reference   TEXT    NOT NULL,
  labels      INTEGER NOT NULL,
  PRIMARY KEY (user_id, use_case_id, dataset_id, study_uid)
);
