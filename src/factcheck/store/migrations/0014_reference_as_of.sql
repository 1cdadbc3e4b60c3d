-- 0014: each verdict names the reference it was judged (or last checked) against: the latest
-- `pubmed.loaded_at` of the reference file the judging connection read. Records loaded later
-- make the next run check it, whenever the run that judged it ran (a run judging while a load
-- was still to publish read the older file) and only once: a check that finds nothing changed
-- stamps the newer reference. NULL for verdicts made before (their `decided_at` stands in).
ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS reference_as_of TIMESTAMP;
