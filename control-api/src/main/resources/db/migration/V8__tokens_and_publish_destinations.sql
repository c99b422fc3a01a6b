-- Version 8: API tokens that expire and can be revoked, several per user; and the publish destinations an admin
-- allowed. app_user.token_hash is no longer read: its value moves to api_token, and new users get a random filler
-- there (the column stays NOT NULL UNIQUE, and SQLite cannot drop a UNIQUE column).

CREATE TABLE api_token (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES app_user (id),
  token_hash  TEXT    NOT NULL UNIQUE,
  label       TEXT    NOT NULL DEFAULT '',
  created_at  TEXT    NOT NULL,
  created_by  INTEGER REFERENCES app_user (id),
  expires_at  TEXT    NOT NULL,
  revoked_at  TEXT,
  revoked_by  INTEGER REFERENCES app_user (id)
);
CREATE INDEX api_token_by_user ON api_token (user_id, id);

-- Tokens made before expiry existed get the default lifetime, 90 days from this migration.
INSERT INTO api_token (user_id, token_hash, label, created_at, expires_at)
  SELECT id, token_hash, 'first token', created_at,
         strftime('%Y-%m-%dT%H:%M:%S', 'now', '+90 days') || '.000000Z'
  FROM app_user;
UPDATE app_user SET token_hash = 'moved to api_token: ' || id;

CREATE TABLE publish_destination (
  id             INTEGER PRIMARY KEY,
  scheme         TEXT    NOT NULL CHECK (scheme IN ('http', 'https')),
  host           TEXT    NOT NULL,
  port           INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  path_prefix    TEXT    NOT NULL,
  allow_private  INTEGER NOT NULL DEFAULT 0 CHECK (allow_private IN (0, 1)),
  note           TEXT    NOT NULL DEFAULT '',
  created_by     INTEGER NOT NULL REFERENCES app_user (id),
  created_at     TEXT    NOT NULL,
  UNIQUE (scheme, host, port, path_prefix)
);

-- Earlier publications kept up to 300 characters of an endpoint's answer, the reason a connection failed, and any
-- credentials written in the URL: keep the status code only, one sentence for no answer, and no credentials.
UPDATE publication SET detail = substr(detail, 1, 8)
  WHERE kind = 'http' AND detail GLOB 'HTTP [0-9][0-9][0-9]*';
UPDATE publication SET detail = 'no HTTP answer from the endpoint'
  WHERE kind = 'http' AND detail LIKE 'the endpoint cannot be reached%';
UPDATE publication
  SET destination = substr(destination, 1, instr(destination, '://') + 2)
      || substr(destination, instr(destination, '://') + 3 + instr(substr(destination, instr(destination, '://') + 3), '@'))
  WHERE kind = 'http' AND instr(substr(destination, instr(destination, '://') + 3), '@') > 0
    AND (instr(substr(destination, instr(destination, '://') + 3), '/') = 0
      OR instr(substr(destination, instr(destination, '://') + 3), '@')
         < instr(substr(destination, instr(destination, '://') + 3), '/'));
