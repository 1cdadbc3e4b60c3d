"""Editors' triage: decisions in their own database, carried over while a sentence is
unchanged, shown in the report; the CLI records and lists them."""

from __future__ import annotations

import csv

import duckdb
import pytest
from click.testing import CliRunner

from factcheck.cli import cli
from factcheck.report.build import build_report
from factcheck.store.db import connect
from factcheck.store.evidence import replace_claim_evidence
from factcheck.store.rows import VerdictRow
from factcheck.store.triage import (TriageError, decision_for, load_decisions, record_decision,
                                    triage_path)
from test_report import corpus


@pytest.fixture
def published(tmp_path):
    db = tmp_path / "pub" / "factcheck.duckdb"
    con = connect(db)
    ids = corpus(con)
    con.close()
    return db, ids


def claim_of(db, article_id, seq=0):
    with connect(db, read_only=True) as con:
        return con.execute("SELECT claim_id, sentence FROM current_claims WHERE article_id = ? AND seq = ?",
                           [article_id, seq]).fetchone()


def test_a_decision_lives_beside_the_published_database_and_holds_while_nothing_new_is_flagged(published, monkeypatch):
    monkeypatch.delenv("FACTCHECK_TRIAGE_DB", raising=False)
    db, ids = published
    claim_id, sentence = claim_of(db, ids["worst"])
    decision = record_decision(db, claim_id, "dismissed", note="satire <b>site</b>", editor="ana")
    assert triage_path(db) == db.parent / "triage.duckdb" and triage_path(db).exists()
    decisions = load_decisions(triage_path(db))
    # the same sentence (another version's claim id, other spacing) is still decided
    found = decision_for(decisions, ids["worst"], "  " + sentence.upper(), decision.flags)
    assert found is not None and found.status == "dismissed" and found.note == "satire <b>site</b>"
    # a flag the editor did not see reopens it; so does another article's same sentence
    assert decision_for(decisions, ids["worst"], sentence, decision.flags + ["retracted_evidence"]) is None
    assert decision_for(decisions, ids["mild"], sentence, decision.flags) is None
    # the latest decision is in force; 'open' takes a decision back
    record_decision(db, claim_id, "open", editor="ana")
    assert decision_for(load_decisions(triage_path(db)), ids["worst"], sentence, decision.flags) is None
    with pytest.raises(TriageError):
        record_decision(db, "no-such-claim", "reviewed")
    with pytest.raises(TriageError):
        record_decision(db, claim_id, "approved")


def test_the_report_shows_which_flags_are_still_open(published, tmp_path):
    db, ids = published
    claim_id, _ = claim_of(db, ids["worst"])
    record_decision(db, claim_id, "escalated", note="ask the <i>author</i>", editor="ana",
                    triage_db=tmp_path / "t.duckdb")
    with connect(db, read_only=True) as con:
        paths = build_report(con, tmp_path / "out", "r1", decisions=load_decisions(tmp_path / "t.duckdb"))
    index = paths.html.read_text()
    assert "<b>2</b><a href=\"by/open.html\">still open</a>" in index
    assert "open (2)" in index and "escalated (1)" in index
    page = (paths.html.parent / "articles" / f"{ids['worst']}.html").read_text()
    assert '<span class="tri escalated" title="ask the &lt;i&gt;author&lt;/i&gt;">escalated by ana</span>' in page
    assert "Editor's note" in page and "<i>author</i>" not in page
    assert (paths.html.parent / "by" / "open.html").read_text().count("<li>") == 2
    with paths.csv.open(newline="") as fh:
        rows = {r["claim_id"]: r for r in csv.DictReader(fh)}
    assert rows[claim_id]["triage"] == "escalated" and rows[claim_id]["triage_note"] == "ask the <i>author</i>"
    assert sorted(r["triage"] for r in rows.values()) == ["escalated", "open", "open"]


def test_a_new_flag_on_a_decided_claim_reopens_it_in_the_report(published, tmp_path):
    db, ids = published
    claim_id, _ = claim_of(db, ids["mild"])
    record_decision(db, claim_id, "reviewed", triage_db=tmp_path / "t.duckdb")
    with connect(db) as con:
        con.execute("INSERT INTO runs (run_id, flow, started_at, status) VALUES ('r2', 'test', now(), 'running')")
        replace_claim_evidence(con, claim_id, [], VerdictRow(
            label="supported", confidence=0.8, flags=["figure_not_found", "retracted_evidence"],
            explanation="x", flag_reasons=["a", "b"], deciding_pmids=[101], judged_because="evidence_changed"), "r2")
        paths = build_report(con, tmp_path / "out", "r2", decisions=load_decisions(tmp_path / "t.duckdb"))
    assert "escalated (0)" in paths.html.read_text() and "reviewed (0)" in paths.html.read_text()


def test_the_documented_triage_query_shows_a_decision_only_while_it_is_in_force(published, tmp_path):
    """docs/schema.md's query beside the analyst database says what the report says: a decision
    that did not see a flag the claim has now is no decision ('open')."""
    import re
    from pathlib import Path as P

    schema = (P(__file__).resolve().parents[1] / "docs" / "schema.md").read_text()
    (block,) = [b for b in re.findall(r"```sql\n(.*?)```", schema, flags=re.S) if "triage.duckdb" in b]
    attach, query = [s.strip() for s in block.split(";") if s.strip()]
    db, ids = published
    triage_db = tmp_path / "t.duckdb"
    claim_id, sentence = claim_of(db, ids["mild"])

    def status() -> str:
        with connect(db, read_only=True) as con:
            con.execute(attach.replace("out/triage.duckdb", str(triage_db)))
            rows = {s: st for s, _, st, _ in con.execute(query).fetchall()}
            con.execute("DETACH triage")
        return rows[sentence]

    record_decision(db, claim_id, "reviewed", triage_db=triage_db)
    assert status() == "reviewed"
    with connect(db) as con:   # the claim gains a flag the editor did not see
        flags = con.execute("SELECT flags FROM verdicts WHERE claim_id = ?", [claim_id]).fetchone()[0]
        con.execute("INSERT INTO runs (run_id, flow, started_at, status) VALUES ('r2', 'test', now(), 'running')")
        replace_claim_evidence(con, claim_id, [], VerdictRow(
            label="supported", confidence=0.8, flags=[*flags, "retracted_evidence"], explanation="x",
            flag_reasons=["a"] * (len(flags) + 1), deciding_pmids=[101],
            judged_because="evidence_changed"), "r2")
    assert status() == "open"
    record_decision(db, claim_id, "dismissed", triage_db=triage_db)   # decided again, seeing it
    assert status() == "dismissed"
    record_decision(db, claim_id, "open", triage_db=triage_db)        # taken back
    assert status() == "open"


def test_cli_marks_and_lists_decisions(published, monkeypatch, tmp_path):
    db, ids = published
    monkeypatch.setenv("FACTCHECK_TRIAGE_DB", str(tmp_path / "decisions.duckdb"))
    claim_id, sentence = claim_of(db, ids["worst"])
    runner = CliRunner()
    result = runner.invoke(cli, ["triage", "mark", claim_id, "--status", "reviewed", "--note", "checked",
                                 "--editor", "bo", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "reviewed" in result.output and (tmp_path / "decisions.duckdb").exists()
    result = runner.invoke(cli, ["triage", "list", "--db", str(db)])
    assert result.exit_code == 0 and "bo" in result.output and "checked" in result.output
    result = runner.invoke(cli, ["triage", "mark", "nope", "--status", "reviewed", "--db", str(db)])
    assert result.exit_code == 2 and "no current claim" in result.output
    assert "has no flag" not in runner.invoke(cli, ["triage", "mark", claim_id, "--status", "open",
                                                    "--db", str(db)]).output
    unflagged, _ = claim_of(db, ids["clean"])          # a supported claim without a flag
    result = runner.invoke(cli, ["triage", "mark", unflagged, "--status", "dismissed", "--db", str(db)])
    assert result.exit_code == 0 and "this claim has no flag" in " ".join(result.output.split())
    # listing reads the decisions file only: the one FACTCHECK_TRIAGE_DB names, whatever --db...
    named = runner.invoke(cli, ["triage", "list", "--db", str(tmp_path / "nope.duckdb")])
    assert named.exit_code == 0 and "bo" in named.output
    # each line names its claim, whatever letter the id starts with ("[b75c…]" is no markup)
    assert f"[{claim_id}]" in named.output and f"[{unflagged}]" in named.output
    with duckdb.connect(str(tmp_path / "decisions.duckdb")) as tcon:
        tcon.execute("INSERT INTO decisions SELECT * REPLACE ('b75c52785daf6f545f1b' AS claim_id)"
                     " FROM decisions LIMIT 1")
    lettered = runner.invoke(cli, ["triage", "list", "--db", str(tmp_path / "nope.duckdb")])
    assert "[b75c52785daf6f545f1b]" in lettered.output
    # ...else the one beside --db, which must exist
    monkeypatch.delenv("FACTCHECK_TRIAGE_DB")
    missing = runner.invoke(cli, ["triage", "list", "--db", str(tmp_path / "nope.duckdb")])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_a_reader_waits_while_another_connection_of_the_process_writes(published, tmp_path):
    """Streamlit serves each browser session from a thread of one process: a read while
    another session holds the file read-write waits for it instead of failing."""
    import threading

    import duckdb

    from factcheck.store.triage import SCHEMA, history

    db, ids = published
    path = tmp_path / "t.duckdb"
    claim_id, _ = claim_of(db, ids["worst"])
    record_decision(db, claim_id, "reviewed", triage_db=path)
    writer = duckdb.connect(str(path))
    writer.execute(SCHEMA)
    threading.Timer(0.5, writer.close).start()
    assert [r["status"] for r in history(path)] == ["reviewed"]
