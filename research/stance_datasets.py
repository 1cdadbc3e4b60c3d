"""Readers of the public claim-verification data sets the stance model learns from and is
measured on (SciFact, Check-COVID, HealthVer, PubMedQA), in the formats of ``../shared/bench``.

None of these data sets is shipped with factcheck (their licences are in the model card,
``src/factcheck/evidence/model/MODEL_CARD.md``); training and the benchmarks read them from a
folder given on the command line. The held-out splits are fixed by id in
``benchmarks/splits/`` (written by ``benchmarks/make_splits.py`` before any training).

Labels are normalised to ``SUPPORT``, ``REFUTE`` and ``NEUTRAL``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

LABELS = ("NEUTRAL", "SUPPORT", "REFUTE")

_NORMAL = {"SUPPORT": "SUPPORT", "SUPPORTS": "SUPPORT", "CONTRADICT": "REFUTE",
           "REFUTE": "REFUTE", "REFUTES": "REFUTE", "NOTENOUGHINFO": "NEUTRAL",
           "NEUTRAL": "NEUTRAL", "NEI": "NEUTRAL"}


def normal_label(label: str) -> str:
    return _NORMAL[label.strip().upper()]


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                yield json.loads(line)


@dataclass
class Doc:
    doc_id: str
    title: str
    sentences: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass
class SciFactClaim:
    id: int
    claim: str
    cited: list[str]
    # doc id -> (label, [rationale sentence index sets])
    evidence: dict[str, tuple[str, list[list[int]]]] = field(default_factory=dict)


def scifact_corpus(bench: Path) -> dict[str, Doc]:
    return {str(d["doc_id"]): Doc(str(d["doc_id"]), d["title"], list(d["abstract"]))
            for d in _jsonl(bench / "scifact" / "corpus.jsonl")}


def scifact_claims(bench: Path, path: Path | None = None) -> list[SciFactClaim]:
    out = []
    for c in _jsonl(path or bench / "scifact" / "claims_train.jsonl"):
        evidence = {}
        for doc, sets in (c.get("evidence") or {}).items():
            evidence[str(doc)] = (normal_label(sets[0]["label"]), [s["sentences"] for s in sets])
        out.append(SciFactClaim(int(c["id"]), c["claim"], [str(d) for d in c.get("cited_doc_ids", [])],
                                evidence))
    return out


def scifact_qrels(bench: Path) -> dict[int, set[str]]:
    qrels: dict[int, set[str]] = {}
    with (bench / "scifact" / "qrels" / "train.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.strip().split("\t")
            if len(parts) < 2 or parts[0] == "query-id":
                continue
            qrels.setdefault(int(parts[0]), set()).add(parts[1])
    return qrels


@dataclass
class Pair:
    """One claim and one piece of evidence (a sentence or a passage) with its stance."""

    id: str
    claim: str
    evidence: str
    label: str
    group: str = ""          # items of one group never straddle a train/validation split
    source: str = ""


def checkcovid_corpus(bench: Path) -> dict[str, Doc]:
    return {d["cord_id"]: Doc(d["cord_id"], d["title"], list(d["abstract"]))
            for d in _jsonl(bench / "check_covid" / "corpus.json")}


def checkcovid_pairs(bench: Path, split: str) -> list[Pair]:
    """Check-COVID ``train`` or ``dev``: each claim with its evidence sentences joined."""
    corpus = checkcovid_corpus(bench)
    out = []
    path = bench / "check_covid" / split / f"covidCheck_{split}_composed+extracted.json"
    for c in _jsonl(path):
        doc = corpus.get(c["cord_id"])
        if doc is None:
            continue
        idx = sorted({e["sent_index"] for e in c.get("evidence_set") or []})
        sentences = [doc.sentences[i] for i in idx if 0 <= i < len(doc.sentences)]
        if not sentences:
            continue
        out.append(Pair(c["id"], c["claim"].strip(), " ".join(sentences), normal_label(c["label"]),
                        group=c["id"].rsplit("_", 1)[0], source="check_covid"))
    return out


def healthver_pairs(bench: Path, topics: set[str] | None = None) -> list[Pair]:
    """HealthVer dev pairs, optionally only those of the given topics."""
    out = []
    with (bench / "healthver" / "healthver_dev.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if topics is not None and row["topic_ip"] not in topics:
                continue
            out.append(Pair(f"hv{row['id']}", row["claim"].strip(), row["evidence"].strip(),
                            normal_label(row["label"]), group=f"topic{row['topic_ip']}",
                            source="healthver"))
    return out


def pubmedqa_pairs(bench: Path) -> list[Pair]:
    """PubMedQA labelled questions: the question against the abstract's conclusion;
    yes = SUPPORT, no = REFUTE (``maybe`` is left out)."""
    data = json.loads((bench / "pubmedqa" / "ori_pqal.json").read_text(encoding="utf-8"))
    out = []
    for pmid, item in data.items():
        label = {"yes": "SUPPORT", "no": "REFUTE"}.get(item.get("final_decision", ""))
        if label and item.get("LONG_ANSWER"):
            out.append(Pair(f"pqa{pmid}", item["QUESTION"], item["LONG_ANSWER"], label,
                            group=f"pqa{pmid}", source="pubmedqa"))
    return out


def read_split(name: str) -> dict:
    root = Path(__file__).resolve().parents[1] / "benchmarks" / "splits"
    return json.loads((root / f"{name}.json").read_text(encoding="utf-8"))


def load_corpus_table(con, docs: dict[str, Doc]) -> int:
    """Fill a fresh reference table with a benchmark corpus (doc id as the PMID, sentences one
    per line so that they split back exactly) and build its index. Returns the row count."""
    import pyarrow as pa

    from factcheck.store.pubmed import rebuild_fts_index

    ids = [int(d) for d in docs]
    table = pa.table({
        "pmid": pa.array(ids, pa.int64()),
        "title": pa.array([docs[d].title for d in docs]),
        "abstract": pa.array(["\n".join(docs[d].sentences) for d in docs]),
    })
    con.register("bench_corpus", table)
    try:
        con.execute("DELETE FROM pubmed")
        con.execute("INSERT INTO pubmed (pmid, title, abstract, study_design, loaded_at) "
                    "SELECT pmid, title, abstract, 'other', now()::TIMESTAMP FROM bench_corpus")
    finally:
        con.unregister("bench_corpus")
    rebuild_fts_index(con)
    return len(ids)


def read_corpus_jsonl(path: Path) -> dict[str, Doc]:
    """A SciFact-format corpus: ``{"doc_id", "title", "abstract": [sentences]}`` per line."""
    return {str(d["doc_id"]): Doc(str(d["doc_id"]), d.get("title") or "", list(d.get("abstract") or []))
            for d in _jsonl(path)}
