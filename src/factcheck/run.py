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

The PubMed reference file has a lifecycle of its own, :func:`load_reference` (in
:mod:`factcheck.reference`, re-exported here; used by
``factcheck pubmed load|fetch``, by a run's ``--pubmed`` files and by ``--fetch-evidence``):
its writer lock, a working copy, the load, its full-text index, its data-quality checks, then
publish by atomic rename, or keep the copy as ``<reference>.rejected``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import pipeline
from .reference import ReferenceLoad, load_reference
from .store.runs import new_run_id
from .store.publish import WriterLock, begin_work
from .store.publish import publish as publish_database
from .store.reference import needs_split, split

__all__ = ["Run", "lifecycle", "conclude", "ReferenceLoad", "load_reference"]

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
    from .quality.checks import scope_setting

    logger = logger or log
    db_path = Path(db)
    scope_setting()          # a bad setting fails here, before any work
    with WriterLock(db_path) as lock:
        if needs_split(db_path):
            moved = split(db_path)
            logger.warning("moved the PubMed reference (%s records) out of %s into %s, once; the"
                           " database went from %s to %s bytes", f"{moved['records']:,}", db_path,
                           moved["reference"], f"{moved['bytes_before']:,}", f"{moved['bytes_after']:,}")
        work = str(begin_work(db_path, upgrade_format=True))
        run_id = new_run_id(flow)
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
