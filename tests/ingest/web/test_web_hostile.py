"""The HTTP part of the hostile-input corpus (``tests/hostile_corpus.py``): each hostile URL of
the local test site is recorded in ``fetch_log`` with its kind, within the per-URL deadline,
and the crawl goes on with the next URL."""

from __future__ import annotations

import pytest

from hostile_corpus import HTTP_CASES


@pytest.mark.parametrize("path,kind", HTTP_CASES, ids=[p for p, _ in HTTP_CASES])
def test_each_hostile_url_is_recorded_and_the_crawl_goes_on(site, make_settings, con, path, kind):
    import time

    from factcheck.ingest.web import crawl

    good = site.url("/articles/vitamin-d")
    settings = make_settings(crawl_request_deadline=5.0, allow_private_networks=False,
                             allowed_networks=("127.0.0.0/8",))
    started = time.monotonic()
    summary = crawl(con, [site.url(path), good], "run-1", settings=settings)
    assert time.monotonic() - started < 30
    assert summary.new_versions == 1        # the good page after it is stored
    kinds = {row[0] for row in con.execute(
        "SELECT coalesce(error_kind, outcome) FROM fetch_log WHERE url LIKE ?",
        [site.url(path.split("?")[0]) + "%"]).fetchall()}
    assert kind in kinds, kinds
