"""``factcheck pubmed load|fetch``: fill the PubMed reference table from NLM files or from
an E-utilities query. A thin layer over :mod:`factcheck.pubmed`."""

from __future__ import annotations

import sys
from contextlib import closing
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=True)

DEFAULT_DB = "out/factcheck.duckdb"


@click.group()
def pubmed() -> None:
    """Load and refresh the PubMed reference table."""


def _load(db: str, files: list[Path], force: bool, workers: int | None,
          memory_limit: str | None = None) -> int:
    from ..pubmed.load import DEFAULT_MEMORY_LIMIT, FileResult, load_files
    from ..run import conclude, lifecycle
    from ..store.db import connect
    from ..store.pubmed import pubmed_counts

    # the run's lifecycle (factcheck.run): lock, working copy, the data-quality gate, then
    # publish (the database alone) or keep the copy as <db>.rejected
    with lifecycle(db, "pubmed", [str(f) for f in files]) as run:
        with closing(connect(run.work)) as con, Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=console, transient=False) as bar:
            task = bar.add_task("PubMed files", total=len(files))

            def progress(result: FileResult) -> None:
                style = {"loaded": "green", "skipped": "yellow", "failed": "red"}[result.status]
                if result.status == "loaded":
                    line = (f"{result.file_name}: {result.n_records:,} records, +{result.inserted:,}"
                            f" new, {result.updated:,} updated, {result.deleted:,} deleted")
                elif result.status == "skipped":
                    line = f"{result.file_name}: {result.note}"
                else:
                    line = result.error or result.file_name
                bar.console.print(f"[{style}]{result.status:>7}[/{style}] {line}", soft_wrap=True,
                                  highlight=False)
                bar.advance(task)

            summary = load_files(con, files, progress=progress, force=force, workers=workers,
                                 memory_limit=memory_limit or DEFAULT_MEMORY_LIMIT)
            if summary.fts_rebuilt:
                bar.console.print(f"full-text index {summary.fts_mode} in {summary.fts_seconds:.1f} s")
            elif summary.fts_error:
                bar.console.print(f"[red]{summary.fts_error}[/red]", soft_wrap=True, highlight=False)
            from ..evidence import vectors

            if vectors.available():
                embedded = vectors.embed_records(con, progress=bar)
                if embedded:
                    bar.console.print(f"embedded {embedded:,} records ({vectors.MODEL}, embed extra)")
            table = pubmed_counts(con)
        with console.status("data-quality checks"):
            result = conclude(run)
    if result["status"] != "completed":
        console.print(f"[red]data-quality checks failed[/red]: nothing was published; the loaded copy"
                      f" is kept as {result['rejected_db']}", soft_wrap=True)
        for failure in result["stages"]["quality"]["failures"]:
            console.print(f"  - {failure}", soft_wrap=True, highlight=False)
        return 1
    counts = summary.as_dict()
    console.print(" · ".join(f"{name} {counts[name]:,}" for name in (
        "files", "records", "inserted", "updated", "unchanged", "deleted", "retracted", "errors")),
        soft_wrap=True)
    console.print(f"the table now holds {table['records']:,} records, {table['retracted']:,} "
                  f"retracted, {table['with_abstract']:,} with an abstract ({db})", soft_wrap=True)
    for result in summary.files:
        if result.status == "failed":
            console.print(f"[red]failed[/red] {result.error}", soft_wrap=True, highlight=False)
    return 1 if summary.n_failed or summary.fts_error else 0


def _load_or_busy(db: str, files: list[Path], force: bool, workers: int | None,
                  memory_limit: str | None = None) -> int:
    """:func:`_load`, or exit status 2 with one line when another run is writing ``db``."""
    from ..store.publish import WriterBusy

    try:
        return _load(db, files, force, workers, memory_limit)
    except WriterBusy as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True, highlight=False)
        return 2


@pubmed.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="Database to load into (created if missing).")
@click.option("--force", is_flag=True, help="Reload files already loaded (same sha256); still idempotent.")
@click.option("--workers", type=click.IntRange(0, 16), default=None,
              help="Parsing processes [default: one per file up to the CPU count, at most 4;"
                   " 0 parses in the main process].")
@click.option("--memory-limit", default=None, metavar="SIZE",
              help="DuckDB memory limit while loading, e.g. 8GB for a full baseline "
                   "[default: $FACTCHECK_PUBMED_MEMORY_LIMIT or 128MB].")
def load(files: tuple[Path, ...], db: str, force: bool, workers: int | None,
         memory_limit: str | None) -> None:
    """Load NLM PubMed XML files (baseline or update, .xml or .xml.gz), in the order given.

    Each file loads in one transaction; a file already loaded is skipped; DeleteCitation and
    retractions are applied; the full-text index is rebuilt at the end. The loaded copy is
    published (by atomic rename, the database alone) only when the data-quality checks pass.
    Exits 1 when a file failed (the others are loaded) or the checks rejected the load (the copy
    is kept as <db>.rejected), 2 when another run holds the database.
    """
    sys.exit(_load_or_busy(db, list(files), force, workers, memory_limit))


@pubmed.command()
@click.option("--query", "-q", required=True, help='PubMed query, e.g. "ketamine AND depression[mh]".')
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="Database to load into (created if missing).")
@click.option("--api-key", envvar="NCBI_API_KEY", default=None,
              help="NCBI API key (10 requests/s instead of 3) [env: NCBI_API_KEY].")
@click.option("--email", envvar="NCBI_EMAIL", default=None, help="Contact e-mail sent to NCBI [env: NCBI_EMAIL].")
@click.option("--max", "max_records", type=click.IntRange(min=1), default=None,
              help="Fetch at most this many records (newest first as NCBI sorts them).")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True,
              help="Records per efetch request.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where NCBI's answers are kept as XML files [default: next to the database, pubmed_fetch/].")
@click.option("--base-url", default=None, hidden=True, help="E-utilities base URL (tests, mirrors).")
def fetch(query: str, db: str, api_key: str | None, email: str | None, max_records: int | None,
          batch_size: int, cache_dir: Path | None, base_url: str | None) -> None:
    """Fetch the records matching a PubMed query through E-utilities and load them."""
    from ..pubmed.eutils import EUTILS_BASE, EutilsClient, EutilsError, fetch_to_files

    cache = cache_dir or Path(db).resolve().parent / "pubmed_fetch"
    try:
        with EutilsClient(api_key=api_key, email=email, base_url=base_url or EUTILS_BASE) as client:
            with console.status(f"fetching {query!r} from PubMed"):
                paths = fetch_to_files(client, query, cache, max_records=max_records,
                                       batch_size=batch_size)
    except EutilsError as exc:
        raise click.ClickException(str(exc)) from exc
    console.print(f"{len(paths)} batch file(s) under {cache}")
    if not paths:
        console.print("no records matched; nothing to load")
        return
    sys.exit(_load_or_busy(db, paths, force=False, workers=0))
