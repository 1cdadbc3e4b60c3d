"""The ``factcheck`` command line: a thin layer over the library; every command calls one
library function. Stage-specific commands live in their own modules of this package."""

from __future__ import annotations

import gc
import logging

import click

from .. import __version__
from .clean_cmd import clean
from .check_cmd import check
from .claims_cmd import claims
from .dashboard_cmd import dashboard
from .dq_cmd import dq
from .pipeline_cmd import demo, run, schedule
from .pubmed_cmd import pubmed
from .triage_cmd import triage


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="factcheck")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """factcheck: find health claims in articles and check them against PubMed."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # a line per documented function at import, even under -v: never useful to a user
    logging.getLogger("great_expectations._docs_decorators").setLevel(logging.WARNING)
    if not verbose:
        # trafilatura warns ("discarding data: None") without naming the page; the clean
        # stage records a page it could not extract (`pipeline_errors`), with its name
        logging.getLogger("trafilatura").setLevel(logging.ERROR)


cli.add_command(demo)
cli.add_command(run)
cli.add_command(schedule)
cli.add_command(clean)
cli.add_command(claims)
cli.add_command(check)
cli.add_command(pubmed)
cli.add_command(dq)
cli.add_command(triage)
cli.add_command(dashboard)


def main() -> None:
    try:
        cli()
    finally:
        # A run leaves about 400,000 objects (Prefect, Great Expectations, pandas) that the
        # interpreter's collections at exit walk only to free memory the process hands back to
        # the system anyway: a second of a two-core machine's wall time per run. Frozen, they
        # are skipped; the exit handlers (log and event flushes, temporary server's stop)
        # still run, and every file and database was closed by the command itself.
        gc.freeze()
