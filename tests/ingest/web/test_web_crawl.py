"""The crawler against the fake health site: discovery, robots.txt, canonical URLs,
incremental runs (conditional GET) and new versions of changed pages."""

from __future__ import annotations

from factcheck.ingest.web import crawl, parse_sources
from factcheck.store.raw import document_text
from factcheck.store.db import connect




def health_sources(site, **policy):
    return parse_sources({"sites": [{
        "name": "fake-health",
        "feeds": [site.url("/feed.xml")],
        "sitemaps": [site.url("/sitemap_index.xml")],
        "exclude": ["/tag/"],
        "rate_limit": 0, "concurrency": 4, **policy}]}, base_dir=site_dir())


def site_dir():
    from pathlib import Path
    return Path(__file__).parent


def stored_sources(con) -> list[str]:
    return sorted(r[0] for r in con.execute("SELECT source FROM articles").fetchall())


def test_feed_and_sitemaps_store_each_article_once(site, settings, con):
    summary = crawl(con, [health_sources(site)], "run-1", settings=settings)

    expected = sorted(site.url(f"/articles/{s}") for s in
                      ("ketamine-depression", "migraine-triptans", "vitamin-d",
                       "fibromyalgia-exercise", "cystitis"))
    assert stored_sources(con) == expected
    assert summary.new_versions == 5
    assert sorted(summary.new) == sorted(
        (r[0], 1) for r in con.execute("SELECT article_id FROM articles").fetchall())
    # robots.txt was read once, with the project's User-Agent, and /private/ never requested.
    assert site.paths("/robots.txt") == ["/robots.txt"]
    assert site.hits("/robots.txt")[0].user_agent == settings.user_agent
    assert site.paths("/private/") == []
    assert summary.robots_disallowed == 1
    # The gzipped sitemap of the index was read; /tag/ was excluded by pattern, never fetched.
    assert "/sitemaps/articles.xml.gz" in site.paths()
    assert site.paths("/tag/") == [] and summary.excluded == 1
    # The feed link with tracking parameters was normalised; the alias page's canonical
    # link points at an article already stored, so it is a duplicate, not a new article.
    assert site.hits("/articles/migraine-triptans")[0].query == ""
    assert summary.duplicates == 1
    outcomes = dict(con.execute(
        "SELECT url, outcome FROM fetch_log WHERE run_id = 'run-1' AND kind = 'page'").fetchall())
    assert outcomes[site.url("/articles/alias")] == "duplicate"
    assert outcomes[site.url("/private/members-only")] == "robots_disallowed"
    assert con.execute("SELECT count(*) FROM fetch_log WHERE kind IN ('feed', 'sitemap')"
                       ).fetchone()[0] == 4


def test_second_run_downloads_no_article_bodies(site, settings, con):
    crawl(con, [health_sources(site)], "run-1", settings=settings)
    site.log.clear()

    summary = crawl(con, [health_sources(site)], "run-2", settings=settings)

    article_hits = site.hits("/articles/")
    assert article_hits, "the second run must still check every article"
    assert all(h.status == 304 for h in article_hits), [(h.path, h.status) for h in article_hits]
    assert all(h.if_none_match for h in article_hits)
    # The feed and sitemaps were conditional too: nothing but 304s and robots.txt.
    assert {h.status for h in site.hits() if h.path != "/robots.txt"} == {304}
    assert summary.new_versions == 0 and summary.new == []
    assert summary.not_modified == 6  # five articles and the alias page
    assert con.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 5
    assert con.execute("SELECT count(*) FROM articles WHERE last_seen_run = 'run-2'"
                       ).fetchone()[0] == 5


def test_changed_page_becomes_a_new_version(site, settings, con):
    crawl(con, [health_sources(site)], "run-1", settings=settings)
    site.articles["vitamin-d"] = site.articles["vitamin-d"].replace(
        "reduce fracture risk", "may slightly reduce fracture risk")
    site.log.clear()

    summary = crawl(con, [health_sources(site)], "run-2", settings=settings)

    assert site.paths("/articles/", status=200) == ["/articles/vitamin-d"]
    assert summary.new_versions == 1
    article_id, version = summary.new[0]
    assert version == 2
    row = con.execute("SELECT a.source, a.latest_version FROM articles a WHERE a.article_id = ?",
                      [article_id]).fetchone()
    assert row[0] == site.url("/articles/vitamin-d") and row[1] == 2
    assert "may slightly reduce" in document_text(con, article_id, 2)


def test_bare_urls_are_sniffed_as_feed_sitemap_or_page(site, settings, con):
    summary = crawl(con, [site.url("/feed.xml"), site.url("/latin1")], "run-1",
                    settings=settings)

    assert site.url("/latin1") in stored_sources(con)
    article_id, version, encoding = con.execute(
        "SELECT article_id, version, encoding FROM article_versions v JOIN articles a"
        " USING (article_id) WHERE a.source = ?", [site.url("/latin1")]).fetchone()
    text = document_text(con, article_id, version)
    assert "Le café réduit la fatigue" in text and encoding == "iso8859-1"
    assert summary.new_versions == 4  # the three feed articles and the latin-1 page
    kinds = dict(con.execute("SELECT url, kind FROM crawl_state").fetchall())
    assert kinds[site.url("/feed.xml")] == "feed"
    assert kinds[site.url("/latin1")] == "page"


def test_redirect_stores_the_final_url(site, settings, con):
    crawl(con, [site.url("/moved")], "run-1", settings=settings)

    assert stored_sources(con) == [site.url("/articles/cystitis")]
    assert site.paths() == ["/robots.txt", "/moved", "/articles/cystitis"]


def test_local_folders_in_sources_use_read_local(site, settings, con, tmp_path):
    folder = tmp_path / "offline"
    folder.mkdir()
    (folder / "note.txt").write_text("Magnesium relieves migraine in some patients.\n")
    sources = parse_sources({"sites": [{"name": "offline", "folders": ["offline"]}]},
                            base_dir=tmp_path)

    summary = crawl(con, sources, "run-1", settings=settings)

    assert summary.new_versions == 1
    assert stored_sources(con) == [str((folder / "note.txt").resolve())]
    assert site.log == []


def test_max_pages_defers_the_rest_to_the_next_run(site, settings, db_path):
    sources = health_sources(site, max_pages=2)
    with connect(db_path) as con:
        first = crawl(con, sources, "run-1", settings=settings)
        second = crawl(con, sources, "run-2", settings=settings)
        third = crawl(con, sources, "run-3", settings=settings)
        stored = stored_sources(con)
        warned = con.execute("SELECT run_id, severity, message FROM pipeline_errors"
                             " WHERE error_kind = 'deferred' ORDER BY run_id").fetchall()

    # Seven URLs listed; /private/ is refused by robots.txt without using up the budget.
    assert first.deferred == 4 and first.new_versions == 2
    assert first.robots_disallowed == 1
    # New URLs go first: the second and third runs pick up what the first left.
    assert second.new_versions == 2 and second.not_modified == 0
    assert third.new_versions == 1 and third.duplicates == 1 and third.deferred == 4
    assert len(stored) == 5
    # each run says how many pages it left, as a warning the run summary and analysts see
    assert [(run, severity) for run, severity, _ in warned] == [
        ("run-1", "warning"), ("run-2", "warning"), ("run-3", "warning")]
    assert "4 pages of" in warned[0][2] and "max_pages (2) left for the next run" in warned[0][2]


def test_server_without_validators_same_bytes_are_not_stored_again(site, settings, con):
    crawl(con, [site.url("/no-etag")], "run-1", settings=settings)
    summary = crawl(con, [site.url("/no-etag")], "run-2", settings=settings)

    assert [h.if_none_match for h in site.hits("/no-etag")] == [None, None]
    assert summary.unchanged == 1 and summary.new_versions == 0
    assert con.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 1
    assert con.execute("SELECT outcome FROM fetch_log WHERE run_id = 'run-2' AND kind = 'page'"
                       ).fetchone()[0] == "unchanged"
    assert con.execute("SELECT last_seen_run FROM articles").fetchone()[0] == "run-2"

    site.articles["cystitis"] = site.articles["cystitis"].replace("can cause", "may cause")
    third = crawl(con, [site.url("/no-etag")], "run-3", settings=settings)
    assert third.new_versions == 1 and third.new[0][1] == 2


def test_trusted_sitemap_lastmod_skips_unchanged_pages_without_a_request(site, settings, con):
    from datetime import datetime, timezone

    sources = parse_sources({"sites": [{
        "name": "lastmod", "sitemaps": [site.url("/sitemaps/articles.xml.gz")],
        "trust_lastmod": True, "rate_limit": 0}]}, base_dir=site_dir())
    first = crawl(con, sources, "run-1", settings=settings)
    # vitamin-d, fibromyalgia-exercise, and the alias stored under its canonical URL
    # (the ketamine article, which this site does not list itself)
    assert first.new_versions == 3
    site.log.clear()

    second = crawl(con, sources, "run-2", settings=settings)

    assert site.paths("/articles/") == []  # lastmod 2021 is before the last check
    assert site.hits("/sitemaps/articles.xml.gz")[0].if_none_match is None
    assert second.not_modified == 3
    assert con.execute("SELECT count(*) FROM fetch_log WHERE run_id = 'run-2' AND "
                       "outcome = 'lastmod_unchanged'").fetchone()[0] == 3

    # Changed today: a date-only lastmod counts as the end of the day, so it is re-checked.
    site.lastmod = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    site.articles["vitamin-d"] = site.articles["vitamin-d"].replace("older", "elderly")
    site.log.clear()
    third = crawl(con, sources, "run-3", settings=settings)

    assert sorted(site.paths("/articles/")) == ["/articles/alias", "/articles/fibromyalgia-exercise",
                                                "/articles/vitamin-d"]
    assert third.new_versions == 1 and third.not_modified == 2


def test_parse_lastmod():
    from datetime import datetime

    from factcheck.ingest.web.crawler import parse_lastmod
    assert parse_lastmod("2026-03-04") == datetime(2026, 3, 4, 23, 59, 59)
    assert parse_lastmod("2026-03-04T10:00:00+02:00") == datetime(2026, 3, 4, 8, 0, 0)
    assert parse_lastmod("2026-03-04T10:00:00Z") == datetime(2026, 3, 4, 10, 0, 0)
    assert parse_lastmod("yesterday") is None


def test_a_site_over_its_time_budget_leaves_the_rest_for_the_next_run(site, make_settings, db_path):
    """crawl_site_budget bounds the time one site takes per run: at two requests a second and
    a budget of 0.7 s, the pages not started in time are deferred (untouched, so first in line
    next run) and one warning says how many; the next run with time to spare takes them."""
    sources = health_sources(site, rate_limit=2, concurrency=1)
    with connect(db_path) as con:
        first = crawl(con, sources, "run-1", settings=make_settings(crawl_site_budget=0.7))
        warned = con.execute("SELECT severity, message FROM pipeline_errors WHERE run_id = 'run-1'"
                             " AND error_kind = 'deferred'").fetchall()
        second = crawl(con, sources, "run-2", settings=make_settings())
    assert 1 <= first.new_versions <= 4 and first.deferred >= 1
    assert [severity for severity, _ in warned] == ["warning"]
    assert "time budget" in warned[0][1] and "crawl_site_budget" in warned[0][1]
    assert first.new_versions + second.new_versions == 5
