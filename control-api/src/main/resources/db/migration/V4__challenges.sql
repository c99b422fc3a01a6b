-- Version 4: challenges with a hidden test set and a final hidden set, and their submissions.

-- A hidden dataset (a challenge's test or final set) is invisible to participants: not listed, not browsable.
ALTER TABLE dataset ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
-- Whose labels a snapshot holds: the submitter's own annotations, or a dataset's reference labels.
ALTER TABLE label_snapshot ADD COLUMN source TEXT NOT NULL DEFAULT 'mine' CHECK (source IN ('mine', 'reference'));

CREATE TABLE challenge (
  id               INTEGER PRIMARY KEY,
  title            TEXT    NOT NULL UNIQUE,
  use_case_id      INTEGER NOT NULL REFERENCES use_case (id),
  pool_dataset_id  INTEGER NOT NULL REFERENCES dataset (id),
  test_dataset_id  INTEGER NOT NULL REFERENCES dataset (id),
  final_dataset_id INTEGER NOT NULL REFERENCES dataset (id),
  starts_at        TEXT    NOT NULL,
  ends_at          TEXT    NOT NULL,
  daily_limit      INTEGER NOT NULL,
  min_annotations  INTEGER NOT NULL,
  finalized_at     TEXT,
  created_by       INTEGER NOT NULL REFERENCES app_user (id),
  created_at       TEXT    NOT NULL
);

CREATE TABLE submission (
  id           INTEGER PRIMARY KEY,
  challenge_id INTEGER NOT NULL REFERENCES challenge (id),
  user_id      INTEGER NOT NULL REFERENCES app_user (id),
  model_id     INTEGER NOT NULL REFERENCES model (id),
  phase        TEXT    NOT NULL CHECK (phase IN ('test', 'final')),
  job_id       INTEGER REFERENCES job (id),
  status       TEXT    NOT NULL CHECK (status IN ('evaluating', 'scored', 'failed')),
  kappa        REAL,
  auc          REAL,
  submitted_at TEXT    NOT NULL,
  scored_at    TEXT
);
CREATE INDEX submission_by_challenge ON submission (challenge_id, phase, user_id, submitted_at);
CREATE UNIQUE INDEX submission_by_job ON submission (job_id);
