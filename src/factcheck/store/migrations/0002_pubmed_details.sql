-- 0002: details of the PubMed reference table that 0001 did not hold.
-- Documented in docs/pubmed.md (and docs/schema.md once merged there).

-- MeSH descriptor UI codes, parallel to pubmed.mesh_terms (e.g. D007649 for Ketamine).
ALTER TABLE pubmed ADD COLUMN IF NOT EXISTS mesh_ids VARCHAR[];
-- For retraction notices: the PMIDs of the articles they retract (CommentsCorrections
-- RefType="RetractionOf"); used to mark those articles retracted even before NLM re-issues them.
ALTER TABLE pubmed ADD COLUMN IF NOT EXISTS retraction_of BIGINT[];
-- MedlineCitation/@Status: MEDLINE, PubMed-not-MEDLINE, In-Process, In-Data-Review, Publisher...
ALTER TABLE pubmed ADD COLUMN IF NOT EXISTS citation_status VARCHAR;
-- 'article' (PubmedArticle) or 'book' (PubmedBookArticle, NCBI Bookshelf).
ALTER TABLE pubmed ADD COLUMN IF NOT EXISTS record_kind VARCHAR;

-- Each PubMed file loaded or refused: where it was read from, how long it took, how many of
-- its articles were skipped as unusable (no PMID), and how many records it held that were
-- older versions than those already stored.
ALTER TABLE pubmed_files ADD COLUMN IF NOT EXISTS path VARCHAR;
ALTER TABLE pubmed_files ADD COLUMN IF NOT EXISTS skipped_records INTEGER;
ALTER TABLE pubmed_files ADD COLUMN IF NOT EXISTS unchanged INTEGER;
ALTER TABLE pubmed_files ADD COLUMN IF NOT EXISTS seconds DOUBLE;
