-- Version 9: a deployment's name is unique per owner, not across the server, so one user's name does not block
-- another's. SQLite cannot drop a column's UNIQUE, so the three deployment tables are rebuilt: new tables, the rows
-- copied, the old ones dropped children first (no cascade can fire), and the new ones renamed (SQLite rewrites the
-- children's references to the new name).

CREATE TABLE deployment_v9 (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL,
  use_case_id INTEGER NOT NULL REFERENCES use_case (id),
  model_id    INTEGER REFERENCES model (id),
  owner_id    INTEGER NOT NULL REFERENCES app_user (id),
  created_at  TEXT    NOT NULL,
  UNIQUE (owner_id, name)
);

CREATE TABLE deployed_case_v9 (
  deployment_id INTEGER NOT NULL REFERENCES deployment_v9 (id) ON DELETE CASCADE,
  case_id       TEXT    NOT NULL,
  case_date     TEXT,
  probabilities TEXT,
  read_code     TEXT,
  predicted_at  TEXT,
  read_at       TEXT,
  PRIMARY KEY (deployment_id, case_id)
);

CREATE TABLE deployment_assessment_v9 (
  deployment_id INTEGER NOT NULL REFERENCES deployment_v9 (id) ON DELETE CASCADE,
  job_id        INTEGER NOT NULL UNIQUE REFERENCES job (id),
  PRIMARY KEY (deployment_id, job_id)
);

INSERT INTO deployment_v9 (id, name, use_case_id, model_id, owner_id, created_at)
  SELECT id, name, use_case_id, model_id, owner_id, created_at FROM deployment;
INSERT INTO deployed_case_v9 (deployment_id, case_id, case_date, probabilities, read_code, predicted_at, read_at)
  SELECT deployment_id, case_id, case_date, probabilities, read_code, predicted_at, read_at FROM deployed_case;
INSERT INTO deployment_assessment_v9 (deployment_id, job_id)
  SELECT deployment_id, job_id FROM deployment_assessment;

DROP TABLE deployment_assessment;
DROP TABLE deployed_case;
DROP TABLE deployment;

ALTER TABLE deployment_v9 RENAME TO deployment;
ALTER TABLE deployed_case_v9 RENAME TO deployed_case;
ALTER TABLE deployment_assessment_v9 RENAME TO deployment_assessment;
