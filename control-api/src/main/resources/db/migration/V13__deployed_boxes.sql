-- Version 13: a deployed detector's cases: the boxes it drew and the boxes the radiologist drew, each a JSON array
-- of {x, y, width, height, code[, score]} in the case's image pixels (an empty array: nothing found).
ALTER TABLE deployed_case ADD COLUMN predicted_boxes TEXT;
ALTER TABLE deployed_case ADD COLUMN read_boxes TEXT;
