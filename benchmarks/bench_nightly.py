#!/usr/bin/env python3
"""A nightly run's wall time over a few new articles, against the demo database.

    python benchmarks/bench_nightly.py [--articles 2 20] [--server] [--bench ../shared/bench]

Builds the demo database once (``factcheck demo``: 4 articles, 4,181 PubMed records in the
reference file beside it), then for each ``--articles`` count copies the analyst database (the
runs all attach the demo's reference, ``FACTCHECK_REFERENCE_DB``) and times ``factcheck run --input <N pages>`` end to end
(a new process, as cron or a schedule would start it): N health pages of WCXB
(``../shared/bench/wcxb_articles``, the first N tagged health, in id order; never copied into
the project), and a run with nothing new. With ``--server`` the same runs are timed again
against a running ``prefect server`` (``PREFECT_API_URL``), which is what ``factcheck
schedule`` uses, instead of Prefect's temporary server started by each run.

Prints, per run: wall seconds and CPU seconds (the run's process and those it waited for; on
a shared machine the steadier figure), claims extracted and judged, and the stage lines'
counts. The scale issue's target: 2 new articles in at most 15 s on a two-core machine. The cost grows with
the new articles' claims (each is retrieved and read by the stance model, about 0.1 s of wall
time on two cores), not with the stored history (verdicts whose inputs did not change are kept).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


#: CPU seconds (user + system) of the last ``factcheck`` command and the processes it waited
#: for (a temporary Prefect server included): on a shared machine, steadier than wall time.
LAST_CPU = [0.0]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def factcheck(*args: str, env: dict | None = None) -> tuple[float, str]:
    t, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, "-c", "from factcheck.cli import main; main()", *args],
                          capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    LAST_CPU[0] = _children_cpu() - cpu
    if done.returncode not in (0, 3):
        raise SystemExit(f"factcheck {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return wall, done.stdout + done.stderr


def counts(output: str, stage: str) -> dict[str, int]:
    line = next((ln for ln in output.splitlines() if re.match(rf"^\S+ {stage}:", ln)), "")
    return {k.strip(): int(v) for k, v in re.findall(r"([a-z ]+?) (\d+)(?:,|$)", line.split(":", 1)[-1])}


def health_pages(bench: Path, n: int) -> list[Path]:
    gold = json.loads((bench / "wcxb_articles" / "gold.json").read_text())
    ids = sorted(k for k, v in gold.items() if str(v.get("health")) == "True")
    return [bench / "wcxb_articles" / "pages" / f"{i}.html" for i in ids[:n]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed_run(run_dir: Path, pages: list[Path], base: Path, env: dict, *options: str) -> tuple[float, str, Path]:
    """``factcheck run`` over ``pages`` on a fresh copy of the database ``base``, in ``run_dir``:
    its wall time, its output and the database it published."""
    shutil.rmtree(run_dir, ignore_errors=True)
    (run_dir / "input").mkdir(parents=True)
    for page in pages:
        shutil.copy(page, run_dir / "input" / page.name)
    db = run_dir / "factcheck.duckdb"
    shutil.copy(base, db)
    wall, out = factcheck("run", "--input", str(run_dir / "input"), "--db", str(db), "--out",
                          str(run_dir / "out"), *options, env=env)
    return wall, out, db


def timed_runs(base: Path, work: Path, sizes: list[int], bench: Path, env: dict, label: str) -> None:
    for n in [0, *sizes]:
        wall, out, _ = timed_run(work / f"{label}-{n}", health_pages(bench, n), base, env)
        claims, evidence = counts(out, "claims"), counts(out, "evidence")
        print(f"{label:<17} {n:>3} new articles  {wall:6.1f} s ({LAST_CPU[0]:5.1f} s of CPU)"
              f"   claims extracted {claims.get('claims', 0):>4}"
              f"   judged {evidence.get('judged', 0):>4}   kept {evidence.get('unchanged', 0):>4}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, nargs="+", default=[2, 20])
    ap.add_argument("--server", action="store_true", help="also time against a running prefect server")
    ap.add_argument("--bench", type=Path, default=ROOT.parent / "shared" / "bench")
    ap.add_argument("--workdir", type=Path)
    args = ap.parse_args(argv)
    if not (args.bench / "wcxb_articles" / "gold.json").exists():
        raise SystemExit(f"no WCXB pages under {args.bench}: pass --bench")
    tmp = tempfile.TemporaryDirectory()
    work = args.workdir or Path(tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DO_NOT_TRACK="1", FACTCHECK_EVIDENCE_EMBED="off", FACTCHECK_CLAIMS_EMBED="off",
               PREFECT_HOME=str(work / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    base = work / "demo" / "factcheck.duckdb"
    if not base.exists():
        wall, _ = factcheck("demo", "--out", str(base.parent), env=env)
        print(f"demo database built in {wall:.0f} s ({base})", flush=True)
    # every run reads the demo's reference file (attached read-only, never copied)
    env["FACTCHECK_REFERENCE_DB"] = str(base.parent / "reference.duckdb")
    print(f"{os.cpu_count()} CPUs; default install (no embed extra); WCXB health pages in id order;"
          f" analyst database {base.stat().st_size / 1e6:.1f} MB, reference "
          f"{(base.parent / 'reference.duckdb').stat().st_size / 1e6:.1f} MB", flush=True)
    timed_runs(base, work, args.articles, args.bench, env, "temporary server")
    if args.server:
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                   "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            import httpx

            url = f"http://127.0.0.1:{port}/api"
            for _ in range(120):
                try:
                    if httpx.get(url + "/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(1)
            timed_runs(base, work, args.articles, args.bench, dict(env, PREFECT_API_URL=url), "running server")
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
