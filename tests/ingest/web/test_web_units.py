"""The crawler's parts on their own: politeness on the wire, the SSRF rules, URLs,
Retry-After, sources files, feeds and sitemaps."""

from __future__ import annotations

import gzip
import time

import pytest

from factcheck.ingest.web import (SourcesError, blocked_category, canonical_link, crawl,
                                  load_sources, normalize_url, parse_retry_after, parse_sources)
from factcheck.ingest.web.discover import (DiscoveryError, parse_feed, parse_sitemap,
                                           sniff_kind)
from factcheck.ingest.web.fetcher import media_type
from factcheck.settings import Settings


# -- politeness, measured on the server ---------------------------------------------------

def test_per_host_concurrency_is_never_exceeded(site, settings, con, tmp_path):
    site.many_delay = 0.05
    sources = parse_sources({"sites": [{"name": "many", "sitemaps": [site.url("/many.xml")],
                                        "rate_limit": 0, "concurrency": 3}]},
                            base_dir=tmp_path)
    summary = crawl(con, sources, "run-1", settings=settings)

    assert summary.new_versions == 24
    assert site.max_in_flight == 3


def test_rate_limit_spaces_requests_to_a_host(site, settings, con, tmp_path):
    sources = parse_sources({"sites": [{"name": "slowly", "urls": [
        site.url(f"/articles/{s}") for s in ("vitamin-d", "cystitis", "migraine-triptans")],
        "rate_limit": 10, "concurrency": 4}]}, base_dir=tmp_path)
    crawl(con, sources, "run-1", settings=settings)

    starts = [h.at for h in site.hits()]  # robots.txt and three pages
    assert len(starts) == 4
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    # Stamped on arrival at the server: a request delayed on its way (a busy machine) makes the
    # next gap look short by that delay, so each gap may fall short by scheduling jitter; no
    # two requests come together, and the calls as a whole keep the rate.
    assert min(gaps) >= 0.1 - 0.04, gaps
    assert starts[-1] - starts[0] >= 3 * 0.1 - 0.04, gaps


def test_localhost_by_name_is_refused_after_dns(site, con):
    port = site.base.rsplit(":", 1)[1]
    crawl(con, [f"http://localhost:{port}/articles/vitamin-d"], "run-1",
          settings=Settings(allow_private_networks=False))

    assert site.log == []
    message = con.execute("SELECT message FROM pipeline_errors").fetchone()[0]
    assert "localhost resolves to" in message and "loopback" in message


# -- SSRF address rules --------------------------------------------------------------------

@pytest.mark.parametrize("address, category", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.251", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("fd00::1", "private"),
    ("::ffff:127.0.0.1", "loopback"),           # IPv4-mapped IPv6
    ("2002:7f00:1::", "loopback"),              # 6to4 wrapping 127.0.0.1
    ("100.64.0.1", "not globally routable"),    # carrier-grade NAT
    ("93.184.215.14", None), ("2606:4700::6810:85e5", None),
])
def test_blocked_categories(address, category):
    assert blocked_category(address) == category


# -- URLs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, normal", [
    ("HTTP://Example.ORG:80/a/../b/?utm_source=x&b=2&a=1#frag", "http://example.org/b/?a=1&b=2"),
    ("https://example.org", "https://example.org/"),
    ("https://example.org:443/p?fbclid=abc&page=2", "https://example.org/p?page=2"),
])
def test_normalize_url(raw, normal):
    assert normalize_url(raw) == normal


def test_normalize_resolves_relative_links():
    assert normalize_url("../c#x", base="https://example.org/a/b/") == "https://example.org/a/c"


def test_canonical_link_same_host_only():
    page = "https://www.example.org/print/42?view=print"
    same = b'<html><head><link rel="canonical" href="/articles/42"></head></html>'
    other = b'<html><head><link rel="canonical" href="https://evil.example/x"></head></html>'
    assert canonical_link(same, page) == "https://www.example.org/articles/42"
    assert canonical_link(other, page) is None
    assert canonical_link(b"<html><head></head></html>", page) is None
    home = b'<html><head><link rel="canonical" href="https://www.example.org/"></head></html>'
    assert canonical_link(home, page) is None
    assert canonical_link(home, "https://example.org/?ref=x") == "https://www.example.org/"


# -- headers -------------------------------------------------------------------------------

def test_parse_retry_after():
    assert parse_retry_after("7") == 7.0
    now = time.mktime((2026, 11, 21, 10, 0, 0, 0, 0, 0)) - time.timezone
    assert parse_retry_after("Sat, 21 Nov 2026 10:00:30 GMT", now=now) == pytest.approx(30)
    assert parse_retry_after("Sat, 21 Nov 2026 09:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_media_type():
    assert media_type('text/HTML; charset="ISO-8859-1"') == ("text/html", "ISO-8859-1")
    assert media_type("application/xml") == ("application/xml", None)
    assert media_type(None) == (None, None)


# -- sources files -------------------------------------------------------------------------

def test_load_sources_example_file(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text("""
[defaults]
rate_limit = 0.5
exclude = ['/tag/']

[[sites]]
name = "health"
feeds = ["https://health.example.org/feed.xml"]
sitemaps = ["https://health.example.org/sitemap.xml"]
concurrency = 3

[[sites]]
folders = ["offline"]
""")
    config = load_sources(path)
    health, offline = config.sites
    assert (health.rate_limit, health.concurrency, health.exclude) == (0.5, 3, ["/tag/"])
    assert health.max_pages == Settings().crawl_max_pages
    assert not health.wants("https://health.example.org/tag/ketamine")
    assert health.wants("https://health.example.org/articles/ketamine")
    assert offline.folders == [(tmp_path / "offline").resolve()]
    assert offline.name == "offline"


def test_the_example_sources_file_loads():
    from pathlib import Path
    example = Path(__file__).resolve().parents[3] / "examples" / "sources.toml"
    config = load_sources(example)
    assert config.sites and all(s.start_urls() or s.folders for s in config.sites)


@pytest.mark.parametrize("data, message", [
    ({"sites": [{"name": "a", "feeds": ["https://a.example/f"], "max_page": 3}]},
     "unknown key 'max_page'"),
    ({"sites": [{"name": "a", "feeds": ["ftp://a.example/f"]}]}, "is not an http(s) URL"),
    ({"sites": [{"name": "a", "feeds": ["https://a.example/f"], "include": ["(unclosed"]}]},
     "not a valid regular expression"),
    ({"sites": [{"name": "a", "feeds": ["https://a.example/f"], "concurrency": 0}]},
     "at least 1"),
    ({"sites": [{"name": "a"}]}, "lists no feeds, sitemaps, urls or folders"),
    ({"sites": []}, "no [[sites]] listed"),
    ({"site": []}, "unknown top-level key"),
    ({"sites": [{"name": "a", "urls": ["https://a.example/"]},
                {"name": "a", "urls": ["https://b.example/"]}]}, "must be unique"),
])
def test_sources_errors_name_the_problem(data, message, tmp_path):
    with pytest.raises(SourcesError, match=None) as info:
        parse_sources(data, base_dir=tmp_path, where="sources file x.toml")
    assert message in str(info.value) and "x.toml" in str(info.value)


def test_invalid_toml_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[[sites]\nname = 1")
    with pytest.raises(SourcesError, match="bad.toml: not valid TOML"):
        load_sources(path)


# -- feeds and sitemaps --------------------------------------------------------------------

def test_atom_feed_links_resolved():
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>a</title><link rel="alternate" href="/posts/a"/></entry>
<entry><title>b</title><link href="https://other.example/b"/></entry></feed>"""
    found = parse_feed(atom, "https://blog.example/atom.xml")
    assert found.urls == ["https://blog.example/posts/a", "https://other.example/b"]


def test_not_a_feed_is_a_parse_error():
    with pytest.raises(DiscoveryError) as info:
        parse_feed(b"<html><body>hello</body></html>", "https://x.example/feed")
    assert info.value.kind == "parse"


def test_text_sitemap_and_gzip():
    text = b"https://a.example/1\n\nhttps://a.example/2\n"
    assert parse_sitemap(text, "https://a.example/s.txt").urls == [
        "https://a.example/1", "https://a.example/2"]
    assert parse_sitemap(gzip.compress(text), "https://a.example/s.txt.gz").urls == [
        "https://a.example/1", "https://a.example/2"]


def test_gzip_bomb_sitemap_is_refused():
    bomb = gzip.compress(b"<" + b" " * (60 * 1024 * 1024))
    assert len(bomb) < 100_000
    with pytest.raises(DiscoveryError) as info:
        parse_sitemap(bomb, "https://a.example/bomb.xml.gz")
    assert info.value.kind == "too_large"


def test_external_entity_sitemap_is_refused():
    xxe = b"""<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&x;</loc></url></urlset>"""
    with pytest.raises(DiscoveryError) as info:
        parse_sitemap(xxe, "https://a.example/s.xml")
    assert info.value.kind == "hostile_xml"


def test_sniff_kind():
    assert sniff_kind(b'<?xml version="1.0"?><!-- c --><urlset/>', "text/xml") == "sitemap"
    assert sniff_kind(b'<?xml version="1.0"?><rss version="2.0"/>', "text/xml") == "feed"
    assert sniff_kind(b"<feed xmlns='http://www.w3.org/2005/Atom'/>", None) == "feed"
    assert sniff_kind(b"<!doctype html><html></html>", "text/html") == "page"
    assert sniff_kind(gzip.compress(b"<urlset/>"), "application/octet-stream") == "sitemap"


# -- robots.txt ----------------------------------------------------------------------------

def test_robots_crawl_delay_spaces_requests(site, settings, con, tmp_path):
    site.robots_txt = "User-agent: *\nCrawl-delay: 0.3\n"
    sources = parse_sources({"sites": [{"name": "s", "rate_limit": 0, "urls": [
        site.url("/articles/vitamin-d"), site.url("/articles/cystitis")]}]}, base_dir=tmp_path)
    crawl(con, sources, "run-1", settings=settings)

    first, second = site.hits("/articles/")
    assert second.at - first.at >= 0.28


def test_robots_for_another_agent_does_not_apply(site, settings, con):
    site.robots_txt = "User-agent: otherbot\nDisallow: /\n\nUser-agent: factcheck\nDisallow: /articles/cystitis\n"
    summary = crawl(con, [site.url("/articles/vitamin-d"), site.url("/articles/cystitis")],
                    "run-1", settings=settings)

    assert site.paths("/articles/") == ["/articles/vitamin-d"]
    assert summary.robots_disallowed == 1


def test_robots_server_error_means_nothing_is_fetched(site, settings, con):
    site.robots_status = 503
    summary = crawl(con, [site.url("/articles/vitamin-d")], "run-1",
                    settings=settings.__class__(**{**settings.__dict__, "crawl_max_retries": 0}))

    assert site.paths("/articles/") == []
    assert summary.robots_disallowed == 1
    error = con.execute("SELECT error FROM fetch_log WHERE kind = 'page'").fetchone()[0]
    assert "robots.txt unavailable" in error
    assert con.execute("SELECT outcome, status FROM fetch_log WHERE kind = 'robots'"
                       ).fetchone() == ("error", 503)


def test_robots_not_found_means_no_rules(site, settings, con):
    site.robots_status = 404
    summary = crawl(con, [site.url("/private/members-only")], "run-1", settings=settings)

    assert site.paths("/private/") == ["/private/members-only"]
    assert summary.new_versions == 1
    # read as "no rules", not a failure: not in fetch_failures, logged under the pages' site
    assert con.execute("SELECT outcome, status, error_kind, error FROM fetch_log "
                       "WHERE kind = 'robots'").fetchall() == [("fetched", 404, None, None)]
    assert con.execute("SELECT count(*) FROM fetch_failures").fetchone()[0] == 0
    assert con.execute("SELECT count(DISTINCT site) FROM fetch_log").fetchone()[0] == 1


# -- calling conventions -------------------------------------------------------------------

def test_progress_callable_sees_every_page(site, settings, con):
    calls = []
    crawl(con, [site.url("/feed.xml")], "run-1", settings=settings,
          progress=lambda done, total, url: calls.append((done, total, url)))

    # The feed's three articles; the robots-refused page costs no request and no step.
    assert [c[0] for c in calls] == [1, 2, 3]
    assert {c[1] for c in calls} == {3}
    assert {c[2] for c in calls} == {site.url(f"/articles/{s}") for s in
                                     ("ketamine-depression", "migraine-triptans", "vitamin-d")}


def test_rich_progress_is_advanced(site, settings, con):
    from rich.progress import Progress

    with Progress(disable=True) as progress:
        crawl(con, [site.url("/feed.xml")], "run-1", settings=settings, progress=progress)
        task = progress.tasks[0]
    assert (task.completed, task.total) == (3, 3)


def test_crawl_works_inside_a_running_event_loop(site, settings, con):
    import asyncio

    async def notebook_cell():
        return crawl(con, [site.url("/articles/vitamin-d")], "run-1", settings=settings)

    summary = asyncio.run(notebook_cell())
    assert summary.new_versions == 1


def test_utf16_entity_declarations_are_refused():
    laughs = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "aaaa">'
              '<!ENTITY b "&a;&a;&a;&a;">]><rss version="2.0"><channel><title>&b;</title>'
              '</channel></rss>').encode("utf-16")
    with pytest.raises(DiscoveryError) as info:
        parse_feed(laughs, "https://x.example/feed")
    assert info.value.kind == "hostile_xml"


def test_an_entity_bomb_behind_a_long_comment_in_a_malformed_feed_is_refused():
    """A 2 MB comment pushes the DOCTYPE past any fixed prefix; the feed is also malformed
    (an unescaped &), so it would fall through to feedparser's lenient parser, which expands
    entities: the whole document is scanned first."""
    bomb = (b'<?xml version="1.0"?><!--' + b"x" * 2_000_000 + b'--><!DOCTYPE rss ['
            + b'<!ENTITY a "' + b"a" * 100 + b'">'
            + b"".join(b'<!ENTITY %s "%s">' % (chr(98 + i).encode(), (b"&%s;" % chr(97 + i).encode()) * 10)
                       for i in range(8))
            + b']><rss version="2.0"><channel><title>Fish & chips &i;</title>'
              b'<item><link>https://x.example/a</link></item></channel></rss>')
    with pytest.raises(DiscoveryError) as info:
        parse_feed(bomb, "https://x.example/feed")
    assert info.value.kind == "hostile_xml"


def test_malformed_feed_is_read_leniently():
    broken = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Fish & chips</title>'
              b'<item><link>https://x.example/a</link></item></channel></rss>')
    found = parse_feed(broken, "https://x.example/feed")
    assert found.urls == ["https://x.example/a"]
    assert found.warning and "malformed" in found.warning


def test_crawl_refuses_a_connection_inside_a_transaction(site, settings, con):
    con.execute("BEGIN TRANSACTION")
    with pytest.raises(RuntimeError, match="open transaction"):
        crawl(con, [site.url("/articles/vitamin-d")], "run-1", settings=settings)
    con.execute("ROLLBACK")
    assert site.log == []


def test_guarded_backend_checks_the_resolved_address(site):
    import asyncio

    import httpcore

    from factcheck.ingest.web.guard import BlockedAddressError, GuardedBackend

    port = int(site.base.rsplit(":", 1)[1])

    async def connect(allow: bool):
        stream = await GuardedBackend(allow).connect_tcp("localhost", port, timeout=2)
        await stream.aclose()

    with pytest.raises(BlockedAddressError, match="localhost resolves to"):
        asyncio.run(connect(False))
    asyncio.run(connect(True))
    with pytest.raises(httpcore.ConnectError):
        asyncio.run(GuardedBackend(False).connect_tcp("no-such-host.invalid", 80, timeout=2))
