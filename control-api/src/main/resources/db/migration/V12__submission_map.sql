-- Version 12: a submission to a detection challenge is scored by mAP (IoU 0.5 to 0.95), then AP50; kappa and AUC
-- score classification challenges only.
ALTER TABLE submission ADD COLUMN map REAL;
ALTER TABLE submission ADD COLUMN ap50 REAL;
