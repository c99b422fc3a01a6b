-- Version 6: which assess jobs assessed which deployment, so its page can list them.

CREATE TABLE deployment_assessment (
  deployment_id INTEGER NOT NULL REFERENCES deployment (id) ON DELETE CASCADE,
  job_id        INTEGER NOT NULL UNIQUE REFERENCES job (id),
  PRIMARY KEY (deployment_id, job_id)
);
