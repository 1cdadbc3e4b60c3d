-- 0008: the PubMed reference moves out of the analyst database into its own file
-- (reference.duckdb beside it; see factcheck.store.reference and docs/schema.md).
-- A nightly run then copies and publishes megabytes, not the reference. The file is ATTACHed
-- read-only as `reference` with search_path 'main,reference,reference.fts_main_pubmed', so `pubmed` and the
-- analyst views that read it (claim_evidence) keep working.
--
-- factcheck.store.db refuses to apply this to a database whose pubmed table holds records
-- that the reference file does not: `factcheck pubmed split` (run by every writing command
-- on its own) moves them first.

DROP SCHEMA IF EXISTS fts_main_pubmed CASCADE;
DROP TABLE IF EXISTS pubmed_vectors;
DROP TABLE IF EXISTS pubmed_files;
DROP TABLE IF EXISTS pubmed;
