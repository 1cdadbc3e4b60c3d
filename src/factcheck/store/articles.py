"""SQL writes for runs, articles, their versions, removed blocks and pipeline errors.

Functions here never begin or commit a transaction themselves: the caller wraps one unit of
work (say, a fetched page and its crawl state) in a single transaction, so a crash leaves
either all of it or none of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from ..ingest.document import Document


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def article_id_for(source: str) -> str:
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


def site_for(doc: Document) -> str | None:
    if doc.site:
        return doc.site
    if doc.source_kind == "url":
        return urlsplit(doc.source).hostname
    return Path(doc.source).parent.name


@dataclass(frozen=True)
class SavedVersion:
    article_id: str
    version: int
    is_new: bool           # a version that was not stored before
    duplicate_of: str | None = None  # article that already holds the same content


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, inputs: Iterable[str]) -> None:
    con.execute(
        "INSERT INTO runs (run_id, flow, started_at, status, inputs) VALUES (?, ?, ?, 'running', ?)"
        " ON CONFLICT (run_id) DO NOTHING",
        [run_id, flow, now(), list(inputs)])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, *,
               counts: dict[str, int] | None = None, dq_passed: bool | None = None,
               message: str | None = None) -> None:
    counts = counts or {}
    allowed = ("n_documents", "n_new_versions", "n_claims", "n_flagged", "n_errors")
    sets = ", ".join(f"{k} = ?" for k in allowed if k in counts)
    params = [counts[k] for k in allowed if k in counts]
    con.execute(
        f"UPDATE runs SET status = ?, finished_at = ?, dq_passed = ?, message = ?"
        f"{', ' + sets if sets else ''} WHERE run_id = ?",
        [status, now(), dq_passed, message, *params, run_id])


def record_error(con: duckdb.DuckDBPyConnection, run_id: str, source: str, stage: str,
                 error_kind: str, message: str, severity: str = "error") -> None:
    con.execute(
        "INSERT INTO pipeline_errors (run_id, source, stage, error_kind, severity, message, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [run_id, source, stage, error_kind, severity, message, now()])


def save_document(con: duckdb.DuckDBPyConnection, doc: Document, run_id: str) -> SavedVersion | None:
    """Store ``doc`` as an article version, idempotently.

    The same content of the same source is stored once, whatever the number of runs; a new
    content hash of a known source becomes version n+1. Content already stored under another
    source (a mirrored or syndicated copy) is not stored again: the known version is returned
    with ``duplicate_of`` set. Unusable documents are recorded in ``pipeline_errors`` and
    ``None`` is returned. Warnings (say a repaired encoding) are recorded and the document kept.
    """
    for kind, message in doc.warnings:
        record_error(con, run_id, doc.source, "ingest", kind, message, severity="warning")
    if not doc.ok:
        record_error(con, run_id, doc.source, "ingest", doc.error_kind or "unknown",
                     doc.error or "unusable document")
        return None
    article_id = article_id_for(doc.source)
    row = con.execute("SELECT version FROM article_versions WHERE article_id = ? AND content_hash = ?",
                      [article_id, doc.content_hash]).fetchone()
    if row is not None:
        con.execute("UPDATE articles SET last_seen_run = ? WHERE article_id = ?", [run_id, article_id])
        return SavedVersion(article_id, row[0], False)
    other = con.execute(
        "SELECT v.article_id, v.version FROM article_versions v WHERE v.content_hash = ? LIMIT 1",
        [doc.content_hash]).fetchone()
    if other is not None:
        return SavedVersion(other[0], other[1], False, duplicate_of=other[0])
    latest = con.execute("SELECT latest_version FROM articles WHERE article_id = ?",
                         [article_id]).fetchone()
    version = 1 if latest is None else latest[0] + 1
    if latest is None:
        con.execute(
            "INSERT INTO articles (article_id, source, source_kind, site, first_seen_run,"
            " last_seen_run, latest_version) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [article_id, doc.source, doc.source_kind, site_for(doc), run_id, run_id, version])
    else:
        con.execute("UPDATE articles SET latest_version = ?, last_seen_run = ? WHERE article_id = ?",
                    [version, run_id, article_id])
    con.execute(
        "INSERT INTO article_versions (article_id, version, content_hash, run_id, fetched_at,"
        " content_type, encoding, raw_bytes, raw_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [article_id, version, doc.content_hash, run_id,
         doc.fetched_at.astimezone(timezone.utc).replace(tzinfo=None),
         doc.content_type, doc.encoding, doc.raw_bytes, doc.text])
    return SavedVersion(article_id, version, True)


def save_cleaned(con: duckdb.DuckDBPyConnection, article_id: str, version: int, result) -> None:
    """Store a ``factcheck.clean.CleanResult`` for one version: body, metadata, removed blocks."""
    status = "ok" if result.body_text and not result.error else ("error" if result.error else "empty")
    con.execute("DELETE FROM removed_blocks WHERE article_id = ? AND version = ?", [article_id, version])
    if result.removed:
        con.executemany(
            "INSERT INTO removed_blocks (article_id, version, seq, kind, text, reason)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [[article_id, version, i, b.kind, b.text, b.reason] for i, b in enumerate(result.removed)])
    con.execute(
        "UPDATE article_versions SET title = ?, author = ?, published = TRY_CAST(? AS DATE),"
        " language = ?, body_text = ?, n_removed = ?, clean_status = ?, clean_message = ?"
        " WHERE article_id = ? AND version = ?",
        [result.title, result.author, result.published, result.language, result.body_text,
         len(result.removed), status, result.error, article_id, version])


def mark_version_failed(con: duckdb.DuckDBPyConnection, article_id: str, version: int, stage: str,
                        message: str) -> None:
    """Set a version's ``clean_status`` or ``claims_status`` to ``error`` (it is not retried)."""
    if stage == "clean":
        con.execute("UPDATE article_versions SET clean_status = 'error', clean_message = ?"
                    " WHERE article_id = ? AND version = ?", [message, article_id, version])
    elif stage == "claims":
        con.execute("UPDATE article_versions SET claims_status = 'error'"
                    " WHERE article_id = ? AND version = ?", [article_id, version])
    else:
        raise ValueError(f"no status column for stage {stage!r}")


def claim_id_for(article_id: str, version: int, start: int, end: int) -> str:
    return hashlib.sha1(f"{article_id}:{version}:{start}:{end}".encode()).hexdigest()[:20]


def save_claims(con: duckdb.DuckDBPyConnection, article_id: str, version: int, claims,
                run_id: str) -> int:
    """Replace the claims of one version with ``claims`` (``factcheck.claims.Claim`` objects).

    Claim ids derive from the version and character offsets, so extracting the same version
    twice yields the same ids and no duplicates.
    """
    old = [r[0] for r in con.execute("SELECT claim_id FROM claims WHERE article_id = ? AND version = ?",
                                     [article_id, version]).fetchall()]
    if old:
        con.execute("DELETE FROM evidence WHERE claim_id IN (SELECT unnest(?))", [old])
        con.execute("DELETE FROM verdicts WHERE claim_id IN (SELECT unnest(?))", [old])
        con.execute("DELETE FROM claims WHERE article_id = ? AND version = ?", [article_id, version])
    rows = [[claim_id_for(article_id, version, c.start, c.end), article_id, version, seq, c.sentence,
             c.start, c.end, c.claim_type, c.certainty, c.polarity, float(c.score), c.reason,
             c.intervention, c.condition, c.outcome, list(c.mesh_terms or []), run_id]
            for seq, c in enumerate(claims)]
    if rows:
        con.executemany(
            "INSERT INTO claims (claim_id, article_id, version, seq, sentence, start_char, end_char,"
            " claim_type, certainty, polarity, score, reason, intervention, condition, outcome,"
            " mesh_terms, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("UPDATE article_versions SET claims_status = 'done' WHERE article_id = ? AND version = ?",
                [article_id, version])
    return len(rows)
