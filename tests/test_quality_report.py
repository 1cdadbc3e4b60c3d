"""Data-quality suites catch broken rows; the report escapes what it shows."""

from __future__ import annotations

from datetime import datetime, timezone

from factcheck.store.reference import make_own_reference
from factcheck.clean.result import CleanResult
from factcheck.store.rows import Claim, EvidenceRow, VerdictRow
from factcheck.ingest.document import Document, sha256_hex
from factcheck.quality.checks import run_checks
from factcheck.report.build import build_report
from factcheck.store import articles as sa
from factcheck.store import claims as store_claims
from factcheck.store import runs as store_runs
from factcheck.store.evidence import replace_claim_evidence

BODY = "Ketamine <b>cures</b> pain forever.\n\nSubscribe <script>alert('x')</script> now."


def claim(start: int, end: int, sentence: str):
    return Claim(sentence=sentence, start=start, end=end, claim_type="efficacy",
                 certainty="absolute", polarity="positive", score=0.9, reason="efficacy verb",
                 intervention="ketamine", condition="pain")


QUOTE = "Ketamine <i>relieved</i> pain in 12 of 20 patients."


def populate(con, claims):
    store_runs.start_run(con, "r1", "test", [])
    data = BODY.encode()
    saved = sa.save_document(con, Document(
        source="https://clinic.example/<post>?a=1&b=2", source_kind="url", text=BODY,
        content_type="text/plain", raw_bytes=len(data), content_hash=sha256_hex(data),
        fetched_at=datetime.now(timezone.utc)), "r1")
    sa.save_cleaned(con, saved.article_id, saved.version, CleanResult(
        title="Ketamine & <i>you</i>", body_text=BODY))
    store_claims.save_claims(con, saved.article_id, saved.version, claims, "r1")
    make_own_reference(con)   # this database holds its own PubMed table
    con.execute("INSERT INTO pubmed (pmid, title, abstract, study_design) VALUES "
                "(101, 'Ketamine for chronic pain <RCT>', ?, 'case_report')", [QUOTE])
    for (claim_id,) in con.execute("SELECT claim_id FROM claims").fetchall():
        row = EvidenceRow(pmid=101, rank=1, score=2.0, on_topic=True, matched_terms=["ketamine"],
                          stance="supports", p_support=0.8, p_refute=0.05, quote=QUOTE,
                          quote_section="results", design="case_report", counts=True, grade=0.2)
        verdict = VerdictRow(label="supported", confidence=0.8, flags=["overstated_certainty"],
                             explanation=f"PMID 101 (case report) supports it: “{QUOTE}”",
                             flag_reasons=["worded as certain, but its support is weaker than a clinical trial"],
                             deciding_pmids=[101], n_supporting=1, coverage=1)
        replace_claim_evidence(con, claim_id, [row], verdict, "r1")


def article_page(paths) -> str:
    (page,) = (paths.html.parent / "articles").glob("*.html")
    return page.read_text()


def test_clean_database_passes(con):
    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])
    report = run_checks(con)
    assert report.passed, report.failures
    tables = {r.table for r in report.results}
    assert {"articles", "article_versions", "claims", "evidence", "verdicts", "pubmed"} <= tables


def test_claim_offsets_that_do_not_point_at_the_sentence_fail(con):
    populate(con, [claim(3, 20, "Ketamine <b>cures</b> pain forever.")])
    report = run_checks(con, only=["claims"])
    assert not report.passed
    failed = {(r.table, r.column) for r in report.failures}
    assert ("claims", "offset_ok") in failed


def test_verdict_with_unknown_label_fails(con):
    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])
    con.execute("UPDATE verdicts SET label = 'true'")
    report = run_checks(con, only=["verdicts"])
    assert ("verdicts", "label") in {(r.table, r.column) for r in report.failures}


def test_report_escapes_article_text_and_links_pmids(con, tmp_path):
    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])
    paths = build_report(con, tmp_path, "r1")
    # the index and the article's page
    pages = sorted(paths.html.parent.rglob("*.html"))
    assert len(pages) == paths.pages
    html = "".join(p.read_text() for p in pages)
    assert "<b>cures</b>" not in html and "&lt;b&gt;cures&lt;/b&gt;" in html
    assert "<script>alert" not in html
    assert "Ketamine &amp; &lt;i&gt;you&lt;/i&gt;" in html
    assert "https://clinic.example/&lt;post&gt;?a=1&amp;b=2" in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/101/"' in html
    assert "overstated certainty" in html and "weaker than a clinical trial" in html
    # the quoted sentence is escaped too
    assert "&lt;i&gt;relieved&lt;/i&gt;" in html and "<i>relieved</i>" not in html
    jsonl = paths.jsonl.read_text().splitlines()
    assert len(jsonl) == 1
    record = __import__("json").loads(jsonl[0])
    assert record["verdict"] == "supported" and record["deciding_pmids"] == [101]
    assert record["evidence"] == [{"pmid": 101, "stance": "supports", "quote": QUOTE,
                                   "design": "case_report", "year": None, "retracted": False,
                                   "counts": True}]


def test_the_report_shows_the_closest_sentence_of_an_on_topic_record_read_as_neutral(con, tmp_path):
    """An editor sees what the model read where it found no stance (it misses paraphrased
    support), marked as such; never for a record off the claim's topic."""
    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])
    con.execute("UPDATE evidence SET stance = 'neutral'")
    con.execute("UPDATE verdicts SET label = 'not_addressed', deciding_pmids = []")
    html = article_page(build_report(con, tmp_path / "a", "r1"))
    assert ("closest sentence, not read as supporting or contradicting it: "
            "Ketamine &lt;i&gt;relieved&lt;/i&gt; pain") in html
    con.execute("UPDATE evidence SET on_topic = false")
    html = article_page(build_report(con, tmp_path / "b", "r1"))
    assert "closest sentence" not in html


def test_a_quote_that_is_not_in_the_record_fails(con):
    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])
    con.execute("UPDATE evidence SET quote = 'Ketamine cured everyone.'")
    report = run_checks(con, only=["evidence"])
    assert ("evidence", "quote_ok") in {(r.table, r.column) for r in report.failures}


def test_a_flagged_rejected_claim_fails(con):
    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])
    con.execute("UPDATE claims SET attribution = 'rejected'")
    report = run_checks(con, only=["verdicts"])
    assert ("verdicts", "rejected_ok") in {(r.table, r.column) for r in report.failures}


def test_the_report_says_what_this_run_judged_and_which_verdicts_changed(con, tmp_path):
    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])
    first = build_report(con, tmp_path / "a", "r1").html.read_text()
    assert 'id="this-run"' in first and "0 verdicts changed" in first and "Verdicts judged: 1 (unknown 1)." in first
    # a later run judges the claim again and finds it contradicted, without the flag
    (claim_id,) = con.execute("SELECT claim_id FROM claims").fetchone()
    store_runs.start_run(con, "r2", "test", [])
    replace_claim_evidence(con, claim_id, [], VerdictRow(
        label="contradicted", confidence=0.7, flags=[], explanation="PMID 101 refutes it",
        deciding_pmids=[101], judged_because="evidence_changed"), "r2")
    html = build_report(con, tmp_path / "b", "r2").html.read_text()
    assert "Verdicts judged: 1 (evidence changed 1)." in html and "1 verdict changed" in html
    row = html[html.index('id="this-run"'):html.index("</section>", html.index('id="this-run"'))]
    assert "&lt;b&gt;cures&lt;/b&gt;" in row and "<b>cures</b>" not in row   # escaped
    assert "0 new flags, 1 resolved, 1 verdict changed" in row
    resolved = row[row.index('id="resolved-flags"'):row.index('id="changed-verdicts"')]
    assert "no longer: <span class=\"flag\">overstated certainty</span>" in resolved
    table = row[row.index('id="changed-verdicts"'):]
    assert table.index(">supported<") < table.index("overstated certainty") < table.index(">contradicted<")
    assert "evidence changed</td>" in row


def test_a_verdict_without_its_history_or_with_an_unknown_reason_fails(con):
    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])
    assert run_checks(con, only=["verdicts"]).passed
    con.execute("UPDATE verdicts SET judged_because = 'because'")
    con.execute("DELETE FROM verdict_history")
    failed = {r.column for r in run_checks(con, only=["verdicts"]).failures}
    assert {"judged_because", "history_ok"} <= failed


def test_checks_warmed_up_in_the_background_run_as_usual(con):
    """The nightly flow starts importing Great Expectations while claims are judged: in a fresh
    process the warm-up alone loads it, a second call starts nothing, and the checks then run."""
    import subprocess
    import sys

    code = ("import sys\nfrom factcheck.quality import checks\n"
            "assert 'great_expectations' not in sys.modules\n"
            "checks.warm_up(); first = checks._warm_up; checks.warm_up()\n"
            "assert checks._warm_up is first\nfirst.join(120)\n"
            "assert not first.is_alive() and 'great_expectations.expectations' in sys.modules\n"
            "print('warmed')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and "warmed" in done.stdout, done.stderr[-2000:]
    report = run_checks(con)
    assert report.passed and report.results


def test_a_run_checks_the_rows_it_wrote_and_dq_check_reads_every_row(con):
    """A run's checks read its own rows (their cost follows the night's input); a broken row
    of an earlier run is not read again, a broken row of this run fails it, and a current claim
    left without a verdict fails any run. Without a run every row is read."""
    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])               # all written by run r1
    con.execute("UPDATE evidence SET stance = 'maybe'")              # r1's row, broken since
    assert not run_checks(con, only=["evidence"]).passed
    assert run_checks(con, only=["evidence"], run_id="r1").failures
    scoped = run_checks(con, only=["evidence", "claims", "verdicts"], run_id="r2")
    assert scoped.passed, scoped.failures
    assert {(r.expectation, r.observed) for r in scoped.results if r.table != "verdicts"} == {
        ("no_rows_to_validate", '{"observed_value": 0}')}

    con.execute("UPDATE evidence SET stance = 'neutral', run_id = 'r2', pmid = 999")   # r2 wrote it
    assert ("evidence", "pmid_known") in {(r.table, r.column) for r in
                                          run_checks(con, only=["evidence"], run_id="r2").failures}
    con.execute("DELETE FROM verdicts")
    assert ("verdicts", "has_verdict") in {(r.table, r.column) for r in
                                           run_checks(con, only=["verdicts"], run_id="r3").failures}


def test_a_version_cleaned_by_a_later_run_is_checked_by_that_run(con):
    """A version stored while pending (an ingest-only run) is cleaned by the next run: that
    run's checks read the version and its removed blocks, though another run stored it."""
    from factcheck.clean.result import RemovedBlock

    store_runs.start_run(con, "r1", "test", [])
    data = BODY.encode()
    saved = sa.save_document(con, Document(
        source="https://clinic.example/post", source_kind="url", text=BODY, content_type="text/plain",
        raw_bytes=len(data), content_hash=sha256_hex(data), fetched_at=datetime.now(timezone.utc)), "r1")
    assert con.execute("SELECT clean_status, cleaned_run_id FROM article_versions").fetchall() == [
        ("pending", None)]
    sa.save_cleaned(con, saved.article_id, saved.version, CleanResult(
        title="Ketamine", body_text="", removed=[RemovedBlock("cta", "Book now", "call to action")]), "r2")
    con.execute("UPDATE article_versions SET clean_status = 'ok'")     # ok, yet no body
    con.execute("UPDATE removed_blocks SET text = ''")
    failed = {(r.table, r.column) for r in run_checks(
        con, only=["article_versions", "removed_blocks"], run_id="r2").failures}
    assert failed == {("article_versions", "body_ok"), ("removed_blocks", "text")}
    assert run_checks(con, only=["article_versions", "removed_blocks"], run_id="r3").passed


def _failed(con, *tables) -> set[tuple[str, str]]:
    return {(r.table, r.column) for r in run_checks(con, only=list(tables)).failures
            if r.severity == "error"}


def test_nan_and_null_never_pass_as_missing_values(con):
    """Great Expectations skips missing values: a NaN confidence or a NULL computed check
    would pass unless the suites make them fail."""
    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])
    assert not _failed(con, "verdicts", "claims", "evidence", "article_versions")
    con.execute("UPDATE verdicts SET confidence = 'nan'::DOUBLE")
    con.execute("UPDATE claims SET score = 'nan'::DOUBLE")
    con.execute("UPDATE evidence SET p_support = 'nan'::DOUBLE")
    con.execute("UPDATE article_versions SET body_text = NULL")      # the claims' body is gone
    failed = _failed(con, "verdicts", "claims", "evidence", "article_versions")
    assert {("verdicts", "confidence_finite"), ("claims", "score_finite"),
            ("evidence", "probabilities_finite"), ("article_versions", "body_ok"),
            ("claims", "offset_ok")} <= failed


def test_a_verdict_must_rest_on_its_own_evidence_that_counts(con):
    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])
    con.execute("UPDATE evidence SET stance = 'neutral'")       # no longer says it supports
    assert {("verdicts", "deciding_ok"), ("verdicts", "counts_ok")} <= _failed(con, "verdicts")
    con.execute("UPDATE evidence SET stance = 'supports'")
    con.execute("UPDATE verdicts SET deciding_pmids = [999999]")   # a record it never read
    assert ("verdicts", "deciding_ok") in _failed(con, "verdicts")
    con.execute("UPDATE verdicts SET deciding_pmids = [101]")
    con.execute("UPDATE pubmed SET is_retracted = true")
    con.execute("UPDATE evidence SET counts = false")              # retracted: it cannot count
    assert ("verdicts", "deciding_ok") in _failed(con, "verdicts")


def test_a_failed_check_names_the_rows_that_failed_it(con):
    import json

    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])
    claim_id, = con.execute("SELECT claim_id FROM claims").fetchone()
    con.execute("UPDATE verdicts SET flags = ['overstated_certainty', 'overstated_certainty'],"
                " flag_reasons = ['worded as certain', '']")
    failures = {(r.table, r.column): json.loads(r.observed)
                for r in run_checks(con, only=["verdicts"]).failures}
    assert failures[("verdicts", "reasons_ok")]["rows"][0]["claim_id"] == claim_id
    article_id, = con.execute("SELECT article_id FROM articles").fetchone()
    con.execute("UPDATE articles SET latest_version = 5")       # the views would hide it
    failures = {(r.table, r.column): json.loads(r.observed)
                for r in run_checks(con, only=["articles"]).failures}
    assert failures[("articles", "latest_ok")]["rows"][0]["article_id"] == article_id


def test_every_quote_is_a_sentence_of_its_record(con):
    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])
    con.execute("UPDATE evidence SET quote = ''")              # found anywhere, says nothing
    assert ("evidence", "quote_ok") in _failed(con, "evidence")
    con.execute("UPDATE evidence SET stance = 'neutral', quote = 'Ketamine cures pain forever.'")
    assert ("evidence", "quote_ok") in _failed(con, "evidence")   # not the record's words


def test_a_retraction_fails_the_current_claims_that_count_it_not_an_earlier_versions(con):
    """A retraction makes the evidence stage judge the current claims that read the record
    again; an earlier version's claims are never judged again, and their rows (read before the
    retraction) must not fail every later check of every row."""
    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])
    con.execute("UPDATE pubmed SET is_retracted = true")
    assert ("evidence", "retracted_ok") in _failed(con, "evidence")      # current: must be judged again
    text = "Ketamine helps some people."
    data = text.encode()
    sa.save_document(con, Document(
        source="https://clinic.example/<post>?a=1&b=2", source_kind="url", text=text,
        content_type="text/plain", raw_bytes=len(data), content_hash=sha256_hex(data),
        fetched_at=datetime.now(timezone.utc)), "r1")                   # the article's version 2
    assert not con.execute("SELECT count(*) FROM current_claims").fetchone()[0]
    assert ("evidence", "retracted_ok") not in _failed(con, "evidence")
    con.execute("UPDATE evidence SET record_retracted = true")          # read while retracted
    assert ("evidence", "retracted_ok") in _failed(con, "evidence")


def test_a_page_back_to_earlier_content_passes_the_article_checks(con):
    """A page that returns to earlier content points at that version again (not the highest
    stored): that is a stored version, which the views show, and no check fails on it."""
    sentence = "Ketamine <b>cures</b> pain forever."
    populate(con, [claim(0, len(sentence), sentence)])
    for text in ("Ketamine helps some people.", BODY):           # an edit, then back again
        data = text.encode()
        sa.save_document(con, Document(
            source="https://clinic.example/<post>?a=1&b=2", source_kind="url", text=text,
            content_type="text/plain", raw_bytes=len(data), content_hash=sha256_hex(data),
            fetched_at=datetime.now(timezone.utc)), "r1")
    assert con.execute("SELECT latest_version FROM articles").fetchone()[0] == 1
    assert con.execute("SELECT max(version) FROM article_versions").fetchone()[0] == 2
    assert ("articles", "latest_ok") not in _failed(con, "articles")
