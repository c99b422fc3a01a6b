-- Version 14: segmentation use cases. A use case's task may now be 'segmentation': SQLite cannot alter a CHECK
-- constraint, and rebuilding use_case would cascade-delete its categories, so the stored definition is widened in
-- place (SQLite's documented writable_schema procedure for loosening a CHECK; the table's data is untouched).
PRAGMA writable_schema = ON;
UPDATE sqlite_master
   SET sql = replace(sql, 'CHECK (task IN (''classification'', ''detection''))',
                          'CHECK (task IN (''classification'', ''detection'', ''segmentation''))')
 WHERE type = 'table' AND name = 'use_case';
PRAGMA writable_schema = OFF;

-- Reference masks for segmentation use cases, as a mask snapshot holds them: one row per image read, the mask in the
-- prepared PNG's pixels, run-length encoded row by row.
CREATE TABLE reference_mask (
  dataset_id  INTEGER NOT NULL REFERENCES dataset (id),
  use_case_id INTEGER NOT NULL REFERENCES use_case (id),
  image_id    TEXT    NOT NULL,
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL,
  runs        TEXT    NOT NULL,
  PRIMARY KEY (dataset_id, use_case_id, image_id)
);

-- Each image's series and slice position (recorded by prep), so Annotate shows a CT or MR series in slice order.
ALTER TABLE image ADD COLUMN series_uid TEXT;
ALTER TABLE image ADD COLUMN slice_position REAL;

-- An annotation of a segmentation use case holds the annotator's masks: a JSON array of {imageId, runs}, each mask in
-- its image's PNG pixels, run-length encoded as a mask snapshot stores it (an image of the study left out holds no
-- finding).
ALTER TABLE annotation ADD COLUMN masks TEXT;
ALTER TABLE annotation_history ADD COLUMN masks TEXT;

-- A deployed segmenter's cases: the mask the model drew and the mask the radiologist drew, each JSON {width,
-- height, slices, spacing: [row, column, slice] mm, runs}.
ALTER TABLE deployed_case ADD COLUMN predicted_mask TEXT;
ALTER TABLE deployed_case ADD COLUMN read_mask TEXT;

-- A segmenter's registry row keeps its validation mean Dice.
ALTER TABLE model ADD COLUMN dice REAL;

-- A submission to a segmentation challenge is scored by mean Dice, then mean IoU.
ALTER TABLE submission ADD COLUMN dice REAL;
ALTER TABLE submission ADD COLUMN iou REAL;
