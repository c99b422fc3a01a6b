-- Version 2: the model registry, and each use case's assist-module document (report text per category).

CREATE TABLE model (
  id           INTEGER PRIMARY KEY,
  job_id       INTEGER NOT NULL UNIQUE REFERENCES job (id),
  owner_id     INTEGER NOT NULL REFERENCES app_user (id),
  use_case_id  INTEGER NOT NULL REFERENCES use_case (id),
  dataset_id   INTEGER NOT NULL REFERENCES dataset (id),
  snapshot_id  INTEGER REFERENCES label_snapshot (id),
  path         TEXT    NOT NULL,
  architecture TEXT    NOT NULL,
  status       TEXT    NOT NULL,
  kappa        REAL,
  auc          REAL,
  created_at   TEXT    NOT NULL
);
CREATE INDEX model_by_use_case ON model (use_case_id, owner_id);

ALTER TABLE use_case ADD COLUMN assist_module TEXT;
