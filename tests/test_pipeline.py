"""Pipeline stages called directly (no Prefect): a run that died halfway is completed later."""

import os
from pathlib import Path

import duckdb
import pytest

from factcheck import pipeline
from factcheck.store.db import connect

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"


def test_versions_left_pending_by_a_dead_run_are_finished_by_the_next(tmp_path):
    db = tmp_path / "f.duckdb"
    first = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [str(SEEDS)])
    counts = pipeline.ingest_stage(db, [str(SEEDS)], first)
    assert counts["new_versions"] == 4
    # ... the process dies here; the next run ingests the same files and goes on
    second = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [str(SEEDS)])
    again = pipeline.ingest_stage(db, [str(SEEDS)], second)
    assert again["new_versions"] == 0 and again["unchanged"] == 4
    assert pipeline.clean_stage(db, second)["cleaned"] == 4
    extracted = pipeline.claims_stage(db, second)
    assert extracted["versions"] == 4 and extracted["claims"] > 20
    assert pipeline.clean_stage(db, second) == {"cleaned": 0, "empty": 0, "errors": 0, "removed_blocks": 0}
    assert pipeline.claims_stage(db, second)["versions"] == 0


def test_evidence_without_pubmed_records_gives_no_coverage_verdicts(tmp_path):
    db = tmp_path / "f.duckdb"
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.ingest_stage(db, [str(SEEDS / "001_b93a18ff41c11d19.txt")], run)
    pipeline.clean_stage(db, run)
    pipeline.claims_stage(db, run)
    counts = pipeline.evidence_stage(db, run)
    assert counts["claims"] > 0 and counts.get("no_coverage", 0) == counts["claims"]
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM evidence").fetchone()[0] == 0
        rows = con.execute("SELECT v.flags, v.explanation, c.certainty FROM verdicts v "
                           "JOIN claims c USING (claim_id)").fetchall()
    # a gap in the reference table is said as such, and flags only absolute wording
    assert all("gap in the reference data" in explanation for _, explanation, _ in rows)
    assert all(flags == [] for flags, _, certainty in rows if certainty != "absolute")


def test_html_headline_is_analysed_with_the_body():
    from factcheck.clean import clean_html, clean_text

    page = ("<html><head><title>Ketamine Cures Depression | Clinic</title></head><body><article>"
            "<h1>Ketamine Cures Depression</h1><p>Ketamine is an anaesthetic that doctors have used "
            "since the 1960s in operating rooms around the world.</p><p>Researchers now study it for "
            "depression that has not responded to other medicines.</p></article></body></html>")
    result = clean_html(page)
    text = result.analysed_text()
    assert text.startswith("Ketamine Cures Depression\n\n") and text.count("Ketamine Cures Depression") == 1
    plain = clean_text((SEEDS / "000_8a750946c1d957ae.txt").read_text())
    assert plain.analysed_text() == plain.body_text


def test_a_deleted_pubmed_record_leaves_no_dangling_evidence(tmp_path):
    """Old article versions keep their evidence; a PubMed deletion must not orphan it and
    make every later run fail its data-quality checks."""
    import gzip

    db = tmp_path / "f.duckdb"
    sample = Path(__file__).resolve().parents[1] / "data" / "pubmed" / "pubmed_sample.xml.gz"
    article = tmp_path / "a.txt"
    article.write_text((SEEDS / "001_b93a18ff41c11d19.txt").read_text())
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.pubmed_stage(db, [sample], run)
    for text in (None, "\nKetamine relieves chronic pain within hours.\n"):
        if text:
            article.write_text(article.read_text() + text)
        pipeline.ingest_stage(db, [str(article)], run)
        pipeline.clean_stage(db, run)
        pipeline.claims_stage(db, run)
        pipeline.evidence_stage(db, run)
    with duckdb.connect(str(db)) as con:
        (pmid,) = con.execute("SELECT pmid FROM evidence e JOIN claims c USING (claim_id)"
                              " WHERE c.version = 1 LIMIT 1").fetchone()
    update = tmp_path / "update.xml.gz"
    with gzip.open(update, "wt") as fh:
        fh.write(f'<?xml version="1.0"?><PubmedArticleSet><DeleteCitation><PMID Version="1">{pmid}'
                 "</PMID></DeleteCitation></PubmedArticleSet>")
    assert pipeline.pubmed_stage(db, [update], run)["deleted"] == 1
    counts = pipeline.evidence_stage(db, run)
    assert counts["evidence_of_deleted_records"] >= 1
    assert pipeline.quality_stage(db, run)["passed"]


def test_a_rejected_run_is_recorded_in_the_published_database(tmp_path):
    from factcheck.store.publish import begin_work

    db = tmp_path / "f.duckdb"
    good = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.finish_run(db, good, "completed", dq_passed=True)
    work = begin_work(db)
    bad = pipeline.start_run(work, pipeline.new_run_id("test"), "test", ["x"])
    pipeline.ingest_stage(work, [str(tmp_path / "missing.txt")], bad)
    pipeline.finish_run(work, bad, "dq_failed", dq_passed=False, message="claims.offset_ok failed")
    rejected = tmp_path / "f.duckdb.rejected"
    work.replace(rejected)
    pipeline.record_unpublished_run(db, rejected, bad)
    with connect(db, read_only=True) as con:
        runs = con.execute("SELECT run_id, status, message FROM runs ORDER BY started_at").fetchall()
        errors = con.execute("SELECT run_id, error_kind FROM pipeline_errors").fetchall()
    assert runs == [(good, "completed", None), (bad, "dq_failed", "claims.offset_ok failed")]
    assert errors == [(bad, "io")]


def test_a_broken_pubmed_file_is_recorded_and_the_table_is_kept(tmp_path):
    import gzip

    db = tmp_path / "f.duckdb"
    sample = Path(__file__).resolve().parents[1] / "data" / "pubmed" / "pubmed_sample.xml.gz"
    truncated = tmp_path / "truncated.xml.gz"
    truncated.write_bytes(sample.read_bytes()[:200_000])
    hostile = tmp_path / "laughs.xml.gz"
    with gzip.open(hostile, "wt") as fh:
        fh.write('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                 '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                 "<PubmedArticleSet>&lol2;</PubmedArticleSet>")
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    first = pipeline.pubmed_stage(db, [sample], run)
    counts = pipeline.pubmed_stage(db, [truncated, hostile], run)
    assert counts["errors"] == 2 and counts["inserted"] == 0
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM pubmed").fetchone()[0] == first["inserted"]
        kinds = {(Path(s).name, k) for s, k in con.execute(
            "SELECT source, error_kind FROM pipeline_errors WHERE stage = 'pubmed'").fetchall()}
    assert kinds == {("truncated.xml.gz", "load"), ("laughs.xml.gz", "load")}


def test_a_file_name_that_is_not_utf8_is_stored_under_a_printable_name_and_the_run_goes_on(tmp_path):
    """A folder holding a file whose name is not valid UTF-8 (bytes \\xff\\xfe, legal on Linux)
    used to make ingest raise UnicodeEncodeError and fail every nightly run."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text("Ketamine relieves chronic pain in most patients.\n")
    bad = os.path.join(os.fsencode(folder), b"\xff\xfe-bad.txt")
    with open(bad, "wb") as fh:
        fh.write(b"Magnesium cures migraine in every patient.\n")
    db = tmp_path / "f.duckdb"
    counts = pipeline.ingest_stage(db, [str(folder)], "r1")
    assert counts["documents"] == 2 and counts["new_versions"] == 2 and counts["errors"] == 0
    with connect(db, read_only=True) as con:
        sources = sorted(r[0] for r in con.execute("SELECT source FROM articles").fetchall())
    assert sources[0].endswith("\\xff\\xfe-bad.txt") and sources[1].endswith("good.txt")
    # a second run finds the same article, not a new one
    again = pipeline.ingest_stage(db, [str(folder)], "r2")
    assert again["unchanged"] == 2 and again["new_versions"] == 0


def test_a_huge_article_yields_bounded_claims_and_says_what_was_cut(tmp_path):
    """Claim sentences over 270,000 characters: claims are read from the first 100,000
    only and at most 150 are kept, each cut recorded as a warning; the article's claims are
    stored and the next article is processed as usual."""
    from factcheck.claims.limits import MAX_BODY_CHARS, MAX_CLAIMS

    seed = (SEEDS / "001_b93a18ff41c11d19.txt").read_text(encoding="utf-8")
    from hostile_corpus import numbered

    huge = tmp_path / "huge.txt"
    huge.write_text("\n\n".join(numbered(i) for i in range(1200)), encoding="utf-8")
    normal = tmp_path / "normal.txt"
    normal.write_text(seed, encoding="utf-8")
    db = tmp_path / "f.duckdb"
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.ingest_stage(db, [str(huge), str(normal)], run)
    pipeline.clean_stage(db, run)
    counts = pipeline.claims_stage(db, run)
    assert counts["versions"] == 2 and counts["errors"] == 0
    with connect(db, read_only=True) as con:
        per_article = dict(con.execute(
            "SELECT a.source, count(*) FROM claims c JOIN articles a USING (article_id)"
            " GROUP BY a.source").fetchall())
        cuts = [r[0] for r in con.execute(
            "SELECT message FROM pipeline_errors WHERE stage = 'claims' AND severity = 'warning'"
            " AND error_kind = 'too_large' ORDER BY message").fetchall()]
        ends = con.execute("SELECT max(c.end_char) FROM claims c JOIN articles a USING (article_id)"
                           " WHERE a.source LIKE '%huge.txt'").fetchone()[0]
    huge_claims = next(n for source, n in per_article.items() if source.endswith("huge.txt"))
    assert huge_claims == MAX_CLAIMS
    assert next(n for source, n in per_article.items() if source.endswith("normal.txt")) > 0
    assert any("claims read from the first" in m for m in cuts)
    assert any(f"the first {MAX_CLAIMS} kept" in m for m in cuts)
    assert ends <= MAX_BODY_CHARS


def _staged_run(db: Path, files: list[Path]) -> tuple[str, str]:
    """A run's stages on a working copy of ``db``; returns (work, run_id), ready to publish."""
    from factcheck.store.publish import begin_work

    work = str(begin_work(db))
    run = pipeline.start_run(work, pipeline.new_run_id("test"), "test", [])
    pipeline.ingest_stage(work, [str(f) for f in files], run)
    pipeline.clean_stage(work, run)
    pipeline.claims_stage(work, run)
    pipeline.evidence_stage(work, run)
    return work, run


def test_the_report_beside_the_database_is_always_its_own(tmp_path, monkeypatch):
    """The report is built from the working copy and swapped in with the database: a run that
    dies at the rename leaves the old database and no report (never an old run's report beside
    a newer database, nor a new report beside the old one); the next run writes both."""
    import json

    from factcheck.store import publish as publish_module

    db, out = tmp_path / "f.duckdb", tmp_path / "out"
    seeds = sorted(SEEDS.glob("*.txt"))
    work, first = _staged_run(db, seeds[:1])
    paths = pipeline.publish_run(work, db, out, first)
    assert first in Path(paths["html"]).read_text(encoding="utf-8")
    assert not list(out.glob(".report-*"))

    work, second = _staged_run(db, seeds[:2])

    def die(*_args, **_kwargs):
        raise KeyboardInterrupt("killed at the rename")

    monkeypatch.setattr(publish_module, "publish", die)
    try:
        pipeline.publish_run(work, db, out, second)
    except KeyboardInterrupt:
        pass
    monkeypatch.undo()
    assert not (out / "report").exists() and not (out / "claims.jsonl").exists()
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs WHERE run_id = ?", [second]).fetchone()[0] == 0

    work, third = _staged_run(db, seeds[:2])
    paths = pipeline.publish_run(work, db, out, third)
    assert third in Path(paths["html"]).read_text(encoding="utf-8")
    sources = {json.loads(line)["article"] for line in Path(paths["jsonl"]).read_text().splitlines()}
    assert len(sources) == 2
    assert not list(out.glob(".report-*"))


def test_an_unreadable_triage_database_is_a_recorded_error_not_a_silent_reopening(tmp_path, monkeypatch):
    """Editors' decisions that cannot be read would show every decided flag open again: the run
    records it (so it ends with status 3 and the summary lists it), and says it at once, not
    after waiting as for a busy file."""
    import time

    from factcheck.store.triage import TriageError, load_decisions

    db, out = tmp_path / "f.duckdb", tmp_path / "out"
    monkeypatch.delenv("FACTCHECK_TRIAGE_DB", raising=False)
    (tmp_path / "triage.duckdb").write_bytes(b"garbage, not a DuckDB file" * 100)
    started = time.monotonic()
    with pytest.raises(TriageError, match="cannot be opened"):
        load_decisions(tmp_path / "triage.duckdb", strict=True)
    assert time.monotonic() - started < 3                       # no retrying as if busy
    work, run = _staged_run(db, sorted(SEEDS.glob("*.txt"))[:1])
    pipeline.publish_run(work, db, out, run)
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT stage, error_kind FROM pipeline_errors WHERE run_id = ?",
                           [run]).fetchall() == [("report", "triage")]
        assert con.execute("SELECT n_errors FROM runs WHERE run_id = ?", [run]).fetchone()[0] == 1


def test_publishing_never_replaces_a_report_folder_that_is_not_factchecks(tmp_path):
    """The library refuses too, not only the CLI: a run whose OUT/report is someone's own folder
    publishes nothing and leaves the folder as it was."""
    db, out = tmp_path / "f.duckdb", tmp_path / "out"
    (out / "report").mkdir(parents=True)
    (out / "report" / "notes.txt").write_text("mine", encoding="utf-8")
    work, run = _staged_run(db, sorted(SEEDS.glob("*.txt"))[:1])
    with pytest.raises(pipeline.ReportFolderTaken, match="is not a factcheck report"):
        pipeline.publish_run(work, db, out, run)
    assert (out / "report" / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert not db.exists() and Path(work).exists()


def test_a_run_records_the_models_it_runs_with(tmp_path, monkeypatch):
    """Which claim model runs is a setting recorded in the run row (docs/settings.md), and the
    stance model recorded is the one the verdicts name."""
    import hashlib

    from factcheck.claims import model as claim_model

    db = tmp_path / "f.duckdb"
    monkeypatch.setenv("FACTCHECK_CLAIMS_MODEL", str(claim_model.MODEL_PATH))
    shipped = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    monkeypatch.setenv("FACTCHECK_CLAIMS_MODEL", "off")
    rules_alone = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.ingest_stage(db, [str(SEEDS / "001_b93a18ff41c11d19.txt")], rules_alone)
    pipeline.clean_stage(db, rules_alone)
    pipeline.claims_stage(db, rules_alone)
    pipeline.evidence_stage(db, rules_alone)
    with connect(db, read_only=True) as con:
        models = dict((r[0], r[1:]) for r in con.execute(
            "SELECT run_id, claims_model, stance_model FROM runs").fetchall())
        judged_with = {r[0] for r in con.execute("SELECT DISTINCT model_version FROM verdicts").fetchall()}
    digest = hashlib.sha256(claim_model.MODEL_PATH.read_bytes()).hexdigest()[:12]
    assert models[shipped][0] == f"model.json@{digest}"
    assert models[rules_alone][0] == "off"
    assert judged_with == {models[rules_alone][1]}


def test_the_run_row_names_the_claim_model_extraction_used(tmp_path, monkeypatch):
    """A run names its claim model at its start from the settings and the installed packages
    (loading the sentence encoder waits for articles to extract); the claims stage records the
    model extraction really used when it differs."""
    import hashlib

    from factcheck.claims import model as claim_model

    db = tmp_path / "f.duckdb"
    monkeypatch.setenv("FACTCHECK_CLAIMS_MODEL", "off")
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.ingest_stage(db, [str(SEEDS / "001_b93a18ff41c11d19.txt")], run)
    pipeline.clean_stage(db, run)

    def named() -> str:
        with connect(db, read_only=True) as con:
            return con.execute("SELECT claims_model FROM runs WHERE run_id = ?", [run]).fetchone()[0]

    assert named() == "off"
    monkeypatch.setenv("FACTCHECK_CLAIMS_MODEL", str(claim_model.MODEL_PATH))   # changed since
    assert pipeline.claims_stage(db, run)["claims"] > 0
    digest = hashlib.sha256(claim_model.MODEL_PATH.read_bytes()).hexdigest()[:12]
    assert named() == f"model.json@{digest}"


def test_one_ingest_door_for_files_and_urls_whatever_their_spelling(tmp_path):
    """Files, folders and URLs go through one door (the crawler): a URL is a URL in any case
    (HTTP://… was once read as a local path), and the outcomes are counted once."""
    db = tmp_path / "f.duckdb"
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    counts = pipeline.ingest_stage(db, [str(SEEDS / "001_b93a18ff41c11d19.txt"),
                                        "HTTP://127.0.0.1:9/article", str(tmp_path / "missing.txt")], run)
    assert counts["new_versions"] == 1 and counts["errors"] == 2
    with connect(db, read_only=True) as con:
        errors = dict(con.execute("SELECT lower(source), error_kind FROM pipeline_errors "
                                  "WHERE run_id = ?", [run]).fetchall())
    assert errors["http://127.0.0.1:9/article"] == "blocked_address"   # the address guard, not a file
    assert errors[str(tmp_path / "missing.txt").lower()] == "io"


def test_a_local_input_is_an_article_whatever_its_name(tmp_path):
    """A file named like a sources file is still an input file: read and stored as an
    article, never loaded as a sources file and crawled; a missing one is recorded."""
    db = tmp_path / "f.duckdb"
    notes = tmp_path / "notes.toml"
    notes.write_text("Ketamine infusions relieve chronic pain for over three months.\n")
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    counts = pipeline.ingest_stage(db, [str(notes), str(tmp_path / "gone.toml")], run)
    assert counts["documents"] == 2 and counts["new_versions"] == 1 and counts["errors"] == 1
    with connect(db, read_only=True) as con:
        sources = {r[0] for r in con.execute("SELECT source FROM pipeline_errors WHERE run_id = ?",
                                              [run]).fetchall()}
    assert str(tmp_path / "gone.toml") in sources
