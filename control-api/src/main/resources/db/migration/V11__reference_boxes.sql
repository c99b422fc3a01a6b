-- Version 11: reference boxes for detection use cases, as a box snapshot holds them: the images the reference reader
-- read (with or without findings), and the boxes on them in the prepared PNG's pixels.
CREATE TABLE reference_image (
  dataset_id  INTEGER NOT NULL REFERENCES dataset (id),
  use_case_id INTEGER NOT NULL REFERENCES use_case (id),
  image_id    TEXT    NOT NULL,
  PRIMARY KEY (dataset_id, use_case_id, image_id)
);

CREATE TABLE reference_box (
  dataset_id  INTEGER NOT NULL,
  use_case_id INTEGER NOT NULL,
  image_id    TEXT    NOT NULL,
  code        TEXT    NOT NULL,
  x_min       REAL    NOT NULL,
  y_min       REAL    NOT NULL,
  x_max       REAL    NOT NULL,
  y_max       REAL    NOT NULL,
  FOREIGN KEY (dataset_id, use_case_id, image_id) REFERENCES reference_image (dataset_id, use_case_id, image_id)
    ON DELETE CASCADE
);
CREATE INDEX reference_box_image ON reference_box (dataset_id, use_case_id, image_id);
