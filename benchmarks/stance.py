#!/usr/bin/env python3
"""Claim-evidence stance through factcheck's stance model.

    python benchmarks/stance.py --in PAIRS.jsonl --out PRED.jsonl

Input lines ``{"id", "claim", "evidence"}`` (evidence: an abstract, a passage or a sentence);
output lines ``{"id", "label": "SUPPORT" | "REFUTE" | "NEUTRAL", "score": <probability of the
label>}``, decided by ``factcheck.evidence.stance.judge_passage``. When the input lines also
carry ``label``, macro-F1 and per-label figures are printed.

The held-out validation sets (never trained on; ``benchmarks/splits/``) are written with

    python benchmarks/stance.py --export healthver --bench ../shared/bench --in hv.jsonl
    python benchmarks/stance.py --export check_covid --bench ../shared/bench --in cc.jsonl

(HealthVer dev, the topics of its test split; Check-COVID dev, whole), then scored as above.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))   # the research tools (a checkout)

LABELS = ("NEUTRAL", "SUPPORT", "REFUTE")


def export(which: str, bench: Path, path: Path) -> None:
    from research import stance_datasets as datasets

    if which == "healthver":
        topics = set(datasets.read_split("healthver")["test_topics"])
        pairs = datasets.healthver_pairs(bench, topics)
    else:
        pairs = datasets.checkcovid_pairs(bench, "dev")
    with path.open("w", encoding="utf-8") as fh:
        for p in pairs:
            fh.write(json.dumps({"id": p.id, "claim": p.claim, "evidence": p.evidence,
                                 "label": p.label}, ensure_ascii=False) + "\n")
    print(f"wrote {len(pairs)} pairs ({dict(Counter(p.label for p in pairs))}) to {path}")


def report(gold: list[str], pred: list[str]) -> float:
    f1s = []
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, pred) if g == p == label)
        fp = sum(1 for g, p in zip(gold, pred) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, pred) if g == label and p != label)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        f1s.append(f1)
        print(f"  {label:<8} precision {prec:.3f} recall {rec:.3f} F1 {f1:.3f} (gold {tp + fn})")
    macro = sum(f1s) / len(f1s)
    acc = sum(1 for g, p in zip(gold, pred) if g == p) / len(gold)
    print(f"macro-F1 {macro:.3f} · accuracy {acc:.3f} · pairs {len(gold)} · majority-class macro-F1 "
          f"{_majority(gold):.3f}")
    return macro


def _majority(gold: list[str]) -> float:
    top = Counter(gold).most_common(1)[0][0]
    n = sum(1 for g in gold if g == top)
    f1 = 2 * n / (n + len(gold))
    return f1 / len(LABELS)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--in", dest="inp", type=Path, required=True)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--export", choices=("healthver", "check_covid"))
    ap.add_argument("--bench", type=Path, default=ROOT.parent / "shared" / "bench")
    args = ap.parse_args(argv)
    if args.export:
        export(args.export, args.bench, args.inp)
        return 0
    if not args.out:
        ap.error("--out is required")
    from factcheck.evidence.stance import default_model, judge_passage

    model = default_model()
    rows = [json.loads(line) for line in args.inp.open(encoding="utf-8") if line.strip()]
    t = time.perf_counter()
    with args.out.open("w", encoding="utf-8") as fh:
        preds = []
        for row in rows:
            label, score = judge_passage(model, row["claim"], row["evidence"])
            preds.append(label)
            fh.write(json.dumps({"id": row["id"], "label": label, "score": round(score, 4)}) + "\n")
    elapsed = time.perf_counter() - t
    print(f"{len(rows)} pairs in {elapsed:.1f} s ({elapsed / max(1, len(rows)) * 1000:.0f} ms per pair)")
    if rows and all("label" in r for r in rows):
        report([r["label"].upper() for r in rows], preds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
