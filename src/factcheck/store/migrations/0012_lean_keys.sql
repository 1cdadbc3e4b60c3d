-- 0012: `evidence` and `verdict_history` keep no primary-key index. A DuckDB primary key is an
-- ART index stored in the file: over 300 WCXB pages (125 evidence rows an article) the one on
-- evidence (claim_id, pmid) took more room than the evidence itself, and no query of the code or
-- of the views looks a row up by both key columns. Uniqueness
-- still holds: the store replaces a claim's rows as one unit (delete, then insert), refuses a
-- batch that names a record twice for one claim, and the quality gate checks (claim_id, pmid)
-- and (claim_id, rank) before anything is published. DuckDB cannot drop a primary key, so each
-- table is rebuilt with the same columns, in the same order.

CREATE TABLE evidence_0012 (
    claim_id          VARCHAR NOT NULL,
    pmid              BIGINT NOT NULL,
    rank              INTEGER NOT NULL,
    score             DOUBLE NOT NULL,
    on_topic          BOOLEAN NOT NULL,
    matched_terms     VARCHAR[],
    run_id            VARCHAR NOT NULL,
    stance            VARCHAR,
    p_support         DOUBLE,
    p_refute          DOUBLE,
    quote             VARCHAR,
    quote_section     VARCHAR,
    design            VARCHAR,
    counts            BOOLEAN,
    grade             DOUBLE,
    grade_note        VARCHAR,
    dense_score       DOUBLE,
    record_retracted  BOOLEAN
);
INSERT INTO evidence_0012 SELECT * FROM evidence;
DROP TABLE evidence;
ALTER TABLE evidence_0012 RENAME TO evidence;

CREATE TABLE verdict_history_0012 (
    claim_id        VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL,
    decided_at      TIMESTAMP NOT NULL,
    label           VARCHAR NOT NULL,
    confidence      DOUBLE NOT NULL,
    flags           VARCHAR[] NOT NULL,
    deciding_pmids  BIGINT[],
    coverage        INTEGER,
    model_version   VARCHAR,
    judged_because  VARCHAR
);
INSERT INTO verdict_history_0012 SELECT * FROM verdict_history;
DROP TABLE verdict_history;
ALTER TABLE verdict_history_0012 RENAME TO verdict_history;
