"""The nightly factcheck flow: one Prefect task per stage, over ``factcheck.pipeline``.

Run ad hoc (Prefect starts a temporary local server, no setup):

    python -m flows.nightly --sources sources.toml --out out/

Serve it on a schedule (needs a running ``prefect server start``):

    factcheck schedule --cron "0 3 * * *" --sources sources.toml --out out/

Tasks take paths, ids and plain values, never connections; each opens its own. The run's
lifecycle is the library's (``factcheck.run``): the writer lock, a working copy, and a publish
by atomic rename only when the data-quality checks pass, so analysts never read a
half-written or unvalidated database.
"""

from __future__ import annotations

import argparse
import os

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from rich.console import Console

from factcheck import pipeline
from factcheck.run import conclude, lifecycle

console = Console(stderr=True)

# Every task reads or writes the database, whose state is not in the task's inputs: never cache.
STAGE = dict(cache_policy=NO_CACHE, persist_result=False)


@task(name="ingest", retries=2, retry_delay_seconds=[10, 60], **STAGE)
def ingest(db: str, inputs: list[str], run_id: str, sources_file: str | None) -> dict:
    return pipeline.ingest_stage(db, inputs, run_id, sources_file=sources_file)


@task(name="load-pubmed", **STAGE)
def load_pubmed(db: str, files: list[str], run_id: str) -> dict:
    return pipeline.pubmed_stage(db, files, run_id)


@task(name="clean", **STAGE)
def clean(db: str, run_id: str) -> dict:
    return pipeline.clean_stage(db, run_id)


@task(name="extract-claims", **STAGE)
def extract_claims(db: str, run_id: str) -> dict:
    return pipeline.claims_stage(db, run_id)


@task(name="evidence", **STAGE)
def evidence(db: str, run_id: str, rejudge_all: bool = False) -> dict:
    return pipeline.evidence_stage(db, run_id, rejudge_all=rejudge_all)


@task(name="fetch-evidence", retries=1, retry_delay_seconds=[30], **STAGE)
def fetch_evidence(db: str, run_id: str) -> dict:
    return pipeline.fetch_evidence_stage(db, run_id, api_key=os.environ.get("NCBI_API_KEY"),
                                         email=os.environ.get("NCBI_EMAIL"))


@task(name="quality", **STAGE)
def quality(db: str, run_id: str) -> dict:
    return pipeline.quality_stage(db, run_id)


@task(name="publish", **STAGE)
def publish_db(work: str, db: str, out_dir: str, run_id: str) -> dict:
    """The database and its report, put in place together (``pipeline.publish_run``)."""
    return pipeline.publish_run(work, db, out_dir, run_id)


def stage_mark(counts: dict) -> str:
    """✓ for a stage without errors, ! for one that recorded some (the run went on), ✗ for one
    where nothing succeeded."""
    errors = counts.get("errors") or 0
    if not errors:
        return "[green]✓[/green]"
    inputs = counts.get("documents", counts.get("files"))
    return "[red]✗[/red]" if inputs is not None and errors >= inputs else "[yellow]![/yellow]"


def _say(show: bool, stage: str, counts: dict) -> None:
    if show:
        shown = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()
                          if not isinstance(v, (list, dict)))
        console.print(f"{stage_mark(counts)} {stage}: {shown}", soft_wrap=True)


@flow(name="factcheck-nightly")
def nightly(inputs: list[str] | None = None, db: str = "out/factcheck.duckdb", out_dir: str = "out",
            sources_file: str | None = None, pubmed_files: list[str] | None = None,
            flow_label: str = "nightly", show_progress: bool = False,
            fetch_evidence_gaps: bool = False, rejudge_all: bool = False) -> dict:
    """Ingest → clean → claims → evidence [→ fetch evidence for gaps] → quality → publish →
    report; returns the run's id, status, per-stage counts and output paths.

    The evidence stage judges only the claims whose verdict may have changed (new claims,
    another model, changed or newly loaded records); ``rejudge_all`` (``--rejudge-all``) judges
    every current claim again.

    ``fetch_evidence_gaps`` (``--fetch-evidence``) asks NCBI's E-utilities for trials and
    reviews on the claims left at ``no_coverage`` or ``not_addressed`` and judges them again
    (``NCBI_API_KEY`` and ``NCBI_EMAIL`` from the environment)."""
    logger = get_run_logger()
    inputs = list(inputs or [])
    with lifecycle(db, flow_label, inputs + ([sources_file] if sources_file else []), out_dir,
                   logger=logger) as run:
        work, run_id, stages = run.work, run.run_id, run.stages
        if pubmed_files:
            stages["pubmed"] = load_pubmed(work, [str(p) for p in pubmed_files], run_id)
            _say(show_progress, "pubmed", stages["pubmed"])
        stages["ingest"] = ingest(work, inputs, run_id, sources_file)
        _say(show_progress, "ingest", stages["ingest"])
        stages["clean"] = clean(work, run_id)
        _say(show_progress, "clean", stages["clean"])
        stages["claims"] = extract_claims(work, run_id)
        _say(show_progress, "claims", stages["claims"])
        stages["evidence"] = evidence(work, run_id, rejudge_all)
        _say(show_progress, "evidence", stages["evidence"])
        if fetch_evidence_gaps:
            stages["fetch_evidence"] = fetch_evidence(work, run_id)
            _say(show_progress, "fetch evidence", stages["fetch_evidence"])

        def checked(work: str, run_id: str) -> dict:
            counts = quality(work, run_id)
            _say(show_progress, "quality", counts)
            return counts

        return conclude(run, quality=checked, publish=publish_db, logger=logger)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the factcheck nightly flow once.")
    parser.add_argument("inputs", nargs="*", help="files, folders or URLs")
    parser.add_argument("--sources", help="sources file (TOML)")
    parser.add_argument("--out", default="out")
    parser.add_argument("--db")
    parser.add_argument("--pubmed", action="append", default=[])
    parser.add_argument("--fetch-evidence", action="store_true")
    parser.add_argument("--rejudge-all", action="store_true")
    args = parser.parse_args(argv)
    db = args.db or os.path.join(args.out, "factcheck.duckdb")
    result = nightly(inputs=args.inputs, db=db, out_dir=args.out, sources_file=args.sources,
                     pubmed_files=args.pubmed, show_progress=True,
                     fetch_evidence_gaps=args.fetch_evidence, rejudge_all=args.rejudge_all)
    console.print(result)


if __name__ == "__main__":
    main()
