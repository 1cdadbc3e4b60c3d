"""Crash safety: a crawl SIGKILLed midway, then a normal run, stores every article once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from factcheck.ingest.web import crawl
from factcheck.store.db import connect

MANY = 24  # pages listed by /many.xml on the fake site

CRAWL_SCRIPT = """
import sys
from factcheck.ingest.web import crawl
from factcheck.settings import Settings
from factcheck.store.db import connect

settings = Settings(allow_private_networks=True, crawl_rate_limit=0, crawl_concurrency=2,
                    crawl_read_timeout=5)
con = connect(sys.argv[1])
crawl(con, [sys.argv[2]], "run-killed", settings=settings)
print("crawl finished before it was killed", flush=True)
"""


def stored_versions(con) -> dict[str, int]:
    return dict(con.execute(
        "SELECT a.source, count(*) FROM articles a JOIN article_versions v USING (article_id)"
        " GROUP BY a.source").fetchall())


def test_killed_crawl_then_normal_run_stores_every_article_once(site, settings, db_path):
    site.many_delay = 0.15  # 24 pages, two at a time: about 1.8 s of crawling to interrupt
    process = subprocess.Popen([sys.executable, "-c", CRAWL_SCRIPT, str(db_path),
                                site.url("/many.xml")])
    deadline = time.monotonic() + 60
    while len(site.hits("/many/", status=200)) < 10:
        assert process.poll() is None, "the crawl ended before it could be killed"
        assert time.monotonic() < deadline, "the crawl did not start within 60 s"
        time.sleep(0.005)
    time.sleep(0.3)  # let the crawler commit a batch or two (it flushes every 0.25 s)
    assert process.poll() is None, "the crawl ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL

    with connect(db_path) as con:
        before = stored_versions(con)
        assert 0 < len(before) < MANY, "the kill must land in the middle of the crawl"
        assert all(count == 1 for count in before.values())
        # No crawl state says "stored" for a page whose article is missing.
        orphans = con.execute(
            "SELECT count(*) FROM crawl_state s WHERE s.etag IS NOT NULL AND s.kind = 'page'"
            " AND s.article_id NOT IN (SELECT article_id FROM articles)").fetchone()[0]
        assert orphans == 0
        site.log.clear()
        site.many_delay = 0.0

        summary = crawl(con, [site.url("/many.xml")], "run-2", settings=settings)

        after = stored_versions(con)
        assert len(after) == MANY and set(after.values()) == {1}
        # Exactly the pages committed before the kill were answered 304 (ETag stored with
        # the article); every other page was downloaded and stored now.
        assert {site.url(h.path) for h in site.hits("/many/", status=304)} == set(before)
        assert {site.url(h.path) for h in site.hits("/many/", status=200)} == \
            set(after) - set(before)
        assert summary.new_versions == MANY - len(before)
        assert summary.not_modified == len(before)
