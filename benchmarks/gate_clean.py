"""Quality gate for boilerplate removal on the project's own labelled pages (runs in seconds).

Cleans every fixture in ``tests/fixtures/clean`` (16 health-site HTML pages and the four bundled
plain-text samples), scores the bodies with the benchmark's 4-gram shingle metric and checks
the figures against the floors pinned in ``benchmarks/floors/clean.json``:

* exit 0 when every figure is at or above its floor (within ``epsilon``);
* exit 1 when one drops below its floor (a regression), naming the figure and the pages;
* ``--update`` writes the current figures as the new floors when they are higher;
  lowering a floor needs ``--update --allow-regression`` as well.

Usage::

    .venv/bin/python benchmarks/gate_clean.py [--update [--allow-regression]] [-v]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from factcheck.clean import clean_document
from factcheck.clean.evaluate import check_fixture, load_fixtures, summarise

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "clean"
FLOORS = ROOT / "benchmarks" / "floors" / "clean.json"
METRICS = ("f1", "precision", "recall", "kinds_recall", "pages_without_problems")

console = Console(width=160)


def measure() -> tuple[dict[str, float], list]:
    fixtures = load_fixtures(FIXTURES)
    scores = [check_fixture(f, clean_document(f.read(), f.content_type)) for f in fixtures]
    return summarise(scores), scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true",
                        help="raise the pinned floors to the current figures")
    parser.add_argument("--allow-regression", action="store_true",
                        help="with --update: also lower floors that the current figures are below")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every page")
    parser.add_argument("--floors", type=Path, default=FLOORS, help="the pinned floors (JSON)")
    args = parser.parse_args(argv)
    floors_path: Path = args.floors

    current, scores = measure()
    pinned = (json.loads(floors_path.read_text()) if floors_path.exists()
              else {"epsilon": 0.002, "floors": {}})
    floors: dict[str, float] = pinned["floors"]
    epsilon = float(pinned.get("epsilon", 0.002))

    table = Table(title=f"boilerplate gate: {len(scores)} labelled pages of {FIXTURES.relative_to(ROOT)}")
    for column in ("figure", "current", "floor", "status"):
        table.add_column(column)
    failed = []
    for metric in METRICS:
        floor = floors.get(metric)
        ok = floor is None or current[metric] >= floor - epsilon
        if not ok:
            failed.append(metric)
        table.add_row(metric, f"{current[metric]:.4f}", "-" if floor is None else f"{floor:.4f}",
                      "[green]ok[/green]" if ok else "[red]BELOW FLOOR[/red]")
    console.print(table)
    for score in scores:
        if score.problems or args.verbose:
            console.print(f"  {score.name}: P {score.precision:.3f} R {score.recall:.3f}"
                          + "".join(f"\n    - {p}" for p in score.problems))

    if args.update:
        new = dict(floors)
        for metric in METRICS:
            value = round(current[metric], 4)
            if metric not in floors or value > floors[metric]:
                new[metric] = value
            elif value < floors[metric] - epsilon:
                if not args.allow_regression:
                    console.print(f"[red]refusing to lower the {metric} floor {floors[metric]:.4f} → "
                                  f"{value:.4f}; pass --allow-regression to accept the regression[/red]")
                    return 1
                new[metric] = value
        floors_path.parent.mkdir(parents=True, exist_ok=True)
        floors_path.write_text(json.dumps({"epsilon": epsilon, "floors": new}, indent=2) + "\n")
        console.print(f"floors written to {floors_path}")
        return 0
    if failed:
        console.print(f"[red]gate failed: {', '.join(failed)} below the pinned floor[/red]")
        return 1
    console.print("[green]gate passed[/green]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
