"""SQL writes for the PubMed reference table (``pubmed``), its load log (``pubmed_files``)
and its full-text index.

A file's records arrive as Arrow record batches (see :data:`STAGE_SCHEMA`), are reduced to
one row per PMID (highest version, then the last one in the file) and merged into ``pubmed``
with a few set-based statements (:func:`merge_records`): far faster than row-by-row upserts,
and all inside the caller's transaction, which rolls the whole file back on failure.

The record writes never begin or commit a transaction themselves:
:mod:`factcheck.pubmed.load` wraps each file in one. The index builders
(:func:`rebuild_fts_index`, :func:`refresh_fts_index`) run their own, so that a failed build
leaves the previous index in place; call them outside a transaction.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from .db import sql_string
from .runs import now
from .pubmed_schema import STAGE_SCHEMA

log = logging.getLogger(__name__)

RECORD_COLUMNS = [name for name in STAGE_SCHEMA.names if name != "seq"]
#: Columns compared to decide whether a stored record really changed.
CONTENT_COLUMNS = [c for c in RECORD_COLUMNS if c != "pmid"]
#: Columns a retraction notice loaded from another file may set on a stored row.
_MARKED = ("is_retracted", "retraction_in")

#: Settings of the full-text index. Porter stemming and English stop words suit abstracts
#: that are overwhelmingly English; the default ``ignore`` pattern drops digits and
#: punctuation, accents are stripped so "Guillain-Barré" matches "barre".
FTS_COLUMNS = ("title", "abstract", "mesh_text")
FTS_STEMMER = "porter"
FTS_SETTINGS = f"stemmer = '{FTS_STEMMER}', stopwords = 'english', strip_accents = 1, lower = 1"

_INCOMING = "pubmed_incoming"   # the file's records, an Arrow table registered as a view
_NEW = "pubmed_new"             # view: one row per PMID of the file
_DEDUPED = "pubmed_deduped"     # the file's records without duplicate PMIDs, when it has some
_CHANGED = "pubmed_changed"     # stored PMIDs whose record the file changes


@dataclass(frozen=True)
class MergeCounts:
    inserted: int
    updated: int
    unchanged: int     # same version and same content as stored, or an older version
    retracted: int     # retracted records in the file, plus articles newly marked by notices


def file_already_loaded(con: duckdb.DuckDBPyConnection, sha256: str) -> str | None:
    """The name under which a file with this sha256 was loaded, or ``None``."""
    row = con.execute(
        "SELECT file_name FROM pubmed_files WHERE sha256 = ? AND status = 'loaded' LIMIT 1",
        [sha256]).fetchone()
    return row[0] if row else None


_NLM_FILE = re.compile(r"^pubmed(\d{2})n(\d{4})\.xml(\.gz)?$")


def nlm_sequence(file_name: str | None) -> int | None:
    """Where a file stands in NLM's sequence (``pubmed24n1219.xml.gz``: year 24, file 1219;
    each year's baseline, then its daily updates, numbered on), or None for any other name
    (E-utilities answers, a user's file: their order is not known)."""
    m = _NLM_FILE.match(file_name or "")
    return int(m.group(1)) * 10000 + int(m.group(2)) if m else None


def _later_than(column: str, key: int | None) -> str:
    """SQL: the file named in ``column`` comes after the file of sequence ``key`` in NLM's
    sequence (false when either is not an NLM file)."""
    if key is None:
        return "false"
    return (f"coalesce(regexp_matches({column}, '^pubmed[0-9]{{2}}n[0-9]{{4}}[.]xml') AND "
            f"CAST(substr({column}, 7, 2) AS INTEGER) * 10000 + CAST(substr({column}, 10, 4) "
            f"AS INTEGER) > {int(key)}, false)")


def merge_records(con: duckdb.DuckDBPyConnection,
                  records: list[pa.RecordBatch] | str | os.PathLike[str],
                  source_file: str, loaded_at: datetime | None = None) -> MergeCounts:
    """Merge one file's parsed records into ``pubmed``; the caller holds the transaction.

    ``records`` are Arrow batches in :data:`STAGE_SCHEMA`, or the path of a Parquet file of
    them (what parsing workers write: DuckDB then streams it from disk under its memory
    limit instead of holding the whole file in this process).

    Within the file the highest ``pmid_version`` of a PMID wins, then its last occurrence.
    Against the table, a record replaces the stored one when its version is at least the
    stored version and its content differs; an identical record is left alone (so
    ``source_file`` and ``loaded_at`` keep saying where it was first loaded in that form).
    A file earlier in NLM's sequence than the one a record was stored from (an older file
    loaded again) does not replace it at the same version, nor bring back a PMID a later
    file's ``DeleteCitation`` removed (``pubmed_deleted``); a record that does come back
    clears its deletion.

    New PMIDs go in with one anti-joined ``INSERT``; changed ones are deleted and inserted
    again. Both are much faster in DuckDB than ``INSERT … ON CONFLICT DO UPDATE``, which
    checks every row against the primary key one at a time.
    """
    loaded_at = loaded_at or now()
    cols = ", ".join(RECORD_COLUMNS)
    from_parquet = isinstance(records, (str, os.PathLike))
    if from_parquet:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {_INCOMING} AS SELECT * FROM"
                    f" read_parquet({sql_string(records)})")
    else:
        con.register(_INCOMING, pa.Table.from_batches(records, schema=STAGE_SCHEMA))
    try:
        n_rows, n_dupes = con.execute(
            f"SELECT count(*), count(*) - count(DISTINCT pmid) FROM {_INCOMING}").fetchone()
        _drop_temp(con)
        if n_dupes:
            con.execute(
                f"CREATE TEMP TABLE {_DEDUPED} AS SELECT {cols} FROM {_INCOMING} QUALIFY "
                "row_number() OVER (PARTITION BY pmid ORDER BY pmid_version DESC, seq DESC) = 1")
            con.execute(f"CREATE TEMP VIEW {_NEW} AS SELECT * FROM {_DEDUPED}")
        else:
            con.execute(f"CREATE TEMP VIEW {_NEW} AS SELECT {cols} FROM {_INCOMING}")
        # a retraction mark that a notice in another file put on the stored row is not a change
        # the record itself undoes: only a mark the record adds counts
        changed = " OR ".join(
            [f"p.{c} IS DISTINCT FROM n.{c}" for c in CONTENT_COLUMNS if c not in _MARKED]
            + ["(n.is_retracted AND NOT p.is_retracted)",
               "NOT list_has_all(coalesce(p.retraction_in, []), coalesce(n.retraction_in, []))"])
        key = nlm_sequence(source_file)
        con.execute(
            f"CREATE TEMP TABLE {_CHANGED} AS SELECT n.* FROM {_NEW} n JOIN pubmed p USING (pmid) "
            f"WHERE n.pmid_version >= p.pmid_version AND ({changed}) AND NOT "
            f"(n.pmid_version = p.pmid_version AND {_later_than('p.source_file', key)})")
        retracted = con.execute(
            f"""SELECT count(*) FROM {_NEW} n LEFT JOIN pubmed p USING (pmid)
                WHERE n.is_retracted AND (p.pmid IS NULL
                      OR (NOT p.is_retracted AND n.pmid_version >= p.pmid_version))""").fetchone()[0]
        # a PMID a later file deleted stays deleted (only an NLM file has an order to compare);
        # the deletions are few: each statement touching them is skipped when there are none
        deletions = con.execute("SELECT count(*) FROM pubmed_deleted").fetchone()[0]
        undeleted = ""
        if key is not None and deletions:
            undeleted = (f" AND n.pmid NOT IN (SELECT pmid FROM pubmed_deleted d"
                         f" WHERE {_later_than('d.deleted_in', key)})")
        inserted = con.execute(
            f"""INSERT INTO pubmed ({cols}, source_file, loaded_at)
                SELECT {cols}, ?, ? FROM {_NEW} n
                WHERE NOT EXISTS (SELECT 1 FROM pubmed p WHERE p.pmid = n.pmid){undeleted}""",
            [source_file, loaded_at]).fetchone()[0]
        if inserted and deletions:   # back from a later (or unsequenced) file: not deleted
            con.execute(f"DELETE FROM pubmed_deleted WHERE pmid IN (SELECT d.pmid FROM"
                        f" pubmed_deleted d JOIN {_NEW} n USING (pmid) JOIN pubmed p USING (pmid))")
        updated = con.execute(f"SELECT count(*) FROM {_CHANGED}").fetchone()[0]
        if updated:
            con.execute(f"DELETE FROM pubmed WHERE pmid IN (SELECT pmid FROM {_CHANGED})")
            con.execute(f"INSERT INTO pubmed ({cols}, source_file, loaded_at) "
                        f"SELECT {cols}, ?, ? FROM {_CHANGED}", [source_file, loaded_at])
        n_distinct = n_rows - n_dupes
        marked = mark_retracted_by_notices(con)
        _drop_temp(con)
        if from_parquet:
            con.execute(f"DROP VIEW {_INCOMING}")
    finally:
        # On failure the caller's ROLLBACK discards the temporary tables and views; only an
        # Arrow view (not transactional) must go, whatever happened.
        if not from_parquet:
            con.unregister(_INCOMING)
    return MergeCounts(int(inserted), int(updated), int(n_distinct - inserted - updated),
                       int(retracted + marked))


def _drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP VIEW IF EXISTS {_NEW}")
    con.execute(f"DROP TABLE IF EXISTS {_DEDUPED}")
    con.execute(f"DROP TABLE IF EXISTS {_CHANGED}")


def mark_retracted_by_notices(con: duckdb.DuckDBPyConnection) -> int:
    """Mark as retracted the stored articles that a retraction notice points to.

    A notice (``RetractionOf`` link) and the article it retracts may arrive in different
    files, in either order; only pairs touching the file being loaded (``pubmed_new``) are
    looked at, so the cost stays proportional to the file. Returns the rows changed.
    """
    row = con.execute(
        f"""WITH links AS (
                SELECT p.pmid AS notice, unnest(p.retraction_of) AS target
                FROM pubmed p WHERE len(p.retraction_of) > 0),
            wanted AS (
                SELECT target, list(DISTINCT notice ORDER BY notice) AS notices FROM links
                WHERE target IN (SELECT pmid FROM {_NEW}) OR notice IN (SELECT pmid FROM {_NEW})
                GROUP BY target)
            UPDATE pubmed SET is_retracted = true,
                retraction_in = list_sort(list_distinct(list_concat(coalesce(pubmed.retraction_in, []),
                                                                    wanted.notices)))
            FROM wanted
            WHERE pubmed.pmid = wanted.target
              AND (NOT pubmed.is_retracted
                   OR NOT list_has_all(coalesce(pubmed.retraction_in, []), wanted.notices))""",
    ).fetchone()
    return int(row[0]) if row else 0


def delete_citations(con: duckdb.DuckDBPyConnection, pmids: list[int],
                     source_file: str | None = None) -> int:
    """Delete the rows of these PMIDs (``DeleteCitation`` in ``source_file``) and remember the
    deletions (``pubmed_deleted``); return how many rows existed. A row stored from a file
    later in NLM's sequence stays (an older file loaded again does not undo it)."""
    if not pmids:
        return 0
    key = nlm_sequence(source_file)
    con.register("pubmed_delete_arrow", pa.table({"pmid": pa.array(pmids, pa.int64())}))
    try:
        row = con.execute(
            "DELETE FROM pubmed WHERE pmid IN (SELECT pmid FROM pubmed_delete_arrow)"
            f" AND NOT {_later_than('source_file', key)}").fetchone()
        con.execute(
            "INSERT OR REPLACE INTO pubmed_deleted (pmid, deleted_in, deleted_at) "
            "SELECT a.pmid, ?, ? FROM pubmed_delete_arrow a "
            "LEFT JOIN pubmed_deleted d ON d.pmid = a.pmid "
            "WHERE a.pmid NOT IN (SELECT p.pmid FROM pubmed_delete_arrow x JOIN pubmed p USING (pmid)) "
            f"AND (d.pmid IS NULL OR NOT {_later_than('d.deleted_in', key)})",
            [source_file or "", now()])
    finally:
        con.unregister("pubmed_delete_arrow")
    return int(row[0]) if row else 0


def record_file(con: duckdb.DuckDBPyConnection, *, file_name: str, path: str, sha256: str,
                status: str, n_records: int = 0, inserted: int = 0, updated: int = 0,
                unchanged: int = 0, deleted: int = 0, retracted: int = 0,
                skipped_records: int = 0, seconds: float | None = None,
                error: str | None = None) -> None:
    """Append one row to the ``pubmed_files`` log."""
    con.execute(
        """INSERT INTO pubmed_files (file_name, path, sha256, loaded_at, status, n_records,
               inserted, updated, unchanged, deleted, retracted, skipped_records, seconds, error)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [file_name, path, sha256, now(), status, n_records, inserted, updated, unchanged,
         deleted, retracted, skipped_records, seconds, error])


FTS_SCHEMA = "fts_main_pubmed"
_PROBE = "pubmed_fts_probe"
_PROBE_SCHEMA = f"fts_main_{_PROBE}"
#: Parameters of the extension's ``match_bm25`` macro, with its documented defaults.
_MATCH_PARAMS = "docname, query_string, fields := NULL, k := 1.2, b := 0.75, conjunctive := false"
#: Characters the extension's ``tokenize`` macro turns into word breaks: its default
#: ``ignore`` pattern (digits and ASCII punctuation) and what RE2's ``\s`` splits at.
_FTS_BREAKS = "0123456789!@#$%^&*()_+={}[]:;<>,.?~\\/|'\"`-" + "\t\n\f\r"
#: Strings on which the fast tokenizer must give exactly the extension's tokens before it is
#: used (accents, Greek, ligatures, non-breaking and typographic characters, every break).
_TOKENIZER_PROBES = (
    "Guillain-Barré syndrome", "IL-6\tTNF-α\n(p<0.05) [n=12]; {x}", "Ça va? naïve CAFÉ",
    "x__y++z==w", "O'Brien's “quoted” — dash – en", "ﬁnal Straße İstanbul ΣΊΣΥΦΟΣ",
    "a\u00a0b c\u2009d", "tab\fform\rfeed\vvt", "1,2-dimethyl-4-(3-oxo)", "50% ~ 3.5 mg/kg",
    "back\\slash/slash|pipe`tick\"quote!@#$^&*?<>:", "  leading and trailing  ", "",
)


def index_exists(con: duckdb.DuckDBPyConnection, database: str | None = None) -> bool:
    """Whether ``database`` (by default the connection's own) has the full-text index of
    ``pubmed`` with its BM25 postings: the two are built and refreshed together, and a search
    reads the postings."""
    row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = "
                      "coalesce(?, current_database()) AND schema_name = ? AND table_name = 'postings'",
                      [database, FTS_SCHEMA]).fetchone()
    return bool(row and row[0])


def rebuild_fts_index(con: duckdb.DuckDBPyConnection, *, method: str = "fast") -> None:
    """(Re)build the BM25 index over ``pubmed`` title, abstract and mesh_text from scratch.

    Query it with ``fts_main_pubmed.match_bm25(pmid, :query)`` (optional ``fields :=``,
    ``k :=``, ``b :=``, ``conjunctive :=`` as in DuckDB's FTS extension). DuckDB's index is
    a snapshot, not maintained on writes: :func:`refresh_fts_index` brings it up to date
    after a load, re-indexing only what changed.

    ``method="extension"`` runs ``PRAGMA create_fts_index`` as is. The default ``"fast"``
    builds the very same tables with set-based SQL and gives identical scores (tested) in
    less than half the time: the extension stems every token occurrence (millions) and
    fills term ids, lengths and document frequencies with correlated ``UPDATE``s, where
    this stems each distinct word once and joins. The tokenizer, the stop-word list and
    the ``match_bm25`` query macro are still the extension's own: they are taken from an
    index the extension builds over an empty probe table with the same settings. Runs in
    one transaction (call it outside one): a failure leaves the previous index in place.
    """
    built_at = now()
    if method == "extension":
        cols = ", ".join(f"'{c}'" for c in FTS_COLUMNS)
        con.execute(f"PRAGMA create_fts_index('pubmed', 'pmid', {cols}, {FTS_SETTINGS}, overwrite = 1)")
        build_postings(con)
        _write_build_info(con, built_at, "extension")
        return
    if method != "fast":
        raise ValueError(f"unknown index build method {method!r}")
    try:
        template = _extension_template(con)
        con.execute("BEGIN TRANSACTION")
        _build_fts_fast(con, template)
        build_postings(con)
        _write_build_info(con, built_at, "fast")
        con.execute("COMMIT")
    except Exception:
        _rollback_quietly(con)
        raise


def _write_build_info(con: duckdb.DuckDBPyConnection, built_at: datetime, how: str) -> None:
    """Remember when the index last covered the table: rows loaded later are re-indexed by
    :func:`refresh_fts_index`."""
    con.execute(f"CREATE OR REPLACE TABLE {FTS_SCHEMA}.build_info "
                "(indexed_at TIMESTAMP NOT NULL, how VARCHAR NOT NULL)")
    con.execute(f"INSERT INTO {FTS_SCHEMA}.build_info VALUES (?, ?)", [built_at, how])


def refresh_fts_index(con: duckdb.DuckDBPyConnection) -> str:
    """Bring the BM25 index up to date with ``pubmed``; return what was done.

    ``"rebuilt"`` when there was no index (or one without ``build_info``), ``"refreshed"``
    when only the rows loaded, changed or deleted since the index was last built or
    refreshed were re-indexed, ``"unchanged"`` when there were none. A refresh removes the
    postings of stale documents and adds those of fresh ones, adjusting document
    frequencies and the average length as it goes, so scores equal those of a full rebuild
    (tested) while the work is proportional to the change: a daily update file, not the
    whole table. Changed rows are found by ``pubmed.loaded_at`` later than the last build:
    after moving a database between machines with skewed clocks, run
    :func:`rebuild_fts_index` once.
    """
    s = FTS_SCHEMA
    has_info = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = 'build_info'",
        [s]).fetchone()[0]
    if not has_info:
        rebuild_fts_index(con)
        return "rebuilt"
    indexed_at = con.execute(f"SELECT max(indexed_at) FROM {s}.build_info").fetchone()[0]
    started = now()
    try:
        con.execute("BEGIN TRANSACTION")
        changed = _refresh_fts(con, indexed_at)
        _write_build_info(con, started, "refresh")
        con.execute("COMMIT")
    except Exception:
        _rollback_quietly(con)
        raise
    return "refreshed" if changed else "unchanged"


def _refresh_fts(con: duckdb.DuckDBPyConnection, indexed_at: datetime) -> int:
    s = FTS_SCHEMA
    con.execute(f"""CREATE OR REPLACE TEMP TABLE fts_stale AS
                    SELECT d.docid FROM {s}.docs d LEFT JOIN pubmed p ON p.pmid = d.name
                    WHERE p.pmid IS NULL OR p.loaded_at > ?""", [indexed_at])
    con.execute(f"""CREATE OR REPLACE TEMP TABLE fts_fresh AS
                    SELECT (SELECT coalesce(max(docid), -1) FROM {s}.docs)
                               + row_number() OVER (ORDER BY p.pmid) AS docid,
                           p.pmid, {", ".join(f"p.{c}" for c in FTS_COLUMNS)}
                    FROM pubmed p LEFT JOIN {s}.docs d ON d.name = p.pmid
                    WHERE d.name IS NULL OR p.loaded_at > ?""", [indexed_at])
    n_stale = con.execute("SELECT count(*) FROM fts_stale").fetchone()[0]
    n_fresh = con.execute("SELECT count(*) FROM fts_fresh").fetchone()[0]
    has_postings = index_exists(con)
    if n_stale and has_postings:
        con.execute(f"""DELETE FROM {s}.postings WHERE pmid IN
                        (SELECT d.name FROM {s}.docs d JOIN fts_stale USING (docid))""")
    if n_stale:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE fts_removed AS
                        SELECT termid, count(DISTINCT docid) AS n FROM {s}.terms
                        WHERE docid IN (SELECT docid FROM fts_stale) GROUP BY termid""")
        con.execute(f"DELETE FROM {s}.terms WHERE docid IN (SELECT docid FROM fts_stale)")
        con.execute(f"DELETE FROM {s}.docs WHERE docid IN (SELECT docid FROM fts_stale)")
        con.execute(f"UPDATE {s}.dict SET df = dict.df - r.n FROM fts_removed r "
                    "WHERE dict.termid = r.termid")
        con.execute("DROP TABLE fts_removed")
    if n_fresh:
        _tokenize_rows(con, "fts_fresh", "docid", _fast_tokenizer_agrees(con))
        con.execute(f"""INSERT INTO {s}.dict (termid, term, df)
                        SELECT (SELECT coalesce(max(termid), -1) FROM {s}.dict)
                                   + row_number() OVER (ORDER BY term), term, 0
                        FROM (SELECT DISTINCT term FROM fts_words
                              WHERE term NOT IN (SELECT term FROM {s}.dict))""")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE fts_wordids AS
                        SELECT w.w, d.termid FROM fts_words w JOIN {s}.dict d ON d.term = w.term""")
        con.execute("""CREATE OR REPLACE TEMP TABLE fts_postings AS
                       SELECT t.docid, CAST(t.fieldid AS BIGINT) AS fieldid, i.termid
                       FROM fts_tokens t JOIN fts_wordids i USING (w)""")
        con.execute(f"INSERT INTO {s}.terms (docid, fieldid, termid) "
                    "SELECT docid, fieldid, termid FROM fts_postings")
        con.execute(f"""UPDATE {s}.dict SET df = dict.df + a.n
                        FROM (SELECT termid, count(DISTINCT docid) AS n FROM fts_postings
                              GROUP BY termid) a
                        WHERE dict.termid = a.termid""")
        con.execute(f"""INSERT INTO {s}.docs (docid, name, len)
                        SELECT f.docid, f.pmid, coalesce(l.len, 0)
                        FROM fts_fresh f
                        LEFT JOIN (SELECT docid, count(*) AS len FROM fts_postings GROUP BY docid) l
                               ON l.docid = f.docid""")
        if has_postings:
            _insert_postings(con, "fts_postings")
        for name in ("fts_tokens", "fts_words", "fts_wordids", "fts_postings"):
            con.execute(f"DROP TABLE {name}")
    if n_stale or n_fresh:
        con.execute(f"DELETE FROM {s}.dict WHERE df <= 0")
        con.execute(f"DELETE FROM {s}.stats")
        con.execute(f"""INSERT INTO {s}.stats
                        SELECT count(docs.docid), sum(docs.len) / count(docs.len)
                        FROM {s}.docs AS docs""")
    con.execute("DROP TABLE fts_stale")
    con.execute("DROP TABLE fts_fresh")
    if not has_postings:
        build_postings(con)
    return n_stale + n_fresh


def build_postings(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build ``fts_main_pubmed.postings`` from the index's ``terms`` and ``docs``.

    One row per (term, record): ``termid``, ``pmid``, term frequency ``tf`` and the record's
    length ``len`` in indexed words, stored in ``termid`` order. A query then reads only the
    postings of its own terms: DuckDB skips every row group whose ``termid`` range does not
    hold them (zone maps), so the cost of a search follows the query terms' document
    frequencies, not the size of the table, unlike ``match_bm25``, which scores every row.
    Scores are the same BM25 as ``match_bm25``'s (see ``factcheck.evidence.retrieve``).
    """
    s = FTS_SCHEMA
    con.execute(f"DROP TABLE IF EXISTS {s}.postings")
    con.execute(f"""CREATE TABLE {s}.postings AS
                    SELECT t.termid, d.name AS pmid, count(*)::INTEGER AS tf,
                           any_value(d.len)::INTEGER AS len
                    FROM {s}.terms t JOIN {s}.docs d USING (docid)
                    GROUP BY t.termid, d.name ORDER BY t.termid, d.name""")


def _insert_postings(con: duckdb.DuckDBPyConnection, fresh_postings: str) -> None:
    """Append the postings of freshly indexed records (rows appended after the sorted bulk
    cost a little more to skip until the next full rebuild)."""
    s = FTS_SCHEMA
    con.execute(f"""INSERT INTO {s}.postings (termid, pmid, tf, len)
                    SELECT p.termid, d.name, count(*)::INTEGER, any_value(d.len)::INTEGER
                    FROM {fresh_postings} p JOIN {s}.docs d USING (docid)
                    GROUP BY p.termid, d.name ORDER BY p.termid, d.name""")


def _rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back whatever transaction a failed statement left open (there may be none)."""
    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass


@dataclass(frozen=True)
class _FtsTemplate:
    tokenize: str            # body of the extension's tokenize macro, for FTS_SCHEMA
    match_bm25: str          # body of its match_bm25 macro, for FTS_SCHEMA
    stopwords: list[str]
    fields: list[tuple[int, str]]


def _extension_template(con: duckdb.DuckDBPyConnection) -> _FtsTemplate:
    """Let the FTS extension index an empty probe table with our settings, and keep its
    macros, stop words and field ids (the probe is dropped again)."""
    probe, probe_s = _PROBE, _PROBE_SCHEMA
    cols = ", ".join(f"'{c}'" for c in FTS_COLUMNS)
    con.execute(f"CREATE OR REPLACE TABLE {probe} (pmid BIGINT, "
                + ", ".join(f"{c} VARCHAR" for c in FTS_COLUMNS) + ")")
    try:
        con.execute(f"PRAGMA create_fts_index('{probe}', 'pmid', {cols}, {FTS_SETTINGS}, "
                    "overwrite = 1)")
        macros = dict(con.execute(
            "SELECT function_name, macro_definition FROM duckdb_functions() "
            "WHERE schema_name = ? AND function_name IN ('tokenize', 'match_bm25')",
            [probe_s]).fetchall())
        if set(macros) != {"tokenize", "match_bm25"}:
            raise RuntimeError(f"the FTS extension did not create its macros in {probe_s}")
        stopwords = [r[0] for r in con.execute(f"SELECT sw FROM {probe_s}.stopwords").fetchall()]
        fields = con.execute(f"SELECT fieldid, field FROM {probe_s}.fields ORDER BY fieldid").fetchall()
        con.execute(f"PRAGMA drop_fts_index('{probe}')")
    except Exception:
        _rollback_quietly(con)  # a failed PRAGMA leaves its implicit transaction aborted
        raise
    finally:
        con.execute(f"DROP TABLE IF EXISTS {probe}")
    return _FtsTemplate(macros["tokenize"].replace(probe_s, FTS_SCHEMA),
                        macros["match_bm25"].replace(probe_s, FTS_SCHEMA), stopwords, fields)


def _build_fts_fast(con: duckdb.DuckDBPyConnection, template: _FtsTemplate) -> None:
    s = FTS_SCHEMA
    con.execute(f"DROP SCHEMA IF EXISTS {s} CASCADE")
    con.execute(f"CREATE SCHEMA {s}")
    con.execute(f"CREATE TABLE {s}.stopwords (sw VARCHAR)")
    con.executemany(f"INSERT INTO {s}.stopwords VALUES (?)", [[w] for w in template.stopwords])
    con.execute(f"CREATE TABLE {s}.fields (fieldid BIGINT, field VARCHAR)")
    con.executemany(f"INSERT INTO {s}.fields VALUES (?, ?)", [list(f) for f in template.fields])
    con.execute(f"CREATE MACRO {s}.tokenize(s) AS {template.tokenize}")
    _tokenize_rows(con, "pubmed", "rowid", _fast_tokenizer_agrees(con))
    con.execute("""CREATE TEMP TABLE fts_termids AS
                   SELECT term, CAST(row_number() OVER (ORDER BY term) - 1 AS BIGINT) AS termid
                   FROM (SELECT DISTINCT term FROM fts_words)""")
    con.execute("""CREATE TEMP TABLE fts_wordids AS
                   SELECT w, termid FROM fts_words JOIN fts_termids USING (term)""")
    con.execute(f"""CREATE TABLE {s}.terms AS
                    SELECT t.docid, CAST(t.fieldid AS BIGINT) AS fieldid, i.termid
                    FROM fts_tokens t JOIN fts_wordids i USING (w)""")
    con.execute(f"""CREATE TABLE {s}.dict AS
                    SELECT i.termid, i.term, n.df
                    FROM fts_termids i
                    JOIN (SELECT termid, count(DISTINCT docid) AS df FROM {s}.terms GROUP BY termid) n
                      USING (termid)
                    ORDER BY i.termid""")
    con.execute(f"""CREATE TABLE {s}.docs AS
                    SELECT p.rowid AS docid, p.pmid AS name, coalesce(n.len, 0) AS len
                    FROM pubmed p
                    LEFT JOIN (SELECT docid, count(*) AS len FROM {s}.terms GROUP BY docid) n
                           ON n.docid = p.rowid""")
    con.execute(f"""CREATE TABLE {s}.stats AS
                    SELECT count(docs.docid) AS num_docs, sum(docs.len) / count(docs.len) AS avgdl
                    FROM {s}.docs AS docs""")
    con.execute(f"CREATE MACRO {s}.match_bm25({_MATCH_PARAMS}) AS {template.match_bm25}")
    for name in ("fts_tokens", "fts_words", "fts_termids", "fts_wordids"):
        con.execute(f"DROP TABLE {name}")


def _fast_tokens_sql(text: str) -> str:
    """SQL for the words of ``text`` as the extension's ``tokenize`` macro finds them, without
    its two regular expressions: lower case (accents stripped only from non-ASCII text, where
    there are any), every break character translated to a space, split at spaces. Empty
    strings in the result are dropped by the caller, as the macro's are."""
    breaks = _FTS_BREAKS.replace("'", "''")
    spaces = " " * len(_FTS_BREAKS)
    return (f"string_split(translate(CASE WHEN strlen({text}) = length({text}) THEN lower({text}) "
            f"ELSE lower(strip_accents({text})) END, '{breaks}', '{spaces}'), ' ')")


def _fast_tokenizer_agrees(con: duckdb.DuckDBPyConnection) -> bool:
    """True when :func:`_fast_tokens_sql` gives the extension macro's words on every probe
    string. A later extension with another tokenizer fails this, and the macro is then used
    as it is (slower, never different)."""
    fast = _fast_tokens_sql("p")
    rows = con.execute(
        f"SELECT list_filter({FTS_SCHEMA}.tokenize(p), w -> len(w) > 0) "
        f"IS NOT DISTINCT FROM list_filter({fast}, w -> len(w) > 0) "
        "FROM (SELECT unnest(?::VARCHAR[]) AS p)", [list(_TOKENIZER_PROBES)]).fetchall()
    agrees = len(rows) == len(_TOKENIZER_PROBES) and all(r[0] for r in rows)
    if not agrees:
        log.warning("the FTS extension tokenizes differently from factcheck's fast tokenizer; "
                    "indexing with the extension's tokenize macro (slower)")
    return agrees


def _tokenize_rows(con: duckdb.DuckDBPyConnection, source: str, docid: str, fast: bool) -> None:
    """Temp tables ``fts_tokens (docid, fieldid, w)``: every indexed word occurrence of the
    rows of ``source`` except stop words; ``fts_words (w, term)``: each distinct word once
    with its stem (stemming each distinct word once, not each of millions of occurrences,
    is most of the gain over ``PRAGMA create_fts_index``)."""
    s = FTS_SCHEMA
    fieldids = dict((field, fieldid) for fieldid, field in
                    con.execute(f"SELECT fieldid, field FROM {s}.fields").fetchall())
    words = _fast_tokens_sql if fast else (lambda c: f"{s}.tokenize({c})")
    union = " UNION ALL ".join(
        f"SELECT {docid} AS docid, {int(fieldids[c])} AS fieldid, unnest({words(c)}) AS w "
        f"FROM {source}" for c in FTS_COLUMNS)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE fts_tokens AS
                    SELECT docid, fieldid, w FROM ({union})
                    WHERE len(w) > 0 AND w NOT IN (SELECT sw FROM {s}.stopwords)""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE fts_words AS
                    SELECT w, stem(w, '{FTS_STEMMER}') AS term FROM (SELECT DISTINCT w FROM fts_tokens)""")


def refresh_mesh_vocabulary(con: duckdb.DuckDBPyConnection) -> int:
    """Rewrite ``mesh_vocabulary`` from ``pubmed.mesh_terms``; returns the descriptors."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM mesh_vocabulary")
        con.execute("INSERT INTO mesh_vocabulary SELECT DISTINCT t FROM "
                    "(SELECT unnest(mesh_terms) AS t FROM pubmed) WHERE t IS NOT NULL")
        con.execute("COMMIT")
    except Exception:
        _rollback_quietly(con)
        raise
    return con.execute("SELECT count(*) FROM mesh_vocabulary").fetchone()[0]


def pubmed_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts an operator wants after a load: records, retracted, with an abstract."""
    total, retracted, with_abstract = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE is_retracted), count(abstract) FROM pubmed"
    ).fetchone()
    return {"records": total, "retracted": retracted, "with_abstract": with_abstract}
