"""SQL writes for the crawler: ``crawl_state`` (one row per URL) and ``fetch_log`` (one row per
URL per run).

Like :mod:`factcheck.store.articles`, nothing here begins or commits a transaction: the
crawler wraps a page's article version, its crawl state and its log row in one transaction,
so an ETag is never stored without the article it describes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime

import duckdb

from .runs import now

OUTCOMES = ("fetched", "unchanged", "not_modified", "lastmod_unchanged", "duplicate",
            "robots_disallowed", "skipped", "error")


@dataclass
class CrawlState:
    """What the crawler knows about one URL from earlier runs."""

    url: str
    kind: str
    site: str | None = None
    canonical_url: str | None = None
    article_id: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    links: list[str] | None = None
    last_status: int | None = None
    last_outcome: str | None = None
    last_error: str | None = None
    consecutive_errors: int = 0
    first_seen_at: datetime | None = None
    last_checked_at: datetime | None = None
    last_changed_at: datetime | None = None


#: crawl_state columns: the fields of CrawlState, in order (load_states builds CrawlState(*row)).
_STATE_COLUMNS = tuple(f.name for f in fields(CrawlState))


_CHUNK = 200  # rows per multi-row statement


@dataclass
class FetchLogRow:
    """One line of ``fetch_log``: what happened to one URL in one run."""

    url: str
    kind: str
    outcome: str
    site: str | None = None
    status: int | None = None
    error_kind: str | None = None
    error: str | None = None
    final_url: str | None = None
    elapsed_ms: int | None = None
    attempts: int = 0
    bytes: int = 0
    article_id: str | None = None
    version: int | None = None
    fetched_at: datetime = field(default_factory=now)


#: fetch_log columns: the run's id and the fields of FetchLogRow.
_LOG_COLUMNS = ("run_id",) + tuple(f.name for f in fields(FetchLogRow))


def load_states(con: duckdb.DuckDBPyConnection, urls: Iterable[str]) -> dict[str, CrawlState]:
    """The stored state of each of ``urls`` that has one, keyed by URL."""
    wanted = list(dict.fromkeys(urls))
    if not wanted:
        return {}
    rows = con.execute(
        f"SELECT {', '.join(_STATE_COLUMNS)} FROM crawl_state WHERE url IN (SELECT unnest(?))",
        [wanted]).fetchall()
    return {row[0]: CrawlState(*row) for row in rows}


def get_state(con: duckdb.DuckDBPyConnection, url: str) -> CrawlState | None:
    return load_states(con, [url]).get(url)


def save_states(con: duckdb.DuckDBPyConnection, states: Iterable[CrawlState]) -> None:
    """Insert or replace many ``crawl_state`` rows with a few multi-row statements (one
    statement per row costs ~3 ms in DuckDB, a multi-row upsert ~0.2 ms a row). When a URL
    appears twice, the last state wins."""
    by_url = {s.url: s for s in states}
    if not by_url:
        return
    stamp = now()
    updates = ", ".join(f"{c} = excluded.{c}" for c in _STATE_COLUMNS
                        if c not in ("url", "first_seen_at"))
    one_row = "(" + ", ".join("?" for _ in _STATE_COLUMNS) + ")"
    items = list(by_url.values())
    for start in range(0, len(items), _CHUNK):
        chunk = items[start:start + _CHUNK]
        params: list[object] = []
        for state in chunk:
            if state.first_seen_at is None:
                state.first_seen_at = stamp
            params.extend(getattr(state, c) for c in _STATE_COLUMNS)
        con.execute(
            f"INSERT INTO crawl_state ({', '.join(_STATE_COLUMNS)}) VALUES "
            f"{', '.join([one_row] * len(chunk))} ON CONFLICT (url) DO UPDATE SET {updates}",
            params)


def log_fetches(con: duckdb.DuckDBPyConnection, run_id: str, rows: Iterable[FetchLogRow]) -> None:
    """Append rows to ``fetch_log`` (multi-row inserts, like :func:`save_states`)."""
    rows = list(rows)
    for row in rows:
        if row.outcome not in OUTCOMES:
            raise ValueError(f"unknown fetch outcome {row.outcome!r}; expected one of {OUTCOMES}")
    one_row = "(" + ", ".join("?" for _ in _LOG_COLUMNS) + ")"
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        params = [run_id if c == "run_id" else getattr(r, c) for r in chunk for c in _LOG_COLUMNS]
        con.execute(f"INSERT INTO fetch_log ({', '.join(_LOG_COLUMNS)}) VALUES "
                    f"{', '.join([one_row] * len(chunk))}", params)


def mark_articles_seen(con: duckdb.DuckDBPyConnection, article_ids: Iterable[str],
                       run_id: str) -> None:
    """Pages answered 304 Not Modified: their articles were seen by this run, unchanged."""
    ids = list(dict.fromkeys(article_ids))
    if ids:
        con.execute("UPDATE articles SET last_seen_run = ? WHERE article_id IN (SELECT unnest(?))",
                    [run_id, ids])
