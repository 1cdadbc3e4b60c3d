"""The run lifecycle in the library (factcheck.run): what a notebook gets is what the nightly
flow and the CLI get: a lock, a working copy, the quality gate, then publish or reject, and
a run record either way."""

from __future__ import annotations

from contextlib import closing

import duckdb
import pytest

from factcheck import pipeline
from factcheck.run import conclude, lifecycle
from factcheck.store.db import connect
from factcheck.store.publish import WriterBusy, WriterLock

SEED = sorted(pipeline.sample_articles())[0]


def runs(db):
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return con.execute("SELECT flow, status, dq_passed FROM runs ORDER BY started_at").fetchall()


def test_a_notebook_run_publishes_with_its_report(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_EVIDENCE_EMBED", "off")
    db, out = tmp_path / "pub" / "factcheck.duckdb", tmp_path / "out"
    with lifecycle(db, "notebook", [str(SEED)], out) as run:
        assert not db.exists()      # nothing published while the run works
        pipeline.ingest_stage(run.work, [str(SEED)], run.run_id)
        pipeline.clean_stage(run.work, run.run_id)
        result = conclude(run)
    assert result["status"] == "completed" and result["db"] == str(db)
    assert (out / "report" / "index.html").exists() and (out / "claims.jsonl").exists()
    assert runs(db) == [("notebook", "completed", True)]
    assert not (tmp_path / "pub" / "factcheck.duckdb.work").exists()


def test_a_run_without_an_out_dir_publishes_the_database_alone(tmp_path):
    db = tmp_path / "factcheck.duckdb"
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "mine.html").write_text("someone else's")
    with lifecycle(db, "pubmed") as run:
        result = conclude(run)
    assert result["status"] == "completed" and result["db"] == str(db)
    assert runs(db) == [("pubmed", "completed", True)]
    assert (tmp_path / "report" / "mine.html").read_text() == "someone else's"
    assert not (tmp_path / "claims.jsonl").exists()


def test_a_run_that_fails_its_checks_publishes_only_its_record(tmp_path):
    db = tmp_path / "factcheck.duckdb"
    with lifecycle(db, "notebook") as run:
        pipeline.ingest_stage(run.work, [str(SEED)], run.run_id)
        with closing(connect(run.work)) as con:   # a row the checks must refuse
            con.execute("UPDATE articles SET source_kind = 'carrier-pigeon'")
        result = conclude(run)
    assert result["status"] == "dq_failed"
    assert runs(db) == [("notebook", "dq_failed", False)]
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM dq_results WHERE NOT success").fetchone()[0] >= 1
    assert (tmp_path / "factcheck.duckdb.rejected").exists()


def test_an_exception_or_a_missing_conclude_fails_the_run_and_keeps_the_copy(tmp_path):
    db = tmp_path / "factcheck.duckdb"
    with pytest.raises(ZeroDivisionError):
        with lifecycle(db, "notebook") as run:
            pipeline.ingest_stage(run.work, [str(SEED)], run.run_id)
            1 / 0
    assert runs(db) == [("notebook", "failed", None)]
    assert (tmp_path / "factcheck.duckdb.failed").exists()
    with pytest.raises(RuntimeError, match="without conclude"):
        with lifecycle(db, "notebook"):
            pass
    assert [r[1] for r in runs(db)] == ["failed", "failed"]


def test_one_writer_at_a_time(tmp_path):
    db = tmp_path / "factcheck.duckdb"
    with lifecycle(db, "notebook") as run:
        with pytest.raises(WriterBusy):
            with WriterLock(db):
                pass
        conclude(run)
