"""The documents as read (a page's HTML, a file's text), kept beside the analyst database.

A raw document is most of an article's bytes (the WCXB web pages average 183 KB of HTML,
against a few KB of cleaned text) and nothing an analyst queries: it is kept so that a
version can be cleaned again, and audited. Each is stored once, gzip-compressed, under its
``content_hash`` (the SHA-256 of its bytes), in a folder beside the database::

    out/factcheck.duckdb
    out/raw/3f/3fa9…e1.txt.gz          # article_versions.content_hash = '3fa9…e1'

``FACTCHECK_RAW_DIR`` puts the folder elsewhere (keep it with the database when moving it).
``article_versions.raw_text`` is then NULL; a database without a folder (in memory) keeps
the text in that column, as do versions stored before the raw folder existed.

The folder only grows: a file is written (to a temporary name, then renamed) before any row
names it, so a run that is rejected or killed leaves at most files no row names, never a row
without its file. Content stored twice, by two sources or two runs, is one file.
"""

from __future__ import annotations

import gzip
import os
import tempfile
import zlib
from pathlib import Path

import duckdb

from ..settings import get_settings


class RawDocumentError(RuntimeError):
    """A version's raw document cannot be read (its file is missing or damaged)."""


class RawDocumentMissing(RawDocumentError):
    """A version's raw document is in neither the table nor the raw folder."""


class RawFolderMissing(RuntimeError):
    """The raw folder itself is not there: the database was moved without it, or
    ``FACTCHECK_RAW_DIR`` names a folder that is not mounted. Nothing is cleaned then, rather
    than every pending version failing."""


def raw_dir_for(db: str | os.PathLike[str] | None) -> Path | None:
    """The raw folder of the database file ``db`` (``FACTCHECK_RAW_DIR``, else ``raw/`` beside
    it); ``None`` for a database in memory."""
    configured = get_settings().raw_dir
    if configured:
        return Path(configured)
    if not db or str(db) == ":memory:":
        return None
    return Path(db).absolute().parent / "raw"


def raw_dir(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The raw folder of the connection's database (:func:`raw_dir_for` its file)."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
                      ).fetchone()
    return raw_dir_for(row[0] if row else None)


def _path(root: Path, key: str) -> Path:
    if len(key) < 8 or not all(c in "0123456789abcdef" for c in key):
        raise ValueError(f"not a content hash: {key!r}")
    return root / key[:2] / f"{key}.txt.gz"


def put(root: Path, key: str, text: str) -> Path:
    """Store ``text`` under ``key`` (its content hash) unless it is there already."""
    path = _path(root, key)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:12]}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz:
                gz.write(text.encode("utf-8", "surrogatepass"))
            raw.flush()
            os.fsync(raw.fileno())      # on disk before any row names it, even after a power cut
        os.replace(tmp, path)
        _sync_folder(path.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def get(root: Path, key: str) -> str:
    """The text stored under ``key``."""
    try:
        path = _path(root, key)
        with gzip.open(path, "rb") as gz:
            return gz.read().decode("utf-8", "surrogatepass")
    except FileNotFoundError:
        raise RawDocumentMissing(
            f"raw document {key} is not in {root} (was the database moved without its raw folder?"
            " move it too, or point FACTCHECK_RAW_DIR at it)") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise RawDocumentError(f"raw document {key} in {root} cannot be read: "
                               f"{type(exc).__name__}: {exc}") from None


def text_of(con: duckdb.DuckDBPyConnection, raw_text: str | None, content_hash: str) -> str:
    """A version's raw document: its ``raw_text`` column, else the raw folder's file."""
    if raw_text is not None:
        return raw_text
    root = raw_dir(con)
    if root is None:
        raise RawDocumentMissing(f"raw document {content_hash} has no text and the database no raw folder")
    if not root.is_dir():
        raise RawFolderMissing(
            f"the raw folder {root} is not there, and the documents still to clean are in it: nothing"
            " was cleaned. Move it with the database, or point FACTCHECK_RAW_DIR at it")
    return get(root, content_hash)


def document_text(con: duckdb.DuckDBPyConnection, article_id: str, version: int) -> str:
    """The raw document of one article version."""
    row = con.execute("SELECT raw_text, content_hash FROM article_versions WHERE article_id = ?"
                      " AND version = ?", [article_id, version]).fetchone()
    if row is None:
        raise KeyError(f"no version {version} of article {article_id}")
    return text_of(con, row[0], row[1])
