-- 0003: web crawling. What each URL returned last time (for conditional GET and for the
-- next run's priorities), and one row per URL per run saying what the fetch did.
-- Documented column by column in docs/sources.md.

-- One row per URL the crawler has requested or discovered (pages, feeds, sitemaps).
CREATE TABLE IF NOT EXISTS crawl_state (
    url             VARCHAR PRIMARY KEY,         -- normalised URL as requested
    kind            VARCHAR NOT NULL,            -- page | feed | sitemap | robots
    site            VARCHAR,                     -- site name from the sources file, or host
    canonical_url   VARCHAR,                     -- the page's canonical URL (articles.source)
    article_id      VARCHAR,                     -- article stored for this URL, if any
    etag            VARCHAR,                     -- sent back as If-None-Match
    last_modified   VARCHAR,                     -- HTTP-date, sent back as If-Modified-Since
    content_hash    VARCHAR,                     -- sha256 of the last body received
    links           VARCHAR[],                   -- feeds and sitemaps: the URLs they listed
    last_status     INTEGER,                     -- HTTP status of the last request
    last_outcome    VARCHAR,                     -- see fetch_log.outcome
    last_error      VARCHAR,
    consecutive_errors INTEGER NOT NULL DEFAULT 0,
    first_seen_at   TIMESTAMP NOT NULL,
    last_checked_at TIMESTAMP,                   -- last request, whatever its outcome
    last_changed_at TIMESTAMP                    -- last time a new body was received
);

-- One row per URL per run: what was fetched, skipped or refused, and why.
CREATE TABLE IF NOT EXISTS fetch_log (
    run_id          VARCHAR NOT NULL,
    url             VARCHAR NOT NULL,            -- normalised URL as requested
    kind            VARCHAR NOT NULL,            -- page | feed | sitemap | robots
    site            VARCHAR,
    outcome         VARCHAR NOT NULL,            -- fetched | unchanged | not_modified | duplicate |
                                                 -- robots_disallowed | skipped | error
    status          INTEGER,                     -- final HTTP status (NULL: no response)
    error_kind      VARCHAR,                     -- timeout, connect, http, too_large, ...
    error           VARCHAR,
    final_url       VARCHAR,                     -- after redirects
    elapsed_ms      INTEGER,                     -- all attempts, waits for retries included
    attempts        INTEGER NOT NULL DEFAULT 0,  -- HTTP requests made (retries included)
    bytes           BIGINT NOT NULL DEFAULT 0,   -- body bytes received (decoded)
    article_id      VARCHAR,
    version         INTEGER,
    fetched_at      TIMESTAMP NOT NULL
);

CREATE OR REPLACE VIEW fetch_failures AS
SELECT f.run_id, f.site, f.url, f.kind, f.outcome, f.status, f.error_kind, f.error,
       f.attempts, f.elapsed_ms, f.fetched_at
FROM fetch_log f
WHERE f.outcome IN ('error', 'skipped', 'robots_disallowed');
