"""The floors logic shared by the quality gates (``gate_claims.py``, ``gate_clean.py``,
``gate_verdicts.py``), after trafilatura's evaluation gate.

A floors file pins, per split and metric, the figure a change must not fall below (less a
noise ``epsilon``), and the digest of the corpus the figures were measured on::

    {"epsilon": 0.005,
     "corpus": {"sha256": "…", "files": 58},
     "floors": {"dev": {"precision": 0.943, …}, "test": {…}}}

- A gate run on a corpus whose digest is not the pinned one refuses (exit 2) and writes
  nothing: figures on other texts are not comparable with the floors. After changing the
  corpus on purpose, ``--update --new-corpus`` measures it and pins its figures and digest.
- ``--update`` raises floors to the current figures. It never lowers one without
  ``--allow-regression``; a refused update writes nothing (exit 1).
- Otherwise: exit 1 when a figure is below its floor by more than ``epsilon``, else 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpus_digest(files: Iterable[Path], root: Path = ROOT) -> dict:
    """sha256 over the corpus files' paths (relative to ``root``) and bytes, in path order."""
    digest = hashlib.sha256()
    paths = sorted({Path(f).resolve() for f in files})
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return {"sha256": digest.hexdigest(), "files": len(paths)}


def add_arguments(parser: argparse.ArgumentParser, floors: Path) -> None:
    parser.add_argument("--update", action="store_true",
                        help="raise the pinned floors to the current figures")
    parser.add_argument("--allow-regression", action="store_true",
                        help="with --update: also lower floors (say why in the commit message)")
    parser.add_argument("--new-corpus", action="store_true",
                        help="with --update: the corpus changed on purpose; pin its digest and "
                             "its current figures as the floors")
    parser.add_argument("--floors", type=Path, default=floors, help="the pinned floors (JSON)")


def load_floors(path: Path, epsilon: float, splits: Iterable[str] = ()) -> dict:
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"epsilon": epsilon, "floors": {s: {} for s in splits}}


def check(current: dict[str, dict], floors: dict) -> list[str]:
    """Messages for every metric below its floor by more than epsilon (empty: gate passes)."""
    eps = float(floors.get("epsilon", 0.0))
    failures = []
    for split, pinned in floors["floors"].items():
        if split not in current:
            failures.append(f"{split}: no figures for this split")
            continue
        for metric, floor in pinned.items():
            value = current[split][metric]
            if value < floor - eps:
                failures.append(f"{split} {metric}: {value:.3f} < floor {floor:.3f} "
                                f"(epsilon {eps})")
    return failures


def updated(current: dict[str, dict], floors: dict, allow_regression: bool,
            metrics: tuple[str, ...], digits: int = 3) -> tuple[dict, list[str]]:
    """Floors raised to the current figures (lowered too only with allow_regression), and the
    lowerings refused."""
    new = json.loads(json.dumps(floors))
    refused = []
    for split, pinned in new["floors"].items():
        for metric in metrics:
            value = round(current[split][metric], digits)
            old = pinned.get(metric)
            if old is None or value >= old or allow_regression:
                pinned[metric] = value
            else:
                refused.append(f"{split} {metric}: {value:.{digits}f} < {old:.{digits}f} kept "
                               "(pass --allow-regression to lower it)")
    return new, refused


def conclude(current: dict[str, dict], floors: dict, args: argparse.Namespace,
             metrics: tuple[str, ...], name: str, corpus: dict | None = None,
             digits: int = 3) -> int:
    """Check the figures against the floors, or write raised floors (``--update``); the exit
    status of a gate: 0 pass, 1 regression or refused update, 2 corpus changed."""
    pinned = floors.get("corpus")
    new_corpus = args.update and getattr(args, "new_corpus", False)
    if corpus and pinned and pinned.get("sha256") != corpus["sha256"] and not new_corpus:
        print(f"REFUSED: the {name} gate's corpus changed ({pinned.get('files')} files, "
              f"{str(pinned.get('sha256'))[:12]} pinned in {args.floors}; {corpus['files']} files, "
              f"{corpus['sha256'][:12]} now). Figures on other texts are not comparable with the "
              "floors. If the change is meant, re-pin with --update --new-corpus and say why in "
              "the commit message.")
        return 2
    if args.update:
        if new_corpus:
            new = json.loads(json.dumps(floors))
            new["floors"] = {split: {m: round(current[split][m], digits) for m in metrics}
                             for split in floors["floors"]}
        else:
            new, refused = updated(current, floors, args.allow_regression, metrics, digits)
            if refused:
                for line in refused:
                    print(f"refused: {line}")
                print(f"nothing written to {args.floors}")
                return 1
        if corpus:
            new = {"epsilon": new.get("epsilon", 0.0), "corpus": corpus,
                   **{k: v for k, v in new.items() if k not in ("epsilon", "corpus")}}
        args.floors.parent.mkdir(parents=True, exist_ok=True)
        args.floors.write_text(json.dumps(new, indent=2) + "\n", encoding="utf-8")
        print(f"floors written to {args.floors}")
        return 0
    if corpus and not pinned:
        print(f"note: {args.floors} pins no corpus digest; --update pins it")
    failures = check(current, floors)
    for line in failures:
        print(f"REGRESSION {line}")
    if failures:
        return 1
    print(f"{name} quality gate: pass")
    return 0
