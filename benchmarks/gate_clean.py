"""Quality gate for boilerplate removal on the project's own labelled pages (runs in seconds).

Cleans every fixture in ``tests/fixtures/clean`` (16 health-site HTML pages and the four bundled
plain-text samples), scores the bodies with the benchmark's 4-gram shingle metric and checks
the figures against the floors pinned in ``benchmarks/floors/clean.json``:

* exit 0 when every figure is at or above its floor (within ``epsilon``);
* exit 1 when one drops below its floor (a regression), naming the figure and the pages;
* exit 2 when the pages or their expectations are not those the floors were pinned on
  (their digest); ``--update --new-corpus`` re-pins them;
* ``--update`` writes the current figures as the new floors when they are higher;
  lowering a floor needs ``--update --allow-regression`` as well (a refused update writes
  nothing). The floors logic is ``benchmarks/gates.py``, shared by every gate.

Usage::

    .venv/bin/python benchmarks/gate_clean.py [--update [--allow-regression | --new-corpus]] [-v]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from factcheck.clean import clean_document

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # the research tools (a checkout)
from research.clean_evaluate import check_fixture, load_fixtures, summarise  # noqa: E402
from gates import add_arguments, conclude, corpus_digest, load_floors  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "clean"
FLOORS = ROOT / "benchmarks" / "floors" / "clean.json"
METRICS = ("f1", "precision", "recall", "kinds_recall", "pages_without_problems")
#: The floors file's one split: the project's own labelled pages.
SPLIT = "fixtures"

console = Console(width=160)


def measure() -> tuple[dict[str, float], list]:
    fixtures = load_fixtures(FIXTURES)
    scores = [check_fixture(f, clean_document(f.read(), f.content_type)) for f in fixtures]
    return summarise(scores), scores


def corpus_files() -> list[Path]:
    """The labelled pages and their expectations."""
    return [p for f in load_fixtures(FIXTURES) for p in (f.path, FIXTURES / f"{f.name}.expected.json")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, FLOORS)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every page")
    args = parser.parse_args(argv)

    current, scores = measure()
    floors = load_floors(args.floors, 0.002, (SPLIT,))
    pinned: dict[str, float] = floors["floors"].get(SPLIT, {})
    epsilon = float(floors.get("epsilon", 0.002))

    table = Table(title=f"boilerplate gate: {len(scores)} labelled pages of {FIXTURES.relative_to(ROOT)}")
    for column in ("figure", "current", "floor", "status"):
        table.add_column(column)
    for metric in METRICS:
        floor = pinned.get(metric)
        ok = floor is None or current[metric] >= floor - epsilon
        table.add_row(metric, f"{current[metric]:.4f}", "-" if floor is None else f"{floor:.4f}",
                      "[green]ok[/green]" if ok else "[red]BELOW FLOOR[/red]")
    console.print(table)
    for score in scores:
        if score.problems or args.verbose:
            console.print(f"  {score.name}: P {score.precision:.3f} R {score.recall:.3f}"
                          + "".join(f"\n    - {p}" for p in score.problems))
    return conclude({SPLIT: current}, floors, args, METRICS, "boilerplate",
                    corpus_digest(corpus_files()), digits=4)


if __name__ == "__main__":
    sys.exit(main())
