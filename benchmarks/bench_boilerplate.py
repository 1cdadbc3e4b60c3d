"""Boilerplate removal: factcheck.clean against trafilatura on the article-extraction benchmark.

Reads ``../shared/bench/boilerplate/dev`` (91 pages with hand-made ground truth; never copied
into the project) and scores with the benchmark's own ``score.py`` (4-gram shingle
precision/recall/F1). Prints, from the same run:

* trafilatura (its default settings, as the benchmark runs it)
* factcheck.clean.clean_html with every rule on (the product's behaviour)
* the same with calls to action kept (the benchmark's ground truth keeps in-body CTAs)

with mean and median ms per page, the ratio of medians, and pages per minute on one core.
The extractors run interleaved page by page in one process, so they share the machine's load.

Usage::

    .venv/bin/python benchmarks/bench_boilerplate.py [--subset health_blog] [--dump DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))   # the research tools (a checkout)
BENCH = ROOT / ".." / "shared" / "bench" / "boilerplate"
TARGET_F1 = 0.975
TARGET_TIME_RATIO = 1.5
TARGET_PAGES_PER_MINUTE = 1000

console = Console(width=200)


def _load_scorer():
    path = BENCH / "score.py"
    if not path.exists():
        console.print(f"[red]benchmark not found at {BENCH.resolve()}[/red]: this script needs "
                      "../shared/bench/boilerplate beside the project (it is never committed).")
        sys.exit(2)
    spec = importlib.util.spec_from_file_location("boilerplate_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reset_caches() -> None:
    """Forget the class-name classifications cached from earlier runs on the same page, so
    no page is timed with a cache the same page warmed (outside the timed call)."""
    from factcheck.clean.html import _classify_names

    _classify_names.cache_clear()


def _run_interleaved(extractors, pages: dict[str, bytes], rounds: int, progress: Progress):
    """Run every extractor on each page in turn, page by page, ``rounds`` times; keep each
    page's fastest time per extractor. Interleaving makes the extractors share the same
    machine load (this machine is shared), so their times stay comparable.
    Returns {name: (preds, seconds, errors)}."""
    import time

    out = {name: ({}, {}, {}) for name, _ in extractors}
    task = progress.add_task("pages", total=len(pages) * rounds)
    for _ in range(rounds):
        for key, raw in pages.items():
            html = raw.decode("utf8")
            for name, fn in extractors:
                preds, times, errors = out[name]
                reset_caches()
                t0 = time.perf_counter()
                try:
                    text = fn(html)
                except Exception as exc:  # scored as empty output, reported below
                    text = ""
                    errors[key] = f"{type(exc).__name__}: {exc}"[:200]
                elapsed = time.perf_counter() - t0
                times[key] = min(elapsed, times.get(key, elapsed))
                preds[key] = text or ""
            progress.advance(task)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subset", help="id list from subsets.json (e.g. health_blog)")
    parser.add_argument("--n-bootstrap", type=int, default=200)
    parser.add_argument("--dump", type=Path, help="write per-page predictions and scores here")
    parser.add_argument("--rounds", type=int, default=1,
                        help="time each page this many times; each page's fastest run counts")
    args = parser.parse_args(argv)

    score = _load_scorer()
    ids = None
    if args.subset:
        ids = json.loads((BENCH / "subsets.json").read_text())[args.subset]["ids"]
        have = json.loads((BENCH / "dev" / "ground_truth.json").read_text(encoding="utf8"))
        ids = [i for i in ids if i in have]
    gt, pages = score.load_benchmark(BENCH / "dev", ids)

    import trafilatura

    from research.clean_evaluate import extract_for_benchmark, extract_for_benchmark_keep_cta

    def trafilatura_default(html: str) -> str:
        return trafilatura.extract(html, include_comments=False) or ""

    extractors = [
        (f"trafilatura {trafilatura.__version__}", trafilatura_default),
        ("factcheck.clean (all rules)", extract_for_benchmark),
        ("factcheck.clean (CTAs kept)", extract_for_benchmark_keep_cta),
    ]
    # warm-up: imports, the language model and regex compilation are not per-page costs
    first = next(iter(pages.values())).decode("utf8")
    for _, fn in extractors:
        fn(first)

    with Progress(console=console, transient=True) as progress:
        results = _run_interleaved(extractors, pages, args.rounds, progress)

    console.print(f"[bold]boilerplate benchmark[/bold]: {len(gt)} pages of {BENCH.resolve() / 'dev'}"
                  + (f" (subset {args.subset})" if args.subset else ""))
    medians = {}
    for name, (preds, times, errors) in results.items():
        metrics = score.evaluate(gt, preds, args.n_bootstrap)
        medians[name] = statistics.median(times.values())
        per_minute = 60.0 / statistics.mean(times.values())
        console.print(score.summary_line(name, metrics, times, len(errors))
                      + f"  {per_minute:,.0f} pages/min")
        for key, message in list(errors.items())[:3]:
            console.print(f"    error {key[:12]}: {message}")
        results[name] = (preds, times, errors, metrics)
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            safe = "".join(c if c.isalnum() else "_" for c in name)
            with open(args.dump / f"{safe}.jsonl", "w", encoding="utf8") as out:
                for key in sorted(gt):
                    out.write(json.dumps({"id": key, "url": gt[key].get("url"), "text": preds[key],
                                          **metrics["per_page"][key], "seconds": times[key]},
                                         ensure_ascii=False) + "\n")

    names = list(results)
    base, ours = names[0], names[1]
    ratio = medians[ours] / medians[base]
    f1 = results[ours][3]["f1"]
    f1_keep = results[names[2]][3]["f1"]
    per_minute = 60.0 / statistics.mean(results[ours][1].values())
    console.print(f"median time ratio factcheck/trafilatura: {ratio:.2f}x "
                  f"(target <= {TARGET_TIME_RATIO}x)")
    console.print(f"F1 all rules {f1:.3f}, CTAs kept {f1_keep:.3f} (target >= {TARGET_F1}); "
                  f"{per_minute:,.0f} pages/min on one core (target >= {TARGET_PAGES_PER_MINUTE})")
    met = f1 >= TARGET_F1 and ratio <= TARGET_TIME_RATIO and per_minute >= TARGET_PAGES_PER_MINUTE
    console.print("[green]targets met[/green]" if met else "[yellow]targets not met[/yellow]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
