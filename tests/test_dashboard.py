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
    claim_id = claim_box.value
    at.radio(key=f"triage_status_{claim_id}").set_value("escalated")
    at.text_area(key=f"triage_note_{claim_id}").input("ask the author")
    at.text_input(key=f"triage_editor_{claim_id}").input("ana")
    at.button[0].click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Recorded: escalated"]
    (decision,) = history(triage_path(db))
    assert decision["status"] == "escalated" and decision["editor"] == "ana"
    assert decision["note"] == "ask the author"


def _claims_table(at):
    """The claim explorer's table (the one with the editors' decisions)."""
    return next(d.value for d in at.dataframe if "decision" in d.value.columns)


def test_the_triage_form_belongs_to_the_claim_chosen_and_open_flags_can_be_listed(published, monkeypatch):
    """What an editor typed for one claim never carries over to the next one chosen (it was
    saved on the wrong claim); the form starts from the claim's decision in force, which the
    claims table shows, and "open flags only" lists the flagged claims without one."""
    from streamlit.testing.v1 import AppTest

    from factcheck.dashboard import app

    db, ids = published
    monkeypatch.setenv("FACTCHECK_DB", str(db))
    monkeypatch.delenv("FACTCHECK_TRIAGE_DB", raising=False)
    at = AppTest.from_file(app.__file__, default_timeout=60).run()
    claim_box = at.selectbox(key="claim")
    ids = list(_claims_table(at)["claim_id"])
    first_id = claim_box.value
    assert len(claim_box.options) == 3 and first_id == ids[0]   # three flagged claims, worst first
    assert "cures" in claim_box.options[0]       # contradicted by stronger evidence
    at.radio(key=f"triage_status_{first_id}").set_value("dismissed")
    at.text_area(key=f"triage_note_{first_id}").input("note for the first claim")
    at.button[0].click().run()
    assert [s.value for s in at.success] == ["Recorded: dismissed"]
    second_id = ids[1]
    at.selectbox(key="claim").set_value(second_id).run()
    assert at.selectbox(key="claim").value == second_id
    assert at.text_area(key=f"triage_note_{second_id}").value == ""
    assert at.radio(key=f"triage_status_{second_id}").value == "reviewed"
    at.selectbox(key="claim").set_value(first_id).run()          # back: its decision is shown
    assert at.radio(key=f"triage_status_{first_id}").value == "dismissed"
    assert any("Decision in force: dismissed" in i.value for i in at.info)
    table = _claims_table(at)
    assert dict(zip(table["claim_id"], table["decision"]))[first_id] == "dismissed"
    at.checkbox(key="open_only").check().run()
    assert list(_claims_table(at)["claim_id"]) == [i for i in ids if i != first_id]


def test_the_page_says_when_the_reference_is_missing_or_the_file_is_not_a_factcheck_database(
        tmp_path, monkeypatch):
    """An analyst file without its reference file shows a warning (the explanations name
    records the evidence table cannot show); a file that is no factcheck database says so in
    one line, not with a traceback."""
    from streamlit.testing.v1 import AppTest

    from factcheck.dashboard import app

    monkeypatch.delenv("FACTCHECK_REFERENCE_DB", raising=False)
    alone = tmp_path / "alone" / "factcheck.duckdb"      # no reference.duckdb beside it
    connect(alone).close()
    monkeypatch.setenv("FACTCHECK_DB", str(alone))
    at = AppTest.from_file(app.__file__, default_timeout=60).run()
    assert not at.exception
    assert any("reference file" in w.value for w in at.warning)
    empty = tmp_path / "empty.duckdb"
    empty.write_bytes(b"")
    monkeypatch.setenv("FACTCHECK_DB", str(empty))
    at = AppTest.from_file(app.__file__, default_timeout=60).run()
    assert not at.exception and "cannot be read as a factcheck database" in at.error[0].value


def test_the_dashboard_command_is_the_server_so_a_kill_stops_it(published, tmp_path):
    """`factcheck dashboard` becomes the Streamlit server: a SIGTERM sent to the PID it was
    started as (kill, a service manager) stops the server, not only a parent that would leave
    it serving, orphaned."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", "from factcheck.cli import main; main()",
                             "dashboard", "--db", str(published[0]), "--port", str(port)],
                            env=dict(os.environ, FACTCHECK_TRIAGE_DB=str(tmp_path / "t.duckdb")),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.3)
        os.kill(proc.pid, signal.SIGTERM)          # the PID alone, not its process group
        proc.wait(timeout=30)
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)       # whatever is left of the group
        except ProcessLookupError:
            pass
