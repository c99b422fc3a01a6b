-- Version 15: a deployment can watch a PACS query. The server polls the source every interval, pulls each new
-- matching study, predicts it with the deployment's model, records the prediction as a case of the deployment and,
-- if asked, stores the result back in the PACS as a DICOM SR; and, if asked, takes the radiologists' reads from
-- their SRs in the PACS.
-- Studies are known here only by their case id, the site secret's pseudonym of the StudyInstanceUID (as prep makes
-- them), so the database holds no identifier of a patient or a study.

CREATE TABLE deployment_watch (
  deployment_id    INTEGER PRIMARY KEY REFERENCES deployment (id) ON DELETE CASCADE,
  source           TEXT    NOT NULL,            -- a source of the workspace's PACS sources file
  query            TEXT    NOT NULL,            -- JSON {modality, from, to, description}
  interval_seconds INTEGER NOT NULL,
  send_back        INTEGER NOT NULL,            -- 1: store each prediction in the PACS as an SR
  reads_from_reports INTEGER NOT NULL DEFAULT 0, -- 1: take reads from the radiologists' SRs in the PACS
  created_by       INTEGER NOT NULL REFERENCES app_user (id),
  created_at       TEXT    NOT NULL,
  polls            INTEGER NOT NULL DEFAULT 0,  -- polls started
  last_poll_at     TEXT,                        -- when the last poll ended
  last_error       TEXT                         -- why the last poll failed as a whole (null: it did not)
);

CREATE TABLE watched_study (
  deployment_id INTEGER NOT NULL REFERENCES deployment (id) ON DELETE CASCADE,
  case_id       TEXT    NOT NULL,               -- the pseudonym of the StudyInstanceUID
  poll          INTEGER NOT NULL,               -- the poll that handled it
  images        INTEGER NOT NULL,               -- images predicted
  skipped       INTEGER NOT NULL,               -- instances that were not images the model can read
  error         TEXT,                           -- why no prediction was made (null: one was)
  report_uid    TEXT,                           -- the SR stored in the PACS (null: none)
  send_error    TEXT,                           -- why storing the SR failed
  report_read   TEXT,                           -- the read taken from a radiologist's SR in the PACS (a code)
  at            TEXT    NOT NULL,
  PRIMARY KEY (deployment_id, case_id)
);
