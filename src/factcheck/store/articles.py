"""SQL writes for articles, their versions and removed blocks (runs and errors: ``runs.py``;
claims: ``claims.py``).

Functions here never begin or commit a transaction themselves: the caller wraps one unit of
work (say, a fetched page and its crawl state) in a single transaction, so a crash leaves
either all of it or none of it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from . import raw
from .rows import CleanedVersion, Document
from .runs import record_error


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


def save_document(con: duckdb.DuckDBPyConnection, doc: Document, run_id: str) -> SavedVersion | None:
    """Store ``doc`` as an article version, idempotently; see :func:`save_documents`."""
    return save_documents(con, [doc], run_id)[0]


def save_documents(con: duckdb.DuckDBPyConnection, docs: list[Document], run_id: str
                   ) -> list[SavedVersion | None]:
    """Store documents as article versions, idempotently, in a handful of statements.

    The same content of the same source is stored once, whatever the number of runs; a new
    content hash of a known source becomes version n+1, and a page that goes back to content
    it had before makes that earlier version the current one again. Content already stored under another
    source (a mirrored or syndicated copy) is not stored again: the known version is returned
    with ``duplicate_of`` set. Unusable documents are recorded in ``pipeline_errors`` and get
    ``None``. Warnings (say a repaired encoding) are recorded and the document kept. Batching
    matters to the crawler: one statement per document per step costs milliseconds a page.
    The document as read goes to the raw folder beside the database (``store.raw``), not to
    ``article_versions.raw_text``, unless the database has no folder (in memory).
    """
    results: list[SavedVersion | None] = [None] * len(docs)
    usable = []
    for i, doc in enumerate(docs):
        for kind, message in doc.warnings:
            record_error(con, run_id, doc.source, "ingest", kind, message, severity="warning")
        if not doc.ok:
            record_error(con, run_id, doc.source, "ingest", doc.error_kind or "unknown",
                         doc.error or "unusable document")
            continue
        usable.append(i)
    if not usable:
        return results
    ids = {i: article_id_for(docs[i].source) for i in usable}
    hashes = list({docs[i].content_hash for i in usable})
    rows = con.execute("SELECT article_id, content_hash, version FROM article_versions"
                       " WHERE content_hash IN (SELECT unnest(?)) ORDER BY article_id, version",
                       [hashes]).fetchall()
    same = {(a, h): v for a, h, v in rows}          # this source already has this content
    first: dict[str, tuple[str, int]] = {}          # some source already has this content
    for a, h, v in rows:
        first.setdefault(h, (a, v))
    latest = dict(con.execute("SELECT article_id, latest_version FROM articles"
                              " WHERE article_id IN (SELECT unnest(?))",
                              [list(set(ids.values()))]).fetchall())
    known = set(latest)
    # the highest version number of each article (not always the latest: see reversions)
    top = dict(con.execute("SELECT article_id, max(version) FROM article_versions"
                           " WHERE article_id IN (SELECT unnest(?)) GROUP BY article_id",
                           [list(known)]).fetchall()) if known else {}
    root = raw.raw_dir(con)           # the raw documents' folder (None: kept in the table)
    seen: list[str] = []
    new_articles: dict[str, list] = {}
    bumped: dict[str, int] = {}       # known articles whose latest version changes
    new_versions: list[list] = []
    for i in usable:
        doc, aid, h = docs[i], ids[i], docs[i].content_hash
        if (aid, h) in same:
            seen.append(aid)
            version = same[(aid, h)]
            if aid in known and latest.get(aid) != version:
                # the page went back to content it had before: that version is current again
                latest[aid] = version
                bumped[aid] = version
            elif aid in new_articles:
                new_articles[aid][6] = version
                latest[aid] = version
            results[i] = SavedVersion(aid, version, False)
            continue
        if h in first:
            other = first[h]
            results[i] = SavedVersion(other[0], other[1], False, duplicate_of=other[0])
            continue
        version = top.get(aid, 0) + 1
        top[aid] = latest[aid] = version
        if aid in known:
            bumped[aid] = version
        elif aid in new_articles:
            new_articles[aid][6] = version
        else:
            new_articles[aid] = [aid, doc.source, doc.source_kind, site_for(doc), run_id, run_id, version]
        same[(aid, h)] = version
        first[h] = (aid, version)
        if root is not None:
            raw.put(root, h, doc.text)    # before any row names it
        new_versions.append([aid, version, h, run_id,
                             doc.fetched_at.astimezone(timezone.utc).replace(tzinfo=None),
                             doc.content_type, doc.encoding, doc.raw_bytes,
                             None if root is not None else doc.text])
        results[i] = SavedVersion(aid, version, True)
    if seen:
        con.execute("UPDATE articles SET last_seen_run = ? WHERE article_id IN (SELECT unnest(?))",
                    [run_id, seen])
    for aid, version in bumped.items():
        con.execute("UPDATE articles SET latest_version = ?, last_seen_run = ? WHERE article_id = ?",
                    [version, run_id, aid])
    if new_articles:
        values = list(new_articles.values())
        con.execute("INSERT INTO articles (article_id, source, source_kind, site, first_seen_run,"
                    " last_seen_run, latest_version) VALUES "
                    + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(values)), [x for v in values for x in v])
    if new_versions:
        con.execute("INSERT INTO article_versions (article_id, version, content_hash, run_id, fetched_at,"
                    " content_type, encoding, raw_bytes, raw_text) VALUES "
                    + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(new_versions)),
                    [x for v in new_versions for x in v])
    return results


def save_cleaned(con: duckdb.DuckDBPyConnection, article_id: str, version: int,
                 result: CleanedVersion, run_id: str | None = None) -> None:
    """Store a cleaned version (a ``factcheck.clean.CleanResult``): body, metadata, removed
    blocks, and the run that cleaned it (``cleaned_run_id``)."""
    status = "ok" if result.body_text and not result.error else ("error" if result.error else "empty")
    con.execute("DELETE FROM removed_blocks WHERE article_id = ? AND version = ?", [article_id, version])
    if result.removed:
        con.executemany(
            "INSERT INTO removed_blocks (article_id, version, seq, kind, text, reason)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [[article_id, version, i, b.kind, b.text, b.reason] for i, b in enumerate(result.removed)])
    con.execute(
        "UPDATE article_versions SET title = ?, author = ?, published = TRY_CAST(? AS DATE),"
        " language = ?, body_text = ?, n_removed = ?, clean_status = ?, clean_message = ?,"
        " cleaned_run_id = ? WHERE article_id = ? AND version = ?",
        [result.title, result.author, result.published, result.language, result.body_text,
         len(result.removed), status, result.error, run_id, article_id, version])


def mark_version_failed(con: duckdb.DuckDBPyConnection, article_id: str, version: int, stage: str,
                        message: str, run_id: str | None = None) -> None:
    """Set a version's ``clean_status`` or ``claims_status`` to ``error`` (it is not retried);
    a cleaning failure also records the run (``cleaned_run_id``)."""
    if stage == "clean":
        con.execute("UPDATE article_versions SET clean_status = 'error', clean_message = ?,"
                    " cleaned_run_id = ? WHERE article_id = ? AND version = ?",
                    [message, run_id, article_id, version])
    elif stage == "claims":
        con.execute("UPDATE article_versions SET claims_status = 'error'"
                    " WHERE article_id = ? AND version = ?", [article_id, version])
    else:
        raise ValueError(f"no status column for stage {stage!r}")


