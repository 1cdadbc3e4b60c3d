"""``factcheck dq``: the data-quality results of the latest run (or of one run)."""

from __future__ import annotations

import sys
from contextlib import closing
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from ..settings import DEFAULT_DB

console = Console()


@click.command()
@click.option("--db", default=DEFAULT_DB, show_default=True,
              type=click.Path(dir_okay=False), help="Published database to read (read-only).")
@click.option("--run", "run_id", help="A run id (default: the latest run with checks recorded).")
@click.option("--all", "show_all", is_flag=True, help="List every check, not only the failed ones.")
@click.option("--check", "check_now", is_flag=True,
              help="Validate every row of the database now (a run checks the rows it wrote) and "
                   "print the outcome; nothing is recorded. A reference file beside the database "
                   "is not validated again (its own load checked it).")
def dq(db: str, run_id: str | None, show_all: bool, check_now: bool) -> None:
    """Data-quality checks of the latest run: a summary, then each failed check (every check
    with --all) with its table, column, severity and what was observed.

    Exit status: 0 every blocking check passed; 1 a blocking check (severity error) failed, so
    that run was not published (with --check: the database fails it now); 2 no database or no
    checks recorded."""
    from ..store.db import connect
    from ..store.quality import dq_report

    if not Path(db).exists():
        console.print(f"[red]error:[/red] {escape(db)} does not exist: run `factcheck demo` or "
                      "`factcheck run` first", soft_wrap=True)
        sys.exit(2)
    if check_now:
        if run_id:
            raise click.UsageError("--check validates the database as it is now; it takes no --run")
        from ..quality.checks import run_checks

        with console.status("validating every row"), closing(connect(db, read_only=True)) as con:
            empty = not con.execute("SELECT count(*) FROM pubmed").fetchone()[0]
            resting = con.execute("SELECT count(*) FROM evidence").fetchone()[0]
            if empty and resting:
                # every evidence row would fail as naming an unknown record: say why instead
                from ..store.reference import reference_path
                console.print(f"[red]error:[/red] the PubMed reference "
                              f"{escape(str(reference_path(db)))} is missing or empty, but "
                              f"{resting:,} evidence rows of {escape(db)} rest on it: put the "
                              "reference file beside the database (or point FACTCHECK_REFERENCE_DB "
                              "at it) and check again", soft_wrap=True)
                sys.exit(2)
            report = run_checks(con)
        results = [{"table_name": r.table, "column_name": r.column, "expectation": r.expectation,
                    "success": r.success, "severity": r.severity, "observed": r.observed}
                   for r in report.results]
        console.print(f"{escape(db)} · every row, checked now", soft_wrap=True)
        _show(results, show_all)
    with closing(connect(db, read_only=True)) as con:
        found = dq_report(con, run_id)
    if found is None:
        console.print(f"[red]error:[/red] no data-quality checks recorded in {escape(db)}"
                      + (f" for run {escape(run_id)}" if run_id else ""), soft_wrap=True)
        sys.exit(2)
    run, results = found
    console.print(f"run {escape(str(run['run_id']))} · {escape(str(run.get('status', '?')))} · "
                  f"started {run.get('started_at') or '?'}", soft_wrap=True)
    _show(results, show_all)


def _show(results: list[dict], show_all: bool) -> None:
    """Print the summary and the failed checks (every check with ``show_all``); exit 1 when a
    blocking one failed, else 0."""
    failed_errors = [r for r in results if not r["success"] and r["severity"] == "error"]
    failed_warnings = [r for r in results if not r["success"] and r["severity"] != "error"]
    mark = "[red]✗[/red]" if failed_errors else ("[yellow]![/yellow]" if failed_warnings else "[green]✓[/green]")
    console.print(f"{mark} checks {len(results)}: passed {len(results) - len(failed_errors) - len(failed_warnings)}, "
                  f"failed errors {len(failed_errors)}, failed warnings {len(failed_warnings)}")
    shown = results if show_all else failed_errors + failed_warnings
    for r in shown:   # one line a check: readable in a log, easy to grep
        where = r["table_name"] + (f".{r['column_name']}" if r["column_name"] else "")
        status = "✓" if r["success"] else ("✗" if r["severity"] == "error" else "!")
        console.print(f"{status} {r['severity']:<7} {escape(where)} {escape(r['expectation'])}"
                      + (f": {escape(str(r['observed']))}" if r["observed"] else ""),
                      soft_wrap=True, highlight=False)
    sys.exit(1 if failed_errors else 0)
