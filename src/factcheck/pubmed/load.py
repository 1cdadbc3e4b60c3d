"""Load NLM PubMed XML files (baseline, daily updates, efetch output) into the ``pubmed`` table.

:func:`load_files` is the entry point for the CLI, the nightly flow and the demo. For each
file, in the order given:

1. its sha256 is compared with the ``pubmed_files`` log: a file already loaded is skipped,
   so loading the same file twice changes nothing;
2. it is parsed completely (:func:`parse_file`) into Arrow record batches, by default in
   worker processes, so parsing the next files overlaps loading this one;
3. in ONE transaction, its records are merged (newer ``pmid_version`` wins, an
   unchanged record is left alone), its ``DeleteCitation`` PMIDs deleted, retraction notices
   applied, and a ``pubmed_files`` row written. Any failure rolls the whole file back and a
   ``pubmed_files`` row with ``status='failed'`` and the error is written instead.

At the end the BM25 full-text index is brought up to date when anything changed: rebuilt
when missing, otherwise refreshed for the changed rows only
(:func:`factcheck.store.pubmed.refresh_fts_index`).

Why parse the whole file before touching the database: a truncated gzip or a malformed
record at the very end of a file then never leaves half a file in the table, and the
transaction stays short (one bulk insert and one merge).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..store import pubmed as store
from ..store.reference import make_own_reference
from .arrow import ParsedFile, parse_file
from .parse import PubmedParseError
from ..settings import get_settings

__all__ = ["FileResult", "LoadSummary", "ParsedFile", "load_files", "parse_file"]

log = logging.getLogger(__name__)

#: At most this many worker processes parse files in parallel.
MAX_WORKERS = 4
#: DuckDB memory limit while loading and indexing. DuckDB's default (80% of RAM) lets a load
#: grow the process well past what the data needs on a shared machine; with a cap DuckDB
#: spills to its temp directory instead. 128MB keeps the loading process under 400 MB on
#: NLM's files (docs/pubmed.md). A table of millions of rows needs more (its primary-key
#: index alone outgrows it): raise it for a full-baseline load.
def default_memory_limit() -> str:
    """``FACTCHECK_PUBMED_MEMORY_LIMIT``, else 128MB (read when a load starts, not at import)."""
    return get_settings().pubmed_memory_limit


@dataclass
class FileResult:
    """What loading one file did. ``status`` is loaded, skipped (already loaded) or failed."""

    path: str
    file_name: str
    status: str
    sha256: str | None = None
    n_records: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    retracted: int = 0
    skipped_records: int = 0
    seconds: float = 0.0
    error: str | None = None          # why the file failed, or which of its articles were skipped
    note: str | None = None           # why a file was skipped (already loaded)
    skipped_messages: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return (1 if self.status == "failed" else 0) + self.skipped_records


@dataclass
class LoadSummary:
    """Totals over all files of one :func:`load_files` call, and per-file details."""

    files: list[FileResult] = field(default_factory=list)
    fts_rebuilt: bool = False         # the index was rebuilt or refreshed
    fts_mode: str | None = None       # rebuilt | refreshed | unchanged
    fts_seconds: float = 0.0
    fts_error: str | None = None

    def _sum(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def inserted(self) -> int:
        return self._sum("inserted")

    @property
    def updated(self) -> int:
        return self._sum("updated")

    @property
    def unchanged(self) -> int:
        return self._sum("unchanged")

    @property
    def deleted(self) -> int:
        return self._sum("deleted")

    @property
    def retracted(self) -> int:
        return self._sum("retracted")

    @property
    def errors(self) -> int:
        return self._sum("errors") + (1 if self.fts_error else 0)

    @property
    def n_records(self) -> int:
        return self._sum("n_records")

    @property
    def n_failed(self) -> int:
        return sum(1 for f in self.files if f.status == "failed")

    @property
    def n_skipped_files(self) -> int:
        return sum(1 for f in self.files if f.status == "skipped")

    def as_dict(self) -> dict[str, int]:
        return {"files": len(self.files), "records": self.n_records, "inserted": self.inserted,
                "updated": self.updated, "unchanged": self.unchanged, "deleted": self.deleted,
                "retracted": self.retracted, "errors": self.errors,
                "failed_files": self.n_failed, "skipped_files": self.n_skipped_files}


# --------------------------------------------------------------------------- parsing

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _WorkerError(RuntimeError):
    """A parsing worker process died or produced no result."""


def _start_worker(path: Path, out_dir: Path) -> subprocess.Popen:
    # stderr goes to a file: a pipe nobody reads yet (workers are collected in order) could
    # fill up and stall the worker.
    with open(out_dir / "stderr.txt", "wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "factcheck.pubmed.worker", os.fspath(path), os.fspath(out_dir)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
            env={**os.environ, "FACTCHECK_PUBMED_PARENT": str(os.getpid())})


#: Working folders of parse workers: ``<tmp>/factcheck-pubmed-<pid>-<random>``.
WORK_PREFIX = "factcheck-pubmed-"


def _remove_dead_work_folders() -> None:
    """Remove working folders left by loads that were killed (their PID no longer runs)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*-*"):
        pid = folder.name[len(WORK_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass                                # alive, someone else's


def _collect_worker(proc: subprocess.Popen, path: Path, out_dir: Path) -> ParsedFile:
    proc.wait()
    meta_path = out_dir / "meta.json"
    if proc.returncode != 0 or not meta_path.exists():
        err_path = out_dir / "stderr.txt"
        stderr = err_path.read_bytes() if err_path.exists() else b""
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise _WorkerError(f"{path}: the parsing process exited with code {proc.returncode}"
                           + (f" ({' / '.join(tail)})" if tail else ""))
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("error"):
        raise PubmedParseError(meta["error"])
    return ParsedFile(parquet=os.fspath(out_dir / "records.parquet"),
                      deletions=meta["deletions"], skipped=meta["skipped"],
                      n_records=meta["n_records"], seconds=meta["seconds"])


def _parse_in_order(paths: list[Path], workers: int) -> Iterator[tuple[Path, ParsedFile | BaseException]]:
    """Parse ``paths`` and yield (path, result or exception) in the given order.

    With ``workers >= 1`` each file is parsed by a ``python -m factcheck.pubmed.worker``
    process, at most ``workers`` at a time and ahead of the consumer, that writes its
    records as a Parquet file; ``workers=0`` parses in this process. Separate processes,
    not ``multiprocessing``: forking a process that holds a DuckDB connection is unsafe and
    ``spawn`` re-imports the caller's main module (a Prefect flow file, a notebook); and a
    worker that crashes or runs out of memory fails its own file only.
    """
    if workers <= 0:
        for path in paths:
            try:
                yield path, parse_file(path)
            except Exception as exc:  # noqa: BLE001 (recorded per file by the caller)
                yield path, exc
        return
    _remove_dead_work_folders()
    with tempfile.TemporaryDirectory(prefix=f"{WORK_PREFIX}{os.getpid()}-") as tmp:
        running: deque[tuple[Path, Path, subprocess.Popen]] = deque()
        todo = iter(enumerate(paths))

        def start_next() -> None:
            item = next(todo, None)
            if item is not None:
                index, path = item
                out_dir = Path(tmp) / str(index)
                out_dir.mkdir()
                running.append((path, out_dir, _start_worker(path, out_dir)))

        try:
            for _ in range(workers):
                start_next()
            while running:
                path, out_dir, proc = running.popleft()
                try:
                    result: ParsedFile | BaseException = _collect_worker(proc, path, out_dir)
                except Exception as exc:  # noqa: BLE001
                    result = exc
                start_next()
                yield path, result
                # the consumer has merged the file's Parquet by the time it asks for the next
                shutil.rmtree(out_dir, ignore_errors=True)
        finally:
            for _, _, proc in running:
                proc.kill()
                proc.wait()


# --------------------------------------------------------------------------- loading

def _describe(exc: BaseException, path: Path) -> str:
    if isinstance(exc, PubmedParseError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{path}: cannot read ({exc})"
    return f"{path}: {type(exc).__name__}: {exc}"


def _load_parsed(con: duckdb.DuckDBPyConnection, path: Path, sha256: str,
                 parsed: ParsedFile) -> FileResult:
    """Apply one parsed file in one transaction; on failure roll back and log it failed."""
    started = time.perf_counter()
    result = FileResult(path=str(path), file_name=path.name, status="loaded", sha256=sha256,
                        n_records=parsed.n_records, skipped_records=len(parsed.skipped),
                        skipped_messages=parsed.skipped)
    if parsed.skipped:
        result.error = (f"{path.name}: {len(parsed.skipped)} article(s) skipped, the rest loaded: "
                        + "; ".join(parsed.skipped[:3]))
    con.execute("BEGIN TRANSACTION")
    try:
        counts = store.merge_records(con, parsed.parquet or parsed.batches, path.name)
        result.inserted, result.updated = counts.inserted, counts.updated
        result.unchanged, result.retracted = counts.unchanged, counts.retracted
        result.deleted = store.delete_citations(con, parsed.deletions, path.name)
        result.seconds = parsed.seconds + time.perf_counter() - started
        store.record_file(
            con, file_name=path.name, path=str(path), sha256=sha256, status="loaded",
            n_records=result.n_records, inserted=result.inserted, updated=result.updated,
            unchanged=result.unchanged, deleted=result.deleted, retracted=result.retracted,
            skipped_records=result.skipped_records, seconds=round(result.seconds, 3),
            error=result.error)
        con.execute("COMMIT")
    except Exception as exc:  # noqa: BLE001 (the file is recorded as failed, the run goes on)
        con.execute("ROLLBACK")
        hint = ""
        if isinstance(exc, duckdb.OutOfMemoryException):
            hint = ("; raise DuckDB's memory limit for the load (factcheck pubmed load "
                    "--memory-limit 4GB, or FACTCHECK_PUBMED_MEMORY_LIMIT) and load it again")
        return _failed(con, path, sha256, f"{path.name}: loading into the database failed "
                       f"({type(exc).__name__}: {exc}); nothing of this file was stored{hint}")
    return result


def _failed(con: duckdb.DuckDBPyConnection, path: Path, sha256: str | None, message: str) -> FileResult:
    """Log a failed file and record it in ``pubmed_files`` (if even that fails, say so)."""
    log.error(message)
    try:
        store.record_file(con, file_name=path.name, path=str(path), sha256=sha256 or "",
                          status="failed", error=message)
    except duckdb.Error as exc:
        log.error("%s: could not record the failure in pubmed_files either (%s)", path.name, exc)
    return FileResult(path=str(path), file_name=path.name, status="failed", sha256=sha256,
                      error=message)


def default_workers(n_files: int) -> int:
    """One parsing process per file, up to the CPU count and :data:`MAX_WORKERS`."""
    return max(1, min(n_files, os.cpu_count() or 1, MAX_WORKERS))


@contextmanager
def _duckdb_settings(con: duckdb.DuckDBPyConnection, **settings: object) -> Iterator[None]:
    """Apply DuckDB settings (None values are skipped) for a block, then restore them."""
    wanted = {k: v for k, v in settings.items() if v is not None}
    previous = {k: con.execute("SELECT current_setting(?)", [k]).fetchone()[0] for k in wanted}
    for name, value in wanted.items():
        con.execute(f"SET {name} = ?", [value])
    try:
        yield
    finally:
        for name, value in previous.items():
            con.execute(f"SET {name} = ?", [value])


def load_files(con: duckdb.DuckDBPyConnection, paths: Iterable[str | os.PathLike[str]],
               progress: Callable[[FileResult], None] | None = None, *, rebuild: bool = True,
               workers: int | None = None, force: bool = False,
               memory_limit: str | None = "default") -> LoadSummary:
    """Load PubMed XML files into ``pubmed``, in order, one transaction per file.

    ``con`` comes from :func:`factcheck.store.db.connect`. ``progress`` is called with each
    file's :class:`FileResult` as soon as that file is done. ``rebuild`` brings the BM25
    index up to date at the end when something changed or the index is missing. ``workers`` parsing
    processes (default: one per file up to the CPU count, at most 4; 0 parses in this
    process, which is slower and leaves the parser's garbage in this process's memory).
    ``force`` reloads files whose sha256 is already in the log (the merge keeps that
    idempotent). The connection's database becomes (or stays) a reference: it holds the
    ``pubmed`` tables (:mod:`factcheck.store.reference`). Returns a :class:`LoadSummary`; failures are in it and in
    ``pubmed_files``, never raised. ``memory_limit`` caps DuckDB's memory while loading:
    ``"default"`` is :func:`default_memory_limit` (``FACTCHECK_PUBMED_MEMORY_LIMIT``, else
    128MB), ``None`` no cap.
    """
    if memory_limit == "default":
        memory_limit = default_memory_limit()
    make_own_reference(con)
    with _duckdb_settings(con, memory_limit=memory_limit):
        summary = _load_files(con, paths, progress, workers=workers, force=force)
        changed = summary.inserted + summary.updated + summary.deleted + summary.retracted
        if changed:
            store.refresh_mesh_vocabulary(con)
        if rebuild and (changed or not store.index_exists(con)):
            started = time.perf_counter()
            try:
                summary.fts_mode = store.refresh_fts_index(con)
                summary.fts_rebuilt = summary.fts_mode != "unchanged"
            except duckdb.Error as exc:
                summary.fts_error = (f"updating the full-text index failed ({exc}); the "
                                     "previous index, if any, is unchanged: rebuild it with "
                                     "factcheck.store.pubmed.rebuild_fts_index")
                log.error(summary.fts_error)
            summary.fts_seconds = time.perf_counter() - started
    return summary


def _load_files(con: duckdb.DuckDBPyConnection, paths: Iterable[str | os.PathLike[str]],
                progress: Callable[[FileResult], None] | None, *, workers: int | None,
                force: bool) -> LoadSummary:
    summary = LoadSummary()
    todo: list[tuple[Path, str]] = []
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        try:
            sha = sha256_of(path)
        except OSError as exc:
            result = _failed(con, path, None, f"{path}: cannot read ({exc.strerror or exc})")
            summary.files.append(result)
            if progress:
                progress(result)
            continue
        known = None if force else store.file_already_loaded(con, sha)
        if known is not None or sha in seen:
            result = FileResult(path=str(path), file_name=path.name, status="skipped", sha256=sha,
                                note=f"already loaded as {known or 'an earlier file of this call'}")
            summary.files.append(result)
            if progress:
                progress(result)
            continue
        seen.add(sha)
        todo.append((path, sha))

    shas = dict(todo)
    n_workers = default_workers(len(todo)) if workers is None else workers
    # While worker processes parse, DuckDB gets the cores they leave: oversubscribed cores
    # slowed the merges and grew memory (one allocator arena per DuckDB thread).
    cores = os.cpu_count() or 1
    threads = max(1, cores - n_workers) if n_workers and len(todo) > 1 else None
    with _duckdb_settings(con, threads=threads):
        for path, parsed in _parse_in_order([p for p, _ in todo], n_workers):
            if isinstance(parsed, BaseException):
                result = _failed(con, path, shas[path], _describe(parsed, path))
            else:
                result = _load_parsed(con, path, shas[path], parsed)
            summary.files.append(result)
            if progress:
                progress(result)
    return summary
