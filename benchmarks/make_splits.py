#!/usr/bin/env python3
"""Write the held-out splits of the verdict benchmarks (ids only, never the data).

Run once, before any model or rule of the evidence stage was fitted; the output in
``benchmarks/splits/`` is committed and never regenerated with other settings. Every split
is by group, so that near-duplicate items never straddle train and test:

- SciFact train claims (809): claims that share a cited or evidence document are one group
  (SciFact writes a claim and its negation over the same abstract); a group is held out when
  the sha256 of its smallest claim id falls in the lowest third.
- HealthVer dev (1,917 pairs, 58 topics): split by topic (``topic_ip``), half held out.
- Check-COVID: its own train / dev split (dev held out whole).
- PubMedQA: training only.
- WCXB articles (662 pages, boilerplate removal): split by the page's host (``www.`` dropped),
  a third of the hosts held out; the cleaner's rules are written looking at the other pages only.

    python benchmarks/make_splits.py --bench ../shared/bench
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit

OUT = Path(__file__).resolve().parent / "splits"


def bucket(key: str, n: int = 100) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % n


def scifact_groups(claims: list[dict]) -> list[list[int]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for c in claims:
        node = f"c{c['id']}"
        for doc in list(c.get("cited_doc_ids") or []) + list((c.get("evidence") or {}).keys()):
            parent[find(node)] = find(f"d{doc}")
        find(node)
    groups: dict[str, list[int]] = {}
    for c in claims:
        groups.setdefault(find(f"c{c['id']}"), []).append(int(c["id"]))
    return sorted(sorted(g) for g in groups.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=str(Path(__file__).resolve().parents[2] / "shared" / "bench"))
    args = ap.parse_args()
    bench = Path(args.bench)
    OUT.mkdir(exist_ok=True)

    claims = [json.loads(line) for line in (bench / "scifact" / "claims_train.jsonl").open()]
    train, test = [], []
    for group in scifact_groups(claims):
        (test if bucket(f"scifact:{group[0]}") < 33 else train).extend(group)
    (OUT / "scifact.json").write_text(json.dumps(
        {"source": "scifact/claims_train.jsonl", "rule": "groups of claims sharing a document;"
         " test when sha256('scifact:<smallest id>') % 100 < 33",
         "train": sorted(train), "test": sorted(test)}, indent=0) + "\n")

    rows = list(csv.DictReader((bench / "healthver" / "healthver_dev.csv").open(encoding="utf-8")))
    topics = sorted({r["topic_ip"] for r in rows}, key=int)
    test_topics = [t for t in topics if bucket(f"healthver:{t}") < 50]
    (OUT / "healthver.json").write_text(json.dumps(
        {"source": "healthver/healthver_dev.csv", "rule": "by topic_ip; test when"
         " sha256('healthver:<topic>') % 100 < 50",
         "train_topics": [t for t in topics if t not in test_topics], "test_topics": test_topics},
        indent=0) + "\n")
    print(f"scifact: {len(train)} train / {len(test)} test claims; healthver: "
          f"{len(topics) - len(test_topics)} train / {len(test_topics)} test topics")
    wcxb_split(bench)


def wcxb_host(url: str) -> str:
    host = (urlsplit(url or "").hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def wcxb_split(bench: Path) -> None:
    gold = json.loads((bench / "wcxb_articles" / "gold.json").read_text(encoding="utf-8"))
    dev, test = [], []
    for page_id, record in sorted(gold.items()):
        (test if bucket(f"wcxb:{wcxb_host(record.get('url'))}") < 33 else dev).append(page_id)
    (OUT / "wcxb.json").write_text(json.dumps(
        {"source": "wcxb_articles/gold.json", "rule": "by the url's host without 'www.';"
         " test when sha256('wcxb:<host>') % 100 < 33",
         "dev": dev, "test": test}, indent=0) + "\n")
    health = {k for k, v in gold.items() if v.get("health")}
    print(f"wcxb: {len(dev)} dev / {len(test)} test pages "
          f"({len(health & set(dev))} / {len(health & set(test))} tagged health)")


if __name__ == "__main__":
    main()
