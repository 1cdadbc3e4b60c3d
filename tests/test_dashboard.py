"""The dashboard: its queries on a real published database, and the Streamlit page run
headless with streamlit.testing (a claim chosen, its evidence shown, a triage decision made)."""

from __future__ import annotations

import pytest

from factcheck.dashboard import queries
from factcheck.dashboard.app import database_path
from factcheck.store.db import connect
from factcheck.store.triage import history, triage_path
from test_report import corpus


@pytest.fixture
def published(tmp_path):
    db = tmp_path / "pub" / "factcheck.duckdb"
    con = connect(db)
    ids = corpus(con)
    con.execute("UPDATE runs SET status = 'completed', finished_at = now()")
    con.close()
    return db, ids


def test_queries_count_flagged_claims_and_follow_verdicts_over_time(published):
    db, ids = published
    with connect(db, read_only=True) as con:
        by_site = queries.flagged_by(con, "site")
        assert by_site.to_dict("records")[0] == {"site": "b.example", "flagged_claims": 2, "articles": 1}
        by_flag = dict(zip(*queries.flagged_by(con, "flag")[["flag", "flagged_claims"]].T.values))
        assert by_flag == {"contradicted_by_stronger_evidence": 1, "overstated_certainty": 1, "figure_not_found": 1}
        assert set(queries.flagged_by(con, "verdict")["verdict"]) == {"contradicted", "supported"}
        with pytest.raises(ValueError):
            queries.flagged_by(con, "colour")
        over_time = queries.verdicts_over_time(con)
        assert dict(zip(over_time["label"], over_time["claims"])) == {"contradicted": 1, "supported": 3}
        runs = queries.run_history(con)
        assert runs.loc[0, "run_id"] == "r1" and runs.loc[0, "status"] == "completed"
        found = queries.claims(con, site="b.example", flagged_only=True, search="cures")
        assert list(found["sentence"]) == ["Ketamine <b>cures</b> pain."]
        detail = queries.claim_detail(con, found.loc[0, "claim_id"])
        assert detail["label"] == "contradicted" and list(detail["evidence"]["pmid"]) == [101]
        assert detail["evidence"].loc[0, "url"] == "https://pubmed.ncbi.nlm.nih.gov/101/"
        assert list(detail["history"]["label"]) == ["contradicted"]
        assert queries.claim_detail(con, "nope") is None


def test_database_path_from_argv_or_environment(monkeypatch):
    monkeypatch.setenv("FACTCHECK_DB", "/data/x.duckdb")
    assert str(database_path(["--db", "/tmp/a.duckdb"])) == "/tmp/a.duckdb"
    assert str(database_path([])) == "/data/x.duckdb"


def test_the_page_shows_a_claim_with_its_evidence_and_records_a_triage_decision(published, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from factcheck.dashboard import app

    db, ids = published
    monkeypatch.setenv("FACTCHECK_DB", str(db))
    monkeypatch.delenv("FACTCHECK_TRIAGE_DB", raising=False)
    at = AppTest.from_file(app.__file__, default_timeout=60).run()
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == ["Flagged claims", "Verdicts over time", "Runs",
                                          "Claim explorer", "Triage decisions"]
    at.text_input(key="search").input("cures").run()
    assert not at.exception
    claim_box = at.selectbox(key="claim")
    assert len(claim_box.options) == 1 and "Ketamine <b>cures</b> pain." in claim_box.options[0]
    # the sentence is shown as text, never as markup
    assert "Ketamine <b>cures</b> pain." in [t.value for t in at.text]
    assert any("contradicted" in m.value for m in at.markdown)
    at.radio(key="triage_status").set_value("escalated")
    at.text_area(key="triage_note").input("ask the author")
    at.text_input(key="triage_editor").input("ana")
    at.button[0].click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Recorded: escalated"]
    (decision,) = history(triage_path(db))
    assert decision["status"] == "escalated" and decision["editor"] == "ana"
    assert decision["note"] == "ask the author"


def test_the_page_says_where_the_database_is_missing(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from factcheck.dashboard import app

    monkeypatch.setenv("FACTCHECK_DB", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(app.__file__, default_timeout=60).run()
    assert "No published database" in at.error[0].value
