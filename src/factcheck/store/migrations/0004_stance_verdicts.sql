-- 0004: verdicts that read whether each study supports or contradicts a claim.
-- Documented column by column in docs/schema.md. Rows written before this migration keep
-- their values; their new columns are NULL (verdicts.scheme says which labels a row uses).

-- Claims as the evidence stage reads them.
ALTER TABLE claims ADD COLUMN IF NOT EXISTS query_text VARCHAR;     -- the sentence with "it"/"the drug" resolved
ALTER TABLE claims ADD COLUMN IF NOT EXISTS attribution VARCHAR;    -- own | reported | rejected
ALTER TABLE claims ADD COLUMN IF NOT EXISTS attributed_to VARCHAR;  -- who the article attributes it to
ALTER TABLE claims ADD COLUMN IF NOT EXISTS figures VARCHAR[];      -- figures the claim states ("over three months", "87%")
ALTER TABLE claims ADD COLUMN IF NOT EXISTS cited VARCHAR;          -- the source it cites ("a 2009 study", "JAMA")

-- Each retrieved record, read against the claim.
ALTER TABLE evidence ADD COLUMN IF NOT EXISTS stance VARCHAR;       -- supports | refutes | neutral
ALTER TABLE evidence ADD COLUMN IF NOT EXISTS p_support DOUBLE;     -- calibrated probability that it supports
ALTER TABLE evidence ADD COLUMN IF NOT EXISTS p_refute DOUBLE;      -- ... that it refutes
ALTER TABLE evidence ADD COLUMN IF NOT EXISTS quote VARCHAR;        -- the record's deciding sentence
ALTER TABLE evidence ADD COLUMN IF NOT EXISTS quote_section VARCHAR;-- title, background, methods, results, conclusions
ALTER TABLE evidence ADD COLUMN IF NOT EXISTS design VARCHAR;       -- design as graded (protocol, animal from the text, ...)
ALTER TABLE evidence ADD COLUMN IF NOT EXISTS counts BOOLEAN;       -- may it count for or against this claim at all
ALTER TABLE evidence ADD COLUMN IF NOT EXISTS grade DOUBLE;         -- weight of its design for this claim type, 0..1
ALTER TABLE evidence ADD COLUMN IF NOT EXISTS grade_note VARCHAR;   -- why it does not count, or counts less
ALTER TABLE evidence ADD COLUMN IF NOT EXISTS dense_score DOUBLE;   -- cosine to the claim (embed extra)

-- Verdicts: scheme 1 = the labels before 0004 (evidence_found, limited_evidence,
-- no_evidence, overstated); scheme 2 = supported, mixed, contradicted, not_addressed, no_coverage.
ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS scheme INTEGER DEFAULT 1;
ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS flag_reasons VARCHAR[];   -- one sentence per flag, same order
ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS deciding_pmids BIGINT[];  -- the records the label rests on
ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS n_supporting INTEGER;
ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS n_refuting INTEGER;
ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS coverage INTEGER;         -- records of the table on the claim's topic
ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS model_version VARCHAR;    -- stance model and rules that decided

-- Dense vectors of the reference table (all-MiniLM-L6-v2 of title and abstract), written
-- when records are loaded with the embed extra installed; empty otherwise.
CREATE TABLE IF NOT EXISTS pubmed_vectors (
    pmid            BIGINT PRIMARY KEY,
    vec             FLOAT[384] NOT NULL,
    model           VARCHAR NOT NULL,
    loaded_at       TIMESTAMP,                   -- pubmed.loaded_at of the record embedded
    embedded_at     TIMESTAMP NOT NULL
);

-- Analyst views --------------------------------------------------------------------------

-- Claims the article asserts (not those it reports and rejects) whose verdict has a flag.
CREATE OR REPLACE VIEW flagged_claims AS
SELECT cc.source, cc.site, cc.article_title, cc.article_id, cc.version, cc.claim_id,
       cc.seq, cc.sentence, cc.claim_type, cc.certainty, cc.intervention, cc.condition,
       v.label, v.confidence, v.flags, v.flag_reasons, v.explanation,
       coalesce(v.deciding_pmids, (SELECT list(e.pmid ORDER BY e.rank) FROM evidence e
         WHERE e.claim_id = cc.claim_id AND e.on_topic)) AS evidence_pmids,
       v.coverage, v.decided_at
FROM current_claims cc
JOIN verdicts v ON v.claim_id = cc.claim_id
WHERE len(v.flags) > 0 AND coalesce(cc.attribution, 'own') <> 'rejected';

-- Every record read for a current claim, with what it says about it.
CREATE OR REPLACE VIEW claim_evidence AS
SELECT cc.claim_id, cc.article_id, cc.sentence, e.rank, e.pmid, p.title, p.journal, p.pub_year,
       coalesce(e.design, p.study_design) AS design, p.is_retracted, e.stance, e.p_support,
       e.p_refute, e.quote, e.quote_section, e.counts, e.grade, e.grade_note, e.on_topic,
       e.score, e.dense_score
FROM current_claims cc
JOIN evidence e ON e.claim_id = cc.claim_id
JOIN pubmed p ON p.pmid = e.pmid;

CREATE OR REPLACE VIEW article_summary AS
SELECT ca.article_id, ca.source, ca.site, ca.title, ca.version, ca.published, ca.fetched_at,
       ca.n_removed,
       length(ca.body_text) AS body_chars,
       (SELECT count(*) FROM current_claims cc WHERE cc.article_id = ca.article_id) AS n_claims,
       (SELECT count(*) FROM flagged_claims f WHERE f.article_id = ca.article_id) AS n_flagged,
       (SELECT count(*) FROM current_claims cc JOIN verdicts v USING (claim_id)
         WHERE cc.article_id = ca.article_id AND v.label = 'supported') AS n_supported,
       (SELECT count(*) FROM current_claims cc JOIN verdicts v USING (claim_id)
         WHERE cc.article_id = ca.article_id AND v.label IN ('contradicted', 'mixed')) AS n_contradicted,
       (SELECT count(*) FROM current_claims cc JOIN verdicts v USING (claim_id)
         WHERE cc.article_id = ca.article_id AND v.label = 'not_addressed') AS n_not_addressed,
       (SELECT count(*) FROM current_claims cc JOIN verdicts v USING (claim_id)
         WHERE cc.article_id = ca.article_id AND v.label IN ('no_coverage', 'no_evidence')) AS n_no_coverage,
       ca.last_seen_run
FROM current_articles ca;
