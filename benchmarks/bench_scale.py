#!/usr/bin/env python3
"""Scale: the PubMed reference at 50k, 500k and 2M records, projected to the full baseline,
and nightly runs over 2, 20 and 200 new articles against 1,000 stored ones, on 1 and 2 workers.

    python benchmarks/bench_scale.py [--sizes 50000 500000 2000000] [--claims 200]
                                     [--articles 2 20 200] [--skip-reference] [--skip-nightly]
                                     [--size-articles 120]
                                     [--bulk ../shared/data/pubmed_bulk] [--bench ../shared/bench]
                                     [--workdir DIR]

**Reference.** The real records of ``../shared/data/pubmed_bulk``: NLM's pubmed20n0014, a
baseline file of 30,000 records, loaded by the product's own path (``factcheck.run.
load_reference``: parse, merge, index, checks, publish); pubmed21n1298, an update file of
20,788 records, is the daily update loaded into the largest table at the end. Larger tables
repeat the baseline's records under new PMIDs (the same texts: document frequencies scale,
the vocabulary does not), then get their full-text index (``rebuild_fts_index``). Each size is
built in a child process, so its peak RSS is its own. Printed per size: rate (the parse-and-load
rate for the real files; the copy rate for the repeated rows), index build time, file size, peak
RSS, and retrieval p50/p95 per claim (the evidence stage's retrieval: query builder, BM25 over
the postings, the ten best records and their topic check, and the count of records on the
claim's topic; SciFact training claims and the editors' demo claims, default install), measured
in another child that opens the built file as a nightly run opens the published reference (the
first ten claims warm its caches and are not counted). Then a
projection to the full baseline (about 36M records in 1,300 files) and to one daily update file,
on this machine and on 16 cores, from the measured rates (the projection's assumptions are
printed with it).

**Nightly runs.** A database of 1,000 stored articles (the demo's four articles, their claims,
evidence and verdicts repeated under new ids: the history a run must not re-read), then
``factcheck run`` over N new pages (WCXB articles, health ones first, in id order; never copied
into the project) with ``--workers 1``, ``--workers 2`` on threads and ``--workers 2`` on a
local Dask cluster, each from a copy of the same database. Wall time of the whole command,
claims judged, and the analyst database's size once published.

**Analyst database size** (with ``--size-articles N``). ``factcheck run`` over N real WCXB pages on
a copy of the demo database, its claims judged by the shipped model: the growth per article
of the data (each file rewritten into a fresh one, so free blocks left by updates do not
count), by table, projected linearly to 10,000 articles; and the raw folder beside it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("FACTCHECK_EVIDENCE_EMBED", "off")
os.environ.setdefault("FACTCHECK_CLAIMS_EMBED", "off")

FULL_BASELINE_RECORDS = 36_000_000
FULL_BASELINE_FILES = 1_300
DAILY_UPDATE_RECORDS = 30_000
BASE_STRIDE = 100_000_000     # PMIDs of the k-th copy: pmid + k * BASE_STRIDE


def _rss_mb_of(pid: int) -> tuple[int, float]:
    """Wait for child ``pid``; its exit status and peak RSS (MB)."""
    _, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024


def run_child(args: list[str]) -> tuple[dict, float]:
    """Run this script with ``args`` in a child process; its JSON result and peak RSS."""
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    code, rss = _rss_mb_of(proc.pid)
    proc.returncode = code
    if code:
        raise SystemExit(f"child {' '.join(args)} failed with status {code}")
    return json.loads(out.strip().splitlines()[-1]), rss


# --- reference: one size per child process ------------------------------------------------

def child_base(work: Path, bulk: Path) -> dict:
    from factcheck.run import load_reference

    baseline = sorted(bulk.glob("*.xml.gz"))[0]     # the baseline file; the other is the update
    target = work / "ref_base.duckdb"
    target.unlink(missing_ok=True)
    t = time.perf_counter()
    loaded = load_reference(target, [baseline])
    seconds = time.perf_counter() - t
    summary = loaded.summary
    return {"records": loaded.table["records"], "seconds": seconds, "index_s": summary.fts_seconds,
            "load_s": seconds - summary.fts_seconds, "bytes": target.stat().st_size,
            "status": loaded.status}


def child_size(work: Path, n: int) -> dict:
    from factcheck.store.pubmed import rebuild_fts_index
    from factcheck.store.reference import connect_reference

    base = work / "ref_base.duckdb"
    target = work / f"ref_{n}.duckdb"
    built = {}
    if not target.exists():
        building = Path(str(target) + ".building")
        building.unlink(missing_ok=True)
        with closing(connect_reference(building)) as con:
            con.execute(f"ATTACH '{base}' AS base (READ_ONLY)")
            per = con.execute("SELECT count(*) FROM base.pubmed").fetchone()[0]
            t = time.perf_counter()
            for k in range(math.ceil(n / per)):
                take = min(per, n - k * per)
                con.execute(f"INSERT INTO pubmed SELECT * REPLACE (pmid + {k}::BIGINT * {BASE_STRIDE} AS pmid)"
                            f" FROM base.pubmed ORDER BY pmid LIMIT {take}")
            copy_s = time.perf_counter() - t
            con.execute("DETACH base")
            t = time.perf_counter()
            rebuild_fts_index(con)
            index_s = time.perf_counter() - t
            con.execute("CHECKPOINT")
        building.replace(target)
        built = {"copy_s": copy_s, "index_s": index_s}
    return {"records": n, "bytes": target.stat().st_size, **built}


def child_retrieval(work: Path, n: int, claims: int) -> dict:
    """Retrieval over the table of ``n`` records in a process of its own, as a nightly run opens
    the published reference (not in the process that has just built it, whose memory is full
    of the build)."""
    return retrieval_times(work / f"ref_{n}.duckdb", claims)


def retrieval_times(path: Path, n_claims: int) -> dict:
    from bench_matching import claims as demo_and_scifact_claims
    from bench_matching import pct

    from factcheck.evidence.assess import judge_topic
    from factcheck.evidence.retrieve import build_query, coverage, retrieve
    from factcheck.store.reference import connect_reference

    sample = demo_and_scifact_claims(n_claims)
    times = []
    with closing(connect_reference(path, read_only=True)) as con:
        for i, claim in enumerate(sample):
            t = time.perf_counter()
            query = build_query(claim)
            hits = retrieve(con, query, k=10)
            [judge_topic(h, query) for h in hits]
            coverage(con, query)
            if i >= 10:                       # the first ten warm the caches
                times.append(time.perf_counter() - t)
    return {"claims": len(times), "p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95)}


def child_update(work: Path, n: int, bulk: Path) -> dict:
    """Load the update file (pubmed21n1298, 20,788 records) into a copy of the n-record table
    built from the baseline file, through the product's path (the copy for the atomic publish,
    the load, the index refresh, the checks)."""
    from factcheck.run import load_reference

    update = sorted(bulk.glob("*.xml.gz"))[-1]
    target = work / f"update_{n}.duckdb"
    t = time.perf_counter()
    shutil.copy(work / f"ref_{n}.duckdb", target)
    copy_s = time.perf_counter() - t
    t = time.perf_counter()
    loaded = load_reference(target, [update])
    seconds = time.perf_counter() - t
    size = target.stat().st_size
    target.unlink()
    return {"records": n, "update_records": loaded.summary.n_records, "seconds": seconds,
            "index_s": loaded.summary.fts_seconds, "mode": loaded.summary.fts_mode, "bytes": size,
            "copy_mb_s": size / 1e6 / max(copy_s, 1e-6)}


def reference_part(work: Path, bulk: Path, sizes: list[int], n_claims: int) -> None:
    print(f"== PubMed reference ({os.cpu_count()} CPUs, default install; claims: the editors' demo"
          f" claims and SciFact training claims)", flush=True)
    base, base_rss = run_child(["--child", "base", "--workdir", str(work), "--bulk", str(bulk)])
    rate = base["records"] / base["load_s"]
    print(f"real NLM files: {base['records']:,} records parsed and loaded in {base['load_s']:.1f} s "
          f"({rate:,.0f} records/s), index {base['index_s']:.1f} s, {base['bytes'] / 1e6:.0f} MB, "
          f"peak RSS {base_rss:.0f} MB", flush=True)
    print(f"{'records':>10}  {'copy rate/s':>11}  {'index s':>8}  {'file MB':>8}  {'peak RSS MB':>11}"
          f"  {'retrieval p50 / p95 ms':>22}", flush=True)
    rows = []
    for n in sizes:
        row, rss = run_child(["--child", "size", "--n", str(n), "--workdir", str(work)])
        times, _ = run_child(["--child", "retrieval", "--n", str(n), "--workdir", str(work),
                              "--claims", str(n_claims)])
        row.update(times)
        rows.append((row, rss))
        copy = f"{n / row['copy_s']:,.0f}" if "copy_s" in row else "(built)"
        index = f"{row['index_s']:.1f}" if "index_s" in row else "(built)"
        print(f"{n:>10,}  {copy:>11}  {index:>8}  {row['bytes'] / 1e6:>8.0f}  {rss:>11.0f}"
              f"  {row['p50_ms']:>10.1f} / {row['p95_ms']:<9.1f}", flush=True)
    biggest, _ = rows[-1]
    update, update_rss = run_child(["--child", "update", "--n", str(biggest["records"]), "--workdir",
                                    str(work), "--bulk", str(bulk)])
    print(f"daily update against {biggest['records']:,} records: {update['update_records']:,} records "
          f"loaded and published in {update['seconds']:.1f} s (index {update['mode']} in "
          f"{update['index_s']:.1f} s; the rest is the copy of the reference file, the load and the"
          f" checks), peak RSS {update_rss:.0f} MB", flush=True)
    # projection, linear in records from the largest measured table
    scale = FULL_BASELINE_RECORDS / biggest["records"]
    index_s = biggest.get("index_s")
    size_gb = biggest["bytes"] * scale / 1e9
    load_h = FULL_BASELINE_RECORDS / rate / 3600
    print("projection (linear in records from the largest table; parsing runs in up to 4 worker "
          "processes, merging and indexing in DuckDB with every core):")
    print(f"  full baseline, {FULL_BASELINE_RECORDS / 1e6:.0f}M records in {FULL_BASELINE_FILES:,} files, "
          f"this machine: load {load_h:.1f} h at {rate:,.0f} records/s"
          + (f", index {index_s * scale / 3600:.1f} h" if index_s else "")
          + f", about {size_gb:.0f} GB on disk")
    cores = os.cpu_count() or 1
    speedup = min(4, 16) / min(4, cores)   # parse workers: min(files, cores, 4)
    print(f"  full baseline on 16 cores: load about {load_h / speedup:.1f} h (parsing {speedup:.0f}x"
          " wider; merging is one writer)"
          + (f", index about {index_s * scale / 3600 / (16 / cores):.1f} h if DuckDB scales with "
             "cores" if index_s else ""))
    copy_min = size_gb * 1e3 / update["copy_mb_s"] / 60
    rest = update["seconds"] * DAILY_UPDATE_RECORDS / max(update["update_records"], 1)
    print(f"  one daily update file ({DAILY_UPDATE_RECORDS:,} records) against the full baseline: the "
          f"copy of the reference for its atomic publish ({size_gb:.0f} GB at the "
          f"{update['copy_mb_s']:,.0f} MB/s of a file copy here, partly from the page cache: about "
          f"{copy_min:.1f} min) plus the "
          f"load, index refresh and checks (about {rest / 60:.1f} min here at {biggest['records']:,}"
          " records; the refresh touches the changed records and their terms)")


# --- nightly runs --------------------------------------------------------------------------

def demo_database(work: Path) -> Path:
    """The database ``factcheck demo`` publishes (built once per work folder)."""
    demo = work / "demo" / "factcheck.duckdb"
    if not demo.exists():
        done = subprocess.run([sys.executable, "-c", "from factcheck.cli import main; main()", "demo", "--out",
                               str(demo.parent)], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"factcheck demo failed:\n{done.stdout}\n{done.stderr}")
    return demo


def history_database(work: Path, n_articles: int) -> Path:
    """The demo's database with its articles repeated to ``n_articles`` stored articles."""
    demo = demo_database(work)
    target = work / f"history_{n_articles}.duckdb"
    if target.exists():
        return target
    from factcheck.store.db import connect

    shutil.copy(demo, target)
    with closing(connect(target, reference=False)) as con:
        n = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        for k in range(1, math.ceil(n_articles / n)):
            suffix = f"'-h{k}'"
            con.execute("BEGIN TRANSACTION")
            con.execute(f"INSERT INTO articles SELECT * REPLACE (article_id || {suffix} AS article_id,"
                        f" source || '#h{k}' AS source) FROM articles WHERE article_id NOT LIKE '%-h%'")
            con.execute(f"INSERT INTO article_versions SELECT * REPLACE (article_id || {suffix} AS article_id)"
                        " FROM article_versions WHERE article_id NOT LIKE '%-h%'")
            con.execute(f"INSERT INTO removed_blocks SELECT * REPLACE (article_id || {suffix} AS article_id)"
                        " FROM removed_blocks WHERE article_id NOT LIKE '%-h%'")
            con.execute(f"INSERT INTO claims SELECT * REPLACE (claim_id || {suffix} AS claim_id, article_id ||"
                        f" {suffix} AS article_id) FROM claims WHERE article_id NOT LIKE '%-h%'")
            con.execute(f"INSERT INTO evidence SELECT * REPLACE (claim_id || {suffix} AS claim_id) FROM evidence"
                        " WHERE claim_id NOT LIKE '%-h%'")
            con.execute(f"INSERT INTO verdicts SELECT * REPLACE (claim_id || {suffix} AS claim_id) FROM verdicts"
                        " WHERE claim_id NOT LIKE '%-h%'")
            con.execute(f"INSERT INTO verdict_history SELECT * REPLACE (claim_id || {suffix} AS claim_id)"
                        " FROM verdict_history WHERE claim_id NOT LIKE '%-h%'")
            con.execute("COMMIT")
        con.execute("CHECKPOINT")
    return target


def pages(bench: Path, n: int) -> list[Path]:
    gold = json.loads((bench / "wcxb_articles" / "gold.json").read_text())
    ids = sorted(gold, key=lambda k: (str(gold[k].get("health")) != "True", k))
    return [bench / "wcxb_articles" / "pages" / f"{i}.html" for i in ids[:n]]


def nightly_part(work: Path, bench: Path, articles: list[int], stored: int) -> None:
    from bench_nightly import counts, timed_run

    history = history_database(work, stored)
    env = dict(os.environ, DO_NOT_TRACK="1", PREFECT_HOME=str(work / "prefect"),
               FACTCHECK_REFERENCE_DB=str(work / "demo" / "reference.duckdb"))
    env.pop("PREFECT_API_URL", None)
    print(f"== nightly runs against {stored:,} stored articles ({history.stat().st_size / 1e6:.1f} MB"
          f" analyst database; reference attached, {os.cpu_count()} CPUs, default install)", flush=True)
    print(f"{'new':>5}  {'runner':<16}  {'wall s':>7}  {'claims':>6}  {'judged':>6}  {'kept':>6}  "
          f"{'published MB':>12}", flush=True)
    configs = [("thread", 1), ("thread", 2), ("dask", 2)]
    for n in articles:
        for kind, workers in configs:
            run_dir = work / f"run-{n}-{kind}{workers}"
            wall, out, db = timed_run(run_dir, pages(bench, n), history, env,
                                      "--task-runner", kind, "--workers", str(workers))
            c, e = counts(out, "claims"), counts(out, "evidence")
            print(f"{n:>5}  {f'{kind} x{workers}':<16}  {wall:>7.1f}  {c.get('claims', 0):>6}  "
                  f"{e.get('judged', 0):>6}  {e.get('unchanged', 0):>6}  {db.stat().st_size / 1e6:>12.1f}",
                  flush=True)
            shutil.rmtree(run_dir / "input", ignore_errors=True)


# --- analyst database size ----------------------------------------------------------------

def compacted(path: Path, target: Path) -> tuple[int, dict[str, int]]:
    """Bytes of ``path`` rewritten into a fresh file in the project's storage format (what the
    data and its key indexes take, without the free blocks that updates leave in a file), and
    of each table alone (its data without key indexes)."""
    import duckdb

    from factcheck.store.db import create_file
    from factcheck.store.publish import rewrite

    def fresh(name: Path) -> duckdb.DuckDBPyConnection:
        name.unlink(missing_ok=True)
        create_file(name)
        con = duckdb.connect()
        con.execute(f"ATTACH '{path}' AS src (READ_ONLY)")
        con.execute(f"ATTACH '{name}' AS dst")
        return con

    target.unlink(missing_ok=True)
    rewrite(path, target)
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{path}' AS src (READ_ONLY)")
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'src'").fetchall()]
    whole = target.stat().st_size
    per: dict[str, int] = {}
    for table in tables:
        part = target.with_suffix(f".{table}.duckdb")
        con = fresh(part)
        con.execute(f"CREATE TABLE dst.{table} AS SELECT * FROM src.{table}")
        con.close()
        per[table] = part.stat().st_size
        part.unlink()
    return whole, per


def size_part(work: Path, bench: Path, n: int, stored: int = 10_000) -> None:
    """The analyst database's growth per real article: ``factcheck run`` over ``n`` WCXB pages
    on a copy of the demo database (its claims judged by the shipped model against the demo
    reference), compacted before and after, projected linearly to ``stored`` articles."""
    from bench_nightly import counts, timed_run

    demo = demo_database(work)
    env = dict(os.environ, DO_NOT_TRACK="1", PREFECT_HOME=str(work / "prefect"),
               FACTCHECK_REFERENCE_DB=str(work / "demo" / "reference.duckdb"))
    env.pop("FACTCHECK_RAW_DIR", None)
    run_dir = work / f"size-{n}"
    wall, out, db = timed_run(run_dir, pages(bench, n), demo, env)
    before, _ = compacted(demo, work / "size-before.duckdb")
    after, per_table = compacted(db, work / "size-after.duckdb")
    raw = sum(f.stat().st_size for f in (run_dir / "raw").rglob("*.txt.gz"))
    claims = counts(out, "claims").get("claims", 0)
    per_article = (after - before) / n
    print(f"== analyst database size: {n} WCXB pages run on the demo database ({wall:.0f} s, "
          f"{claims} claims)", flush=True)
    print(f"published file {db.stat().st_size / 1e6:.1f} MB; its data rewritten into a fresh file "
          f"{after / 1e6:.1f} MB (the demo's {before / 1e6:.1f} MB); raw folder {raw / 1e6:.1f} MB "
          f"({raw / n / 1e3:.0f} KB a page, gzip; not in the database)", flush=True)
    print(f"growth {per_article / 1e3:.0f} KB per article ({per_article * n / max(claims, 1) / 1e3:.2f} KB"
          f" per claim); projected for {stored:,} such articles: {(before + per_article * stored) / 1e6:,.0f}"
          " MB", flush=True)
    print("by table (each rewritten alone, MB): " + ", ".join(
        f"{t} {b / 1e6:.1f}" for t, b in sorted(per_table.items(), key=lambda kv: -kv[1])[:6]), flush=True)
    shutil.rmtree(run_dir / "input", ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[50_000, 500_000, 2_000_000])
    ap.add_argument("--claims", type=int, default=200)
    ap.add_argument("--articles", type=int, nargs="+", default=[2, 20, 200])
    ap.add_argument("--stored", type=int, default=1000)
    ap.add_argument("--bulk", type=Path, default=ROOT.parent / "shared" / "data" / "pubmed_bulk")
    ap.add_argument("--bench", type=Path, default=ROOT.parent / "shared" / "bench")
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--skip-reference", action="store_true")
    ap.add_argument("--skip-nightly", action="store_true")
    ap.add_argument("--size-articles", type=int, default=0,
                    help="also run this many WCXB pages for the analyst database's growth per article")
    ap.add_argument("--child", choices=["base", "size", "retrieval", "update"], help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    tmp = tempfile.TemporaryDirectory()
    work = args.workdir or Path(tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    if args.child:
        result = {"base": lambda: child_base(work, args.bulk),
                  "size": lambda: child_size(work, args.n),
                  "retrieval": lambda: child_retrieval(work, args.n, args.claims),
                  "update": lambda: child_update(work, args.n, args.bulk)}[args.child]()
        print(json.dumps(result))
        return 0
    if not args.skip_reference:
        if not sorted(args.bulk.glob("*.xml.gz")):
            raise SystemExit(f"no NLM files under {args.bulk}: pass --bulk")
        reference_part(work, args.bulk, args.sizes, args.claims)
    if not args.skip_nightly:
        if not (args.bench / "wcxb_articles" / "gold.json").exists():
            raise SystemExit(f"no WCXB pages under {args.bench}: pass --bench")
        nightly_part(work, args.bench, args.articles, args.stored)
    if args.size_articles:
        if not (args.bench / "wcxb_articles" / "gold.json").exists():
            raise SystemExit(f"no WCXB pages under {args.bench}: pass --bench")
        size_part(work, args.bench, args.size_articles)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
