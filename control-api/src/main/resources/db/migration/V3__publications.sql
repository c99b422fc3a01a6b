-- Version 3: every publication of a model package, to a directory or an HTTP endpoint. Tokens are never stored.

CREATE TABLE publication (
  id           INTEGER PRIMARY KEY,
  model_id     INTEGER NOT NULL REFERENCES model (id),
  user_id      INTEGER NOT NULL REFERENCES app_user (id),
  kind         TEXT    NOT NULL CHECK (kind IN ('directory', 'http')),
  destination  TEXT    NOT NULL,
  status       TEXT    NOT NULL CHECK (status IN ('published', 'failed')),
  detail       TEXT,
  sha256       TEXT,
  bytes        INTEGER,
  created_at   TEXT    NOT NULL
);
CREATE INDEX publication_by_model ON publication (model_id, id);
