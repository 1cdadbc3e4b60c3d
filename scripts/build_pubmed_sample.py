"""Build data/pubmed/pubmed_sample.xml.gz, the PubMed reference sample bundled with factcheck.

Reads NLM's own files (the 2020 baseline file 14 and the 2021 update file 1298, in
../shared/data/pubmed_bulk/) and keeps, as original XML elements, every record whose title,
abstract or MeSH headings mention one of TOPICS, plus a seeded random sample of other
records with an abstract as distractors, plus the update file's DeleteCitation.

    python scripts/build_pubmed_sample.py [--bulk ../shared/data/pubmed_bulk] [--distractors 3000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]

# What the bundled sample must cover: the topics of the four sample articles.
TOPICS: dict[str, str] = {
    "ketamine": r"\bketamine\b",
    "chronic_pain": r"\bchronic pain\b",
    "neuropathic_pain": r"\bneuropathic pain\b|\bneuralgia\b",
    "cancer_pain": r"\bcancer pain\b",
    "crps": r"complex regional pain|reflex sympathetic dystrophy|\bcausalgia\b|\bCRPS\b",
    "fibromyalgia": r"\bfibromyalgia\b",
    "migraine": r"\bmigraine",
    "depression": r"\bdepressi(on|ve)\b",
    "cystitis": r"\bcystitis\b",
    "hepatotoxicity": r"hepatotoxic|liver injury|drug-induced liver",
}
TOPIC_RE = {name: re.compile(rx, re.I) for name, rx in TOPICS.items()}
HEADER = (b'<?xml version="1.0" encoding="utf-8"?>\n'
          b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN"'
          b' "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">\n<PubmedArticleSet>\n')


def record_text(elem: etree._Element) -> str:
    parts = [" ".join(e.itertext()) for e in elem.iterfind(".//ArticleTitle")]
    parts += [" ".join(e.itertext()) for e in elem.iterfind(".//Abstract/AbstractText")]
    parts += [e.text or "" for e in elem.iterfind(".//MeshHeading/DescriptorName")]
    return " ".join(parts)


def scan(path: Path):
    """Yield (kind, xml_bytes, topics, has_abstract) for each record of one NLM file."""
    parser_args = dict(events=("end",), tag=("PubmedArticle", "DeleteCitation"),
                       resolve_entities=False, no_network=True, load_dtd=False)
    with gzip.open(path) as fh:
        for _, elem in etree.iterparse(fh, **parser_args):
            xml = etree.tostring(elem, encoding="utf-8")
            if elem.tag == "DeleteCitation":
                yield "delete", xml, [], False
            else:
                text = record_text(elem)
                topics = [n for n, rx in TOPIC_RE.items() if rx.search(text)]
                has_abstract = elem.find(".//Abstract/AbstractText") is not None
                yield "article", xml, topics, has_abstract
            elem.clear()
            while elem.getprevious() is not None:
                del elem.getparent()[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bulk", type=Path, default=ROOT.parent / "shared" / "data" / "pubmed_bulk")
    ap.add_argument("--distractors", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "pubmed" / "pubmed_sample.xml.gz")
    args = ap.parse_args()
    files = sorted(args.bulk.glob("*.xml.gz"))
    if not files:
        raise SystemExit(f"no NLM files in {args.bulk}")
    kept: list[bytes] = []
    others: list[bytes] = []
    deletes: list[bytes] = []
    counts: dict[str, int] = {name: 0 for name in TOPICS}
    per_file: dict[str, int] = {}
    for path in files:
        n = 0
        for kind, xml, topics, has_abstract in scan(path):
            if kind == "delete":
                deletes.append(xml)
            elif topics:
                kept.append(xml)
                n += 1
                for t in topics:
                    counts[t] += 1
            elif has_abstract:
                others.append(xml)
        per_file[path.name] = n
    rng = random.Random(args.seed)
    distractors = rng.sample(others, min(args.distractors, len(others)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(args.out, "wb", compresslevel=9, mtime=0) as out:
        out.write(HEADER)
        for xml in kept + distractors:
            out.write(xml.rstrip() + b"\n")
        if deletes:
            out.write(b"<DeleteCitation>\n" + b"".join(
                re.sub(rb"</?DeleteCitation>", b"", d).strip() + b"\n" for d in deletes)
                + b"</DeleteCitation>\n")
        out.write(b"</PubmedArticleSet>\n")
    stats = {"topic_records": len(kept), "distractors": len(distractors),
             "delete_citations": len(deletes), "topic_counts": counts,
             "topic_records_per_file": per_file, "seed": args.seed,
             "bytes": args.out.stat().st_size}
    print(json.dumps(stats, indent=2))


if __name__ == "__main__":
    main()
