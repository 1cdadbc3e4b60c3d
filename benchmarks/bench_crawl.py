"""Crawl throughput and memory on a local site of N pages (default 2,000), per-host
concurrency 8, no rate limit.

The site runs in a separate process (uvicorn + starlette), so it does not compete with the
crawler for the GIL. Three figures are printed side by side:

- ``factcheck crawl, cold``: sitemap → 2,000 pages downloaded, decoded, canonicalised and
  stored (one DuckDB transaction per page: article version + crawl state + fetch log);
- ``factcheck crawl, incremental``: the same site again, every page answered 304;
- ``anchor: bare httpx``: the same 2,000 GETs with httpx.AsyncClient and 8 tasks, nothing
  else (no robots.txt, no guard, no parsing, no database): the ceiling of the HTTP stack.

Peak RSS is the crawler process's ``ru_maxrss`` after the two crawls (before the anchor).
Targets: at least 200 pages/s on loopback, peak RSS under 300 MB.

    .venv/bin/python benchmarks/bench_crawl.py [--pages 2000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGE_PARAGRAPHS = 12  # ~2.7 KB of HTML per page


def serve(n_pages: int) -> None:
    """Run the benchmark site on a free port of 127.0.0.1; print the port on stdout."""
    import hashlib
    import socket

    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    def page(i: int) -> str:
        paragraphs = "".join(
            f"<p>Paragraph {j} of article {i}: magnesium supplements were associated with "
            f"fewer migraine days in a randomised trial of {100 + j} adults, although the "
            f"effect was small and the follow-up short.</p>" for j in range(PAGE_PARAGRAPHS))
        return (f"<!doctype html><html><head><meta charset='utf-8'><title>Article {i}</title>"
                f"<link rel='canonical' href='/p/{i}'></head><body><nav>Home</nav><article>"
                f"<h1>Article {i}</h1>{paragraphs}</article><footer>Book a consultation"
                f"</footer></body></html>")

    pages = [page(i) for i in range(n_pages)]
    etags = ['"' + hashlib.sha1(p.encode()).hexdigest()[:16] + '"' for p in pages]

    async def robots(request: Request) -> Response:
        return PlainTextResponse("User-agent: *\nDisallow: /private/\n")

    async def sitemap(request: Request) -> Response:
        base = f"http://{request.headers['host']}"
        urls = "".join(f"<url><loc>{base}/p/{i}</loc></url>" for i in range(n_pages))
        return Response('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                        f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
                        media_type="application/xml")

    async def article(request: Request) -> Response:
        i = int(request.path_params["i"])
        if request.headers.get("if-none-match") == etags[i]:
            return Response(status_code=304, headers={"ETag": etags[i]})
        return Response(pages[i], media_type="text/html; charset=utf-8",
                        headers={"ETag": etags[i]})

    app = Starlette(routes=[Route("/robots.txt", robots), Route("/sitemap.xml", sitemap),
                            Route("/p/{i:int}", article)])
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP,
    # and without it every response waits ~40 ms for a delayed ACK (Nagle), as no real
    # web server would.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                  lifespan="off", backlog=1024)).run(sockets=[sock])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def bare_httpx(base: str, n_pages: int, concurrency: int) -> float:
    import httpx

    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n_pages):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:
        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                response = await client.get(f"{base}/p/{i}")
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.pages)
        return 0

    from factcheck.ingest.web import crawl, parse_sources
    from factcheck.settings import Settings
    from factcheck.store.db import connect

    server = subprocess.Popen([sys.executable, __file__, "--serve", "--pages", str(args.pages)],
                              stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        base = f"http://127.0.0.1:{port}"
        settings = Settings(allow_private_networks=True, crawl_max_pages=args.pages)
        sources = parse_sources({"sites": [{
            "name": "bench", "sitemaps": [f"{base}/sitemap.xml"], "rate_limit": 0,
            "concurrency": args.concurrency, "max_pages": args.pages}]},
            base_dir=Path.cwd(), settings=settings)
        rows = []
        with tempfile.TemporaryDirectory() as tmp, connect(Path(tmp) / "bench.duckdb") as con:
            for label, run_id in (("factcheck crawl, cold", "cold"),
                                  ("factcheck crawl, incremental (304)", "warm")):
                started = time.perf_counter()
                summary = crawl(con, sources, run_id, settings=settings)
                elapsed = time.perf_counter() - started
                done = summary.fetched + summary.not_modified
                if summary.errors or done != args.pages:
                    print(f"{label}: {summary}", file=sys.stderr)
                    return 1
                rows.append((label, done, elapsed, peak_rss_mb()))
                if run_id == "cold":
                    page_kb = summary.bytes / max(1, summary.fetched) / 1024
            stored = con.execute("SELECT count(*) FROM article_versions").fetchone()[0]
        crawl_rss = peak_rss_mb()
        elapsed = asyncio.run(bare_httpx(base, args.pages, args.concurrency))
        rows.append(("anchor: bare httpx, 8 tasks, no DB", args.pages, elapsed, None))
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"\nlocal site of {args.pages:,} pages ({page_kb:.1f} KB each), per-host concurrency "
          f"{args.concurrency}, loopback; {stored:,} versions stored\n")
    print(f"{'run':<38}{'pages':>7}{'seconds':>9}{'pages/s':>9}{'peak RSS MB':>13}")
    for label, n, seconds, rss in rows:
        rss_text = f"{rss:.0f}" if rss is not None else "-"
        print(f"{label:<38}{n:>7}{seconds:>9.2f}{n / seconds:>9.0f}{rss_text:>13}")
    cold_rate = rows[0][1] / rows[0][2]
    print(f"\ntarget ≥ 200 pages/s (cold): {'met' if cold_rate >= 200 else 'NOT met'}"
          f" ({cold_rate:.0f}); peak RSS < 300 MB: {'met' if crawl_rss < 300 else 'NOT met'}"
          f" ({crawl_rss:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
