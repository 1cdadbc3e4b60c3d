"""The benchmark scripts that build reference tables run end to end on small data (they broke
unnoticed when the reference moved to its own file: they wrote into the read-only stand-in).
Figures are not checked here (they are the benchmarks' own output); that the scripts run and
write what their interfaces promise is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], tmp_path: Path) -> str:
    env = dict(os.environ, FACTCHECK_EVIDENCE_EMBED="off", FACTCHECK_CLAIMS_EMBED="off")
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr


def test_scifact_benchmark_writes_its_run_file(tmp_path):
    """``benchmarks/scifact.py`` on a SciFact-format corpus of three abstracts: every claim gets
    a line with the doc ids, best first, and at most three labelled abstracts."""
    corpus = tmp_path / "corpus.jsonl"
    docs = [
        {"doc_id": 11, "title": "Ketamine infusion for chronic neuropathic pain: a randomized trial",
         "abstract": ["We randomised 60 adults with neuropathic pain to ketamine or saline.",
                      "Ketamine infusions reduced pain scores at four weeks compared with saline."]},
        {"doc_id": 22, "title": "Vitamin D supplementation and depressive symptoms",
         "abstract": ["Vitamin D supplementation did not reduce depressive symptoms in adults."]},
        {"doc_id": 33, "title": "Dry eye disease in contact lens wearers",
         "abstract": ["Dry eye was common among contact lens wearers."]},
    ]
    corpus.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    claims = tmp_path / "claims.jsonl"
    claims.write_text(
        json.dumps({"id": 1, "claim": "Ketamine infusions reduce neuropathic pain.",
                    "evidence": {"11": [{"label": "SUPPORT", "sentences": [1]}]}}) + "\n"
        + json.dumps({"id": 2, "claim": "Vitamin D supplements cure depression.",
                      "evidence": {"22": [{"label": "CONTRADICT", "sentences": [0]}]}}) + "\n",
        encoding="utf-8")
    out = tmp_path / "run.jsonl"
    printed = _run([str(ROOT / "benchmarks" / "scifact.py"), "--corpus", str(corpus),
                    "--claims", str(claims), "--out", str(out)], tmp_path)
    assert "abstract-level label" in printed
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["claim_id"] for line in lines] == [1, 2]
    assert lines[0]["doc_ids"][0] == "11" and lines[1]["doc_ids"][0] == "22"
    for line in lines:
        assert set(line["doc_ids"]) <= {"11", "22", "33"}
        assert len(line["evidence"]) <= 3
        assert set(line["evidence"].values()) <= {"SUPPORT", "CONTRADICT"}


def test_matching_benchmark_builds_a_copied_table(tmp_path):
    """``benchmarks/bench_matching.py`` on the bundled PubMed sample, copied twice under new
    PMIDs: both tables are built and timed."""
    printed = _run([str(ROOT / "benchmarks" / "bench_matching.py"), "--bulk", str(ROOT / "data" / "pubmed"),
                    "--copies", "2", "--claims", "20", "--workdir", str(tmp_path)], tmp_path)
    assert "4,181" in printed and "8,362" in printed
    assert (tmp_path / "ref_x2.duckdb").exists()


def test_max_article_benchmark_builds_a_page_of_the_size_asked_from_real_paragraphs():
    """``bench_max_article.py``'s page: about the size asked, the article's own paragraphs
    repeated inside one <article>, its text escaped. (The benchmark itself builds the demo
    database, a minute on two cores: it is run by hand, not here.)"""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_max_article", ROOT / "benchmarks" / "bench_max_article.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    text = "Ketamine & pain\nKetamine <relieves> pain for months.\n\nIt is safe."
    page = bench.big_page(text, 0.01)
    assert 9_000 <= len(page.encode()) <= 11_000
    assert page.count("<p>Ketamine &lt;relieves&gt; pain for months.</p>") == page.count("<p>It is safe.</p>") > 100
    assert "<title>Ketamine &amp; pain</title>" in page and page.count("<article>") == 1
    assert sorted(p.name for p in bench.SEEDS.glob("*.txt"))    # the sample articles it reads


def test_report_benchmark_repeats_a_database_and_times_both_builds(tmp_path):
    """``benchmarks/bench_report.py`` on a one-article database: the copy holds the articles
    asked for, and both builds (every page drawn, then nothing changed) are timed."""
    from factcheck import pipeline

    db = tmp_path / "one" / "factcheck.duckdb"
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.ingest_stage(db, [str(ROOT / "data" / "seeds" / "001_b93a18ff41c11d19.txt")], run)
    pipeline.clean_stage(db, run)
    pipeline.claims_stage(db, run)
    pipeline.evidence_stage(db, run)
    pipeline.finish_run(db, run, "completed", dq_passed=True)
    printed = _run([str(ROOT / "benchmarks" / "bench_report.py"), "--db", str(db), "--articles", "3",
                    "--workdir", str(tmp_path / "work")], tmp_path)
    row = printed.strip().splitlines()[-1].split()
    assert row[0] == "3" and int(row[1].replace(",", "")) > 0, printed
    assert float(row[3]) > 0 and float(row[4]) > 0
