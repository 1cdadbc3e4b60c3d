"""Evaluate claim extraction against the labelled texts in data/labelled/.

Prints, separately for the development texts (used to write the rules) and the held-out test
texts, the precision and recall of check-worthiness and the accuracy of claim type and certainty
on the correctly found claims. Runs in about a second; no data outside the repository.

    python benchmarks/eval_claims.py                 # table for dev and test
    python benchmarks/eval_claims.py --errors test   # also list each false positive / negative
    python benchmarks/eval_claims.py --json          # metrics as JSON (used by gate_claims.py)
    python benchmarks/eval_claims.py --mesh data/pubmed/pubmed_sample.xml.gz
                                 # as in the pipeline: with the MeSH vocabulary of a PubMed file

Matching: labels are sentences (see data/labelled/README.md) located in the text in order; a
predicted claim counts for the labelled sentence it overlaps most. A claim is a true positive when
that sentence is labelled check-worthy; a check-worthy sentence is found when a claim covers at
least half of it. Type and certainty accuracy are computed over true positives.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "data" / "labelled"
BUNDLED_PUBMED = ROOT / "data" / "pubmed" / "pubmed_sample.xml.gz"

try:
    from factcheck.claims import extract_claims
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))
    from factcheck.claims import extract_claims
from factcheck.claims import model as claim_model

sys.path.insert(0, str(ROOT))   # the research tools: run from a checkout, not installed
from research.claims_labelled import Row, load_rows
from research.claims_train import mesh_vocabulary


@dataclass
class TextResult:
    id: str
    split: str
    style: str
    rows: list[Row]
    round: int = 0      # the held-out round of the manifest note ("held-out round N"), else 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    type_ok: int = 0
    certainty_ok: int = 0
    errors: list[str] = field(default_factory=list)


def evaluate_text(entry: dict, vocabulary: set[str] | None = None,
                  models: claim_model.Models | None = None) -> tuple[TextResult, float]:
    text = (LABELLED / entry["text"]).read_text(encoding="utf-8")
    rows = load_rows(LABELLED / entry["labels"], text)
    found_round = re.search(r"held-out round (\d+)", entry.get("note", ""))
    result = TextResult(entry["id"], entry["split"], entry["style"], rows,
                        int(found_round.group(1)) if found_round else 0)
    t0 = time.perf_counter()
    claims = extract_claims(text, vocabulary, models=models)
    elapsed = time.perf_counter() - t0

    def overlap(a0: int, a1: int, b0: int, b1: int) -> int:
        return max(0, min(a1, b1) - max(a0, b0))

    found: set[int] = set()
    for claim in claims:
        best, best_ov = None, 0
        for i, row in enumerate(rows):
            ov = overlap(claim.start, claim.end, row.start, row.end)
            if ov > best_ov:
                best, best_ov = i, ov
        if best is None or not rows[best].worthy:
            result.fp += 1
            result.errors.append(f"FP [{claim.claim_type}/{claim.certainty} {claim.score:.2f}] "
                                 f"{claim.sentence[:110]}")
            continue
        row = rows[best]
        if best_ov * 2 >= (row.end - row.start):
            found.add(best)
        result.tp += 1
        if claim.claim_type == row.claim_type:
            result.type_ok += 1
        else:
            result.errors.append(f"TYPE {claim.claim_type} != {row.claim_type}: "
                                 f"{row.sentence[:100]}")
        if claim.certainty == row.certainty:
            result.certainty_ok += 1
        else:
            result.errors.append(f"CERT {claim.certainty} != {row.certainty}: "
                                 f"{row.sentence[:100]}")
    for i, row in enumerate(rows):
        if row.worthy and i not in found:
            result.fn += 1
            result.errors.append(f"FN [{row.claim_type}/{row.certainty}] {row.sentence[:110]}")
    return result, elapsed


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def summarise(results: list[TextResult]) -> dict:
    tp = sum(r.tp for r in results)
    fp = sum(r.fp for r in results)
    positives = sum(1 for r in results for row in r.rows if row.worthy)
    found = positives - sum(r.fn for r in results)
    precision = _ratio(tp, tp + fp)
    recall = _ratio(found, positives)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    return {
        "texts": len(results),
        "sentences": sum(len(r.rows) for r in results),
        "check_worthy": positives,
        "predicted": tp + fp,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "type_accuracy": _ratio(sum(r.type_ok for r in results), tp),
        "certainty_accuracy": _ratio(sum(r.certainty_ok for r in results), tp),
    }


def evaluate(splits: tuple[str, ...] = ("dev", "test"), vocabulary: set[str] | None = None,
             models: claim_model.Models | None = None
             ) -> tuple[dict[str, dict], dict[str, list[TextResult]], float]:
    """Metrics per split, per-text results per split, and total extraction seconds, with
    ``models`` (by default those the settings choose, ``claim_model.in_force``)."""
    manifest = json.loads((LABELLED / "manifest.json").read_text(encoding="utf-8"))
    per_split: dict[str, list[TextResult]] = {}
    total = 0.0
    for entry in manifest["texts"]:
        if entry["split"] not in splits:
            continue
        result, elapsed = evaluate_text(entry, vocabulary, models)
        total += elapsed
        per_split.setdefault(entry["split"], []).append(result)
    metrics = {split: summarise(results) for split, results in per_split.items()}
    return metrics, per_split, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print metrics as JSON")
    parser.add_argument("--errors", choices=("dev", "test", "all"),
                        help="list false positives, false negatives and type/certainty misses")
    parser.add_argument("--per-text", action="store_true", help="one line per labelled text")
    parser.add_argument("--per-round", action="store_true",
                        help="one line per held-out round (manifest note) of each split")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all",
                        help="evaluate only these texts (default: all)")
    parser.add_argument("--rules-only", action="store_true",
                        help="decide by the rule score alone (no model), for comparison")
    parser.add_argument("--mesh", type=Path, metavar="FILE",
                        help="PubMed XML(.gz) or text file of MeSH names to pass as the "
                             f"vocabulary (the pipeline uses {BUNDLED_PUBMED.relative_to(ROOT)})")
    args = parser.parse_args(argv)

    models = claim_model.RULES_ALONE if args.rules_only else None
    vocabulary = None
    if args.mesh is not None:
        if not args.mesh.exists():
            parser.error(f"--mesh {args.mesh}: no such file")
        vocabulary = mesh_vocabulary(args.mesh)
        print(f"MeSH vocabulary: {len(vocabulary)} descriptors from {args.mesh}")
    splits = ("dev", "test") if args.split == "all" else (args.split,)
    metrics, per_split, seconds = evaluate(splits, vocabulary, models)
    if args.json:
        print(json.dumps(metrics, indent=2))
        return 0
    cols = ("texts", "sentences", "check_worthy", "predicted", "precision", "recall", "f1",
            "type_accuracy", "certainty_accuracy")
    print(f"{'split':6} " + " ".join(f"{c:>10.10}" for c in cols))
    for split in ("dev", "test"):
        if split in metrics:
            m = metrics[split]
            print(f"{split:6} " + " ".join(
                f"{m[c]:>10.3f}" if isinstance(m[c], float) else f"{m[c]:>10}" for c in cols))
    print(f"extraction time: {seconds * 1000:.0f} ms for "
          f"{sum(m['sentences'] for m in metrics.values())} sentences")
    if args.per_round:
        for split, results in per_split.items():
            for rnd in sorted({r.round for r in results}):
                m = summarise([r for r in results if r.round == rnd])
                print(f"  {split:4} round {rnd:>2}: {m['texts']:>3} texts {m['check_worthy']:>4} "
                      f"check-worthy  P={m['precision']:.3f} R={m['recall']:.3f} "
                      f"type={m['type_accuracy']:.3f} cert={m['certainty_accuracy']:.3f}")
    if args.per_text:
        for split, results in per_split.items():
            for r in results:
                m = summarise([r])
                print(f"  {split:4} {r.id:34} P={m['precision']:.2f} R={m['recall']:.2f} "
                      f"type={m['type_accuracy']:.2f} cert={m['certainty_accuracy']:.2f}  "
                      f"({r.style})")
    if args.errors:
        for split, results in per_split.items():
            if args.errors not in (split, "all"):
                continue
            for r in results:
                for e in r.errors:
                    print(f"{split} {r.id}: {e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
