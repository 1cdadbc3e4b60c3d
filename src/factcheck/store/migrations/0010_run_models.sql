-- 0010: each run records the models it ran with, so that an analyst can tell which claim
-- model found a run's claims and which stance model (with the verdict rules) judged them.
-- Older runs keep NULL.

ALTER TABLE runs ADD COLUMN claims_model VARCHAR;
ALTER TABLE runs ADD COLUMN stance_model VARCHAR;
