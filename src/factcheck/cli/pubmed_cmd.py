"""``factcheck pubmed load|fetch|split``: fill the PubMed reference file from NLM files or from
an E-utilities query; move it out of an older database. A thin layer over
:func:`factcheck.reference.load_reference` and :mod:`factcheck.store.reference`."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..settings import DEFAULT_DB

console = Console(stderr=True)



@click.group()
def pubmed() -> None:
    """Load and refresh the PubMed reference table."""


def _reference_for(db: str, reference: str | None) -> Path:
    """The reference file to load: ``--reference``, else the one beside ``--db`` (moving the
    records of a database made before the split there first, once)."""
    from ..store.publish import WriterLock
    from ..store.reference import needs_split, reference_path, split

    if reference:
        default = reference_path(db)
        if default is None or Path(reference).resolve() != default.resolve():
            console.print(f"[yellow]note:[/yellow] runs on {db} find this reference only with "
                          f"FACTCHECK_REFERENCE_DB={Path(reference).resolve()}", soft_wrap=True)
        return Path(reference)
    if needs_split(db):
        with WriterLock(db), console.status(f"moving the PubMed reference out of {db}"):
            moved = split(db)
        console.print(f"moved {moved['records']:,} PubMed records from {db} to {moved['reference']}"
                      f" (once); {db} went from {moved['bytes_before']:,} to {moved['bytes_after']:,}"
                      " bytes", soft_wrap=True)
    found = reference_path(db)
    assert found is not None
    return found


def _load(db: str, files: list[Path], force: bool, workers: int | None,
          memory_limit: str | None = None, reference: str | None = None, kind: str = "load",
          reindex: bool = False) -> int:
    from ..pubmed.load import FileResult
    from ..reference import load_reference

    target = _reference_for(db, reference)
    # the reference's lifecycle (factcheck.reference.load_reference): its lock, a working copy, the
    # data-quality gate, then publish by atomic rename or keep the copy as <reference>.rejected
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
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

        # each failed file is printed here, on its progress line and again at the end: the
        # loader's own ERROR line for it would be a third copy (shown with -v)
        loader_log = logging.getLogger("factcheck.pubmed.load")
        ctx = click.get_current_context(silent=True)
        quiet = not (ctx and ctx.find_root().params.get("verbose"))
        level = loader_log.level
        if quiet:
            loader_log.setLevel(logging.CRITICAL)
        try:
            loaded = load_reference(target, files, kind=kind, progress=progress, force=force,
                                    workers=workers, memory_limit=memory_limit, reindex=reindex,
                                    embed_progress=bar)
        finally:
            loader_log.setLevel(level)
        summary = loaded.summary
        if summary.fts_rebuilt:
            bar.console.print(f"full-text index {summary.fts_mode} in {summary.fts_seconds:.1f} s")
        elif summary.fts_error:
            bar.console.print(f"[red]{summary.fts_error}[/red]", soft_wrap=True, highlight=False)
        if loaded.embedded:
            from ..evidence import vectors

            bar.console.print(f"embedded {loaded.embedded:,} records ({vectors.MODEL}, embed extra)")
    if loaded.status == "rejected":
        console.print(f"[red]data-quality checks failed[/red]: nothing was published; the loaded copy"
                      f" is kept as {loaded.rejected}", soft_wrap=True)
        for failure in loaded.checks["failures"]:
            console.print(f"  - {failure}", soft_wrap=True, highlight=False)
        return 1
    counts = summary.as_dict()
    console.print(" · ".join(f"{name} {counts[name]:,}" for name in (
        "files", "records", "inserted", "updated", "unchanged", "deleted", "retracted", "errors")),
        soft_wrap=True)
    table = loaded.table
    state = "published" if loaded.status == "published" else "unchanged, nothing to publish"
    console.print(f"the reference holds {table['records']:,} records, {table['retracted']:,} "
                  f"retracted, {table['with_abstract']:,} with an abstract ({target}: {state})",
                  soft_wrap=True)
    for result in summary.files:
        if result.status == "failed":
            console.print(f"[red]failed[/red] {result.error}", soft_wrap=True, highlight=False)
    return 1 if summary.n_failed or summary.fts_error else 0


def _load_or_busy(db: str, files: list[Path], force: bool, workers: int | None,
                  memory_limit: str | None = None, reference: str | None = None,
                  kind: str = "load", reindex: bool = False) -> int:
    """:func:`_load`, or exit status 2 with one line when another process is writing the
    reference (or the database it is split from)."""
    from ..store.db import StoreError
    from ..store.publish import WriterBusy

    try:
        return _load(db, files, force, workers, memory_limit, reference, kind, reindex)
    except (WriterBusy, StoreError) as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True, highlight=False)
        return 2
    except KeyboardInterrupt:
        console.print("[yellow]interrupted:[/yellow] nothing was published; the reference is as "
                      "it was (run the same command again to load the files)", soft_wrap=True)
        return 130


REFERENCE_HELP = ("PubMed reference file to load [default: $FACTCHECK_REFERENCE_DB, else "
                  "reference.duckdb beside --db].")


@pubmed.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="Analyst database whose reference file is loaded (it need not exist yet).")
@click.option("--reference", default=None, type=click.Path(dir_okay=False), help=REFERENCE_HELP)
@click.option("--reindex", is_flag=True, help="Rebuild the full-text index from scratch.")
@click.option("--force", is_flag=True, help="Reload files already loaded (same sha256); still idempotent.")
@click.option("--workers", type=click.IntRange(0, 16), default=None,
              help="Parsing processes [default: one per file up to the CPU count, at most 4;"
                   " 0 parses in the main process].")
@click.option("--memory-limit", default=None, metavar="SIZE",
              help="DuckDB memory limit while loading, e.g. 8GB for a full baseline "
                   "[default: $FACTCHECK_PUBMED_MEMORY_LIMIT or 128MB].")
def load(files: tuple[Path, ...], db: str, reference: str | None, reindex: bool, force: bool,
         workers: int | None, memory_limit: str | None) -> None:
    """Load NLM PubMed XML files (baseline or update, .xml or .xml.gz), in the order given,
    into the PubMed reference file (reference.duckdb beside --db).

    Each file loads in one transaction; a file already loaded is skipped; DeleteCitation and
    retractions are applied; the full-text index is brought up to date at the end. The loaded
    copy of the reference is published (by atomic rename) only when its data-quality checks
    pass; nightly runs and analysts attach it read-only. Exits 1 when a file failed (the others
    are loaded) or the checks rejected the load (the copy is kept as <reference>.rejected), 2
    when another process is loading the same reference.
    """
    if not files and not reindex:
        raise click.UsageError("give PubMed XML files to load (or --reindex alone)")
    sys.exit(_load_or_busy(db, list(files), force, workers, memory_limit, reference,
                           reindex=reindex))


@pubmed.command()
@click.option("--query", "-q", required=True, help='PubMed query, e.g. "ketamine AND depression[mh]".')
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="Analyst database whose reference file is loaded (it need not exist yet).")
@click.option("--reference", default=None, type=click.Path(dir_okay=False), help=REFERENCE_HELP)
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
def fetch(query: str, db: str, reference: str | None, api_key: str | None, email: str | None, max_records: int | None,
          batch_size: int, cache_dir: Path | None, base_url: str | None) -> None:
    """Fetch the records matching a PubMed query through E-utilities and load them."""
    from ..pipeline import eutils_refusal
    from ..pubmed.eutils import EUTILS_BASE, EutilsClient, EutilsError, fetch_to_files
    from ..settings import get_settings

    # NCBI's, unless FACTCHECK_EUTILS_BASE names a mirror; guarded as --fetch-evidence is
    base_url = base_url or get_settings().eutils_base or EUTILS_BASE
    refused = eutils_refusal(base_url)
    if refused:
        console.print(f"[red]E-utilities at {escape(base_url)} refused:[/] {escape(refused)}",
                      soft_wrap=True)
        sys.exit(2)
    cache = cache_dir or Path(db).resolve().parent / "pubmed_fetch"
    try:
        with EutilsClient(api_key=api_key, email=email, base_url=base_url) as client:
            with console.status(f"fetching {query!r} from PubMed"):
                paths = fetch_to_files(client, query, cache, max_records=max_records,
                                       batch_size=batch_size)
    except EutilsError as exc:
        raise click.ClickException(str(exc)) from exc
    console.print(f"{len(paths)} batch file(s) under {cache}")
    if not paths:
        console.print("no records matched; nothing to load")
        return
    sys.exit(_load_or_busy(db, paths, force=False, workers=0, reference=reference, kind="fetch"))


@pubmed.command("split")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False, exists=True),
              help="Analyst database made before the reference had its own file.")
@click.option("--reference", default=None, type=click.Path(dir_okay=False),
              help="Where the reference goes [default: $FACTCHECK_REFERENCE_DB, else reference.duckdb "
                   "beside --db].")
def split_cmd(db: str, reference: str | None) -> None:
    """Move the PubMed reference out of a database made before it had its own file.

    Builds the reference file (records, load log, vectors, a fresh full-text index), then
    rewrites the database without them, each put in place by atomic rename. Every writing
    command (run, demo, pubmed load) does this on its own when it meets such a database; this
    does it now. Exits 2 when a run holds the database or the reference file already holds
    other records."""
    from ..store.db import StoreError
    from ..store.publish import WriterBusy, WriterLock
    from ..store.reference import needs_split, reference_path, split

    if not needs_split(db):
        console.print(f"{db} holds no PubMed records of its own; its reference is "
                      f"{reference or reference_path(db)}", soft_wrap=True)
        return
    try:
        with WriterLock(db), console.status(f"moving the PubMed reference out of {db}"):
            moved = split(db, reference)
    except (WriterBusy, StoreError) as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True, highlight=False)
        sys.exit(2)
    console.print(f"moved {moved['records']:,} PubMed records to {moved['reference']}; {db} went from "
                  f"{moved['bytes_before']:,} to {moved['bytes_after']:,} bytes", soft_wrap=True)
