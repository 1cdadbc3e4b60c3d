-- 0006: every verdict a run computes is kept, so an analyst can follow a claim over time.
-- `verdicts` holds each claim's current verdict; `verdict_history` one row per (claim, run
-- that judged it). Verdicts stored before this migration start the history.

CREATE TABLE IF NOT EXISTS verdict_history (
    claim_id        VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL,            -- the run that judged it
    decided_at      TIMESTAMP NOT NULL,
    label           VARCHAR NOT NULL,
    confidence      DOUBLE NOT NULL,
    flags           VARCHAR[] NOT NULL,
    deciding_pmids  BIGINT[],
    coverage        INTEGER,
    model_version   VARCHAR,
    judged_because  VARCHAR,                     -- as verdicts.judged_because
    PRIMARY KEY (claim_id, run_id)
);

INSERT OR IGNORE INTO verdict_history
SELECT claim_id, run_id, decided_at, label, confidence, flags, deciding_pmids, coverage,
       model_version, judged_because
FROM verdicts;

-- Each time a claim's label or flags changed, with the run, the reason it was judged again
-- and the label and flags before.
CREATE OR REPLACE VIEW verdict_changes AS
SELECT * FROM (
    SELECT h.claim_id, h.run_id, h.decided_at, h.judged_because,
           lag(h.label) OVER w AS previous_label, h.label,
           lag(h.flags) OVER w AS previous_flags, h.flags,
           lag(h.deciding_pmids) OVER w AS previous_deciding_pmids, h.deciding_pmids,
           h.model_version
    FROM verdict_history h
    WINDOW w AS (PARTITION BY h.claim_id ORDER BY h.decided_at, h.run_id))
WHERE previous_label IS NOT NULL
  AND (previous_label <> label OR list_sort(previous_flags) <> list_sort(flags));
