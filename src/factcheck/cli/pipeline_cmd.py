"""``factcheck demo``, ``factcheck run`` and ``factcheck schedule``: the nightly flow."""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..settings import DB_FILENAME, DEFAULT_OUT_DIR
from ..store.raw import raw_dir_for
from ..store.reference import reference_path

console = Console()


#: Seconds the temporary Prefect server may take to start (Prefect's default, 20 s, is too short
#: on a busy two-core machine). An environment variable of the same name wins.
EPHEMERAL_STARTUP_TIMEOUT = "120"


def _quiet_prefect(verbose: bool) -> None:
    """Prefect's per-task INFO lines drown the summary; keep warnings unless -v was given."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", EPHEMERAL_STARTUP_TIMEOUT)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if not verbose:
        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        # Dask's scheduler, nanny and workers (--task-runner dask) log each start and stop
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
        logging.getLogger("distributed").setLevel(logging.WARNING)
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL", "WARNING")
        os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "WARNING")


_REAPER = None


def _reap_temporary_server() -> None:
    """Start (once per process) the watcher that kills Prefect's temporary API server if this
    process dies before stopping it (:mod:`factcheck.cli.reaper`)."""
    global _REAPER
    if _REAPER is None:
        from .reaper import start

        _REAPER = start() or False


def _run_flow(*, inputs, db, out_dir, sources_file, pubmed_files, flow_label,
              fetch_evidence: bool = False, rejudge_all: bool = False, task_runner: str = "thread",
              workers: int = 1, dask_address: str | None = None) -> dict:
    ctx = click.get_current_context()
    _quiet_prefect(bool(ctx.find_root().params.get("verbose")))
    from ..ingest.web.guard import parse_networks
    from ..settings import get_settings
    from ..store.publish import WriterBusy, WriterLock

    # the quick checks first: a run they refuse writes nothing (not even a lock file)
    try:
        WriterLock.check(db)
    except WriterBusy as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        sys.exit(2)
    held = _held_open(db)
    if held:
        console.print(f"[red]error:[/red] {held}", soft_wrap=True, highlight=False)
        sys.exit(2)
    try:
        parse_networks(get_settings().allowed_networks)   # a typo is said now, not mid-crawl
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        sys.exit(2)
    if os.environ.get("PREFECT_API_URL"):
        _check_server(for_schedule=False)
    try:
        # then the lock, taken before Prefect's server starts and held: the run takes it over,
        # so another run started meanwhile is refused at once, not after its own server started
        WriterLock.reserve(db)
    except WriterBusy as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        sys.exit(2)
    try:
        return _run_reserved(inputs=inputs, db=db, out_dir=out_dir, sources_file=sources_file,
                             pubmed_files=pubmed_files, flow_label=flow_label,
                             fetch_evidence=fetch_evidence, rejudge_all=rejudge_all,
                             task_runner=task_runner, workers=workers, dask_address=dask_address)
    finally:
        WriterLock.release_reserved(db)   # a run that never started (an error before it)


def _held_open(db) -> str | None:
    """Why the published database cannot be read now, when another process holds it open for
    writing (DuckDB then lets no other process open it, even to read), else None."""
    import duckdb

    if not Path(db).exists():
        return None
    try:
        duckdb.connect(str(db), read_only=True).close()
    except duckdb.Error as exc:
        # DuckDB's own words for a file another process holds; anything else (a damaged or
        # foreign file) is the run's to report as it always did
        if "Could not set lock on file" not in str(exc) and "Conflicting lock" not in str(exc):
            return None
        pid = re.search(r"PID (\d+)", str(exc))
        return (f"{db} is open for writing in another process{f' (PID {pid.group(1)})' if pid else ''}:"
                " close that connection (readers open it read-only: `duckdb -readonly`,"
                " `duckdb.connect(path, read_only=True)`); nothing was run")
    return None


def _run_reserved(*, inputs, db, out_dir, sources_file, pubmed_files, flow_label, fetch_evidence,
                  rejudge_all, task_runner, workers, dask_address) -> dict:
    from ..store.publish import WriterBusy
    from ..store.raw import RawFolderMissing
    from ..store.reference import ReferenceUnavailable

    if not os.environ.get("PREFECT_API_URL"):
        _reap_temporary_server()
    from flows.nightly import run_nightly

    try:
        return run_nightly(task_runner_kind=task_runner, workers=workers, dask_address=dask_address,
                           inputs=list(inputs), db=str(db), out_dir=str(out_dir),
                           sources_file=sources_file, pubmed_files=[str(p) for p in pubmed_files],
                           flow_label=flow_label, show_progress=True,
                           fetch_evidence_gaps=fetch_evidence, rejudge_all=rejudge_all)
    except WriterBusy as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        sys.exit(2)
    except (ReferenceUnavailable, RawFolderMissing) as exc:
        console.print(f"[red]error:[/red] {exc} (the run is recorded as failed; nothing else was"
                      " published)", soft_wrap=True, highlight=False)
        sys.exit(1)
    except RuntimeError as exc:
        if "ephemeral Prefect API server" not in str(exc):
            raise
        waited = os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]
        console.print(
            f"[red]error:[/red] Prefect's temporary API server did not start within {waited} s "
            "(a busy machine?); nothing was written. Raise "
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or run one server with "
            "`prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api",
            soft_wrap=True)
        sys.exit(2)


#: Exit statuses of `factcheck run` (README, "Commands"): every input stored, or some inputs
#: failed (each recorded in pipeline_errors), or every input failed / the run was rejected.
EXIT_OK, EXIT_FAILED, EXIT_SOME_INPUTS_FAILED = 0, 1, 3


def _out_dir(out_dir: str | None, db: str | None) -> str:
    """Where a run writes its report and claims.jsonl: ``--out``, else beside ``--db`` (a report
    must never land beside another database, nor another database's beside this one), else the
    default folder."""
    if out_dir:
        return out_dir
    return str(Path(db).parent) if db else DEFAULT_OUT_DIR


def _refuse_foreign_report(out_dir: str) -> None:
    """A run replaces OUT/report whole: refused at once when that folder is not a report of
    factcheck's (with --out defaulting to the database's folder, it may be someone's own)."""
    from ..report.build import foreign_report_folder

    folder = foreign_report_folder(out_dir)
    if folder is not None:
        raise click.UsageError(f"{folder} exists and is not a factcheck report; a run replaces "
                               "OUT/report whole: give another --out folder")


def _refuse_pubmed_inputs(inputs: tuple[str, ...]) -> None:
    """A PubMed XML file given as an article input (``--pubmed a.xml b.xml`` takes b.xml as
    one) would be stored as an article, its abstracts and affiliations read for claims: refused
    before anything starts, with the way to load it."""
    import zlib

    for item in inputs:
        path = Path(item)
        if not path.is_file():
            continue
        try:
            with path.open("rb") as fh:
                head = fh.read(8192)
            if head[:2] == b"\x1f\x8b":
                head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 8192)
        except (OSError, zlib.error):
            continue    # unreadable: the ingest stage records it as the input's error
        if b"<PubmedArticleSet" in head or b"DOCTYPE PubmedArticleSet" in head:
            raise click.UsageError(
                f"{item} is a PubMed XML file, not an article: load it with --pubmed {item} "
                "(one --pubmed for each file)")


def exit_status(result: dict, run: dict | None) -> int:
    """The exit status of a run: 1 when it was not published or no input could be stored, 3
    when it was published with errors recorded (an input that failed, a stage error on one
    article, an evidence fetch that failed), else 0."""
    if result["status"] != "completed" or not run:
        return EXIT_FAILED
    failed_inputs, seen = run.get("n_input_errors") or 0, run["n_documents"] or 0
    if failed_inputs and failed_inputs >= seen:
        return EXIT_FAILED
    return EXIT_SOME_INPUTS_FAILED if run["n_errors"] else EXIT_OK


def _print_summary(result: dict) -> dict | None:
    """Print the run's summary; returns its ``runs`` row (None when nothing was published)."""
    from ..pipeline import summary

    if result["status"] != "completed":
        console.print(f"[red]run {result['run_id']} {result['status']}[/red]: nothing was published.")
        for failure in result["stages"].get("quality", {}).get("failures", []):
            console.print(f"  - {failure}")
        if result.get("rejected_db"):
            console.print(f"  working copy kept for inspection: {result['rejected_db']}")
        return None
    info = summary(result["db"], result["run_id"])
    run = info["run"]
    if info["articles"]:
        table = Table(title=f"run {result['run_id']}: articles stored or judged", show_lines=False)
        for col in ("article", "claims", "flagged", "boilerplate removed"):
            table.add_column(col, justify="left" if col == "article" else "right")
        for a in info["articles"]:
            table.add_row(a["title"][:60], str(a["n_claims"]),
                          str(a["n_flagged"]), str(a["n_removed"]))
        console.print(table)
        if info["n_articles"] > len(info["articles"]):
            console.print(f"… and {info['n_articles'] - len(info['articles']):,} more articles "
                          "(SELECT * FROM article_summary)")
    else:
        console.print(f"run {result['run_id']}: no article stored or judged")
    labels = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(info["labels"].items()))
    console.print(f"documents {run['n_documents']} · new versions {run['n_new_versions']} · "
                  f"claims {run['n_claims']} read from new versions · flagged {run['n_flagged']} of all current "
                  f"claims · errors "
                  f"{run['n_errors']} · PubMed records {info['pubmed_records']:,}")
    console.print(f"verdicts of the {info['current_claims']:,} current claims: {labels or 'none'}")
    if not info["pubmed_records"]:
        console.print("[yellow]the PubMed reference is empty or missing: every claim is "
                      "'no_coverage'[/yellow]; load PubMed files with `factcheck pubmed load FILE "
                      f"--db {result['db']}`", soft_wrap=True)
    console.print(f"data-quality checks: {'passed' if run['dq_passed'] else 'FAILED'}")
    console.print(f"\n[bold]database[/bold]  {result['db']}")
    console.print(f"[bold]report[/bold]    {result['html']}")
    console.print(f"[bold]claims[/bold]    {result['jsonl']}")
    reference = reference_path(result["db"])
    if reference is not None:
        console.print(f"[bold]reference[/bold] {reference}")
    raw = raw_dir_for(Path(result["db"]).resolve())
    if raw is not None:
        console.print(f"[bold]raw[/bold]       {raw}")
    shown = info["failures"][:10]
    for f in shown:             # markup off: a URL or a message may hold "[...]"
        console.print(f"  ✗ {f['source']}: {f['kind']}: {f['message']}", soft_wrap=True,
                      highlight=False, markup=False)
    if info["n_failures"] > len(shown):
        console.print(f"  … and {info['n_failures'] - len(shown):,} more")
    if run["n_errors"]:
        console.print(f"[yellow]{run['n_errors']} errors ({run['n_input_errors']} of "
                      f"{run['n_documents']} inputs could not be stored)[/yellow]; details: SELECT "
                      f"source, stage, error_kind, message FROM pipeline_errors WHERE run_id = "
                      f"'{result['run_id']}'", soft_wrap=True)
    return run


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=DEFAULT_OUT_DIR, show_default=True,
              help="Folder for factcheck.duckdb, report/index.html and claims.jsonl.")
def demo(out_dir: str) -> None:
    """Run the nightly flow on the bundled sample articles and PubMed sample."""
    from ..pipeline import sample_articles, sample_pubmed

    articles, pubmed = sample_articles(), sample_pubmed()
    if not articles or not pubmed:
        raise click.ClickException("bundled sample data not found under data/; set FACTCHECK_DATA_DIR")
    _refuse_foreign_report(out_dir)
    out = Path(out_dir)
    result = _run_flow(inputs=[str(p) for p in articles], db=out / DB_FILENAME, out_dir=out,
                       sources_file=None, pubmed_files=pubmed, flow_label="demo")
    _print_summary(result)
    if result["status"] != "completed":
        sys.exit(1)


@click.command()
@click.option("--input", "-i", "inputs", multiple=True, metavar="PATH_OR_URL",
              help="A file, a folder (walked for .txt/.md/.html) or a URL. Repeatable; more "
                   "paths or URLs may follow it: --input a.html b/ https://x.example/feed")
@click.argument("more_inputs", nargs=-1, metavar="[PATH_OR_URL]...")
@click.option("--sources", "sources_file", type=click.Path(exists=True, dir_okay=False),
              help="A sources file (TOML) listing feeds, sitemaps, URL lists and folders.")
@click.option("--pubmed", "pubmed_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A PubMed XML file to load before matching (already-loaded files are skipped); "
                   "repeat the option for each file: --pubmed a.xml.gz --pubmed b.xml.gz.")
@click.option("--db", type=click.Path(dir_okay=False), help="Database path [default: OUT/factcheck.duckdb].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Folder for report/index.html and claims.jsonl [default: the folder of --db, "
                   f"else {DEFAULT_OUT_DIR}].")
@click.option("--fetch-evidence", is_flag=True,
              help="For claims the reference table cannot judge (no coverage, not addressed), fetch "
                   "trials and reviews from NCBI E-utilities, load them and judge again "
                   "[env: NCBI_API_KEY, NCBI_EMAIL].")
@click.option("--rejudge-all", is_flag=True,
              help="Judge every current claim again (by default only claims that are new, whose "
                   "records changed or were joined by newly loaded ones, or whose verdict another "
                   "model version made).")
@click.option("--task-runner", type=click.Choice(["thread", "dask"]), default="thread",
              show_default=True, envvar="FACTCHECK_TASK_RUNNER",
              help="Where the per-article work (clean, claims, judging) runs: threads of this "
                   "process, or a Dask cluster (the dask extra) [env: FACTCHECK_TASK_RUNNER].")
@click.option("--workers", type=click.IntRange(1, 256), default=1, show_default=True,
              envvar="FACTCHECK_WORKERS",
              help="Threads, or processes of the local Dask cluster; above 1 the per-article "
                   "work fans out in batches, and this process alone writes [env: FACTCHECK_WORKERS].")
@click.option("--dask-address", default=None, metavar="tcp://HOST:PORT", envvar="FACTCHECK_DASK_ADDRESS",
              help="An existing Dask scheduler (its workers must see the same paths and have "
                   "factcheck installed) instead of a local cluster [env: FACTCHECK_DASK_ADDRESS].")
def run(inputs: tuple[str, ...], more_inputs: tuple[str, ...], sources_file: str | None,
        pubmed_files: tuple[str, ...], db: str | None, out_dir: str, fetch_evidence: bool,
        rejudge_all: bool, task_runner: str, workers: int, dask_address: str | None) -> None:
    """Run the nightly flow on given files, folders, URLs or a sources file.

    Exit status: 0 published without errors; 3 published with errors recorded (each failed
    input is printed); 1 nothing could be stored or the data-quality checks rejected the run;
    2 another run holds the database or no Prefect server could be reached."""
    inputs = inputs + more_inputs
    if not inputs and not sources_file:
        raise click.UsageError("give at least one --input or a --sources file")
    _refuse_pubmed_inputs(inputs)
    out_dir = _out_dir(out_dir, db)
    _refuse_foreign_report(out_dir)
    db_path = Path(db) if db else Path(out_dir) / DB_FILENAME
    if dask_address and task_runner != "dask":
        raise click.UsageError("--dask-address needs --task-runner dask")
    if dask_address and not os.environ.get("PREFECT_API_URL"):
        console.print("[red]error:[/red] --dask-address needs PREFECT_API_URL: the cluster's workers "
                      "report to a Prefect server they can reach (`prefect server start --host 0.0.0.0`)",
                      soft_wrap=True)
        sys.exit(2)
    if task_runner == "dask":
        try:
            import prefect_dask  # noqa: F401
        except ImportError:
            console.print('[red]error:[/red] --task-runner dask needs the dask extra: pip install -c '
                          'constraints.txt -e ".[dask]"', soft_wrap=True)
            sys.exit(2)
    result = _run_flow(inputs=inputs, db=db_path, out_dir=out_dir, sources_file=sources_file,
                       pubmed_files=pubmed_files, flow_label="run", fetch_evidence=fetch_evidence,
                       rejudge_all=rejudge_all, task_runner=task_runner, workers=workers,
                       dask_address=dask_address)
    status = exit_status(result, _print_summary(result))
    if status:
        sys.exit(status)


def _check_cron(cron: str) -> None:
    """A cron expression Prefect would refuse is a usage error now, not after the server."""
    from prefect.client.schemas.schedules import CronSchedule

    usage = ("five fields: minute hour day-of-month month day-of-week, e.g. '0 3 * * *', or a "
             "macro such as '@daily'")
    try:
        CronSchedule(cron=cron)
        if not cron.strip().startswith("@") and len(cron.split()) != 5:
            # Prefect reads a sixth field as seconds: '* * * * * *' would run every second
            raise ValueError(f"{len(cron.split())} fields")
    except ValueError as exc:
        raise click.BadParameter(f"not a valid cron expression: {cron!r} ({usage})",
                                 param_hint="--cron") from exc
    import asyncio
    import inspect

    from prefect._vendor.croniter import CroniterError
    from prefect.server.schemas.schedules import CronSchedule as ServerCron

    try:   # the server's own reading of it: the next time it would run
        dates = ServerCron(cron=cron).get_dates(1)
        dates = asyncio.run(dates) if inspect.isawaitable(dates) else dates
    except CroniterError:   # 'failed to find next date' (CroniterBadDateError) and its kin
        dates = []
    if not dates:
        raise click.BadParameter(f"{cron!r} never comes (a date no month has?)", param_hint="--cron")


def _check_server(for_schedule: bool = True) -> None:
    """A schedule needs a Prefect server that keeps running, and a run told to use one
    (PREFECT_API_URL) needs it up: say so in one line, with the commands, and exit 2."""
    import httpx

    start = ("start one with `prefect server start` and set "
             "PREFECT_API_URL=http://127.0.0.1:4200/api (or schedule `factcheck run` with cron)"
             if for_schedule else "start it (`prefect server start`), or unset PREFECT_API_URL "
             "to run on a temporary server")
    api = os.environ.get("PREFECT_API_URL")
    if not api:
        console.print(f"[red]error:[/red] PREFECT_API_URL is not set: a schedule needs a Prefect "
                      f"server that keeps running; {start}", soft_wrap=True)
        sys.exit(2)
    try:
        response = httpx.get(api.rstrip("/") + "/health", timeout=5)
        response.raise_for_status()
        # something else may answer /health: a Prefect server also names its version
        version = httpx.get(api.rstrip("/") + "/admin/version", timeout=5)
        if version.status_code in (401, 403):
            return   # a Prefect server that wants a login answers only /health without one
        version.raise_for_status()
        if not re.fullmatch(r"\d+\.\d+\S*", str(version.json())):
            raise ValueError(f"it answers {str(version.json())[:40]!r} where a Prefect server "
                             "names its version")
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        # ValueError: a body that is no JSON, or not a Prefect server's version
        console.print("[red]error:[/red] " + escape(f"no Prefect server answers at {api} ({exc}); {start}"),
                      soft_wrap=True, highlight=False)
        sys.exit(2)


@click.command()
@click.option("--cron", default="0 3 * * *", show_default=True, help="When to run (cron, server time zone).")
@click.option("--sources", "sources_file", type=click.Path(exists=True, dir_okay=False),
              help="A sources file (TOML).")
@click.option("--input", "-i", "inputs", multiple=True, metavar="PATH_OR_URL",
              help="A file, folder or URL to read at each run (repeatable).")
@click.option("--db", type=click.Path(dir_okay=False), help="Database path [default: OUT/factcheck.duckdb].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Folder for the report and claims.jsonl [default: the folder of --db, else "
                   f"{DEFAULT_OUT_DIR}].")
@click.option("--name", default="nightly", show_default=True, help="Deployment name.")
@click.option("--pubmed", "pubmed_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A PubMed XML file to load at each run (already-loaded files are skipped); "
                   "repeat the option for each file.")
@click.option("--fetch-evidence", is_flag=True, help="As for `factcheck run`.")
def schedule(cron: str, sources_file: str | None, inputs: tuple[str, ...], db: str | None,
             out_dir: str, name: str, pubmed_files: tuple[str, ...], fetch_evidence: bool) -> None:
    """Serve the nightly flow on a cron schedule (needs `prefect server start` running and
    PREFECT_API_URL pointing at it). Runs until interrupted."""
    if not inputs and not sources_file:
        raise click.UsageError("give at least one --input or a --sources file")
    _refuse_pubmed_inputs(inputs)
    _check_cron(cron)
    _check_server()
    from flows.nightly import nightly

    out_dir = _out_dir(out_dir, db)
    _refuse_foreign_report(out_dir)
    db_path = db or str(Path(out_dir) / DB_FILENAME)
    params = {"inputs": [str(Path(i).resolve()) if Path(i).exists() else i for i in inputs],
              "db": str(Path(db_path).resolve()), "out_dir": str(Path(out_dir).resolve()),
              "sources_file": str(Path(sources_file).resolve()) if sources_file else None,
              "pubmed_files": [str(Path(p).resolve()) for p in pubmed_files],
              "fetch_evidence_gaps": fetch_evidence}
    console.print(f"serving flow factcheck-nightly/{name} on cron '{cron}'; Ctrl-C stops")
    import warnings

    # Prefect 3.8's runner leaves one stop coroutine un-awaited when Ctrl-C ends serve(): a
    # harmless RuntimeWarning on every stop, hidden here (the run state is unaffected).
    warnings.filterwarnings("ignore", message="coroutine 'Runner.astop' was never awaited",
                            category=RuntimeWarning)
    nightly.serve(name=name, cron=cron, parameters=params)
