"""Quality gate for claim extraction: fail when a metric drops below its pinned floor.

Floors live in benchmarks/floors/claims.json, per split (dev, test) and metric (precision,
recall, type_accuracy, certainty_accuracy). A drop smaller than ``epsilon`` is noise and passes.
Runs in seconds on the labelled texts in data/labelled/ (no external data), for CI. The floors are
those of the default install's model (``model.json``), which the gate uses even where the
``embed`` extra is installed:

    python benchmarks/gate_claims.py                      # check; exit 1 on a regression
    python benchmarks/gate_claims.py --update             # raise floors to the current figures
    python benchmarks/gate_claims.py --update --allow-regression   # also lower them (say why
                                                          # in the commit message)

``--update`` never lowers a floor unless ``--allow-regression`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLOORS = HERE / "floors" / "claims.json"
METRICS = ("precision", "recall", "type_accuracy", "certainty_accuracy")

sys.path.insert(0, str(HERE))
from eval_claims import evaluate, learned  # noqa: E402


def load_floors(path: Path = FLOORS) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def check(current: dict[str, dict], floors: dict) -> list[str]:
    """Messages for every metric below its floor by more than epsilon (empty: gate passes)."""
    eps = float(floors.get("epsilon", 0.0))
    failures = []
    for split, pinned in floors["floors"].items():
        if split not in current:
            failures.append(f"{split}: no labelled texts found for this split")
            continue
        for metric, floor in pinned.items():
            value = current[split][metric]
            if value < floor - eps:
                failures.append(f"{split} {metric}: {value:.3f} < floor {floor:.3f} "
                                f"(epsilon {eps})")
    return failures


def updated(current: dict[str, dict], floors: dict, allow_regression: bool,
            metrics: tuple[str, ...] = METRICS) -> tuple[dict, list[str]]:
    """Floors raised to the current figures (lowered too only with allow_regression)."""
    new = json.loads(json.dumps(floors))
    refused = []
    for split, pinned in new["floors"].items():
        for metric in metrics:
            value = round(current[split][metric], 3)
            old = pinned.get(metric)
            if old is None or value >= old or allow_regression:
                pinned[metric] = value
            else:
                refused.append(f"{split} {metric}: {value:.3f} < {old:.3f} kept "
                               "(pass --allow-regression to lower it)")
    return new, refused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="raise floors to current figures")
    parser.add_argument("--allow-regression", action="store_true",
                        help="with --update, also lower floors")
    parser.add_argument("--floors", type=Path, default=FLOORS, help="floors file")
    args = parser.parse_args(argv)

    floors = load_floors(args.floors)
    # The floors are the default install's (model.json), also where the embed extra is installed
    # (which would otherwise decide with model_embed.json).
    previous = os.environ.get(learned.MODEL_ENV)
    os.environ[learned.MODEL_ENV] = str(learned.MODEL_PATH)
    try:
        current, _, _ = evaluate(tuple(floors["floors"]))
    finally:
        if previous is None:
            os.environ.pop(learned.MODEL_ENV, None)
        else:
            os.environ[learned.MODEL_ENV] = previous
    for split in floors["floors"]:
        m = current.get(split)
        if m:
            print(f"{split:5} " + "  ".join(f"{k}={m[k]:.3f}" for k in METRICS))
    return conclude(current, floors, args, METRICS, "claims")


def conclude(current: dict[str, dict], floors: dict, args, metrics: tuple[str, ...], name: str) -> int:
    """Write raised floors (``--update``) or check them; the exit status of a gate."""
    if args.update:
        new, refused = updated(current, floors, args.allow_regression, metrics)
        for line in refused:
            print(f"refused: {line}")
        args.floors.write_text(json.dumps(new, indent=2) + "\n", encoding="utf-8")
        print(f"floors written to {args.floors}")
        return 1 if refused else 0
    failures = check(current, floors)
    for line in failures:
        print(f"REGRESSION {line}")
    if failures:
        return 1
    print(f"{name} quality gate: pass")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
