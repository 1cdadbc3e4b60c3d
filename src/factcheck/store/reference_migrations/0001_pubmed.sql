-- Reference 0001: the PubMed reference file (reference.duckdb beside the analyst database).
-- The same tables the analyst database held before its migration 0008 (0001, 0002 and 0004
-- there), now in a file of their own, published by its own atomic swap after its own checks
-- and ATTACHed read-only by nightly runs and analysts. Documented in docs/schema.md.

-- One row per PMID (the newest version wins).
CREATE TABLE IF NOT EXISTS pubmed (
    pmid                BIGINT PRIMARY KEY,
    pmid_version        INTEGER NOT NULL DEFAULT 1,
    title               VARCHAR,
    abstract            VARCHAR,
    journal             VARCHAR,
    pub_year            INTEGER,
    pub_date            VARCHAR,                 -- as printed: '1978 Mar', '1977 Nov-Dec'
    languages           VARCHAR[],
    publication_types   VARCHAR[],
    publication_type_ids VARCHAR[],              -- NLM UI codes, e.g. D016449
    mesh_terms          VARCHAR[],               -- descriptor names
    mesh_major          VARCHAR[],               -- descriptors flagged MajorTopicYN=Y
    mesh_text           VARCHAR,                 -- descriptors and qualifiers as one string (FTS)
    chemicals           VARCHAR[],
    keywords            VARCHAR[],
    doi                 VARCHAR,
    pmc_id              VARCHAR,
    study_design        VARCHAR,                 -- meta_analysis, systematic_review, rct, ...
    is_retracted        BOOLEAN NOT NULL DEFAULT false,
    retraction_in       BIGINT[],                -- PMIDs of retraction notices
    expression_of_concern_in BIGINT[],
    erratum_in          BIGINT[],
    source_file         VARCHAR,
    loaded_at           TIMESTAMP,
    mesh_ids            VARCHAR[],               -- MeSH descriptor UI codes, parallel to mesh_terms
    retraction_of       BIGINT[],                -- for retraction notices: the PMIDs they retract
    citation_status     VARCHAR,                 -- MEDLINE, PubMed-not-MEDLINE, In-Process, ...
    record_kind         VARCHAR                  -- 'article' | 'book'
);
-- a combined file made before the split (tests, notebooks) may lack 0002's columns
ALTER TABLE pubmed ADD COLUMN IF NOT EXISTS mesh_ids VARCHAR[];
ALTER TABLE pubmed ADD COLUMN IF NOT EXISTS retraction_of BIGINT[];
ALTER TABLE pubmed ADD COLUMN IF NOT EXISTS citation_status VARCHAR;
ALTER TABLE pubmed ADD COLUMN IF NOT EXISTS record_kind VARCHAR;

-- Each PubMed file loaded (or refused), with its counts.
CREATE TABLE IF NOT EXISTS pubmed_files (
    file_name       VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL,
    loaded_at       TIMESTAMP NOT NULL,
    status          VARCHAR NOT NULL,            -- loaded | failed | skipped
    n_records       INTEGER,
    inserted        INTEGER,
    updated         INTEGER,
    deleted         INTEGER,
    retracted       INTEGER,
    error           VARCHAR,
    path            VARCHAR,
    skipped_records INTEGER,
    unchanged       INTEGER,
    seconds         DOUBLE
);
ALTER TABLE pubmed_files ADD COLUMN IF NOT EXISTS path VARCHAR;
ALTER TABLE pubmed_files ADD COLUMN IF NOT EXISTS skipped_records INTEGER;
ALTER TABLE pubmed_files ADD COLUMN IF NOT EXISTS unchanged INTEGER;
ALTER TABLE pubmed_files ADD COLUMN IF NOT EXISTS seconds DOUBLE;

-- Dense vectors (all-MiniLM-L6-v2 of title and abstract), written when records are loaded
-- with the embed extra installed; empty otherwise.
CREATE TABLE IF NOT EXISTS pubmed_vectors (
    pmid            BIGINT PRIMARY KEY,
    vec             FLOAT[384] NOT NULL,
    model           VARCHAR NOT NULL,
    loaded_at       TIMESTAMP,                   -- pubmed.loaded_at of the record embedded
    embedded_at     TIMESTAMP NOT NULL
);

-- Each publish of the reference file: what the load changed and whether its checks passed.
CREATE TABLE IF NOT EXISTS reference_loads (
    load_id         VARCHAR PRIMARY KEY,
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP,
    kind            VARCHAR NOT NULL,            -- load | fetch | split
    files           VARCHAR[],
    inserted        INTEGER,
    updated         INTEGER,
    deleted         INTEGER,
    retracted       INTEGER,
    n_records       BIGINT,                      -- records in the table once published
    checks          INTEGER,                     -- data-quality checks run
    checks_failed   INTEGER                      -- warnings among them (errors block publishing)
);

-- The MeSH descriptors found in pubmed.mesh_terms (claims normalise their terms to them):
-- refreshed by every load that changes the table, so a run does not scan the whole table.
CREATE TABLE IF NOT EXISTS mesh_vocabulary (
    descriptor      VARCHAR PRIMARY KEY
);

-- The full-text index's schema, empty until the first load builds the index (so that an
-- analyst's search_path naming it works on an empty reference too).
CREATE SCHEMA IF NOT EXISTS fts_main_pubmed;
