"""``factcheck dq``: the latest run's data-quality results, and an exit status to script on."""

from __future__ import annotations

from pathlib import Path

import duckdb
from click.testing import CliRunner

from factcheck import pipeline
from factcheck.cli import cli

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"


def _checked_run(db: Path) -> str:
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.ingest_stage(db, [str(SEEDS / "001_b93a18ff41c11d19.txt")], run)
    pipeline.clean_stage(db, run)
    pipeline.claims_stage(db, run)
    pipeline.evidence_stage(db, run)
    assert pipeline.quality_stage(db, run)["passed"]
    pipeline.finish_run(db, run, "completed", dq_passed=True)
    return run


def test_dq_summarises_the_latest_run_and_fails_on_a_blocking_check(tmp_path):
    db = tmp_path / "f.duckdb"
    run = _checked_run(db)
    ok = CliRunner().invoke(cli, ["dq", "--db", str(db)])
    assert ok.exit_code == 0, ok.output
    assert run in ok.output and "failed errors 0" in ok.output
    every = CliRunner().invoke(cli, ["dq", "--db", str(db), "--all"])
    assert every.exit_code == 0 and "claims" in every.output and "✓" in every.output
    # a later run whose blocking check failed (recorded, as a rejected run's results are)
    later = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    with duckdb.connect(str(db)) as con:
        table, column, failing = con.execute(
            "SELECT table_name, column_name, expectation FROM dq_results WHERE run_id = ? "
            "AND severity = 'error' AND column_name IS NOT NULL ORDER BY ALL LIMIT 1", [run]).fetchone()
        con.execute("INSERT INTO dq_results SELECT ?, table_name, expectation, column_name, "
                    "(table_name, column_name, expectation) <> (?, ?, ?), severity, "
                    "'3 <script>x</script> rows', now() FROM dq_results WHERE run_id = ?",
                    [later, table, column, failing, run])
    bad = CliRunner().invoke(cli, ["dq", "--db", str(db)])
    assert bad.exit_code == 1, bad.output
    assert later in bad.output and "failed errors 1" in bad.output
    assert f"✗ error   {table}.{column} {failing}: 3 <script>x</script> rows" in bad.output
    # the earlier run can still be asked for
    assert CliRunner().invoke(cli, ["dq", "--db", str(db), "--run", run]).exit_code == 0


def test_dq_without_a_database_or_checks_exits_2(tmp_path):
    missing = CliRunner().invoke(cli, ["dq", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    db = tmp_path / "empty.duckdb"
    pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    empty = CliRunner().invoke(cli, ["dq", "--db", str(db)])
    assert empty.exit_code == 2 and "no data-quality checks" in empty.output


def test_dq_check_validates_every_row_of_the_published_database_now(tmp_path):
    db = tmp_path / "f.duckdb"
    _checked_run(db)
    ok = CliRunner().invoke(cli, ["dq", "--db", str(db), "--check"])
    assert ok.exit_code == 0, ok.output
    assert "every row, checked now" in ok.output and "failed errors 0" in ok.output
    with duckdb.connect(str(db)) as con:     # a row broken after its run published it
        con.execute("UPDATE claims SET certainty = 'sure' WHERE claim_id = (SELECT min(claim_id) FROM claims)")
    assert CliRunner().invoke(cli, ["dq", "--db", str(db)]).exit_code == 0    # recorded: passed
    bad = CliRunner().invoke(cli, ["dq", "--db", str(db), "--check"])
    assert bad.exit_code == 1, bad.output
    assert "claims.certainty ExpectColumnValuesToBeInSet" in bad.output
    assert CliRunner().invoke(cli, ["dq", "--db", str(db), "--check", "--run", "x"]).exit_code == 2


def _every_row(db: Path, run: str) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT observed FROM dq_results WHERE run_id = ? AND"
                                          " expectation = 'every_row_checked'", [run]).fetchall()]


def test_a_run_validates_every_row_when_the_checks_changed_since_the_last_that_did(tmp_path, monkeypatch):
    db = tmp_path / "f.duckdb"
    first = _checked_run(db)
    assert len(_every_row(db, first)) == 1 and "no run validated every row yet" in _every_row(db, first)[0]
    second = _checked_run(db)
    assert _every_row(db, second) == []                        # same checks: its own rows only
    with duckdb.connect(str(db)) as con:                       # as if a suite had changed since
        con.execute("UPDATE dq_results SET observed = '{\"digest\": \"0\"}'"
                    " WHERE expectation = 'every_row_checked'")
    third = _checked_run(db)
    assert "the checks or the schema changed" in _every_row(db, third)[0]
    monkeypatch.setenv("FACTCHECK_DQ_SCOPE", "all")
    assert "FACTCHECK_DQ_SCOPE=all" in _every_row(db, _checked_run(db))[0]


def test_a_bad_dq_scope_fails_the_run_before_it_starts(tmp_path, monkeypatch):
    import pytest

    from factcheck.run import lifecycle

    monkeypatch.setenv("FACTCHECK_DQ_SCOPE", "everything")
    with pytest.raises(ValueError, match="FACTCHECK_DQ_SCOPE='everything'"):
        with lifecycle(tmp_path / "f.duckdb", "test"):
            pass
    assert not (tmp_path / "f.duckdb").exists() and not (tmp_path / "f.duckdb.work").exists()


def test_dq_check_says_when_the_reference_the_evidence_rests_on_is_missing(tmp_path):
    """A database copied without its reference file would fail every evidence row as naming an
    unknown record: the check says what is missing instead (exit 2)."""
    db = tmp_path / "f.duckdb"
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.pubmed_stage(db, [Path(__file__).resolve().parents[1] / "data" / "pubmed"
                               / "pubmed_sample.xml.gz"], run)
    _checked_run(db)
    with duckdb.connect(str(db)) as con:
        assert con.execute("SELECT count(*) FROM evidence").fetchone()[0]
    (tmp_path / "reference.duckdb").rename(tmp_path / "elsewhere.duckdb")
    moved = CliRunner().invoke(cli, ["dq", "--db", str(db), "--check"])
    assert moved.exit_code == 2, moved.output
    assert "reference" in moved.output and "missing or empty" in " ".join(moved.output.split())
