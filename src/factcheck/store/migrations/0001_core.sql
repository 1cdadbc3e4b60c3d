-- 0001: the core schema. Documented column by column in docs/schema.md.

CREATE TABLE IF NOT EXISTS runs (
    run_id          VARCHAR PRIMARY KEY,
    flow            VARCHAR NOT NULL,            -- 'nightly', 'demo', 'run'
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP,
    status          VARCHAR NOT NULL,            -- running | completed | failed | dq_failed
    inputs          VARCHAR[],                   -- files, folders, URLs or sources file given
    n_documents     INTEGER DEFAULT 0,           -- documents read or fetched
    n_new_versions  INTEGER DEFAULT 0,           -- article versions that were new in this run
    n_claims        INTEGER DEFAULT 0,           -- claims extracted from new versions
    n_flagged       INTEGER DEFAULT 0,           -- claims of this run's articles with an editor flag
    n_errors        INTEGER DEFAULT 0,           -- rows written to pipeline_errors by this run
    dq_passed       BOOLEAN,
    message         VARCHAR
);

-- One row per article (a source URL or file), whatever its versions.
CREATE TABLE IF NOT EXISTS articles (
    article_id      VARCHAR PRIMARY KEY,         -- sha1 of the canonical source
    source          VARCHAR NOT NULL UNIQUE,     -- canonical URL or absolute file path
    source_kind     VARCHAR NOT NULL,            -- 'file' | 'url'
    site            VARCHAR,                     -- host name for URLs, folder for files
    first_seen_run  VARCHAR NOT NULL,
    last_seen_run   VARCHAR NOT NULL,
    latest_version  INTEGER NOT NULL
);

-- One row per distinct content of an article: a new content hash is a new version.
CREATE TABLE IF NOT EXISTS article_versions (
    article_id      VARCHAR NOT NULL,
    version         INTEGER NOT NULL,
    content_hash    VARCHAR NOT NULL,            -- sha256 of the raw bytes
    run_id          VARCHAR NOT NULL,            -- run that first stored this version
    fetched_at      TIMESTAMP NOT NULL,
    content_type    VARCHAR,                     -- 'text/html' | 'text/plain'
    encoding        VARCHAR,
    raw_bytes       BIGINT,
    title           VARCHAR,
    author          VARCHAR,
    published       DATE,
    language        VARCHAR,
    raw_text        VARCHAR NOT NULL,            -- the document as read, decoded to text
    clean_status    VARCHAR NOT NULL DEFAULT 'pending',  -- pending | ok | empty | error
    clean_message   VARCHAR,                     -- why the body is empty, when it is
    body_text       VARCHAR,                     -- cleaned body; claim offsets point into it
    n_removed       INTEGER NOT NULL DEFAULT 0,
    claims_status   VARCHAR NOT NULL DEFAULT 'pending',  -- pending | done | error
    PRIMARY KEY (article_id, version),
    UNIQUE (article_id, content_hash)
);

-- The audit trail of boilerplate removal: what was removed from each version, and why.
CREATE TABLE IF NOT EXISTS removed_blocks (
    article_id      VARCHAR NOT NULL,
    version         INTEGER NOT NULL,
    seq             INTEGER NOT NULL,            -- order of the block in the source
    kind            VARCHAR NOT NULL,            -- related_posts, cta, share, navigation, ...
    text            VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,            -- the rule that matched, in words
    PRIMARY KEY (article_id, version, seq)
);

CREATE TABLE IF NOT EXISTS claims (
    claim_id        VARCHAR PRIMARY KEY,         -- sha1 of article_id, version, start, end
    article_id      VARCHAR NOT NULL,
    version         INTEGER NOT NULL,
    seq             INTEGER NOT NULL,            -- claim order in the article
    sentence        VARCHAR NOT NULL,            -- exactly body_text[start_char:end_char]
    start_char      INTEGER NOT NULL,
    end_char        INTEGER NOT NULL,
    claim_type      VARCHAR NOT NULL,            -- efficacy, mechanism, safety, duration, ...
    certainty       VARCHAR NOT NULL,            -- hedged | assertive | absolute
    polarity        VARCHAR NOT NULL DEFAULT 'positive',  -- positive | negative
    score           DOUBLE NOT NULL,             -- check-worthiness, 0..1
    reason          VARCHAR,                     -- why it is check-worthy
    intervention    VARCHAR,
    condition       VARCHAR,
    outcome         VARCHAR,
    mesh_terms      VARCHAR[],                   -- normalised MeSH concepts of the claim
    run_id          VARCHAR NOT NULL
);

-- The PubMed reference table. One row per PMID (the newest version wins).
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
    loaded_at           TIMESTAMP
);

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
    error           VARCHAR
);

CREATE TABLE IF NOT EXISTS evidence (
    claim_id        VARCHAR NOT NULL,
    pmid            BIGINT NOT NULL,
    rank            INTEGER NOT NULL,            -- 1 = best
    score           DOUBLE NOT NULL,             -- BM25 score of the claim query
    on_topic        BOOLEAN NOT NULL,            -- mentions the claim's intervention and condition
    matched_terms   VARCHAR[],                   -- claim query words found in the record
    run_id          VARCHAR NOT NULL,
    PRIMARY KEY (claim_id, pmid)
);

CREATE TABLE IF NOT EXISTS verdicts (
    claim_id        VARCHAR PRIMARY KEY,
    label           VARCHAR NOT NULL,            -- evidence_found | limited_evidence | no_evidence | overstated
    confidence      DOUBLE NOT NULL,
    flags           VARCHAR[] NOT NULL,
    explanation     VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL,
    decided_at      TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS dq_results (
    run_id          VARCHAR NOT NULL,
    table_name      VARCHAR NOT NULL,
    expectation     VARCHAR NOT NULL,
    column_name     VARCHAR,
    success         BOOLEAN NOT NULL,
    severity        VARCHAR NOT NULL,            -- error (blocks publishing) | warning
    observed        VARCHAR,
    checked_at      TIMESTAMP NOT NULL
);

-- Anything that went wrong with one input, recorded so the run can go on.
CREATE TABLE IF NOT EXISTS pipeline_errors (
    run_id          VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,            -- file path, URL or PubMed file
    stage           VARCHAR NOT NULL,            -- ingest | clean | claims | pubmed | evidence
    error_kind      VARCHAR NOT NULL,            -- empty, binary, encoding, http, parse, ...
    severity        VARCHAR NOT NULL DEFAULT 'error',  -- error (input skipped) | warning (kept)
    message         VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL
);

-- Analyst views ------------------------------------------------------------------------

CREATE OR REPLACE VIEW current_articles AS
SELECT a.article_id, a.source, a.source_kind, a.site, v.version, v.title, v.author,
       v.published, v.language, v.fetched_at, v.body_text, v.n_removed, a.last_seen_run
FROM articles a
JOIN article_versions v ON v.article_id = a.article_id AND v.version = a.latest_version;

CREATE OR REPLACE VIEW current_claims AS
SELECT c.*, ca.source, ca.site, ca.title AS article_title
FROM claims c
JOIN current_articles ca ON ca.article_id = c.article_id AND ca.version = c.version;

CREATE OR REPLACE VIEW flagged_claims AS
SELECT cc.source, cc.site, cc.article_title, cc.article_id, cc.version, cc.claim_id,
       cc.seq, cc.sentence, cc.claim_type, cc.certainty, cc.intervention, cc.condition,
       v.label, v.confidence, v.flags, v.explanation,
       (SELECT list(e.pmid ORDER BY e.rank) FROM evidence e
         WHERE e.claim_id = cc.claim_id AND e.on_topic) AS evidence_pmids,
       v.decided_at
FROM current_claims cc
JOIN verdicts v ON v.claim_id = cc.claim_id
WHERE len(v.flags) > 0;

CREATE OR REPLACE VIEW article_summary AS
SELECT ca.article_id, ca.source, ca.site, ca.title, ca.version, ca.published, ca.fetched_at,
       ca.n_removed,
       length(ca.body_text) AS body_chars,
       (SELECT count(*) FROM current_claims cc WHERE cc.article_id = ca.article_id) AS n_claims,
       (SELECT count(*) FROM flagged_claims f WHERE f.article_id = ca.article_id) AS n_flagged,
       (SELECT count(*) FROM current_claims cc JOIN verdicts v USING (claim_id)
         WHERE cc.article_id = ca.article_id AND v.label = 'evidence_found') AS n_evidence_found,
       (SELECT count(*) FROM current_claims cc JOIN verdicts v USING (claim_id)
         WHERE cc.article_id = ca.article_id AND v.label = 'no_evidence') AS n_no_evidence,
       ca.last_seen_run
FROM current_articles ca;
