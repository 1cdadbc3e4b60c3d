"""Quality gate for verdicts: the demo's claims against the editors' labels, with pinned floors.

The editors' labels (``data/editor_labels/``, written by hand before the evidence stage
existed; their contract is the README there) say, for each claim of the four sample
articles, which records of the bundled PubMed sample bear on it, the verdict an editor should
see and the flags. This gate runs the pipeline's stages as plain functions on the sample
(default install: no sentence embeddings, whatever is installed) and measures:

- ``precision_at_3``: of the (at most three) best records the pipeline presents as supporting
  or contradicting a claim, the share the editors list as bearing on it;
- ``bearing_recall_at_3``: of the records the editors list as bearing, the share among those;
- ``verdict_accuracy``: the share of claims whose label is the editors';
- ``flag_precision``, ``flag_recall``: over (claim, flag) pairs, for claims an editor would
  check (``check_worthy``).

It also prints the figure the verdict issue started from: the share of the top-3 rows of
``evidence`` (whatever their stance) that bear on their claim.

    python benchmarks/gate_verdicts.py                    # check; exit 1 on a regression
    python benchmarks/gate_verdicts.py --update           # raise floors to the current figures
    python benchmarks/gate_verdicts.py --update --allow-regression   # also lower them
    python benchmarks/gate_verdicts.py --errors           # list every disagreement

Floors: ``benchmarks/floors/verdicts.json``. ``--update`` never lowers a floor unless
``--allow-regression`` is given (say why in the commit message); a refused update writes
nothing. The floors pin the digest of the labels, articles and PubMed sample: on a changed
corpus the gate refuses (exit 2) until ``--update --new-corpus`` (``benchmarks/gates.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections import Counter
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "data" / "editor_labels"
FLOORS = Path(__file__).resolve().parent / "floors" / "verdicts.json"
METRICS = ("precision_at_3", "bearing_recall_at_3", "verdict_accuracy", "flag_precision",
           "flag_recall")
#: The floors file has one "split", like the claims gate's: the demo's labelled claims.
SPLIT = "demo"

try:
    import factcheck  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from gates import add_arguments, conclude, corpus_digest, load_floors  # noqa: E402  (one floors logic for every gate)


def corpus_files() -> list[Path]:
    """What the gate measures on: the editors' labels, the sample articles and the PubMed
    sample."""
    data = ROOT / "data"
    return [*LABELS.glob("demo_*.jsonl"), *(data / "seeds").glob("*.txt"),
            *(data / "pubmed").glob("*.xml.gz")]


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def load_labels(folder: Path = LABELS) -> dict[tuple[str, str], dict]:
    labels = {}
    for path in sorted(folder.glob("demo_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                labels[(row["article"], norm(row["sentence"]))] = row
    return labels


def run_pipeline(workdir: Path) -> Path:
    """The demo's stages as plain functions (no Prefect), default install, into one database."""
    os.environ["FACTCHECK_CLAIMS_EMBED"] = "off"
    os.environ["FACTCHECK_EVIDENCE_EMBED"] = "off"
    from factcheck import pipeline

    db = workdir / "gate.duckdb"
    run_id = pipeline.new_run_id("gate")
    pipeline.start_run(db, run_id, "gate", [])
    pipeline.pubmed_stage(db, pipeline.sample_pubmed(), run_id)
    pipeline.ingest_stage(db, [str(p) for p in pipeline.sample_articles()], run_id)
    pipeline.clean_stage(db, run_id)
    pipeline.claims_stage(db, run_id)
    pipeline.evidence_stage(db, run_id)
    return db


def predictions(db: Path) -> dict[tuple[str, str], dict]:
    from factcheck.store.db import connect

    out = {}
    with closing(connect(db, read_only=True)) as con:
        rows = con.execute(
            """SELECT cc.claim_id, cc.source, cc.sentence, v.label, v.flags,
                      coalesce(cc.attribution, 'own')
               FROM current_claims cc JOIN verdicts v USING (claim_id)""").fetchall()
        evidence: dict[str, list[tuple[int, str]]] = {}
        for claim_id, pmid, stance in con.execute(
                "SELECT claim_id, pmid, stance FROM evidence ORDER BY claim_id, rank").fetchall():
            evidence.setdefault(claim_id, []).append((pmid, stance))
    for claim_id, source, sentence, label, flags, attribution in rows:
        shown = evidence.get(claim_id, [])
        out[(Path(source).name, norm(sentence))] = {
            "label": label, "flags": list(flags) if attribution != "rejected" else [],
            "bearing": [p for p, s in shown if s in ("supports", "refutes")][:3],
            "top3": [p for p, _ in shown[:3]], "sentence": sentence}
    return out


def measure(labels: dict, preds: dict) -> tuple[dict, list[str], dict]:
    matched = [k for k in labels if k in preds]
    errors: list[str] = []
    shown = right = 0
    gold_bearing = found_bearing = 0
    top3 = top3_right = 0
    verdict_ok = 0
    tp = fp = fn = 0
    confusion: Counter = Counter()
    for key in matched:
        gold, pred = labels[key], preds[key]
        bearing = {int(b["pmid"]) for b in gold["bearing"]}
        shown += len(pred["bearing"])
        right += sum(1 for p in pred["bearing"] if p in bearing)
        gold_bearing += len(bearing)
        found_bearing += sum(1 for p in bearing if p in pred["bearing"])
        top3 += len(pred["top3"])
        top3_right += sum(1 for p in pred["top3"] if p in bearing)
        verdict_ok += pred["label"] == gold["verdict"]
        confusion[(gold["verdict"], pred["label"])] += 1
        if pred["label"] != gold["verdict"]:
            errors.append(f"VERDICT {gold['verdict']} != {pred['label']}: {pred['sentence'][:110]}")
        if gold.get("check_worthy", True):
            g, p = set(gold["flags"]), set(pred["flags"])
            tp += len(g & p)
            fp += len(p - g)
            fn += len(g - p)
            for f in sorted(p - g):
                errors.append(f"FLAG+ {f}: {pred['sentence'][:110]}")
            for f in sorted(g - p):
                errors.append(f"FLAG- {f}: {pred['sentence'][:110]}")
        for pmid in pred["bearing"]:
            if pmid not in bearing:
                errors.append(f"EVIDENCE PMID {pmid} does not bear: {pred['sentence'][:100]}")
    n = len(matched)
    metrics = {
        "claims_labelled": len(labels), "claims_matched": n,
        "precision_at_3": right / shown if shown else 1.0,
        "bearing_recall_at_3": found_bearing / gold_bearing if gold_bearing else 1.0,
        "verdict_accuracy": verdict_ok / n if n else 0.0,
        "flag_precision": tp / (tp + fp) if tp + fp else 1.0,
        "flag_recall": tp / (tp + fn) if tp + fn else 1.0,
        "top3_rows_bearing": top3_right / top3 if top3 else 0.0,
        "evidence_shown": shown,
    }
    return metrics, errors, dict(confusion)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(ap, FLOORS)
    ap.add_argument("--errors", action="store_true", help="list every disagreement")
    ap.add_argument("--db", type=Path, help="measure an existing database instead of running the stages")
    args = ap.parse_args(argv)
    labels = load_labels()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or run_pipeline(Path(tmp))
        preds = predictions(db)
    metrics, errors, confusion = measure(labels, preds)
    print(f"claims labelled {metrics['claims_labelled']}, extracted and matched {metrics['claims_matched']}")
    print("  ".join(f"{m}={metrics[m]:.3f}" for m in METRICS))
    print(f"evidence rows shown as supporting/contradicting: {metrics['evidence_shown']}; "
          f"top-3 evidence rows (any stance) that bear on their claim: {metrics['top3_rows_bearing']:.3f}")
    print("verdicts (editor -> pipeline): " + ", ".join(
        f"{g}->{p} {n}" for (g, p), n in sorted(confusion.items(), key=lambda x: -x[1])))
    if args.errors:
        for line in errors:
            print("  " + line)
    floors = load_floors(args.floors, 0.01, (SPLIT,))
    return conclude({SPLIT: metrics}, floors, args, METRICS, "verdict", corpus_digest(corpus_files()))


if __name__ == "__main__":
    raise SystemExit(main())
