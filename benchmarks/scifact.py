#!/usr/bin/env python3
"""SciFact through factcheck's own retrieval and stance reading.

    python benchmarks/scifact.py --corpus ../shared/bench/scifact/corpus.jsonl \
        --claims ../shared/bench/scifact/claims_train.jsonl --out RUN.jsonl \
        [--qrels ../shared/bench/scifact/qrels/train.tsv] [--split test|train|all] [--read-k 10]

Loads the corpus into a fresh reference table (doc_id as the PMID; with the ``embed`` extra
installed its vectors are computed too), then for every claim text: extracts it as a claim
(for its structure; a sentence the extractor does not accept is still searched, with no
structure), retrieves with ``factcheck.evidence.retrieve``, reads the best ``--read-k``
records with the stance model, and writes one line per claim:

    {"claim_id": ..., "doc_ids": [up to 100, best first], "evidence": {"<doc_id>": "SUPPORT" | "CONTRADICT"}}

(at most 3 evidence entries). Prints nDCG@10 and Recall@10 with SciFact's own
``eval_retrieval.py`` (beside the claims file) when ``--qrels`` is given, abstract-level
label precision, recall and F1 (SciFact's definition: a predicted abstract is right when it
is a gold evidence abstract of the claim with the same label; at most 3 per claim), and the
time per claim. ``--split`` restricts the claims to a part of ``benchmarks/splits/scifact.json``
(the stance model and its calibration were fitted on ``train`` only: report on ``test``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))   # the research tools (a checkout)


def rerank(records, retrieval_order: list[int]) -> list[int]:
    """Final ranking: the records read, ordered by fusing their retrieval rank with how
    probably the stance model finds them about the claim; then the rest of the retrieval
    order (``factcheck.evidence.assess.rank_records``)."""
    from factcheck.evidence.assess import rank_records

    head = [r.hit.pmid for r in rank_records(records)]
    return head + [p for p in retrieval_order if p not in set(head)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--claims", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--qrels", type=Path)
    ap.add_argument("--split", choices=("train", "test", "all"), default="all")
    ap.add_argument("--read-k", type=int, default=10, help="records read by the stance model per claim (the pipeline reads 10)")
    ap.add_argument("--db", type=Path, help="keep the reference table here (default: a temporary file)")
    ap.add_argument("--threshold", type=float,
                    help="count a record as evidence from this calibrated probability (default: the "
                         "pipeline's, 0.5)")
    ap.add_argument("--f1-threshold", action="store_true",
                    help="use the threshold fitted to maximise SciFact F1 on validation claims")
    ap.add_argument("--limit", type=int, help="only the first N claims (a smoke test)")
    ap.add_argument("--any-sentence", action="store_true",
                    help="let any sentence of a record decide, also one naming none of the claim's "
                         "concepts (the rule the pipeline applies off, for comparison)")
    args = ap.parse_args(argv)

    from factcheck.evidence import vectors
    from factcheck.evidence.assess import claim_from_text, judge_topic, speaks_to
    from factcheck.evidence.grading import graded_type
    from research.stance_datasets import load_corpus_table, read_corpus_jsonl
    from factcheck.evidence.read import read_records
    from factcheck.evidence.retrieve import build_query, retrieve
    from factcheck.evidence.stance import default_model
    from factcheck.store.reference import connect_reference

    claims = [json.loads(line) for line in args.claims.open(encoding="utf-8") if line.strip()]
    if args.split != "all":
        keep = set(json.loads((ROOT / "benchmarks" / "splits" / "scifact.json").read_text())[args.split])
        claims = [c for c in claims if int(c["id"]) in keep]
    if args.limit:
        claims = claims[:args.limit]
    corpus = read_corpus_jsonl(args.corpus)
    tmp = tempfile.TemporaryDirectory()
    db = args.db or Path(tmp.name) / "scifact.duckdb"
    model = default_model()
    from factcheck.evidence.read import Calibration

    calibration = Calibration.from_meta(model.meta)
    if args.f1_threshold:
        calibration.threshold = float(model.meta["record_calibration"]["f1_threshold"])
    elif args.threshold is not None:
        calibration.threshold = args.threshold
    # the reference file itself, as the evidence stage reads it (factcheck.store.reference)
    with closing(connect_reference(db)) as con:
        t0 = time.perf_counter()
        if not args.db or not con.execute("SELECT count(*) FROM pubmed").fetchone()[0]:
            load_corpus_table(con, corpus)
        use_vectors = vectors.available()
        if use_vectors:
            vectors.embed_records(con)
        print(f"corpus {len(corpus):,} abstracts loaded and indexed in {time.perf_counter() - t0:.1f} s"
              f" ({'BM25 + dense vectors (embed extra)' if use_vectors else 'BM25, default install'})",
              file=sys.stderr)
        built = [claim_from_text(c["claim"]) for c in claims]
        claim_vectors = vectors.encode([b[0].query_text or b[0].sentence for b in built]) if use_vectors else None
        times, extracted, lines, probabilities = [], 0, [], []
        for i, (c, (claim, ok)) in enumerate(zip(claims, built)):
            extracted += ok
            t = time.perf_counter()
            query = build_query(claim)
            hits = retrieve(con, query, k=100, candidates=100,
                            vector=claim_vectors[i].tolist() if use_vectors else None)
            order = [h.pmid for h in hits]
            head = hits[:args.read_k]
            records = read_records(query.text, graded_type(claim.claim_type, claim.sentence),
                                   head, query, model,
                                   on_topic=[judge_topic(h, query)[0] for h in head],
                                   calibration=calibration,
                                   speaks=None if args.any_sentence else speaks_to(query))
            ranking = rerank(records, order)
            bearing = sorted((r for r in records if r.stance != "neutral"), key=lambda r: -r.p_bearing)[:3]
            evidence = {str(r.hit.pmid): "SUPPORT" if r.stance == "supports" else "CONTRADICT"
                        for r in bearing}
            probabilities.extend((c["id"], str(r.hit.pmid), evidence[str(r.hit.pmid)], r.p_bearing)
                                 for r in bearing)
            times.append(time.perf_counter() - t)
            lines.append({"claim_id": c["id"], "doc_ids": [str(p) for p in ranking[:100]],
                          "evidence": evidence})
    args.out.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")

    print(f"claims {len(claims)} ({args.split}) · accepted by the claim extractor {extracted} "
          f"({extracted / max(1, len(claims)):.1%}) · per claim p50 {statistics.median(times) * 1000:.0f} ms"
          f" p95 {sorted(times)[int(0.95 * (len(times) - 1))] * 1000:.0f} ms (retrieval + reading "
          f"{args.read_k} records) · evidence threshold {calibration.threshold:.2f}")
    if args.qrels:
        scorer = args.claims.parent / "eval_retrieval.py"
        if scorer.exists():
            ids = {str(c["id"]) for c in claims}
            with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as fh:
                for line in args.qrels.read_text(encoding="utf-8").splitlines():
                    parts = line.split("\t")
                    if parts and (parts[0] == "query-id" or parts[0] in ids):
                        fh.write(line + "\n")
            subprocess.run([sys.executable, str(scorer), "--qrels", fh.name, "--run", str(args.out),
                            "-k", "10"], check=False)
        else:
            print(f"(no {scorer}: retrieval not scored)")
    gold = {c["id"]: {doc: sets[0]["label"] for doc, sets in (c.get("evidence") or {}).items()}
            for c in claims}
    predicted = correct = 0
    n_gold = sum(len(g) for g in gold.values())
    for line in lines:
        for doc, label in line["evidence"].items():
            predicted += 1
            correct += gold[line["claim_id"]].get(doc) == label
    p = correct / predicted if predicted else 0.0
    r = correct / n_gold if n_gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"abstract-level label: precision {p:.3f} recall {r:.3f} F1 {f1:.3f} "
          f"({correct} right of {predicted} predicted, {n_gold} gold)")
    # calibration of the probabilities the verdicts use: does p = 0.8 mean right 8 times in 10?
    bins: dict[int, list[tuple[float, bool]]] = {}
    for cid, doc, label, prob in probabilities:
        bins.setdefault(min(4, int(prob * 5)), []).append((prob, gold[cid].get(doc) == label))
    ece = sum(abs(sum(pr for pr, _ in b) / len(b) - sum(ok for _, ok in b) / len(b)) * len(b)
              for b in bins.values()) / max(1, len(probabilities))
    print("calibration of evidence probabilities (bin: mean p -> share right, n): " + "; ".join(
        f"{k / 5:.1f}-{(k + 1) / 5:.1f}: {sum(pr for pr, _ in b) / len(b):.2f} -> "
        f"{sum(ok for _, ok in b) / len(b):.2f} ({len(b)})" for k, b in sorted(bins.items()))
        + f"; expected calibration error {ece:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
