"""``factcheck dashboard``: the Streamlit dashboard over the published database."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from ..settings import DEFAULT_DB

console = Console()


def streamlit_command(db: str, port: int, address: str) -> list[str]:
    """The command that serves the packaged app: headless, bound to ``address``, no usage
    statistics, the database after ``--``."""
    from ..dashboard import app

    return [sys.executable, "-m", "streamlit", "run", app.__file__,
            "--server.address", address, "--server.port", str(port), "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--global.developmentMode", "false",
            "--client.toolbarMode", "viewer",
            "--", "--db", str(Path(db).resolve())]


@click.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="Published database (opened read-only).")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
@click.option("--address", default="127.0.0.1", show_default=True,
              help="Address to bind; 0.0.0.0 exposes the dashboard (and its triage form) to the network.")
def dashboard(db: str, port: int, address: str) -> None:
    """Serve the dashboard: flagged claims by site, condition, intervention and verdict; verdicts
    over time; run history; a claim explorer with evidence; editors' triage decisions."""
    if importlib.util.find_spec("streamlit") is None:
        console.print("[red]error:[/red] the dashboard needs the `dashboard` extra: "
                      "pip install -c constraints.txt -e \".[dashboard]\"", soft_wrap=True)
        sys.exit(2)
    if not Path(db).exists():
        console.print(f"[red]error:[/red] {escape(db)} does not exist: run `factcheck demo` first",
                      soft_wrap=True)
        sys.exit(2)
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    console.print(f"dashboard on http://{escape(address)}:{port}/ over {escape(db)} (Ctrl-C stops it)")
    command = streamlit_command(db, port, address)
    if os.name == "posix":
        # this process becomes the server: a signal sent to its PID (kill, a service manager
        # stopping it) reaches Streamlit itself, which a child process would not get, and
        # would go on serving, orphaned
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, command, env)
    try:
        sys.exit(subprocess.call(command, env=env))
    except KeyboardInterrupt:
        sys.exit(0)
