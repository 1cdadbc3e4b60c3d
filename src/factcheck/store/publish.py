"""One writer at a time, and readers never locked out: work on a copy, publish by rename.

DuckDB lets one process hold a read-write connection, and while it does no other process can
even read the file. So a run never writes the published database: it takes the writer lock,
copies the published file to ``<db>.work``, writes there, and when the data-quality checks pass
it replaces the published file with ``os.replace`` (atomic on POSIX). Analysts reading the
published file see the old data until the instant the new file is in place.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import socket
import threading
from pathlib import Path

import duckdb

from .db import STORAGE_VERSION, sql_string, version_tuple, create_file, storage_version

log = logging.getLogger(__name__)


class WriterBusy(RuntimeError):
    """Another process holds the writer lock of this database."""


#: Locks a command took for a run it is about to start in this process (:meth:`WriterLock.reserve`),
#: by the lock file's path: the run's own ``WriterLock`` takes each over.
_RESERVED: dict[Path, WriterLock] = {}
_RESERVED_GUARD = threading.Lock()


class WriterLock:
    """An exclusive, non-blocking lock on ``<db>.lock``; released when the process ends.

    The lock is the kernel's (``flock``): a process that dies, even by kill -9, releases it, so
    a lock file left behind never blocks the next run. The file records the holder's PID and
    host, which a refused run names.

    A command that starts a run through something slow (Prefect's server) takes the lock first
    with :meth:`reserve`; the run's own ``WriterLock`` on the same file then takes that lock
    over instead of locking again, so no other run can slip in between."""

    def __init__(self, db_path: str | os.PathLike[str]):
        self.path = Path(str(db_path) + ".lock")
        self._fh = None
        #: (run_id, started_at ISO, holder) of a run that took this lock and never released it
        #: cleanly (killed, or its machine lost power): found when the lock is taken.
        self.abandoned: tuple[str, str, str] | None = None

    def __enter__(self) -> WriterLock:
        with _RESERVED_GUARD:
            reserved = _RESERVED.pop(self._key(), None)
        if reserved is not None and reserved._fh is not None:
            # this process reserved the lock for this run: take it over as it is
            self._fh, self._keep, self._holder = reserved._fh, reserved._keep, reserved._holder
            self.abandoned, reserved._fh = reserved.abandoned, None
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # a lock file is ours to read whatever bytes it holds (a corrupt one must not stop runs)
        self._fh = open(self.path, "a+", encoding="utf-8", errors="replace")
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._fh.seek(0)
            holder = self._fh.readline().strip()
            self._fh.close()
            raise WriterBusy(f"another factcheck run is writing {self.path.with_suffix('')}"
                             f"{f' (PID {holder})' if holder else ''}; wait for it to finish") from exc
        self._fh.seek(0)
        previous = self._fh.read().splitlines()
        self._keep = None   # a dead run's line, kept until a run records it
        if len(previous) >= 2 and previous[1].startswith("run "):
            parts = previous[1].split(" ", 3)   # run <id> <started> <its holder>
            if len(parts) == 4:
                self.abandoned = (parts[1], parts[2], parts[3])
                self._keep = previous[1]
        self._holder = f"{os.getpid()} on {socket.gethostname()}"
        self._write(self._holder + (f"\n{self._keep}" if self._keep else ""))
        return self

    def _write(self, text: str) -> None:
        assert self._fh is not None
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(text)
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def note_run(self, run_id: str, started_at: str) -> None:
        """Record in the lock file that ``run_id`` is under way; a clean release erases it, so
        the next holder that finds it knows the run died (:attr:`abandoned`)."""
        self._keep = None   # the caller has recorded the dead run, if there was one
        self._write(f"{self._holder}\nrun {run_id} {started_at} {self._holder}")

    def _key(self) -> Path:
        return self.path.resolve()

    @classmethod
    def reserve(cls, db_path: str | os.PathLike[str]) -> WriterLock:
        """Take the lock now for a run this process is about to start (raises
        :class:`WriterBusy` at once if another process holds it). The run's ``WriterLock``
        takes it over; :meth:`release_reserved` lets it go if the run never took it."""
        lock = cls(db_path)
        lock.__enter__()
        with _RESERVED_GUARD:
            _RESERVED[lock._key()] = lock
        return lock

    @classmethod
    def release_reserved(cls, db_path: str | os.PathLike[str]) -> None:
        """Release a lock :meth:`reserve` took that no run took over (nothing otherwise)."""
        with _RESERVED_GUARD:
            lock = _RESERVED.pop(cls(db_path)._key(), None)
        if lock is not None:
            lock.__exit__(None, None, None)

    @classmethod
    def check(cls, db_path: str | os.PathLike[str]) -> None:
        """Raise :class:`WriterBusy` now if another process holds the lock (a command checks
        this before it starts anything slow; the run itself takes the lock again). The lock
        file is left as it is."""
        lock = cls(db_path)
        if not lock.path.exists():
            return
        with open(lock.path, encoding="utf-8", errors="replace") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                holder = fh.readline().strip()
                raise WriterBusy(f"another factcheck run is writing {lock.path.with_suffix('')}"
                                 f"{f' (PID {holder})' if holder else ''}; wait for it to "
                                 "finish") from exc
            fcntl.flock(fh, fcntl.LOCK_UN)

    def __exit__(self, *exc) -> None:
        if self._fh is not None:
            # the run ended here, whatever its outcome; a dead run nobody recorded stays noted
            self._write(self._holder + (f"\n{self._keep}" if self._keep else ""))
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def work_path(db_path: str | os.PathLike[str]) -> Path:
    return Path(str(db_path) + ".work")


def published_path(path: str | os.PathLike[str]) -> Path:
    """The database a working copy (:func:`work_path`) was taken from, to name to a user;
    ``path`` itself when it is not a working copy."""
    path = Path(path)
    return path.with_name(path.name[:-len(".work")]) if path.name.endswith(".work") else path


def begin_work(db_path: str | os.PathLike[str], *, upgrade_format: bool = False) -> Path:
    """Start a working copy of ``db_path`` (a fresh file if none is published yet).

    A leftover working copy from a crashed run is discarded: the published file is the truth.
    With ``upgrade_format``, a file older than :data:`~factcheck.store.db.STORAGE_VERSION` is
    brought to the current schema and then copied table by table into a new file of that
    format instead of byte for byte (the analyst database: megabytes; the reference file keeps
    its format until it is rebuilt). Migrating first matters: a migration that rebuilds a
    table leaves the old table's blocks free in the file, and a copy taken after it leaves
    them behind. Should the rewrite fail, the file is copied as it is (and the next run tries
    again).
    """
    db_path = Path(db_path)
    work = work_path(db_path)
    for leftover in (work, wal_path(work)):
        leftover.unlink(missing_ok=True)
    if db_path.exists():
        if wal_path(db_path).exists():
            # Someone wrote the published file in place and died before a checkpoint: fold
            # the log into the file now, or it would be lost from the copy and replayed
            # later onto the file that replaces it.
            checkpoint(db_path)
        if not (upgrade_format and _older_format(db_path) and _upgraded(db_path, work)):
            shutil.copy2(db_path, work)
    return work


def _upgraded(db_path: Path, work: Path) -> bool:
    """Write ``work`` as ``db_path`` migrated and rewritten in the current format; False (and
    nothing at ``work``) when that fails."""
    from contextlib import closing

    from .db import connect

    staged = Path(str(work) + ".old")
    try:
        shutil.copy2(db_path, staged)
        with closing(connect(staged, reference=False)):
            pass                                      # the migrations
        rewrite(staged, work)
        return True
    except Exception as exc:   # any failure: the plain copy still works
        log.warning("could not rewrite %s in DuckDB %s's format (%s); copied as it is",
                    db_path, STORAGE_VERSION, exc)
        for leftover in (work, wal_path(work)):
            leftover.unlink(missing_ok=True)
        return False
    finally:
        for leftover in (staged, wal_path(staged)):
            leftover.unlink(missing_ok=True)


def _older_format(db_path: Path) -> bool:
    try:
        return storage_version(db_path) < version_tuple(STORAGE_VERSION)
    except duckdb.Error:   # open in this process already: copy it as it is, upgrade next time
        return False


def rewrite(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Copy every table, view and row of the database at ``source`` into a new file at
    ``target`` in the :data:`~factcheck.store.db.STORAGE_VERSION` format."""
    create_file(target)
    with duckdb.connect() as con:
        con.execute(f"ATTACH {sql_string(source)} AS old_file (READ_ONLY)")
        con.execute(f"ATTACH {sql_string(target)} AS new_file")
        con.execute("COPY FROM DATABASE old_file TO new_file")
        con.execute("CHECKPOINT new_file")


def wal_path(db_path: str | os.PathLike[str]) -> Path:
    return Path(str(db_path) + ".wal")


def checkpoint(db_path: str | os.PathLike[str]) -> None:
    con = duckdb.connect(str(db_path))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()


def publish(work: str | os.PathLike[str], db_path: str | os.PathLike[str]) -> Path:
    """Checkpoint the working copy and atomically put it in place of ``db_path``."""
    work, db_path = Path(work), Path(db_path)
    checkpoint(work)
    if wal_path(db_path).exists():
        raise RuntimeError(f"{wal_path(db_path)} appeared while the run worked on a copy: another "
                           f"process wrote {db_path} in place; nothing was published")
    os.replace(work, db_path)
    return db_path
