#!/usr/bin/env python3
"""Per-claim matching time against reference tables of growing size, side by side with
DuckDB's own ``match_bm25`` (what factcheck used before).

    python benchmarks/bench_matching.py [--bulk ../shared/data/pubmed_bulk] [--copies 10]
                                        [--claims 200] [--read]

Builds the 50,788-record table from NLM's two bulk files (``factcheck.pubmed.load``), then a
table of ``--copies`` times as many rows by repeating those records under new PMIDs (the
same texts: term statistics scale, the vocabulary does not, which flatters no method), and
times for each claim:

- ``retrieval``: factcheck's query builder, BM25 over the postings, fetching the best 10
  records, and counting the table's records on the claim's topic (the whole matching step
  before the stance model reads anything);
- ``match_bm25``: DuckDB's FTS ``match_bm25`` over the same index for the same words;
- with ``--read``, also the stance model reading the 10 records (``read_records``).

Claims: the editors' demo claims (``data/editor_labels``) and SciFact's training claims when
``../shared/bench/scifact`` is there, extracted as the pipeline would. Default install
(``FACTCHECK_EVIDENCE_EMBED=off``). Prints p50/p95 in milliseconds per claim.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("FACTCHECK_EVIDENCE_EMBED", "off")
os.environ.setdefault("FACTCHECK_CLAIMS_EMBED", "off")


def claims(limit: int) -> list:
    from factcheck.claims import extract_claims
    from factcheck.store.rows import Claim

    texts = []
    for path in sorted((ROOT / "data" / "editor_labels").glob("demo_*.jsonl")):
        texts += [json.loads(line)["sentence"] for line in path.read_text().splitlines() if line.strip()]
    scifact = ROOT.parent / "shared" / "bench" / "scifact" / "claims_train.jsonl"
    if scifact.exists():
        texts += [json.loads(line)["claim"] for line in scifact.read_text().splitlines()]
    out = []
    for text in texts[:limit]:
        found = extract_claims(text)
        out.append(found[0] if found else Claim(sentence=text, start=0, end=len(text),
                                                claim_type="efficacy", certainty="assertive",
                                                polarity="positive", score=0.0, reason=""))
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def time_table(con, sample: list, read: bool) -> dict[str, tuple[float, float]]:
    from factcheck.evidence.assess import judge_topic
    from factcheck.evidence.read import read_records
    from factcheck.evidence.retrieve import build_query, coverage, retrieve

    results: dict[str, list[float]] = {"retrieval": [], "match_bm25": []}
    if read:
        results["reading"] = []
    for claim in sample:
        t = time.perf_counter()
        query = build_query(claim)
        hits = retrieve(con, query, k=10)
        [judge_topic(h, query) for h in hits]
        coverage(con, query)
        results["retrieval"].append(time.perf_counter() - t)
        t = time.perf_counter()
        con.execute("SELECT pmid, score FROM (SELECT pmid, fts_main_pubmed.match_bm25(pmid, ?) AS score "
                    "FROM pubmed) WHERE score IS NOT NULL ORDER BY score DESC LIMIT 10",
                    [" ".join(query.words)]).fetchall()
        results["match_bm25"].append(time.perf_counter() - t)
        if read:
            t = time.perf_counter()
            read_records(query.text, claim.claim_type, hits, query)
            results["reading"].append(time.perf_counter() - t)
    return {k: (pct(v, 0.5), pct(v, 0.95)) for k, v in results.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bulk", type=Path, default=ROOT.parent / "shared" / "data" / "pubmed_bulk")
    ap.add_argument("--copies", type=int, default=10, help="the larger table holds this many copies")
    ap.add_argument("--claims", type=int, default=200)
    ap.add_argument("--read", action="store_true", help="also time the stance model's reading")
    ap.add_argument("--workdir", type=Path)
    args = ap.parse_args(argv)
    files = sorted(args.bulk.glob("*.xml.gz"))
    if not files:
        print(f"no NLM files under {args.bulk}", file=sys.stderr)
        return 2
    from factcheck.pubmed.load import load_files
    from factcheck.store.reference import connect_reference as connect   # reference files
    from factcheck.store.pubmed import rebuild_fts_index

    sample = claims(args.claims)
    tmp = tempfile.TemporaryDirectory()
    work = args.workdir or Path(tmp.name)
    base = work / "ref_50k.duckdb"
    rows = []
    with closing(connect(base)) as con:
        if not con.execute("SELECT count(*) FROM pubmed").fetchone()[0]:
            t = time.perf_counter()
            load_files(con, files)
            print(f"loaded {len(files)} NLM files in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        n = con.execute("SELECT count(*) FROM pubmed").fetchone()[0]
        time_table(con, sample[:10], args.read)          # warm caches and the model
        rows.append((n, time_table(con, sample, args.read), base.stat().st_size))
    if args.copies > 1:
        big = work / f"ref_x{args.copies}.duckdb"
        with closing(connect(big)) as con:
            if not con.execute("SELECT count(*) FROM pubmed").fetchone()[0]:
                t = time.perf_counter()
                con.execute(f"ATTACH '{base}' AS base (READ_ONLY)")
                for k in range(args.copies):
                    con.execute(f"INSERT INTO pubmed SELECT * REPLACE (pmid + {k}::BIGINT * 100000000 AS pmid) "
                                "FROM base.pubmed")
                con.execute("DETACH base")
                rebuild_fts_index(con)
                con.execute("CHECKPOINT")
                print(f"built the x{args.copies} table and its index in {time.perf_counter() - t:.0f} s",
                      file=sys.stderr)
            n = con.execute("SELECT count(*) FROM pubmed").fetchone()[0]
            time_table(con, sample[:10], args.read)
            rows.append((n, time_table(con, sample, args.read), big.stat().st_size))
    print(f"{len(sample)} claims; milliseconds per claim, p50 / p95 (one process, "
          f"{os.cpu_count()} CPUs)")
    header = f"{'records':>10}  {'file MB':>8}  {'retrieval':>15}  {'match_bm25':>15}"
    if args.read:
        header += f"  {'reading':>15}"
    print(header)
    for n, t, size in rows:
        line = (f"{n:>10,}  {size / 1e6:>8.0f}  {t['retrieval'][0]:>7.1f} / {t['retrieval'][1]:<6.1f}"
                f"  {t['match_bm25'][0]:>7.1f} / {t['match_bm25'][1]:<6.1f}")
        if args.read:
            line += f"  {t['reading'][0]:>7.1f} / {t['reading'][1]:<6.1f}"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
