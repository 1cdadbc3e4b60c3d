"""One run lifecycle for everything that writes the published database.

    from factcheck.run import lifecycle, conclude

    with lifecycle("out/factcheck.duckdb", "notebook", inputs=["articles/"]) as run:
        pipeline.ingest_stage(run.work, ["articles/"], run.run_id)
        ...                                    # any stages, on run.work
        result = conclude(run)                 # quality gate, then publish or reject

A run takes the database's writer lock, works on a copy (``<db>.work``), records itself in
``runs`` (and a run found dead under the lock as ``abandoned``), and ends in one of three ways:

- ``conclude``: the data-quality checks pass, the run is marked ``completed`` and the copy is
  published by atomic rename, with its report when the run has an ``out_dir``
  (``pipeline.publish_run``);
- ``conclude``: a blocking check fails: the run is ``dq_failed``, its copy is kept as
  ``<db>.rejected`` and only its record (``runs`` row, errors, checks) is published;
- an exception inside the block: the run is ``failed``, its copy is kept as ``<db>.failed``,
  its record is published, and the exception goes on.

Nothing else publishes: the Prefect flow (``flows/nightly.py``) and ``factcheck run``/``demo``
go through here, so a notebook gets the same "never publish unvalidated data" guarantee.
``conclude`` takes the quality and publish steps as arguments so that a flow can run them as
its own tasks. A database made before the PubMed reference moved to its own file is split
first (:func:`factcheck.store.reference.split`, once).

The PubMed reference file has a lifecycle of its own, :func:`load_reference` (used by
``factcheck pubmed load|fetch``, by a run's ``--pubmed`` files and by ``--fetch-evidence``):
its writer lock, a working copy, the load, its full-text index, its data-quality checks, then
publish by atomic rename, or keep the copy as ``<reference>.rejected``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import pipeline
from .store.publish import WriterLock, begin_work
from .store.publish import publish as publish_database
from .store.reference import needs_split, reference_path, split

log = logging.getLogger(__name__)


@dataclass
class Run:
    db: Path
    out_dir: Path | None      # where the report goes; None: publish without one
    flow: str
    run_id: str
    work: str
    stages: dict[str, dict] = field(default_factory=dict)
    result: dict | None = None


@contextmanager
def lifecycle(db: str | Path, flow: str, inputs: Sequence[str] = (), out_dir: str | Path | None = None,
              logger: logging.Logger | logging.LoggerAdapter | None = None) -> Iterator[Run]:
    """Lock, working copy and run record around the block (see the module's docstring);
    ``out_dir`` receives the report (``report/``, ``claims.jsonl``) when the run publishes;
    without it the database is published alone (nothing beside it is touched)."""
    logger = logger or log
    db_path = Path(db)
    with WriterLock(db_path) as lock:
        if needs_split(db_path):
            moved = split(db_path)
            logger.warning("moved the PubMed reference (%s records) out of %s into %s, once; the"
                           " database went from %s to %s bytes", f"{moved['records']:,}", db_path,
                           moved["reference"], f"{moved['bytes_before']:,}", f"{moved['bytes_after']:,}")
        work = str(begin_work(db_path))
        run_id = pipeline.new_run_id(flow)
        pipeline.start_run(work, run_id, flow, list(inputs))
        if lock.abandoned:   # the last run was killed before it published: say so in the runs table
            pipeline.record_abandoned_run(work, *lock.abandoned)
            logger.warning("run %s (%s) ended before it finished; recorded as abandoned",
                           lock.abandoned[0], lock.abandoned[2])
        lock.note_run(run_id, datetime.now(timezone.utc).isoformat(timespec="seconds"))
        run = Run(db_path, Path(out_dir) if out_dir else None, flow, run_id, work)
        try:
            yield run
        except BaseException as exc:
            if run.result is None:
                _keep_unpublished(run, "failed", f"{type(exc).__name__}: {exc}", ".failed")
                logger.error("run %s failed; nothing but its record was published (working copy"
                             " kept as %s.failed)", run_id, db_path)
            raise
        if run.result is None:
            message = "the run ended without conclude(): nothing was published"
            _keep_unpublished(run, "failed", message, ".failed")
            raise RuntimeError(f"run {run_id}: {message}")


def _keep_unpublished(run: Run, status: str, message: str, suffix: str, dq_passed: bool | None = None) -> Path | None:
    if not Path(run.work).exists():   # it failed while publishing, after the rename: nothing to keep
        log.error("run %s: %s (its working copy was already published or removed)", run.run_id, message)
        return None
    pipeline.finish_run(run.work, run.run_id, status, dq_passed=dq_passed, message=message)
    kept = Path(str(run.db) + suffix)
    Path(run.work).replace(kept)
    pipeline.record_unpublished_run(run.db, kept, run.run_id)
    return kept


def conclude(run: Run, *, quality: Callable[[str, str], dict] = pipeline.quality_stage,
             publish: Callable[[str, str, str, str], dict] = pipeline.publish_run,
             logger: logging.Logger | logging.LoggerAdapter | None = None) -> dict:
    """The quality gate, then publish (``completed``) or reject (``dq_failed``); returns the
    run's id, status, stage counts and, when published, the database and report paths."""
    logger = logger or log
    run.stages["quality"] = checks = quality(run.work, run.run_id)
    if not checks["passed"]:
        message = "; ".join(checks["failures"])[:2000]
        rejected = _keep_unpublished(run, "dq_failed", message, ".rejected", dq_passed=False)
        logger.error("data-quality checks failed, nothing published; inspect %s: %s", rejected, message)
        run.result = {"run_id": run.run_id, "status": "dq_failed", "stages": run.stages,
                      "rejected_db": str(rejected)}
        return run.result
    if run.out_dir is None:
        pipeline.finish_run(run.work, run.run_id, "completed", dq_passed=True)
        paths = {"db": str(publish_database(run.work, run.db))}
    else:
        paths = publish(run.work, str(run.db), str(run.out_dir), run.run_id)
    logger.info("run %s published %s", run.run_id, run.db)
    run.result = {"run_id": run.run_id, "status": "completed", "stages": run.stages,
                  "db": str(run.db), **paths}
    return run.result


@dataclass
class ReferenceLoad:
    """What :func:`load_reference` did."""

    reference: Path
    status: str                      # published | unchanged (nothing to publish) | rejected
    summary: object                  # factcheck.pubmed.load.LoadSummary
    checks: dict = field(default_factory=dict)
    embedded: int = 0
    table: dict = field(default_factory=dict)   # records, retracted, with_abstract once loaded
    rejected: Path | None = None


def load_reference(reference: str | Path, files: Sequence[str | Path], *, kind: str = "load",
                   progress: Callable | None = None, force: bool = False, workers: int | None = None,
                   memory_limit: str | None = None, reindex: bool = False, embed_progress=None,
                   logger: logging.Logger | logging.LoggerAdapter | None = None) -> ReferenceLoad:
    """Load PubMed files into the reference file and publish it: take its writer lock, work on
    a copy (``<reference>.work``), load (``factcheck.pubmed.load.load_files``: one transaction
    per file, the full-text index brought up to date), embed new records with the ``embed``
    extra, run the reference's data-quality checks, then publish by atomic rename. Readers
    (nightly runs, analysts) keep the file they opened until they open it again.

    A load that changes nothing (every file already loaded) publishes nothing. A blocking
    check keeps the copy as ``<reference>.rejected`` and publishes nothing; an exception keeps
    it as ``<reference>.failed`` and goes on. ``reindex`` rebuilds the full-text index from
    scratch. Raises :class:`~factcheck.store.publish.WriterBusy` when another process is
    loading the same file."""
    from .evidence import vectors
    from .pubmed.load import DEFAULT_MEMORY_LIMIT, load_files
    from .quality.checks import run_checks
    from .store.pubmed import pubmed_counts, rebuild_fts_index
    from .store.reference import connect_reference, record_load

    logger = logger or log
    reference = Path(reference)
    files = [Path(f) for f in files]
    started = datetime.now(timezone.utc).replace(tzinfo=None)
    load_id = pipeline.new_run_id(kind)
    with WriterLock(reference):
        existed = reference.exists()
        work = begin_work(reference)
        try:
            with closing(connect_reference(work)) as con:
                summary = load_files(con, files, progress=progress, force=force, workers=workers,
                                     memory_limit=memory_limit or DEFAULT_MEMORY_LIMIT)
                if reindex:
                    rebuild_fts_index(con)
                embedded = vectors.embed_records(con, progress=embed_progress) if vectors.available() else 0
                changed = (summary.inserted + summary.updated + summary.deleted + summary.retracted
                           + summary.n_failed + embedded + int(reindex) + int(not existed)
                           + int(summary.fts_rebuilt))
                table = pubmed_counts(con)
                if changed:
                    checks = run_checks(con, only=["pubmed"]).summary()
                    record_load(con, load_id, started, kind, [str(f) for f in files], summary.as_dict(),
                                table["records"], checks["checks"], checks["failed_warnings"])
            if not changed:   # the copy is closed: drop it, the published file stays as it is
                for leftover in (work, Path(str(work) + ".wal")):
                    leftover.unlink(missing_ok=True)
                return ReferenceLoad(reference, "unchanged", summary, table=table)
        except BaseException:
            if work.exists():
                work.replace(Path(str(reference) + ".failed"))
                logger.error("loading %s failed; nothing was published (copy kept as %s.failed)",
                             reference, reference)
            raise
        if summary.fts_error:   # a reference without its index would judge nothing: never publish one
            checks = dict(checks, passed=False, failures=[summary.fts_error, *checks["failures"]])
        if not checks["passed"]:
            rejected = Path(str(reference) + ".rejected")
            work.replace(rejected)
            logger.error("the reference's data-quality checks failed, nothing published; inspect %s: %s",
                         rejected, "; ".join(checks["failures"]))
            return ReferenceLoad(reference, "rejected", summary, checks, embedded, table, rejected)
        publish_database(work, reference)
        logger.info("published the PubMed reference %s (%s records)", reference, f"{table['records']:,}")
        return ReferenceLoad(reference, "published", summary, checks, embedded, table)
