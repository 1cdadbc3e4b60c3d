"""The PubMed reference file's lifecycle: :func:`load_reference` takes the file's writer lock,
loads PubMed files into a working copy, brings its full-text index up to date, embeds new
records (``embed`` extra), runs the reference's data-quality checks, then publishes the copy
by atomic rename, or keeps it as ``<reference>.rejected``.

Used by ``factcheck pubmed load|fetch``, by a run's ``--pubmed`` files
(``pipeline.pubmed_stage``) and by ``--fetch-evidence``; re-exported by :mod:`factcheck.run`,
whose run lifecycle is the analyst database's counterpart. Below the pipeline: it imports no
stage runner, so the pipeline can call it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .store.runs import new_run_id
from .store.publish import WriterLock, begin_work
from .store.publish import publish as publish_database

log = logging.getLogger(__name__)


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
    from .pubmed.load import default_memory_limit, load_files
    from .quality.checks import run_checks
    from .store.pubmed import pubmed_counts, rebuild_fts_index
    from .store.reference import connect_reference, record_load

    logger = logger or log
    reference = Path(reference)
    files = [Path(f) for f in files]
    started = datetime.now(timezone.utc).replace(tzinfo=None)
    load_id = new_run_id(kind)
    with WriterLock(reference):
        existed = reference.exists()
        work = begin_work(reference)
        try:
            with closing(connect_reference(work)) as con:
                summary = load_files(con, files, progress=progress, force=force, workers=workers,
                                     memory_limit=memory_limit or default_memory_limit())
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
        except KeyboardInterrupt:
            # interrupted, not failed: the partial copy tells nothing worth its room
            for leftover in (work, Path(str(work) + ".wal")):
                leftover.unlink(missing_ok=True)
            logger.warning("loading %s interrupted; nothing was published", reference)
            raise
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
