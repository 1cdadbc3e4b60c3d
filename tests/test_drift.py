"""Distribution drift against the previous published run: warnings, never blocking."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

from factcheck.clean.result import CleanResult, RemovedBlock
from factcheck.ingest.document import Document, sha256_hex
from factcheck.quality.drift import DRIFT, check_drift, drift_checks
from factcheck.store import articles as sa
from factcheck.store import runs as store_runs
from factcheck.store.quality import save_run_metrics


def test_a_move_beyond_the_threshold_warns_and_small_samples_are_not_compared():
    before = {("removed_share", "a.example"): (0.10, 5, "run-1"), ("claims_per_article", "all"): (10.0, 5, "run-1"),
              ("verdict_share", "supported"): (0.5, 40, "run-1"), ("removed_share", "tiny.example"): (0.1, 1, "run-1")}
    now = [("removed_share", "a.example", 0.75, 4), ("claims_per_article", "all", 12.0, 4),
           ("verdict_share", "no_coverage", 1.0, 40), ("removed_share", "tiny.example", 0.9, 1),
           ("removed_share", "new.example", 0.9, 9)]
    results = {(r.expectation, r.column): r for r in drift_checks(now, before)}
    assert all(r.severity == "warning" and r.table == "drift" for r in results.values())
    assert not results[("removed_share", "a.example")].success          # +65 points > 20
    assert results[("claims_per_article", "all")].success               # +20% within ±50%
    assert not results[("verdict_share", "supported")].success          # 0.5 -> 0 (label gone)
    assert ("removed_share", "tiny.example") not in results             # one article: not compared
    assert ("removed_share", "new.example") not in results              # nothing to compare with
    observed = json.loads(results[("removed_share", "a.example")].observed)["observed_value"]
    assert "0.75 (previous published run run-1: 0.10" in observed and "+65%" in observed
    # stored (and logged) as written: an editor reads ±, not \u00b1
    assert "±20%" in results[("removed_share", "a.example")].observed
    assert DRIFT["removed_share"].threshold == 0.20


def store_articles(con, run_id, site, removed_chars):
    for i in range(3):
        body = f"Ketamine relieved pain in trial {i} of {site}."
        data = f"{run_id}{site}{i}".encode()
        saved = sa.save_document(con, Document(
            source=f"https://{site}/{run_id}/{i}", source_kind="url", text=body,
            content_type="text/plain", raw_bytes=len(data), content_hash=sha256_hex(data),
            fetched_at=datetime.now(timezone.utc)), run_id)
        sa.save_cleaned(con, saved.article_id, saved.version, CleanResult(
            title="t", body_text=body,
            removed=[RemovedBlock("cta", "x" * removed_chars, "call to action")] if removed_chars else []))


def test_a_site_whose_text_suddenly_goes_to_boilerplate_is_warned_against_the_last_published_run(con):
    store_runs.start_run(con, "r1", "test", [])
    store_articles(con, "r1", "a.example", 0)
    metrics, warnings = check_drift(con, "r1")
    assert ("removed_share", "a.example", 0.0, 3) in metrics and warnings == []
    save_run_metrics(con, "r1", metrics)
    store_runs.finish_run(con, "r1", "completed")
    time.sleep(0.01)
    # a run that was rejected is not a baseline
    store_runs.start_run(con, "r2", "test", [])
    store_articles(con, "r2", "a.example", 200)
    save_run_metrics(con, "r2", check_drift(con, "r2")[0])
    store_runs.finish_run(con, "r2", "dq_failed")
    time.sleep(0.01)
    # a published run without that site is no baseline for it either: r1 still is
    store_runs.start_run(con, "r2b", "test", [])
    store_articles(con, "r2b", "b.example", 0)
    save_run_metrics(con, "r2b", check_drift(con, "r2b")[0])
    store_runs.finish_run(con, "r2b", "completed")
    time.sleep(0.01)
    store_runs.start_run(con, "r3", "test", [])
    store_articles(con, "r3", "a.example", 400)
    metrics, warnings = check_drift(con, "r3")
    (warning,) = [w for w in warnings if w.expectation == "removed_share"]
    assert not warning.success and warning.column == "a.example"
    assert "previous published run r1" in json.loads(warning.observed)["observed_value"]
