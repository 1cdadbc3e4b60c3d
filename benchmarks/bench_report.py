#!/usr/bin/env python3
"""The editors' report's cost against the number of stored articles.

    python benchmarks/bench_report.py [--db out/factcheck.duckdb] [--articles 1000 10000]

Takes an analyst database (default: a fresh ``factcheck demo``: 4 articles, 96 claims, in a
temporary folder) and, for each ``--articles`` count, writes a copy whose articles, versions,
removed blocks, claims, evidence rows and verdicts are those of the source repeated under new
ids (``<id>-<copy>``) until it holds that many articles, then times ``build_report`` twice:
with no previous report (every article page drawn) and again with the first as the previous
report (what a nightly run with nothing changed pays: unchanged pages reused). Both are built
for a run added to the copy that judged nothing (as a night without new articles; a report for
the source's own run would list every copied flag as new that night). The copies repeat real
rows, so the figures are of this code's work per stored article, not of a
realistic variety of pages. Runs in one process, on one core for the report.

Prints, per count: articles, claims, evidence rows, seconds with every page drawn, seconds
with nothing changed, and the report's size on disk.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Tables with rows per article or claim, and their id columns made unique per copy.
ARTICLE_TABLES = ("articles", "article_versions", "removed_blocks", "claims", "evidence",
                  "verdicts", "verdict_history")
ID_COLUMNS = {"article_id", "claim_id", "source"}
#: The run the reports are built for (``replicate``).
NOTHING_NEW = "bench-nothing-new"


def demo_database(work: Path) -> Path:
    out = work / "demo"
    if not (out / "factcheck.duckdb").exists():
        env = dict(os.environ, DO_NOT_TRACK="1", PREFECT_HOME=str(work / "prefect"))
        subprocess.run([sys.executable, "-c", "from factcheck.cli import main; main()", "demo",
                        "--out", str(out)], check=True, env=env, capture_output=True)
    return out / "factcheck.duckdb"


def replicate(source: Path, target: Path, n_articles: int) -> int:
    """Write ``target``: ``source`` with its per-article rows repeated to ``n_articles``;
    returns the copies made."""
    import duckdb

    from factcheck.store.db import create_file

    target.unlink(missing_ok=True)
    create_file(target)
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
        con.execute(f"ATTACH '{target}' AS dst")
        con.execute("COPY FROM DATABASE src TO dst")
        have = con.execute("SELECT count(*) FROM src.articles").fetchone()[0]
        copies = max(1, -(-n_articles // max(have, 1)))
        for table in ARTICLE_TABLES:
            columns = [r[0] for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = 'src' AND table_name = ?"
                " ORDER BY column_index", [table]).fetchall()]
            select = ", ".join(f'"{c}" || \'-\' || i::VARCHAR' if c in ID_COLUMNS else f'"{c}"'
                               for c in columns)
            con.execute(f"INSERT INTO dst.{table} SELECT {select} FROM range(1, {copies}) r(i),"
                        f" src.{table} ORDER BY i")
        # the run the reports are built for: a nightly run that found nothing new (the copies'
        # verdicts all come from the source's runs, so a report for one of those would list
        # every copied flag as new tonight)
        con.execute(f"""INSERT INTO dst.runs SELECT * REPLACE ('{NOTHING_NEW}' AS run_id,
                            started_at + INTERVAL 1 DAY AS started_at, finished_at + INTERVAL 1 DAY
                            AS finished_at, 0 AS n_new_versions, 0 AS n_claims, 0 AS n_flagged)
                        FROM src.runs ORDER BY started_at DESC LIMIT 1""")
        con.execute("CHECKPOINT dst")
    return copies


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="analyst database to repeat (default: a fresh demo)")
    ap.add_argument("--reference", type=Path, help="its reference file (default: beside it)")
    ap.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--workdir", type=Path)
    args = ap.parse_args(argv)
    tmp = tempfile.TemporaryDirectory()
    work = args.workdir or Path(tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    source = args.db or demo_database(work)
    reference = args.reference or source.parent / "reference.duckdb"

    from factcheck.report.build import build_report
    from factcheck.store.db import connect

    print(f"source {source}; report built in one process", flush=True)
    print(f"{'articles':>9}  {'claims':>8}  {'evidence':>9}  {'every page s':>12}  "
          f"{'unchanged s':>11}  {'report MB':>9}", flush=True)
    for n in args.articles:
        db = work / f"report-{n}.duckdb"
        replicate(source, db, n)
        with connect(db, read_only=True, reference=reference) as con:
            counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                      for t in ("current_articles", "current_claims", "evidence")]
            run_id = NOTHING_NEW
            first, second = work / f"first-{n}", work / f"second-{n}"
            for folder in (first, second):
                shutil.rmtree(folder, ignore_errors=True)
            t = time.perf_counter()
            build_report(con, first, run_id)
            drawn = time.perf_counter() - t
            t = time.perf_counter()
            paths = build_report(con, second, run_id, previous=first / "report")
            kept = time.perf_counter() - t
        size = sum(f.stat().st_size for f in (second).rglob("*") if f.is_file())
        print(f"{counts[0]:>9,}  {counts[1]:>8,}  {counts[2]:>9,}  {drawn:>12.1f}  {kept:>11.1f}  "
              f"{size / 1e6:>9.1f}", flush=True)
        assert paths.html.exists()
        for folder in (first, second):
            shutil.rmtree(folder, ignore_errors=True)
        db.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
