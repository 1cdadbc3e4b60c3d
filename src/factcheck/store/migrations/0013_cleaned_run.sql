-- 0013: `article_versions.cleaned_run_id`, the run that cleaned a version (or recorded its
-- cleaning failure). A version is usually cleaned by the run that stored it, but one stored
-- while pending (an ingest-only run, a run whose raw folder was missing) is cleaned by a later
-- run, and that run's data-quality checks must read it. Versions cleaned before this migration
-- take the run that stored them.

ALTER TABLE article_versions ADD COLUMN cleaned_run_id VARCHAR;
UPDATE article_versions SET cleaned_run_id = run_id WHERE clean_status <> 'pending';
