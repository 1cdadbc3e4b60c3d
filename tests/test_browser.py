"""The report and the dashboard in a real browser: headless Chromium (Debian's `chromium`)
driven by Playwright. Content asserted as an editor would see it, a phone's width without
sideways scrolling, no code run from an article's text; screenshots are saved as test
artifacts (``.pytest-artifacts/`` or ``FACTCHECK_TEST_ARTIFACTS``). Without Chromium the tests
skip, saying so; ``.ci/run`` installs it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from factcheck.report.build import build_report
from factcheck.store import runs as store_runs
from factcheck.store.db import connect
from factcheck.store.reference import make_own_reference
from test_report import add_article

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Chromium is not installed (Debian package `chromium`): browser tests skipped")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
ARTIFACTS = Path(os.environ.get("FACTCHECK_TEST_ARTIFACTS",
                                Path(__file__).resolve().parents[1] / ".pytest-artifacts"))
PHONE = {"width": 390, "height": 844}
HOSTILE_TITLE = '<a href="javascript:window.__pwned=1">Ketamine</a> <img src=x onerror="window.__pwned=1">'
HOSTILE_BODY = ("Ketamine clinic news\n\n"
                "Ketamine <script>window.__pwned=1</script> cures depression.\n\n"
                "Ketamine <img src=x onerror=\"window.__pwned=1\"> relieves pain for months "
                "https://averyveryveryveryveryveryveryveryveryveryveryveryverylongdomain.example/"
                "and-a-path-with-no-breaks-at-all-that-would-push-a-phone-page-sideways-if-left-unwrapped.")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    db = root / "factcheck.duckdb"
    con = connect(db)
    store_runs.start_run(con, "r1", "test", [])
    make_own_reference(con)   # this database holds its own PubMed table
    con.execute("INSERT INTO pubmed (pmid, title, abstract, study_design, is_retracted) VALUES "
                "(101, 'Ketamine for chronic pain', 'Ketamine relieved pain in 12 of 20 patients.',"
                " 'rct', false)")
    add_article(con, "https://clinic.example/ketamine?a=<b>1</b>", HOSTILE_BODY, HOSTILE_TITLE,
                [("contradicted", ["contradicted_by_stronger_evidence"]),
                 ("supported", ["figure_not_found"])])
    con.execute("UPDATE evidence SET quote = 'Ketamine relieved pain in 12 of 20 patients.'")
    con.execute("UPDATE runs SET status = 'completed', finished_at = now()")
    paths = build_report(con, root, "r1")
    con.close()
    return db, paths


def open_page(browser, url: str, name: str, viewport=PHONE):
    page = browser.new_page(viewport=viewport)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_load_state("load")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    return page, dialogs


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_report_pages_on_a_phone(browser, published):
    _, paths = published
    root = paths.html.parent
    index, dialogs = open_page(browser, root.joinpath("index.html").as_uri(), "report-index-phone")
    assert no_sideways_scroll(index)
    assert "Flagged health claims" in index.inner_text("h1")
    assert index.locator("#articles ol.toc li").count() == 1
    index.click("#articles ol.toc li a")
    index.wait_for_load_state("load")
    assert "/articles/" in index.url and no_sideways_scroll(index)
    # a flagged claim's badge and its evidence link, as an editor sees them
    card = index.locator(".claim.contradicted").first
    assert card.locator(".label.contradicted").inner_text() == "contradicted"
    link = index.locator('a[href="https://pubmed.ncbi.nlm.nih.gov/101/"]').first
    assert link.inner_text() == "PMID 101"
    assert index.locator("mark.contradicted").count() == 1
    index.screenshot(path=str(ARTIFACTS / "report-article-phone.png"), full_page=True)
    quality, _ = open_page(browser, root.joinpath("quality.html").as_uri(), "report-quality-phone")
    assert no_sideways_scroll(quality) and "Data quality" in quality.inner_text("h1")
    for page in (index, quality):
        assert page.evaluate("window.__pwned") is None
    assert dialogs == []


def test_no_page_of_the_report_runs_code_from_an_article(browser, published):
    _, paths = published
    for html in sorted(paths.html.parent.rglob("*.html")):
        page, dialogs = open_page(browser, html.as_uri(), "report-" + html.stem, viewport={"width": 1200, "height": 900})
        assert page.evaluate("window.__pwned") is None, html
        assert page.locator("script").count() == 0 and page.locator("img").count() == 0, html
        assert page.locator('a[href^="javascript:"]').count() == 0, html
        assert dialogs == [], html
        assert no_sideways_scroll(page), html
        page.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dashboard_url(published, tmp_path):
    db, _ = published
    port = free_port()
    env = dict(os.environ, FACTCHECK_TRIAGE_DB=str(tmp_path / "triage.duckdb"))
    proc = subprocess.Popen([sys.executable, "-c", "from factcheck.cli import main; main()", "dashboard",
                             "--db", str(db), "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "_stcore/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the dashboard did not start: {proc.stdout.read().decode()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def test_the_dashboard_in_a_browser(browser, dashboard_url):
    page, dialogs = open_page(browser, dashboard_url, "dashboard-start", viewport={"width": 1280, "height": 900})
    page.get_by_role("tab", name="Claim explorer").wait_for(timeout=60_000)
    page.get_by_text("Count flagged claims by").wait_for(timeout=30_000)
    page.get_by_role("tab", name="Claim explorer").click()
    page.get_by_text("Record decision").wait_for(timeout=30_000)
    # the first flagged claim is shown, as text: its sentence, verdict and flag with its reason
    page.get_by_text("contradicted by stronger evidence: reason for contradicted_by_stronger_evidence").wait_for()
    assert page.get_by_text("Ketamine <script>window.__pwned=1</script> cures depression.").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "dashboard-claim-explorer.png"), full_page=True)
    assert page.evaluate("window.__pwned") is None and dialogs == []
