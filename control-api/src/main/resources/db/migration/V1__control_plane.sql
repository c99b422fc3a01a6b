-- RadLab control plane, version 1: users, use cases, datasets, annotations, label snapshots and jobs.
-- Applied once by Flyway; never edit it after release: add V2__... instead.

CREATE TABLE app_user (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  role        TEXT    NOT NULL CHECK (role IN ('admin', 'participant')),
  token_hash  TEXT    NOT NULL UNIQUE,
  created_at  TEXT    NOT NULL
);

CREATE TABLE use_case (
  id          INTEGER PRIMARY KEY,
  title       TEXT    NOT NULL UNIQUE,
  summary     TEXT    NOT NULL DEFAULT '',
  body_area   TEXT    NOT NULL,
  modality    TEXT    NOT NULL,
  task        TEXT    NOT NULL CHECK (task IN ('classification', 'detection')),
  status      TEXT    NOT NULL CHECK (status IN ('draft', 'in_review', 'published')),
  review_note TEXT,
  owner_id    INTEGER REFERENCES app_user (id),
  created_at  TEXT    NOT NULL,
  updated_at  TEXT    NOT NULL
);

CREATE TABLE category (
  use_case_id INTEGER NOT NULL REFERENCES use_case (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  code        TEXT    NOT NULL,
  name        TEXT    NOT NULL,
  description TEXT    NOT NULL,
  cde_id      TEXT    NOT NULL,
  PRIMARY KEY (use_case_id, code)
);

CREATE TABLE use_case_comment (
  id          INTEGER PRIMARY KEY,
  use_case_id INTEGER NOT NULL REFERENCES use_case (id) ON DELETE CASCADE,
  user_id     INTEGER NOT NULL REFERENCES app_user (id),
  body        TEXT    NOT NULL,
  created_at  TEXT    NOT NULL
);

CREATE TABLE draft_request (
  id          INTEGER PRIMARY KEY,
  use_case_id INTEGER NOT NULL REFERENCES use_case (id) ON DELETE CASCADE,
  user_id     INTEGER NOT NULL REFERENCES app_user (id),
  note        TEXT    NOT NULL,
  created_at  TEXT    NOT NULL,
  UNIQUE (use_case_id, user_id)
);

CREATE TABLE dataset (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  use_case_id INTEGER NOT NULL REFERENCES use_case (id),
  source      TEXT    NOT NULL,
  path        TEXT    NOT NULL,
  status      TEXT    NOT NULL CHECK (status IN ('preparing', 'ready', 'failed')),
  job_id      INTEGER,
  images      INTEGER NOT NULL DEFAULT 0,
  studies     INTEGER NOT NULL DEFAULT 0,
  created_by  INTEGER NOT NULL REFERENCES app_user (id),
  created_at  TEXT    NOT NULL
);

-- The dataset's images (from its images.csv), so browsing and annotation need no Parquet reader.
CREATE TABLE image (
  dataset_id    INTEGER NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
  image_id      TEXT    NOT NULL,
  study_uid     TEXT    NOT NULL,
  patient_id    TEXT    NOT NULL,
  view_position TEXT,
  laterality    TEXT,
  manufacturer  TEXT,
  png_path      TEXT    NOT NULL,
  png_width     INTEGER,
  png_height    INTEGER,
  PRIMARY KEY (dataset_id, image_id)
);
CREATE INDEX image_by_study ON image (dataset_id, study_uid);

CREATE TABLE study (
  dataset_id  INTEGER NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
  ordinal     INTEGER NOT NULL,
  study_uid   TEXT    NOT NULL,
  patient_id  TEXT    NOT NULL,
  images      INTEGER NOT NULL,
  PRIMARY KEY (dataset_id, study_uid),
  UNIQUE (dataset_id, ordinal)
);

-- Reference labels (for example an expert reader's): admin-imported, never returned per study.
CREATE TABLE reference_label (
  dataset_id  INTEGER NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
  use_case_id INTEGER NOT NULL REFERENCES use_case (id),
  study_uid   TEXT    NOT NULL,
  code        TEXT    NOT NULL,
  PRIMARY KEY (dataset_id, use_case_id, study_uid)
);

CREATE TABLE annotation (
  id          INTEGER PRIMARY KEY,
  use_case_id INTEGER NOT NULL REFERENCES use_case (id),
  dataset_id  INTEGER NOT NULL REFERENCES dataset (id),
  study_uid   TEXT    NOT NULL,
  user_id     INTEGER NOT NULL REFERENCES app_user (id),
  code        TEXT,
  boxes       TEXT,
  version     INTEGER NOT NULL,
  created_at  TEXT    NOT NULL,
  updated_at  TEXT    NOT NULL,
  UNIQUE (user_id, use_case_id, dataset_id, study_uid)
);
CREATE INDEX annotation_by_use_case ON annotation (use_case_id, user_id);

CREATE TABLE annotation_history (
  id            INTEGER PRIMARY KEY,
  annotation_id INTEGER NOT NULL REFERENCES annotation (id) ON DELETE CASCADE,
  version       INTEGER NOT NULL,
  code          TEXT,
  boxes         TEXT,
  changed_at    TEXT    NOT NULL,
  UNIQUE (annotation_id, version)
);

CREATE TABLE skipped_study (
  user_id     INTEGER NOT NULL REFERENCES app_user (id),
  use_case_id INTEGER NOT NULL REFERENCES use_case (id),
  dataset_id  INTEGER NOT NULL REFERENCES dataset (id),
  study_uid   TEXT    NOT NULL,
  skipped_at  TEXT    NOT NULL,
  PRIMARY KEY (user_id, use_case_id, dataset_id, study_uid)
);

CREATE TABLE label_snapshot (
  id          INTEGER PRIMARY KEY,
  use_case_id INTEGER NOT NULL REFERENCES use_case (id),
  dataset_id  INTEGER NOT NULL REFERENCES dataset (id),
  user_id     INTEGER NOT NULL REFERENCES app_user (id),
  path        TEXT    NOT NULL,
  studies     INTEGER NOT NULL,
  created_at  TEXT    NOT NULL
);

CREATE TABLE job (
  id           INTEGER PRIMARY KEY,
  kind         TEXT    NOT NULL CHECK (kind IN ('prep', 'train', 'evaluate', 'assess')),
  owner_id     INTEGER NOT NULL REFERENCES app_user (id),
  status       TEXT    NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  config       TEXT    NOT NULL,
  dataset_id   INTEGER REFERENCES dataset (id),
  snapshot_id  INTEGER REFERENCES label_snapshot (id),
  reason       TEXT,
  pid          INTEGER,
  exit_code    INTEGER,
  submitted_at TEXT    NOT NULL,
  started_at   TEXT,
  finished_at  TEXT
);
CREATE INDEX job_by_status ON job (status, submitted_at);
CREATE INDEX job_by_owner ON job (owner_id, submitted_at);
