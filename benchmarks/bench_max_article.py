#!/usr/bin/env python3
"""The largest article a run accepts, end to end: CPU time and memory per stage.

    python benchmarks/bench_max_article.py [--mb 15] [--workdir DIR]

Issue 16 bounds each input: at most 10 s of CPU, whatever the page. For each bundled sample
article (``data/seeds``: four real clinic and news texts), a page of ``--mb`` megabytes is built
by repeating its paragraphs inside one ``<article>`` (real sentences, so every cut the pipeline
makes is one a real page could trigger; a page of random words would extract no claims). Each
page is run through the pipeline's stages as a nightly run calls them (ingest, clean, claims,
evidence against the demo's reference), alone, on a fresh copy of the demo database (built
once with ``factcheck demo``), and this prints per page: the CPU seconds of each stage (every
thread of the process: the stance model reads on a pool), the claims judged, the limits that
cut the page (``removed_blocks`` and ``pipeline_errors`` reasons starting with ``limit:``) and
the peak memory of the process so far. What a run's process loads once, whatever its inputs
(the stance and language models, the claim rules, the stages' imports), is loaded before the
first page (an ordinary page is run first) and not counted in a page.

What the time is made of: a repeated page holds its article's own claims many times over;
the claims stage keeps one of each (the same sentence is one claim) and at most
``claims.limits.MAX_CLAIMS``, so the evidence stage judges the article's distinct claims, at
the cost of one claim's retrieval and reading each. Nothing here is timed in a test.
"""

from __future__ import annotations

import argparse
import html
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "seeds"
TARGET_CPU_S = 10.0
#: A short article none of the measured pages contains (run first, not counted).
WARM_UP = """Does vitamin D prevent colds?
Vitamin D supplements reduce the risk of acute respiratory infections in adults, according to a 2017 meta-analysis.
Most people get enough vitamin D from sunlight in summer.
Ask your doctor before you take high doses, which can raise calcium levels.
"""


def big_page(text: str, megabytes: float) -> str:
    """An HTML page of about ``megabytes`` MB: the text's paragraphs repeated in one article."""
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    title, body = paragraphs[0], paragraphs[1:] or paragraphs
    block = "".join(f"<p>{html.escape(p)}</p>\n" for p in body)
    repeats = max(1, int(megabytes * 1e6 // len(block.encode("utf-8"))))
    return (f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body>"
            f"<article><h1>{html.escape(title)}</h1>\n{block * repeats}</article></body></html>")


def run_page(base: Path, page: Path, work: Path) -> dict:
    """Ingest, clean, extract and judge one page on a fresh copy of ``base``; CPU per stage."""
    from contextlib import closing

    from factcheck import pipeline
    from factcheck.store.db import connect

    db = work / "factcheck.duckdb"
    for f in work.glob("factcheck.duckdb*"):
        f.unlink()
    shutil.copy(base, db)
    if (base.parent / "raw").exists() and not (work / "raw").exists():
        shutil.copytree(base.parent / "raw", work / "raw")
    run = pipeline.start_run(db, pipeline.new_run_id("maxpage"), "bench", [str(page)])
    cpu: dict[str, float] = {}
    for stage, call in (("ingest", lambda: pipeline.ingest_stage(db, [str(page)], run)),
                        ("clean", lambda: pipeline.clean_stage(db, run)),
                        ("claims", lambda: pipeline.claims_stage(db, run)),
                        ("evidence", lambda: pipeline.evidence_stage(db, run))):
        started = time.process_time()
        call()
        cpu[stage] = time.process_time() - started
    def limits_in(path: Path) -> set[str]:
        with closing(connect(path, read_only=True)) as con:
            return {r[0] for r in con.execute(
                "SELECT reason FROM removed_blocks WHERE reason LIKE 'limit:%' UNION "
                "SELECT message FROM pipeline_errors WHERE message LIKE 'limit:%'").fetchall()}

    with closing(connect(db, read_only=True)) as con:
        judged = con.execute("SELECT count(*) FROM verdicts WHERE run_id = ?", [run]).fetchone()[0]
    limits = sorted(limits_in(db) - limits_in(base))
    return {"cpu": cpu, "judged": judged, "limits": limits,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=15.0, help="page size in megabytes (issue 16: 15)")
    ap.add_argument("--workdir", type=Path, help="keep the demo database here between runs")
    ap.add_argument("--articles", type=int, help="only the first N sample articles")
    args = ap.parse_args(argv)
    tmp = tempfile.TemporaryDirectory()
    work = args.workdir or Path(tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    os.environ.update(DO_NOT_TRACK="1", FACTCHECK_EVIDENCE_EMBED="off", FACTCHECK_CLAIMS_EMBED="off",
                      PREFECT_HOME=str(work / "prefect"))
    os.environ.pop("PREFECT_API_URL", None)
    base = work / "demo" / "factcheck.duckdb"
    if not base.exists():
        print("building the demo database (factcheck demo) ...", flush=True)
        subprocess.run([sys.executable, "-c", "from factcheck.cli import main; main()", "demo",
                        "--out", str(base.parent)], check=True, capture_output=True)
    os.environ["FACTCHECK_REFERENCE_DB"] = str(base.parent / "reference.duckdb")
    os.environ["FACTCHECK_RAW_DIR"] = str(work / "run" / "raw")
    from factcheck.evidence.stance import default_model

    # what a run process loads once, whatever its inputs, is not counted in a page: the stance
    # model, and (through a short page of other sentences run first, so that no page measured
    # finds its own lines already split) the language model, the claim rules' compiled
    # patterns and the stages' imports
    default_model()
    seeds = sorted(SEEDS.glob("*.txt"))
    warm = work / "warm-up.html"
    warm.write_text(big_page(WARM_UP, 0), encoding="utf-8")
    (work / "run").mkdir(exist_ok=True)
    run_page(base, warm, work / "run")
    print(f"{os.cpu_count()} CPUs; pages of {args.mb:g} MB; CPU seconds per stage (all threads)")
    print(f"{'article':<28} {'MB':>5} {'ingest':>7} {'clean':>7} {'claims':>7} {'evidence':>9} "
          f"{'total':>7} {'judged':>7} {'peak MB':>8}  limits")
    worst = 0.0
    for seed in seeds[:args.articles]:
        page = work / f"{seed.stem}.html"
        page.write_text(big_page(seed.read_text(encoding="utf-8"), args.mb), encoding="utf-8")
        (work / "run").mkdir(exist_ok=True)
        got = run_page(base, page, work / "run")
        total = sum(got["cpu"].values())
        worst = max(worst, total)
        c = got["cpu"]
        print(f"{seed.stem:<28} {page.stat().st_size / 1e6:>5.1f} {c['ingest']:>7.1f} {c['clean']:>7.1f} "
              f"{c['claims']:>7.1f} {c['evidence']:>9.1f} {total:>7.1f} {got['judged']:>7} "
              f"{got['peak_mb']:>8.0f}  {', '.join(got['limits']) or '-'}", flush=True)
    print(f"worst page {worst:.1f} s of CPU (target <= {TARGET_CPU_S:g} s: "
          f"{'met' if worst <= TARGET_CPU_S else 'not met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
