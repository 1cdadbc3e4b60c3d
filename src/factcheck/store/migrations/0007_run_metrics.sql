-- 0007: distribution metrics of each run's new article versions, so that the next run can
-- warn when its distributions drift (quality/drift.py). Documented in docs/schema.md.

CREATE TABLE IF NOT EXISTS run_metrics (
    run_id          VARCHAR NOT NULL,
    metric          VARCHAR NOT NULL,            -- removed_share | claims_per_article | without_evidence_share | verdict_share
    scope           VARCHAR NOT NULL,            -- a site (removed_share), a verdict label (verdict_share), or 'all'
    value           DOUBLE NOT NULL,
    n               INTEGER NOT NULL,            -- articles or claims it was computed over
    PRIMARY KEY (run_id, metric, scope)
);
