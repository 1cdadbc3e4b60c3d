"""``factcheck triage``: editors' decisions on flagged claims (also made in the dashboard)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from ..settings import DEFAULT_DB

console = Console()

DB_OPTION = click.option("--db", default=DEFAULT_DB, show_default=True,
                         type=click.Path(dir_okay=False),
                         help="Published database (read only; decisions go to triage.duckdb beside it).")


@click.group()
def triage() -> None:
    """Mark flagged claims reviewed, dismissed or escalated, and list the decisions.

    Decisions live in triage.duckdb beside the published database (or FACTCHECK_TRIAGE_DB);
    the nightly run reads them to show which flags are still open, and a decision holds while
    the claim's sentence is unchanged and it gains no new flag."""


@triage.command("mark")
@click.argument("claim_id")
@click.option("--status", required=True, type=click.Choice(["reviewed", "dismissed", "escalated", "open"]))
@click.option("--note", help="Why (shown in the report and the dashboard).")
@click.option("--editor", default=None, help="Who decided [default: the login name].")
@DB_OPTION
def mark(claim_id: str, status: str, note: str | None, editor: str | None, db: str) -> None:
    """Record a decision on the current claim CLAIM_ID (see claims.jsonl or the dashboard)."""
    from ..store.triage import TriageError, record_decision, triage_path

    if not Path(db).exists():
        console.print(f"[red]error:[/red] {escape(db)} does not exist", soft_wrap=True)
        sys.exit(2)
    try:
        decision = record_decision(db, claim_id, status, note=note, editor=editor or getpass.getuser())
    except TriageError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        sys.exit(2)
    console.print(f"{escape(decision.status)}: “{escape(decision.sentence)}” "
                  f"(recorded in {escape(str(triage_path(db)))})", soft_wrap=True, highlight=False)
    if not decision.flags:
        console.print("[yellow]warning:[/yellow] this claim has no flag: the report shows decisions "
                      "on flagged claims only, and a flag it gains later opens it again (a decision "
                      "holds for the flags it was made on)", soft_wrap=True)


@triage.command("list")
@click.option("--limit", default=50, show_default=True)
@DB_OPTION
def list_decisions(limit: int, db: str) -> None:
    """The latest decisions, newest first."""
    from ..store.triage import TriageError, history, triage_path

    if not Path(db).exists() and not triage_path(db).exists():   # FACTCHECK_TRIAGE_DB may name it
        console.print(f"[red]error:[/red] {escape(db)} does not exist", soft_wrap=True)
        sys.exit(2)
    try:
        rows = history(triage_path(db), limit)
    except TriageError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        sys.exit(2)
    if not rows:
        console.print("no decisions recorded yet")
        return
    for r in rows:
        console.print(f"{r['decided_at']:%Y-%m-%d %H:%M} {escape(r['status']):<9} "
                      f"{escape(r['editor'] or '-')}: “{escape(r['sentence'])}”"
                      + (f" · {escape(r['note'])}" if r["note"] else "")
                      # the brackets escaped, not only their content: "[b75c…]" would be read as
                      # a markup tag and vanish
                      + escape(f" [{r['claim_id']}]"),
                      soft_wrap=True, highlight=False)
