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
from pathlib import Path

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from rich.console import Console

from factcheck import pipeline
from factcheck.quality.checks import warm_up
from factcheck.run import conclude, lifecycle
from factcheck.settings import DB_FILENAME, DEFAULT_DB, DEFAULT_OUT_DIR, STANCE_THREADS_ENV

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
    return pipeline.fetch_evidence_stage(db, run_id)   # NCBI credentials: the settings


# Fan-out (``--workers N`` above 1, or ``--task-runner dask``): the per-article work runs as
# mapped tasks over batches of articles (claims for the evidence stage) on the flow's task runner;
# each returns rows, and the flow process writes them (``pipeline.save_*``): one writer.

@task(name="clean-batch", **STAGE)
def clean_batch(items: list[dict]) -> list[dict]:
    return pipeline.clean_batch(items)


@task(name="claims-batch", **STAGE)
def claims_batch(items: list[dict], vocabulary: list[str]) -> list[dict]:
    return pipeline.claims_batch(items, vocabulary)


@task(name="judge-batch", **STAGE)
def judge_batch(db: str, items: list[dict], ready: bool, use_vectors: bool, model_version: str,
                reference: str | None) -> list[dict]:
    return pipeline.judge_batch(db, items, ready=ready, use_vectors=use_vectors,
                                model_version=model_version, reference=reference)


BATCHES_PER_WORKER = 4   # enough batches that a slow one does not leave the other workers idle


def batches(items: list, workers: int) -> list[list]:
    """``items`` in contiguous batches, about BATCHES_PER_WORKER per worker."""
    if not items:
        return []
    n = min(len(items), max(1, workers) * BATCHES_PER_WORKER)
    size, extra = divmod(len(items), n)
    out, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def fan_out(batch_task, items: list, workers: int, **shared) -> list:
    """Map ``batch_task`` over batches of ``items`` (its ``items`` parameter; ``shared`` arguments go to every batch)
    and return the results in the order of ``items``."""
    parts = batches(items, workers)
    if not parts:
        return []
    futures = batch_task.map(items=parts, **{k: unmapped(v) for k, v in shared.items()})
    futures.wait()   # every batch done (and its connections closed) before a failure is raised
    return [row for future in futures for row in future.result()]


def task_runner(kind: str = "thread", workers: int = 1, dask_address: str | None = None):
    """The flow's task runner: Prefect's thread pool, or Dask (``prefect-dask``, the ``dask``
    extra): the scheduler at ``dask_address``, else a ``LocalCluster`` of ``workers`` processes
    of one thread each."""
    if kind == "thread":
        return ThreadPoolTaskRunner(max_workers=max(1, workers))
    if kind != "dask":
        raise ValueError(f"unknown task runner {kind!r} (thread or dask)")
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:
        raise RuntimeError("--task-runner dask needs the dask extra: pip install -e \".[dask]\"") from exc
    if dask_address:
        return DaskTaskRunner(address=dask_address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": max(1, workers), "threads_per_worker": 1,
                                          "processes": True, "dashboard_address": None})


@task(name="quality", **STAGE)
def quality(db: str, run_id: str) -> dict:
    return pipeline.quality_stage(db, run_id)


@task(name="publish", **STAGE)
def publish_db(work: str, db: str, out_dir: str, run_id: str) -> dict:
    """The database and its report, put in place together (``pipeline.publish_run``)."""
    return pipeline.publish_run(work, db, out_dir, run_id)


def stage_mark(counts: dict) -> str:
    """✓ for a stage without errors, ! for one that recorded some (the run went on), ✗ for one
    where nothing succeeded. For cleaning, a page with nothing left after it (``empty``) counts
    against the stage too: it yields no article text."""
    errors = counts.get("errors") or 0
    inputs = counts.get("documents", counts.get("files"))
    if "cleaned" in counts:
        empty = counts.get("empty") or 0
        inputs = counts["cleaned"] + empty + errors
        errors += empty
    if not errors:
        return "[green]✓[/green]"
    return "[red]✗[/red]" if inputs is not None and errors >= inputs else "[yellow]![/yellow]"


def _say(show: bool, stage: str, counts: dict) -> None:
    if show:
        shown = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()
                          if not isinstance(v, (list, dict)))
        console.print(f"{stage_mark(counts)} {stage}: {shown}", soft_wrap=True)


@flow(name="factcheck-nightly")
def nightly(inputs: list[str] | None = None, db: str = DEFAULT_DB, out_dir: str = DEFAULT_OUT_DIR,
            sources_file: str | None = None, pubmed_files: list[str] | None = None,
            flow_label: str = "nightly", show_progress: bool = False,
            fetch_evidence_gaps: bool = False, rejudge_all: bool = False, workers: int = 1,
            fan: bool = False) -> dict:
    """Ingest → clean → claims → evidence [→ fetch evidence for gaps] → quality → publish →
    report; returns the run's id, status, per-stage counts and output paths.

    The evidence stage judges only the claims whose verdict may have changed (new claims,
    another model, changed or newly loaded records); ``rejudge_all`` (``--rejudge-all``) judges
    every current claim again.

    ``fetch_evidence_gaps`` (``--fetch-evidence``) asks NCBI's E-utilities for trials and
    reviews on the claims left at ``no_coverage`` or ``not_addressed`` and judges them again
    (``NCBI_API_KEY`` and ``NCBI_EMAIL`` from the environment).

    ``fan`` maps the per-article work (clean, claims, judging) over batches on the flow's task
    runner (see :func:`run_nightly`, which picks it: threads or Dask, ``workers``); the flow
    process alone writes the database."""
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
        # a night with nothing new usually has no rows to check: Great Expectations is then not
        # imported at all (run_checks imports it only for rows to validate)
        expect_rows = bool(stages["ingest"].get("new_versions") or rejudge_all or pubmed_files
                           or fetch_evidence_gaps)
        # Great Expectations imports while the claims are judged (the stance model runs
        # outside Python's lock; the cleaning and extraction before it do not)
        if fan:
            stages["clean"] = pipeline.save_cleaned(
                work, run_id, fan_out(clean_batch, pipeline.pending_clean(work), workers))
            _say(show_progress, "clean", stages["clean"])
            items, vocabulary = pipeline.pending_claims(work)
            stages["claims"] = pipeline.save_extracted(
                work, run_id, fan_out(claims_batch, items, workers, vocabulary=vocabulary))
            _say(show_progress, "claims", stages["claims"])
            plan = pipeline.plan_evidence(work, run_id, rejudge_all=rejudge_all)
            if expect_rows:
                warm_up()
            judged = fan_out(judge_batch, plan["todo"], workers, db=work, ready=plan["ready"],
                             use_vectors=plan["use_vectors"], model_version=plan["model_version"],
                             reference=plan["reference"])
            stages["evidence"] = pipeline.save_judged(work, run_id, plan, judged)
        else:
            stages["clean"] = clean(work, run_id)
            _say(show_progress, "clean", stages["clean"])
            stages["claims"] = extract_claims(work, run_id)
            _say(show_progress, "claims", stages["claims"])
            if expect_rows:
                warm_up()
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


def run_nightly(*, task_runner_kind: str = "thread", workers: int = 1, dask_address: str | None = None,
                **params) -> dict:
    """Run :func:`nightly` with its task runner chosen by the settings: one worker on threads
    runs the stages as single tasks (as before fan-out existed); more workers, or Dask, fan the
    per-article work out. Dask workers need ``PREFECT_API_URL`` (a running Prefect server):
    without it each worker process would start a temporary server of its own, so one is
    started here for the run and its URL handed to the workers."""
    fan = workers > 1 or task_runner_kind == "dask"
    if task_runner_kind == "dask":
        # workers, maybe on other machines, open the files by these paths
        for key in ("db", "out_dir"):
            if params.get(key):
                params[key] = str(Path(params[key]).resolve())
        if dask_address and not os.environ.get("PREFECT_API_URL"):
            raise RuntimeError("--dask-address needs PREFECT_API_URL: the cluster's workers report to"
                               " a Prefect server they can reach (`prefect server start --host 0.0.0.0`)")
    runner = task_runner(task_runner_kind, workers, dask_address)
    flow_ = nightly.with_options(task_runner=runner)
    if task_runner_kind != "dask":
        return flow_(workers=workers, fan=fan, **params)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    set_here: list[str] = []    # environment variables this call sets for the workers, unset after
    server = None
    try:
        if STANCE_THREADS_ENV not in os.environ and not dask_address:
            # the stance model reads as many pairs at once as a process has cores by default:
            # the N worker processes of a local cluster share the cores instead
            os.environ[STANCE_THREADS_ENV] = str(max(1, (os.cpu_count() or 1) // max(1, workers)))
            set_here.append(STANCE_THREADS_ENV)
        url = os.environ.get("PREFECT_API_URL") or PREFECT_API_URL.value()   # a server already in use
        if not url:
            from prefect.server.api.server import SubprocessASGIServer

            server = SubprocessASGIServer()
            server.start(timeout=int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")))
            url = server.api_url
        if not os.environ.get("PREFECT_API_URL"):
            os.environ["PREFECT_API_URL"] = url     # inherited by the LocalCluster's worker processes
            set_here.append("PREFECT_API_URL")
        with temporary_settings(updates={PREFECT_API_URL: url}):
            return flow_(workers=workers, fan=fan, **params)
    finally:
        for name in set_here:
            os.environ.pop(name, None)
        if server is not None:
            server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the factcheck nightly flow once.")
    parser.add_argument("inputs", nargs="*", help="files, folders or URLs")
    parser.add_argument("--sources", help="sources file (TOML)")
    parser.add_argument("--out", default=DEFAULT_OUT_DIR)
    parser.add_argument("--db")
    parser.add_argument("--pubmed", action="append", default=[])
    parser.add_argument("--fetch-evidence", action="store_true")
    parser.add_argument("--rejudge-all", action="store_true")
    parser.add_argument("--task-runner", choices=["thread", "dask"], default="thread")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--dask-address")
    args = parser.parse_args(argv)
    db = args.db or os.path.join(args.out, DB_FILENAME)
    result = run_nightly(task_runner_kind=args.task_runner, workers=args.workers,
                         dask_address=args.dask_address,
                         inputs=args.inputs, db=db, out_dir=args.out, sources_file=args.sources,
                         pubmed_files=args.pubmed, show_progress=True,
                         fetch_evidence_gaps=args.fetch_evidence, rejudge_all=args.rejudge_all)
    console.print(result)


if __name__ == "__main__":
    main()
