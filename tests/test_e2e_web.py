"""`factcheck run` over a real local web site: feed → pages → clean → claims → report.

The site is served by a real HTTP server on 127.0.0.1 started by the test; private
addresses are allowed explicitly (the crawler refuses them by default).
"""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from factcheck.cli import cli

pytestmark = pytest.mark.slow

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Sunrise Ketamine Clinic</title>
<link rel="canonical" href="{base}/blog/{slug}/"></head><body>
<header><nav class="main-nav"><a href="/">Home</a> <a href="/services">Services</a>
<a href="/blog">Blog</a> <a href="/contact">Contact</a></nav></header>
<main><article class="post">
<h1 class="entry-title">{title}</h1>
<p class="byline">By Dr. Jane Roe · March 3, 2024</p>
<div class="entry-content">
<p>{p1}</p>
<p>{p2}</p>
<div class="cta-banner"><p>Schedule your free consultation today! Call (555) 010-2030.</p>
<a class="button" href="/book">Book now</a></div>
</div>
<div class="share-buttons">Share this post: Facebook Twitter LinkedIn</div>
</article>
<aside class="related-posts"><h3>Related posts</h3>
<ul><li><a href="/blog/x">Can ketamine help with anxiety? Discover what the science…</a></li>
<li><a href="/blog/y">Is ketamine safe for older adults? Learn the facts…</a></li></ul></aside>
</main><footer>© 2024 Sunrise Ketamine Clinic · Privacy · Terms</footer></body></html>"""

ARTICLES = {
    "ketamine-crps": dict(
        title="Ketamine Infusions for CRPS",
        p1="Complex regional pain syndrome is a chronic pain condition that usually affects an arm or a leg.",
        p2="Ketamine infusion therapy relieves the burning pain of CRPS for weeks after a single series "
           "of infusions, and it works by blocking NMDA receptors in the spinal cord."),
    "ketamine-migraine": dict(
        title="Can Ketamine Stop a Migraine?",
        p1="Migraine affects about one in seven adults worldwide.",
        p2="Intranasal ketamine reduces the severity of migraine aura within an hour in most patients."),
}


def feed(base: str) -> str:
    items = "".join(
        f"<item><title>{a['title']}</title><link>{base}/blog/{slug}/</link>"
        f"<pubDate>Sun, 03 Mar 2024 10:00:00 GMT</pubDate></item>" for slug, a in ARTICLES.items())
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Sunrise blog</title>'
            f"<link>{base}/blog/</link><description>x</description>{items}</channel></rss>")


@pytest.fixture
def site(tmp_path: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    root = tmp_path / "site"
    (root / "blog").mkdir(parents=True)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    (root / "feed.xml").write_text(feed(base))
    for slug, article in ARTICLES.items():
        (root / "blog" / slug).mkdir()
        (root / "blog" / slug / "index.html").write_text(PAGE.format(base=base, slug=slug, **article))

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def test_run_on_a_feed_publishes_cleaned_articles_and_claims(prefect_harness, site, tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    out = tmp_path / "out"
    pubmed = Path(__file__).resolve().parents[1] / "data" / "pubmed" / "pubmed_sample.xml.gz"
    args = ["run", "--input", f"{site}/feed.xml", "--pubmed", str(pubmed), "--out", str(out)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(out / "factcheck.duckdb"), read_only=True) as con:
        sources = sorted(r[0] for r in con.execute("SELECT source FROM articles").fetchall())
        bodies = " ".join(r[0] for r in con.execute("SELECT body_text FROM current_articles").fetchall())
        kinds = {r[0] for r in con.execute("SELECT DISTINCT kind FROM removed_blocks").fetchall()}
        claims = [r[0] for r in con.execute("SELECT sentence FROM current_claims").fetchall()]
        fetched = con.execute("SELECT count(*) FROM fetch_log WHERE outcome = 'fetched'").fetchone()[0]
    assert sources == [f"{site}/blog/{slug}/" for slug in sorted(ARTICLES)]
    assert "blocking NMDA receptors" in bodies
    for boilerplate in ("free consultation", "Related posts", "Share this post", "Privacy"):
        assert boilerplate not in bodies
    assert "cta" in kinds
    assert any("Ketamine infusion therapy relieves the burning pain of CRPS" in c for c in claims)
    assert fetched >= 2
    lines = [json.loads(line) for line in (out / "claims.jsonl").read_text().splitlines()]
    assert {c["article"] for c in lines} <= set(sources)

    # the second night: nothing changed, nothing new is stored
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(out / "factcheck.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM claims").fetchone()[0] == len(claims)


def test_more_failed_urls_than_pages_is_a_partial_ingest_with_one_count(prefect_harness, site,
                                                                        tmp_path, monkeypatch):
    """One page stored and three URLs failed: the ingest line counts the four inputs as the
    run's final line does, and marks the stage ! (some failed), not ✗ (nothing succeeded)."""
    monkeypatch.setenv("FACTCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    urls = [f"{site}/blog/ketamine-crps/"] + [f"{site}/missing-{i}" for i in range(3)]
    result = CliRunner().invoke(cli, ["run", "--input", *urls, "--out", str(tmp_path / "out")],
                                catch_exceptions=False)
    assert result.exit_code == 3, result.output
    line = next(ln for ln in result.output.splitlines() if "ingest:" in ln)
    assert line.startswith("! ingest: documents 4, new versions 1"), line
    assert "documents 4 · new versions 1" in result.output
    assert "3 of 4 inputs could not be stored" in " ".join(result.output.split())
