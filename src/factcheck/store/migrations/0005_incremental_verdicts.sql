-- 0005: incremental verdicts. A nightly run judges again only the claims whose inputs changed;
-- each verdict says why it was (re)computed and which run last found it current.
-- Documented column by column in docs/schema.md. Rows written before this migration have NULL
-- in the new columns (and an older model_version, so the next run judges them again).

ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS judged_because VARCHAR;  -- new_claim | model_changed | evidence_changed | new_records | requested
ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS checked_run_id VARCHAR;  -- the last run that found the verdict current (judged or kept)

ALTER TABLE evidence ADD COLUMN IF NOT EXISTS record_retracted BOOLEAN; -- the record's is_retracted when it was read
