"""The PubMed reference in its own DuckDB file, ATTACHed read-only beside the analyst database.

The reference (``pubmed``, ``pubmed_files``, ``pubmed_vectors``, ``reference_loads`` and the
full-text index ``fts_main_pubmed``) can reach tens of gigabytes; the analyst database (articles,
claims, evidence, verdicts, runs) stays small. Keeping them apart means a nightly run copies and
publishes megabytes, and a PubMed load publishes the reference by its own atomic swap.

- :func:`reference_path`: where a database's reference lives: ``FACTCHECK_REFERENCE_DB``, else
  ``reference.duckdb`` in the database's folder (a run's working copy ``<db>.work`` sits in the
  same folder, so it finds the same file).
- :func:`attach`: what :func:`factcheck.store.db.connect` does for every analyst connection:
  ``ATTACH '<reference>' AS reference (READ_ONLY)`` and
  ``SET search_path = 'main,reference,reference.fts_main_pubmed'``,
  so ``pubmed``, ``fts_main_pubmed.postings`` and the analyst views resolve unchanged. Without a
  reference file an empty one is attached (every claim then gets ``no_coverage``).
- A database that holds a ``pubmed`` table itself is its own reference (nothing is attached):
  what :func:`factcheck.pubmed.load.load_files` makes of a connection it is handed (tests,
  notebooks, the benchmark corpora).
- :func:`split`: moves the reference out of a database made before migration 0008 (once).

Analysts, in any DuckDB client::

    ATTACH 'out/factcheck.duckdb' AS fc (READ_ONLY);
    ATTACH 'out/reference.duckdb' AS reference (READ_ONLY);
    USE fc;
    SET search_path = 'main,reference,reference.fts_main_pubmed';
"""

from __future__ import annotations

import hashlib
import logging
import os
from contextlib import closing
from datetime import datetime
from pathlib import Path

import duckdb

from .db import sql_string
from .runs import now
from ..settings import get_settings

log = logging.getLogger(__name__)

REFERENCE_FILE = "reference.duckdb"
CATALOG = "reference"
FTS_SCHEMA = "fts_main_pubmed"
SEARCH_PATH = f"main,{CATALOG},{CATALOG}.{FTS_SCHEMA}"
#: The reference's tables, in the order they are copied by :func:`split`.
TABLES = ("pubmed", "pubmed_files", "pubmed_vectors")
MIGRATIONS_DIR = "reference_migrations"
#: The analyst migration that drops the reference tables (see ``migrations/0008_*.sql``).
SPLIT_MIGRATION = 8


class ReferenceUnavailable(RuntimeError):
    """The reference a database's verdicts rest on is missing, empty or without its index."""


def reference_path(db: str | os.PathLike[str] | None) -> Path | None:
    """The reference file of the database at ``db`` (None for an in-memory database without
    ``FACTCHECK_REFERENCE_DB``)."""
    configured = get_settings().reference_db
    if configured:
        return Path(configured)
    if db is None or str(db) == ":memory:":
        return None
    return Path(db).resolve().parent / REFERENCE_FILE


def ensure_schema(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> list[str]:
    """Create or update the reference tables in ``catalog`` (default: the connection's own
    database): the reference migrations, each once, recorded in ``reference_migrations``."""
    from .db import apply_migrations

    previous = None
    if catalog:
        previous = con.execute("SELECT current_database()").fetchone()[0]
        con.execute(f"USE {catalog}")
    try:
        return apply_migrations(con, directory=MIGRATIONS_DIR, table="reference_migrations")
    finally:
        if previous:
            con.execute(f"USE {_quote_ident(previous)}")


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def holds_reference(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection's own database holds the ``pubmed`` table (it is its own
    reference, or a database made before migration 0008)."""
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
        " AND schema_name = 'main' AND table_name = 'pubmed'").fetchone()[0])


def attached(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file attached as the reference, or None."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = ? AND "
                      "database_name <> current_database()", [CATALOG]).fetchone()
    if row is None:
        return None
    return Path(row[0])


def attach(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str] | None) -> Path | None:
    """Attach the reference at ``path`` read-only as ``reference`` (:func:`empty_reference` when
    there is no such file) and put it on the search path; nothing when the database holds its
    own ``pubmed``. Returns the path attached.

    Records are loaded through the reference file itself (:func:`connect_reference`), or into a
    connection's own database (:func:`make_own_reference`, what ``load_files`` does)."""
    if holds_reference(con):
        return None
    if con.execute("SELECT current_database()").fetchone()[0] == CATALOG:
        return None   # a file named like the reference is one (or about to become one)
    found = attached(con)   # another connection to the same database attached it already
    if found is None:
        source = Path(path) if path is not None and Path(path).exists() else empty_reference()
        con.execute(f"ATTACH {sql_string(source)} AS {CATALOG} (READ_ONLY)")
        found = attached(con)
    has_index = con.execute("SELECT count(*) FROM duckdb_schemas() WHERE database_name = ? AND "
                            "schema_name = ?", [CATALOG, FTS_SCHEMA]).fetchone()[0]
    con.execute(f"SET search_path = '{SEARCH_PATH if has_index else f'main,{CATALOG}'}'")
    return found


def empty_reference() -> Path:
    """An empty reference file with today's schema, made once in the temporary folder and
    attached (read-only) where a database has no reference yet: ``pubmed`` then resolves to an
    empty table, and every claim gets ``no_coverage``."""
    import tempfile

    from .db import create_file, migration_files

    digest = hashlib.sha256("".join(sql for _, _, sql in migration_files(MIGRATIONS_DIR)).encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"factcheck-empty-reference-{digest}.duckdb"
    if not path.exists():
        building = path.with_name(f"{path.stem}-{os.getpid()}-{id(path)}.tmp")
        create_file(building)
        with closing(duckdb.connect(str(building))) as con:
            ensure_schema(con)
            con.execute("CHECKPOINT")
        os.replace(building, path)
    return path


# --- moving the reference out of an older database --------------------------------------

def _split_pending(con: duckdb.DuckDBPyConnection) -> bool:
    has_migrations = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
        " AND table_name = 'schema_migrations'").fetchone()[0]
    if not has_migrations:
        return False
    return not con.execute("SELECT count(*) FROM schema_migrations WHERE version = ?",
                           [SPLIT_MIGRATION]).fetchone()[0]


def records_to_move(con: duckdb.DuckDBPyConnection) -> int:
    """PMIDs in this (pre-0008) database's own ``pubmed`` table; 0 when it has none or has
    already been split."""
    if not holds_reference(con) or not _split_pending(con):
        return 0
    return int(con.execute("SELECT count(*) FROM main.pubmed").fetchone()[0])


def missing_from(con: duckdb.DuckDBPyConnection, reference: str | os.PathLike[str]) -> int:
    """PMIDs of this database's own ``pubmed`` that the reference file lacks (all of them when
    the file does not exist)."""
    if not Path(reference).exists():
        return int(con.execute("SELECT count(*) FROM main.pubmed").fetchone()[0])
    alias = "split_check"
    con.execute(f"ATTACH {sql_string(reference)} AS {alias} (READ_ONLY)")
    try:
        own = con.execute("SELECT current_database()").fetchone()[0]
        return int(con.execute(
            f"SELECT count(*) FROM {_quote_ident(own)}.main.pubmed p WHERE NOT EXISTS "
            f"(SELECT 1 FROM {alias}.main.pubmed r WHERE r.pmid = p.pmid)").fetchone()[0])
    finally:
        con.execute(f"DETACH {alias}")


def needs_split(db: str | os.PathLike[str]) -> bool:
    """Whether the published database at ``db`` still holds its PubMed records (made before
    migration 0008)."""
    if not Path(db).exists():
        return False
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return records_to_move(con) > 0


def split(db: str | os.PathLike[str], reference: str | os.PathLike[str] | None = None) -> dict:
    """Move the PubMed reference out of the database at ``db`` (made before migration 0008)
    into ``reference`` (default :func:`reference_path`), then rewrite ``db`` without it.

    The caller holds ``db``'s writer lock. Each file is built beside its target and put in
    place by atomic rename, the reference first: a split killed halfway leaves ``db`` as it was
    (and, at most, the reference already in place, which the next split reuses). A reference
    file that already exists is reused only if it holds every PMID of ``db``; otherwise nothing
    is changed and :class:`~factcheck.store.db.StoreError` says so. Returns counts.
    """
    from .db import StoreError, apply_migrations, connect
    from .publish import WriterLock, begin_work, checkpoint, work_path

    db = Path(db)
    target = Path(reference) if reference else reference_path(db)
    assert target is not None
    before = db.stat().st_size
    # a working copy brought up to the last migration before the split (its data migrations
    # included), so that what is copied has today's columns
    work = begin_work(db)
    try:
        with closing(connect(work, migrate=False)) as con:
            apply_migrations(con, upto=SPLIT_MIGRATION - 1)
            n_records = int(con.execute("SELECT count(*) FROM main.pubmed").fetchone()[0])
            missing = missing_from(con, target)
        built = False
        if target.exists() and missing:
            raise StoreError(
                f"{db} holds {missing:,} PubMed records that {target} does not: move {target} away"
                f" (or set FACTCHECK_REFERENCE_DB to another file) and run `factcheck pubmed split"
                f" --db {db}` again")
        if not target.exists():
            with WriterLock(target):   # the reference's own lock: a load may be building it too
                if not target.exists():
                    _copy_reference(work, target)
                    built = True
        compact = Path(str(db) + ".split")
        compact.unlink(missing_ok=True)
        with closing(connect(compact, reference=False)) as con:
            con.execute(f"ATTACH {sql_string(work)} AS src (READ_ONLY)")
            tables = [r[0] for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'src' AND schema_name = 'main'"
                " ORDER BY table_name").fetchall()]
            have = {r[0] for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
                " AND schema_name = 'main'").fetchall()}
            skip = set(TABLES) | {"schema_migrations", "reference_migrations"}
            for table in tables:
                if table in skip:
                    continue
                name = _quote_ident(table)
                if table in have:
                    con.execute(f"DELETE FROM {name}")   # rows a migration seeded from nothing
                    con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM src.main.{name}")
                else:   # a table of the analysts' own: kept as it is
                    con.execute(f"CREATE TABLE {name} AS SELECT * FROM src.main.{name}")
            con.execute("DETACH src")
        checkpoint(compact)
        os.replace(compact, db)
    finally:
        work_path(db).unlink(missing_ok=True)
        Path(str(work) + ".wal").unlink(missing_ok=True)
    log.warning("moved %s PubMed records from %s to %s%s", f"{n_records:,}", db, target,
                "" if built else " (already there)")
    return {"records": n_records, "reference": str(target), "built_reference": built,
            "bytes_before": before, "bytes_after": db.stat().st_size}


def _copy_reference(source: Path, target: Path) -> None:
    """Build the reference file ``target`` from the reference tables of the database at
    ``source``, with its full-text index, and put it in place by atomic rename."""
    from .publish import checkpoint
    from .pubmed import rebuild_fts_index, refresh_mesh_vocabulary

    building = Path(str(target) + ".work")
    for leftover in (building, Path(str(building) + ".wal")):
        leftover.unlink(missing_ok=True)
    started = now()
    with closing(connect_reference(building)) as con:
        con.execute(f"ATTACH {sql_string(source)} AS src (READ_ONLY)")
        present = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'src' AND schema_name = 'main'").fetchall()}
        for table in TABLES:
            if table in present:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM src.main.{table}")
        con.execute("DETACH src")
        n = con.execute("SELECT count(*) FROM pubmed").fetchone()[0]
        if n:
            rebuild_fts_index(con)
            refresh_mesh_vocabulary(con)
        record_load(con, f"split-{started:%Y%m%dT%H%M%SZ}", started, "split", [str(source)], {}, n, 0, 0)
    checkpoint(building)
    os.replace(building, target)


def make_own_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Make the connection's own database hold the reference tables (what loading records into
    a connection does): the empty stand-in attached by ``connect`` is detached. A connection
    with a real reference file attached is refused: load into that file instead."""
    found = attached(con)
    if found is not None and not holds_reference(con):
        if found != empty_reference():
            from .db import StoreError

            raise StoreError(f"this connection reads the reference file {found}: load records into "
                             "that file (factcheck.reference.load_reference or `factcheck pubmed load`)")
        con.execute("SET search_path = 'main'")
        con.execute(f"DETACH {CATALOG}")
    ensure_schema(con)


def reference_catalog(con: duckdb.DuckDBPyConnection) -> str:
    """The catalog that ``pubmed`` resolves to on this connection."""
    if holds_reference(con) or attached(con) is None:
        return con.execute("SELECT current_database()").fetchone()[0]
    return CATALOG


def connect_reference(path: str | os.PathLike[str], *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a reference file itself (its tables in ``main``), creating or updating its schema
    unless ``read_only``. Only the reference lifecycle (``factcheck.reference.load_reference``) writes
    one."""
    from .db import connect

    con = connect(path, read_only=read_only, migrate=False, reference=False)
    try:
        if not read_only:
            ensure_schema(con)
    except BaseException:
        con.close()
        raise
    return con


def record_load(con: duckdb.DuckDBPyConnection, load_id: str, started_at: datetime, kind: str,
                files: list[str], counts: dict, n_records: int, checks: int, checks_failed: int) -> None:
    con.execute(
        """INSERT INTO reference_loads (load_id, started_at, finished_at, kind, files, inserted,
               updated, deleted, retracted, n_records, checks, checks_failed)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [load_id, started_at, now(), kind, files, counts.get("inserted", 0), counts.get("updated", 0),
         counts.get("deleted", 0), counts.get("retracted", 0), n_records, checks, checks_failed])
