-- Reference 0002: the PMIDs a DeleteCitation removed, and the file that removed them. A file
-- earlier in NLM's sequence (pubmedYYnNNNN), loaded again later (`--force`, or the same file
-- unzipped), does not bring them back; a record in a later file, or fetched from E-utilities,
-- does (and its row here goes). Documented in docs/schema.md.
CREATE TABLE IF NOT EXISTS pubmed_deleted (
    pmid        BIGINT PRIMARY KEY,
    deleted_in  VARCHAR NOT NULL,                -- the file whose DeleteCitation removed it
    deleted_at  TIMESTAMP NOT NULL
);
