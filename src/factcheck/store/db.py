"""DuckDB connections, the full-text-search extension and versioned migrations.

Every other module opens the database through :func:`connect`, so the schema is always
current and the FTS extension is always loaded from the installed wheel: extensions are
never downloaded at run time (locked-down servers cannot reach the extension repository).
"""

from __future__ import annotations

import hashlib
import importlib.resources
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

MIGRATIONS_PACKAGE = "factcheck.store"
MIGRATIONS_DIR = "migrations"


class StoreError(RuntimeError):
    """The database could not be opened or migrated."""


#: The on-disk format of every database file this code creates (the analyst database, the
#: reference file, their working copies). DuckDB writes files readable by 0.10 unless told
#: otherwise, and that format stores long strings uncompressed; 1.5's compresses them (ZSTD,
#: dictionary with FSST): an article's cleaned text takes about 40% of the room. Files in this
#: format open in DuckDB 1.5 and later only. An older analyst database is rewritten into it once,
#: by the next run's working copy (:func:`factcheck.store.publish.begin_work`).
STORAGE_VERSION = "v1.5.0"


def storage_version(path: str | os.PathLike[str]) -> tuple[int, ...]:
    """The format version of the database file at ``path`` (``(1, 0, 0)`` for a file readable by
    DuckDB 1.0, ``(1, 5, 0)`` for :data:`STORAGE_VERSION`). Opens it read-only for a moment."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH {sql_string(path)} AS probe (READ_ONLY)")
        (tag,) = con.execute("SELECT tags['storage_version'] FROM duckdb_databases()"
                             " WHERE database_name = 'probe'").fetchone()
    return version_tuple(tag or "v0.0.0")


def version_tuple(tag: str) -> tuple[int, ...]:
    return tuple(int(part) for part in tag.strip("v+").split(".")[:3])


def create_file(path: str | os.PathLike[str]) -> None:
    """Create an empty database file at ``path`` in the :data:`STORAGE_VERSION` format (DuckDB
    keeps a file's format for good, so it is chosen when the file is made)."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH {sql_string(path)} AS new_file (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute("DETACH new_file")


def sql_string(value: str | os.PathLike[str]) -> str:
    """``value`` (a path) as an SQL string literal, for statements that take no parameters
    (ATTACH, read_parquet)."""
    return "'" + os.fspath(value).replace("'", "''") + "'"


def records(result: duckdb.DuckDBPyConnection) -> list[dict]:
    """The rows of an executed query as dicts keyed by column name (``con.execute(sql)``):
    readers address columns by name, never by position."""
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row)) for row in result.fetchall()]


def fts_extension_path() -> Path:
    """Path of the FTS extension binary shipped by the ``duckdb-extension-fts`` wheel."""
    import duckdb_extension_fts

    base = Path(duckdb_extension_fts.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    path = base / "fts.duckdb_extension"
    if not path.exists():
        raise StoreError(
            f"FTS extension for duckdb {duckdb.__version__} not found at {path}; "
            "install duckdb-extension-fts with the same version as duckdb"
        )
    return path


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Install (from the wheel, never from the network) and load the FTS extension."""
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    try:
        con.execute("LOAD fts")
    except duckdb.Error:
        con.execute(f"INSTALL '{fts_extension_path()}'")
        con.execute("LOAD fts")


def connect(path: str | os.PathLike[str] | None = None, *, read_only: bool = False,
            migrate: bool = True,
            reference: str | os.PathLike[str] | bool = True) -> duckdb.DuckDBPyConnection:
    """Open (and, unless ``read_only``, migrate) the factcheck database at ``path``.

    ``None`` or ``":memory:"`` opens an in-memory database, handy in tests and notebooks.

    The PubMed reference file (:func:`factcheck.store.reference.reference_path`, or the path
    given as ``reference``) is attached read-only as ``reference`` and put on the search path, so
    ``pubmed`` and the analyst views resolve; a database holding its own ``pubmed`` table is
    its own reference. ``reference=False`` attaches nothing.
    """
    target = ":memory:" if path in (None, ":memory:") else str(path)
    if target != ":memory:" and not read_only:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        if target != ":memory:" and not read_only and not Path(target).exists():
            create_file(target)
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.Error as exc:
        raise StoreError(f"cannot open database {target}: {exc}") from exc
    load_fts(con)
    try:
        if migrate and not read_only:
            apply_migrations(con, path=None if target == ":memory:" else target)
        if reference is not False:
            from .reference import attach, reference_path

            attach(con, reference_path(target) if reference is True else reference)
    except BaseException:
        con.close()
        raise
    return con


@lru_cache(maxsize=4)
def migration_files(directory: str = MIGRATIONS_DIR) -> tuple[tuple[int, str, str], ...]:
    """The numbered ``NNNN_name.sql`` migrations of ``factcheck/store/<directory>``, in order:
    (number, name, sql). ``migrations``: the analyst database; ``reference_migrations``: the
    PubMed reference file (:mod:`factcheck.store.reference`)."""
    root = importlib.resources.files(MIGRATIONS_PACKAGE) / directory
    found = []
    for entry in root.iterdir():
        name = entry.name
        if not name.endswith(".sql"):
            continue
        number = int(name.split("_", 1)[0])
        found.append((number, name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if len(numbers) != len(set(numbers)):
        raise StoreError(f"duplicate migration numbers in {numbers}")
    return tuple(found)


def apply_migrations(con: duckdb.DuckDBPyConnection, *, upto: int | None = None,
                     path: str | os.PathLike[str] | None = None, directory: str = MIGRATIONS_DIR,
                     table: str = "schema_migrations") -> list[str]:
    """Apply every migration of ``directory`` not yet recorded in ``table`` (up to number
    ``upto``); return their names.

    Each migration runs in its own transaction and is recorded with a checksum, so running
    this twice is a no-op and a migration edited after it was applied is reported. Analyst
    migration 0008 drops the PubMed tables (they move to the reference file): it is refused,
    with the command that moves them, while this database holds records the reference file
    lacks.
    """
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {table} (
               version INTEGER PRIMARY KEY,
               name VARCHAR NOT NULL,
               checksum VARCHAR NOT NULL,
               applied_at TIMESTAMP DEFAULT current_timestamp)"""
    )
    done = {row[0]: row[1] for row in con.execute(f"SELECT version, checksum FROM {table}").fetchall()}
    applied = []
    for number, name, sql in migration_files(directory):
        if upto is not None and number > upto:
            break
        checksum = hashlib.sha256(sql.encode()).hexdigest()
        if directory == MIGRATIONS_DIR and number == _SPLIT and number not in done:
            _check_split_done(con, path)
        if number in done:
            if done[number] != checksum:
                log.warning("migration %s was edited after this database applied it; the edit is"
                            " not applied (add a new migration instead)", name)
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            # UTC like every timestamp of the schema (the column's default is local time)
            con.execute(f"INSERT INTO {table} (version, name, checksum, applied_at) "
                        "VALUES (?, ?, ?, ?)", [number, name, checksum,
                         datetime.now(timezone.utc).replace(tzinfo=None)])
            con.execute("COMMIT")
        except Exception as exc:
            con.execute("ROLLBACK")
            raise StoreError(f"migration {name} failed: {exc}") from exc
        applied.append(name)
    return applied


_SPLIT = 8   # factcheck.store.reference.SPLIT_MIGRATION


def _check_split_done(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str] | None) -> None:
    from .reference import missing_from, reference_path, records_to_move

    if not records_to_move(con):
        return
    target = reference_path(path)
    if target is None or missing_from(con, target):
        raise StoreError(
            f"{path or 'this database'} still holds the PubMed reference table, which now lives in"
            f" its own file ({target or 'reference.duckdb'}): run `factcheck pubmed split --db "
            f"{path}` once (every writing command also does it on its own)")


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0])


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """``with transaction(con):`` commits the block's writes together, or none of them."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
