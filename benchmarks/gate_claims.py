"""Quality gate for claim extraction: fail when a metric drops below its pinned floor.

Floors live in benchmarks/floors/claims.json, per split (dev, test) and metric (precision,
recall, type_accuracy, certainty_accuracy). A drop smaller than ``epsilon`` is noise and passes.
Runs in seconds on the labelled texts in data/labelled/ (no external data), for CI. The floors are
those of the default model (``model.json``), which the gate passes explicitly whatever the
settings choose:

    python benchmarks/gate_claims.py                      # check; exit 1 on a regression
    python benchmarks/gate_claims.py --update             # raise floors to the current figures
    python benchmarks/gate_claims.py --update --allow-regression   # also lower them (say why
                                                          # in the commit message)

``--update`` never lowers a floor unless ``--allow-regression`` is given, and a refused update
writes nothing. The floors pin the digest of data/labelled/: on changed labels the gate refuses
(exit 2) until ``--update --new-corpus`` re-pins them (``benchmarks/gates.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLOORS = HERE / "floors" / "claims.json"
METRICS = ("precision", "recall", "type_accuracy", "certainty_accuracy")

sys.path.insert(0, str(HERE))
from eval_claims import LABELLED, claim_model, evaluate  # noqa: E402
from gates import add_arguments, conclude, corpus_digest, load_floors  # noqa: E402


def corpus_files() -> list[Path]:
    """The labelled texts and their labels as the manifest names them, and the manifest (a
    stray file in data/labelled/ is not part of the corpus)."""
    manifest = LABELLED / "manifest.json"
    entries = json.loads(manifest.read_text(encoding="utf-8"))["texts"]
    return [manifest, *(LABELLED / e[k] for e in entries for k in ("text", "labels"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser, FLOORS)
    args = parser.parse_args(argv)

    floors = load_floors(args.floors, 0.005, ("dev", "test"))
    # The floors are the default model's (model.json), passed explicitly: whatever the settings
    # choose (FACTCHECK_CLAIMS_EMBED=on would choose model_embed.json).
    current, _, _ = evaluate(tuple(floors["floors"]), models=claim_model.models_from(claim_model.MODEL_PATH))
    for split in floors["floors"]:
        m = current.get(split)
        if m:
            print(f"{split:5} " + "  ".join(f"{k}={m[k]:.3f}" for k in METRICS))
    return conclude(current, floors, args, METRICS, "claims", corpus_digest(corpus_files()))


if __name__ == "__main__":
    raise SystemExit(main())
