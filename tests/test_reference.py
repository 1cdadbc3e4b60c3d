"""The PubMed reference in its own file (issue 12): loaded and published by its own lifecycle,
attached read-only by runs and analysts, never copied by a nightly run; databases made before
the split are split once, and nothing is dropped before it is moved."""

from __future__ import annotations

import logging
import os
import shutil
from contextlib import closing
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from factcheck import pipeline
from factcheck.cli import cli
from factcheck.pubmed.load import load_files
from factcheck.run import conclude, lifecycle, load_reference
from factcheck.store import runs as store_runs
from factcheck.store.db import StoreError, apply_migrations, connect
from factcheck.store.reference import ReferenceUnavailable, connect_reference, needs_split, reference_path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "pubmed" / "pubmed_sample.xml.gz"
UPDATE = REPO / "tests" / "fixtures" / "pubmed" / "nlm_update_cut.xml.gz"
SEED = sorted(pipeline.sample_articles())[0]


def tables(path: Path) -> set[str]:
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def old_style_database(path: Path) -> int:
    """A database as factcheck made them before migration 0008: the PubMed records, their load
    log and full-text index inside it, beside a published run."""
    with closing(connect(path, migrate=False, reference=False)) as con:
        apply_migrations(con, upto=7)
        load_files(con, [SAMPLE], workers=0)
        # the run row as the writers of the time wrote it (runs had no model columns before 0010)
        con.execute("INSERT INTO runs (run_id, flow, started_at, status, inputs) "
                    "VALUES ('old-run', 'nightly', now()::TIMESTAMP, 'running', [])")
        store_runs.finish_run(con, "old-run", "completed", dq_passed=True)
        return con.execute("SELECT count(*) FROM pubmed").fetchone()[0]


def nightly_run(db: Path, out: Path | None = None) -> dict:
    with lifecycle(db, "test", [str(SEED)], out) as run:
        pipeline.ingest_stage(run.work, [str(SEED)], run.run_id)
        pipeline.clean_stage(run.work, run.run_id)
        pipeline.claims_stage(run.work, run.run_id)
        pipeline.evidence_stage(run.work, run.run_id)
        return conclude(run)


@pytest.fixture(autouse=True)
def _bm25_only(monkeypatch):
    monkeypatch.setenv("FACTCHECK_EVIDENCE_EMBED", "off")


def test_an_older_database_is_refused_by_migration_0008_until_it_is_split(tmp_path):
    db = tmp_path / "factcheck.duckdb"
    records = old_style_database(db)
    with pytest.raises(StoreError, match="factcheck pubmed split"):
        connect(db)
    # nothing was dropped
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        assert con.execute("SELECT count(*) FROM pubmed").fetchone()[0] == records
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == 7
    assert needs_split(db)


def test_the_first_run_moves_the_reference_out_and_the_views_keep_working(tmp_path):
    db = tmp_path / "factcheck.duckdb"
    records = old_style_database(db)
    before = db.stat().st_size
    result = nightly_run(db)
    assert result["status"] == "completed"
    reference = tmp_path / "reference.duckdb"
    with closing(connect_reference(reference, read_only=True)) as con:
        assert con.execute("SELECT count(*) FROM pubmed").fetchone()[0] == records
        assert con.execute("SELECT count(*) FROM fts_main_pubmed.postings").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM pubmed_files WHERE status = 'loaded'").fetchone()[0] == 1
        assert con.execute("SELECT kind, n_records FROM reference_loads").fetchall() == [("split", records)]
    # the analyst file keeps its history, holds no reference table and is smaller
    assert not {"pubmed", "pubmed_files", "pubmed_vectors", "postings"} & tables(db)
    assert db.stat().st_size < before
    assert not needs_split(db)
    with closing(connect(db, read_only=True)) as con:
        assert con.execute("SELECT run_id FROM runs ORDER BY started_at").fetchall()[0] == ("old-run",)
        cited = con.execute("SELECT count(*), count(title) FROM claim_evidence").fetchone()
        assert cited[0] > 0 and cited[0] == cited[1]     # every cited record found in the reference
        assert con.execute("SELECT count(*) FROM verdicts WHERE coverage > 0").fetchone()[0] > 0


def test_a_run_publishes_without_copying_the_reference(tmp_path, monkeypatch):
    db = tmp_path / "factcheck.duckdb"
    reference = reference_path(db)
    assert load_reference(reference, [SAMPLE], workers=0).status == "published"
    stamp = (reference.stat().st_ino, reference.stat().st_mtime_ns, reference.stat().st_size)
    copied: list[str] = []
    real_copy = shutil.copy2

    def recording_copy(src, dst, *args, **kwargs):
        copied.append(os.fspath(src))
        return real_copy(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "copy2", recording_copy)
    for _ in range(2):   # the second run copies the published analyst database, and only it
        assert nightly_run(db, tmp_path / "out")["status"] == "completed"
    assert copied == [str(db)]
    assert (reference.stat().st_ino, reference.stat().st_mtime_ns, reference.stat().st_size) == stamp
    assert not {"pubmed", "pubmed_files", "pubmed_vectors"} & tables(db)
    assert db.stat().st_size < reference.stat().st_size
    with closing(connect(db, read_only=True)) as con:   # the report and verdicts read the reference
        assert con.execute("SELECT count(*) FROM claim_evidence").fetchone()[0] > 0


def test_analysts_attach_the_reference_as_documented(tmp_path):
    db = tmp_path / "factcheck.duckdb"
    load_reference(reference_path(db), [SAMPLE], workers=0)
    nightly_run(db)
    with closing(duckdb.connect()) as con:   # any DuckDB client, as docs/schema.md says
        con.execute(f"ATTACH '{db}' AS fc (READ_ONLY)")
        con.execute(f"ATTACH '{tmp_path / 'reference.duckdb'}' AS reference (READ_ONLY)")
        con.execute("USE fc")
        con.execute("SET search_path = 'main,reference,reference.fts_main_pubmed'")
        row = con.execute("SELECT count(*), count(p.title) FROM claim_evidence ce "
                          "JOIN pubmed p USING (pmid)").fetchone()
        assert row[0] > 0 and row[0] == row[1]
        assert con.execute("SELECT count(*) FROM fts_main_pubmed.postings").fetchone()[0] > 0


def test_a_reference_load_is_published_by_rename_and_readers_keep_what_they_opened(tmp_path):
    db = tmp_path / "factcheck.duckdb"
    reference = reference_path(db)
    first = load_reference(reference, [SAMPLE], workers=0)
    nightly_run(db)
    reader = connect(db, read_only=True)
    try:
        n = reader.execute("SELECT count(*) FROM pubmed").fetchone()[0]
        assert n == first.table["records"]
        second = load_reference(reference, [UPDATE], workers=0)
        assert second.status == "published" and second.table["records"] > n
        assert reader.execute("SELECT count(*) FROM pubmed").fetchone()[0] == n   # its snapshot
    finally:
        reader.close()
    with closing(connect(db, read_only=True)) as con:   # reopened: the new reference
        assert con.execute("SELECT count(*) FROM pubmed").fetchone()[0] == second.table["records"]
    assert not Path(str(reference) + ".work").exists()
    with closing(connect_reference(reference, read_only=True)) as con:
        assert [r[0] for r in con.execute("SELECT kind FROM reference_loads ORDER BY started_at")
                .fetchall()] == ["load", "load"]


def test_a_database_without_a_reference_judges_every_claim_no_coverage(tmp_path, caplog):
    db = tmp_path / "factcheck.duckdb"
    with caplog.at_level(logging.WARNING, logger="factcheck.pipeline"):
        assert nightly_run(db)["status"] == "completed"
    # the warning names the file looked for and how to fill it, not the empty stand-in
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert f"the PubMed reference {tmp_path / 'reference.duckdb'} is missing" in warned
    assert f"factcheck pubmed load FILE --db {db}`" in warned and "factcheck-empty-reference" not in warned
    assert not (tmp_path / "reference.duckdb").exists()
    with closing(connect(db, read_only=True)) as con:
        labels = {r[0] for r in con.execute("SELECT label FROM verdicts").fetchall()}
        assert labels == {"no_coverage"}
        with pytest.raises(duckdb.Error, match="read-only"):   # the stand-in takes no records
            con.execute("INSERT INTO pubmed (pmid) VALUES (1)")


def test_the_split_command(tmp_path):
    db = tmp_path / "factcheck.duckdb"
    records = old_style_database(db)
    before = db.stat().st_size
    result = CliRunner().invoke(cli, ["pubmed", "split", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"moved {records:,} PubMed records to {tmp_path / 'reference.duckdb'}" in result.output
    assert db.stat().st_size < before / 4   # rewritten without the records, not just emptied
    again = CliRunner().invoke(cli, ["pubmed", "split", "--db", str(db)])
    assert again.exit_code == 0 and "holds no PubMed records of its own" in again.output


def test_a_split_refuses_a_reference_file_that_lacks_the_records(tmp_path):
    db = tmp_path / "factcheck.duckdb"
    old_style_database(db)
    load_reference(tmp_path / "reference.duckdb", [UPDATE], workers=0)   # other records
    result = CliRunner().invoke(cli, ["pubmed", "split", "--db", str(db)])
    assert result.exit_code == 2
    assert "PubMed records that" in result.output and "does not" in result.output
    assert needs_split(db)   # the database is as it was


def test_a_run_whose_reference_went_missing_judges_nothing_and_keeps_the_verdicts(tmp_path):
    db = tmp_path / "factcheck.duckdb"
    reference = reference_path(db)
    load_reference(reference, [SAMPLE], workers=0)
    nightly_run(db)
    with closing(connect(db, read_only=True)) as con:
        before = con.execute("SELECT count(*), count(*) FILTER (WHERE coverage > 0) FROM verdicts").fetchone()
        evidence = con.execute("SELECT count(*) FROM evidence").fetchone()[0]
    assert before[1] > 0 and evidence > 0
    reference.rename(tmp_path / "moved.duckdb")     # not mounted, moved, or not named tonight
    with pytest.raises(ReferenceUnavailable, match="evidence rows of this database rest on it") as err:
        nightly_run(db)
    assert f"the PubMed reference {reference} is missing" in str(err.value)
    with closing(connect(db, read_only=True)) as con:
        assert con.execute("SELECT count(*), count(*) FILTER (WHERE coverage > 0) FROM verdicts"
                           ).fetchone() == before
        assert con.execute("SELECT count(*) FROM evidence").fetchone()[0] == evidence
        assert con.execute("SELECT status FROM runs ORDER BY started_at DESC LIMIT 1").fetchone() == ("failed",)
