"""Hostile and broken responses: each is recorded with a clear error, retried when it is
worth it, and never stops the crawl or stores anything."""

from __future__ import annotations

import time

import pytest

from factcheck.ingest.web import crawl
from factcheck.settings import Settings


def log_row(con, url):
    return con.execute(
        "SELECT outcome, status, error_kind, error, attempts FROM fetch_log WHERE url = ?",
        [url]).fetchone()


def errors(con, url):
    return con.execute("SELECT error_kind, message FROM pipeline_errors WHERE source = ?",
                       [url]).fetchall()


def n_articles(con) -> int:
    return con.execute("SELECT count(*) FROM articles").fetchone()[0]


def test_429_waits_for_retry_after_then_succeeds(site, settings, con):
    summary = crawl(con, [site.url("/limited")], "run-1", settings=settings)

    hits = site.hits("/limited")
    assert [h.status for h in hits] == [429, 200]
    assert hits[1].at - hits[0].at >= 0.95  # Retry-After: 1
    assert summary.new_versions == 1
    outcome, status, _, _, attempts = log_row(con, site.url("/limited"))
    assert (outcome, status, attempts) == ("fetched", 200, 2)


def test_500_is_retried_then_succeeds(site, settings, con):
    summary = crawl(con, [site.url("/flaky")], "run-1", settings=settings)

    assert [h.status for h in site.hits("/flaky")] == [500, 200]
    assert summary.new_versions == 1 and summary.errors == 0


def test_persistent_500_gives_up_after_the_retries(site, settings, con):
    summary = crawl(con, [site.url("/always-500")], "run-1", settings=settings)

    assert len(site.hits("/always-500")) == settings.crawl_max_retries + 1
    assert summary.errors == 1 and n_articles(con) == 0
    outcome, status, kind, message, attempts = log_row(con, site.url("/always-500"))
    assert (outcome, status, kind, attempts) == ("error", 500, "http", 3)
    assert "gave up after 3 attempts" in message
    assert errors(con, site.url("/always-500"))[0][0] == "http"


def test_retry_after_over_the_limit_gives_up_at_once(site, con, make_settings):
    settings = make_settings(crawl_max_retry_after=0.5)
    crawl(con, [site.url("/limited")], "run-1", settings=settings)

    assert [h.status for h in site.hits("/limited")] == [429]
    outcome, _, kind, message, _ = log_row(con, site.url("/limited"))
    assert (outcome, kind) == ("error", "retry_after")
    assert "over the 0 s limit" in message or "retry after 1 s" in message


def test_slow_response_times_out(site, con, make_settings):
    settings = make_settings(crawl_max_retries=1)
    started = time.monotonic()
    summary = crawl(con, [site.url("/slow")], "run-1", settings=settings)

    assert time.monotonic() - started < 4.5  # two 0.5 s read timeouts, not two 3 s waits (6 s)
    assert len(site.hits("/slow")) == 2
    assert summary.errors == 1
    outcome, _, kind, message, attempts = log_row(con, site.url("/slow"))
    assert (outcome, kind, attempts) == ("error", "timeout", 2)
    assert "read timeout" in message


def test_a_trickling_body_is_cut_at_the_urls_total_deadline(site, con, make_settings):
    """A server that sends a byte every 0.1 s never trips the read timeout; the URL's total
    deadline (attempts and waits together) stops it, and no retry outlives it."""
    settings = make_settings(crawl_request_deadline=1.5, crawl_max_retries=3)
    started = time.monotonic()
    summary = crawl(con, [site.url("/trickle")], "run-1", settings=settings)
    assert time.monotonic() - started < 4
    assert summary.errors == 1
    outcome, _, kind, message, attempts = log_row(con, site.url("/trickle"))
    assert (outcome, kind, attempts) == ("error", "timeout", 1)
    assert "deadline is 2 s in all" in message or "deadline is 1 s in all" in message


def test_redirect_loop_is_detected(site, settings, con):
    summary = crawl(con, [site.url("/loop/a")], "run-1", settings=settings)

    assert site.paths("/loop/") == ["/loop/a", "/loop/b"]
    outcome, status, kind, message, _ = log_row(con, site.url("/loop/a"))
    assert (outcome, status, kind) == ("error", 302, "redirect")
    assert "redirect loop" in message and "/loop/b" in message
    assert summary.errors == 1


def test_too_many_redirects(site, con, make_settings):
    settings = make_settings(crawl_max_redirects=0)
    crawl(con, [site.url("/moved")], "run-1", settings=settings)

    assert site.paths("/articles/") == []
    assert log_row(con, site.url("/moved"))[2] == "redirect"


def test_oversize_streamed_body_is_abandoned(site, settings, con):
    summary = crawl(con, [site.url("/huge")], "run-1", settings=settings)

    outcome, _, kind, message, _ = log_row(con, site.url("/huge"))
    assert (outcome, kind) == ("skipped", "too_large")
    assert "download stopped" in message and "1,000,000-byte limit" in message
    assert summary.skipped == 1 and n_articles(con) == 0
    assert errors(con, site.url("/huge"))[0][0] == "too_large"


def test_oversize_declared_body_is_not_downloaded(site, settings, con):
    crawl(con, [site.url("/huge-declared")], "run-1", settings=settings)

    outcome, _, kind, message, _ = log_row(con, site.url("/huge-declared"))
    assert (outcome, kind) == ("skipped", "too_large")
    assert "not downloaded" in message
    assert con.execute("SELECT bytes FROM fetch_log WHERE url = ?",
                       [site.url("/huge-declared")]).fetchone()[0] == 0


def test_wrong_content_type_is_skipped(site, settings, con):
    from factcheck.ingest.web import parse_sources
    sources = parse_sources({"sites": [{"name": "s", "urls": [site.url("/image.jpg")],
                                        "rate_limit": 0}]},
                            base_dir=site_dir())
    summary = crawl(con, sources, "run-1", settings=settings)

    outcome, status, kind, message, _ = log_row(con, site.url("/image.jpg"))
    assert (outcome, status, kind) == ("skipped", 200, "content_type")
    assert "image/jpeg" in message
    assert summary.skipped == 1 and n_articles(con) == 0


def test_binary_body_labelled_html_is_an_error(site, settings, con):
    summary = crawl(con, [site.url("/binary.html")], "run-1", settings=settings)

    assert summary.errors == 1 and n_articles(con) == 0
    kind, message = errors(con, site.url("/binary.html"))[0]
    assert kind == "binary" and "PNG image" in message
    # No validators kept for a page that was not stored: the next run downloads it again.
    assert con.execute("SELECT etag FROM crawl_state WHERE url = ?",
                       [site.url("/binary.html")]).fetchone()[0] is None


def test_billion_laughs_feed_is_refused_without_expansion(site, settings, con):
    started = time.monotonic()
    summary = crawl(con, [site.url("/bomb.xml")], "run-1", settings=settings)

    assert time.monotonic() - started < 5
    assert summary.errors == 1 and n_articles(con) == 0
    assert site.paths("/articles/") == []
    kind, message = errors(con, site.url("/bomb.xml"))[0]
    assert kind == "hostile_xml" and "declares XML entities" in message


def test_ssrf_guard_refuses_loopback_by_default(site, con, monkeypatch):
    monkeypatch.delenv("FACTCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)
    settings = Settings()
    assert settings.allow_private_networks is False
    summary = crawl(con, [site.url("/articles/vitamin-d")], "run-1", settings=settings)

    assert site.log == []  # not even robots.txt was requested
    assert summary.errors == 1 and n_articles(con) == 0
    outcome, status, kind, message, _ = log_row(con, site.url("/articles/vitamin-d"))
    assert (outcome, kind) == ("error", "blocked_address")
    assert "127.0.0.1 (loopback address)" in message
    assert "allow_private_networks" in message


@pytest.mark.parametrize("form", ["plain", "decimal", "mapped"])
def test_link_local_and_metadata_addresses_are_refused_even_when_private_networks_are_allowed(
        site, settings, con, form):
    """allow_private_networks opens intranets and test servers, never the cloud metadata
    service (169.254.169.254 in any form) or other link-local addresses, at any redirect."""
    assert settings.allow_private_networks is True
    url = site.url(f"/to-metadata?form={form}")
    summary = crawl(con, [url], "run-1", settings=settings)
    assert summary.errors == 1 and n_articles(con) == 0
    outcome, _, kind, message, _ = log_row(con, url)
    assert (outcome, kind) == ("error", "blocked_address")
    assert "169.254.169.254" in message and "always refused" in message


def test_one_bad_url_does_not_stop_the_others(site, settings, con):
    urls = [site.url(p) for p in ("/loop/a", "/image.jpg", "/bomb.xml", "/articles/cystitis",
                                  "/always-500", "/articles/vitamin-d")]
    summary = crawl(con, urls, "run-1", settings=settings)

    assert summary.new_versions == 2
    assert n_articles(con) == 2


def site_dir():
    from pathlib import Path
    return Path(__file__).parent


def test_bare_url_of_an_image_is_skipped(site, settings, con):
    summary = crawl(con, [site.url("/image.jpg")], "run-1", settings=settings)

    assert summary.skipped == 1 and n_articles(con) == 0
    outcome, _, kind, message, _ = log_row(con, site.url("/image.jpg"))
    assert (outcome, kind) == ("skipped", "content_type") and "image/jpeg" in message


def test_malformed_urls_and_redirects_are_recorded_not_raised(site, settings, con):
    summary = crawl(con, ["http://[::1", site.url("/bad-redirect"), site.url("/bad-port"),
                          site.url("/articles/vitamin-d")], "run-1", settings=settings)

    assert summary.new_versions == 1
    kinds = dict(con.execute("SELECT url, error_kind FROM fetch_log WHERE outcome = 'error'"
                             ).fetchall())
    assert kinds == {"http://[::1": "url", site.url("/bad-redirect"): "redirect",
                     site.url("/bad-port"): "url"}


def test_unreachable_site_is_an_error_editors_see(settings, con):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/articles/vitamin-d"
    summary = crawl(con, [url], "run-1", settings=settings)

    assert summary.errors >= 1 and n_articles(con) == 0
    rows = con.execute("SELECT source, stage, message FROM pipeline_errors").fetchall()
    assert any(source.endswith("/robots.txt") and stage == "ingest" and "unavailable" in message
               for source, stage, message in rows), rows


def test_allowed_networks_open_only_the_listed_network(site, con, monkeypatch):
    """FACTCHECK_ALLOWED_NETWORKS opens a listed network (here the test server's loopback
    address) without opening every private network; a network not listed stays refused."""
    monkeypatch.delenv("FACTCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)
    monkeypatch.setenv("FACTCHECK_ALLOWED_NETWORKS", "10.0.0.0/8")
    refused = crawl(con, [site.url("/articles/vitamin-d")], "run-1", settings=Settings())
    assert refused.errors == 1 and site.log == []
    assert "FACTCHECK_ALLOWED_NETWORKS" in log_row(con, site.url("/articles/vitamin-d"))[3]

    monkeypatch.setenv("FACTCHECK_ALLOWED_NETWORKS", "10.0.0.0/8, 127.0.0.1/32")
    settings = Settings()
    assert settings.allow_private_networks is False
    allowed = crawl(con, [site.url("/articles/vitamin-d")], "run-2", settings=settings)
    assert allowed.new_versions == 1 and n_articles(con) == 1


@pytest.mark.parametrize("form", ["plain", "decimal", "mapped"])
def test_listing_the_metadata_network_does_not_open_it(site, con, monkeypatch, form):
    """Link-local and cloud-metadata addresses are refused even when their network is listed,
    after a redirect from an allowed host, in every address form."""
    monkeypatch.delenv("FACTCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)
    monkeypatch.setenv("FACTCHECK_ALLOWED_NETWORKS", "127.0.0.0/8 169.254.0.0/16")
    url = site.url(f"/to-metadata?form={form}")
    summary = crawl(con, [url], "run-1", settings=Settings())
    assert summary.errors == 1 and n_articles(con) == 0
    outcome, _, kind, message, _ = log_row(con, url)
    assert (outcome, kind) == ("error", "blocked_address")
    assert "169.254.169.254" in message and "always refused" in message


def test_a_malformed_allowed_network_is_named():
    from factcheck.ingest.web.guard import parse_networks

    assert [str(n) for n in parse_networks(["10.1.2.3", " 10.20.0.0/16 ", ""])] == [
        "10.1.2.3/32", "10.20.0.0/16"]
    with pytest.raises(ValueError, match="'intranet.example' is not an IP address or network"):
        parse_networks(["intranet.example"])
