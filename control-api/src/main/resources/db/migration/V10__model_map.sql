-- Version 10: a detector's registry row keeps its validation mAP (kappa and AUC judge classifiers only).
ALTER TABLE model ADD COLUMN map REAL;
