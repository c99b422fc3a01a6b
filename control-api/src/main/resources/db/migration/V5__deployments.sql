-- Version 5: deployed models' recorded predictions and the radiologists' reads, for assessment.

CREATE TABLE deployment (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  use_case_id INTEGER NOT NULL REFERENCES use_case (id),
  model_id    INTEGER REFERENCES model (id),
  owner_id    INTEGER NOT NULL REFERENCES app_user (id),
  created_at  TEXT    NOT NULL
);

CREATE TABLE deployed_case (
  deployment_id INTEGER NOT NULL REFERENCES deployment (id) ON DELETE CASCADE,
  case_id       TEXT    NOT NULL,
  case_date     TEXT,
  probabilities TEXT,
  read_code     TEXT,
  predicted_at  TEXT,
  read_at       TEXT,
  PRIMARY KEY (deployment_id, case_id)
);
