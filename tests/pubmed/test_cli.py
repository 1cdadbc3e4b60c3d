"""`factcheck pubmed load` on real files: progress lines, final counts, exit status."""

from __future__ import annotations

import logging
from pathlib import Path

from click.testing import CliRunner

from factcheck.cli import cli
from factcheck.store.reference import connect_reference


def test_load_command_reports_counts_and_skips_a_second_time(tmp_path: Path, nlm_update: Path,
                                                             articles_xml: Path):
    db = tmp_path / "pm.duckdb"
    runner = CliRunner()
    result = runner.invoke(cli, ["pubmed", "load", str(nlm_update), str(articles_xml),
                                 "--db", str(db), "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert "loaded nlm_update_cut.xml.gz: 22 records, +19 new" in result.output
    assert ("files 2 · records 28 · inserted 25 · updated 0 · unchanged 0 · deleted 0 · "
            "retracted 5 · errors 1") in result.output  # articles.xml has one unusable article
    reference = tmp_path / "reference.duckdb"   # beside --db, which need not exist
    assert (f"the reference holds 25 records, 5 retracted, 21 with an abstract ({reference}: "
            "published)") in result.output
    published = reference.stat().st_ino
    again = runner.invoke(cli, ["pubmed", "load", str(nlm_update), "--db", str(db)])
    assert again.exit_code == 0
    assert "skipped nlm_update_cut.xml.gz: already loaded" in again.output
    assert "unchanged, nothing to publish" in again.output
    assert reference.stat().st_ino == published          # not replaced
    assert not list(tmp_path.glob("reference.duckdb.work*"))   # and its copy dropped
    assert not db.exists()                                # the analyst database is not touched
    with connect_reference(reference, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM pubmed").fetchone()[0] == 25
        # the load that changed the file was checked before it was published
        assert con.execute("SELECT kind, inserted, n_records, checks > 0 FROM reference_loads").fetchall() == [
            ("load", 25, 25, True)]


def test_load_command_exits_1_when_a_file_fails(tmp_path: Path, articles_xml: Path, caplog):
    bad = tmp_path / "broken.xml.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    db = tmp_path / "pm.duckdb"
    with caplog.at_level(logging.ERROR):
        result = CliRunner().invoke(cli, ["pubmed", "load", str(bad), str(articles_xml), "--db", str(db)])
    assert result.exit_code == 1
    assert f"failed {bad}: compressed data is truncated or corrupt" in result.output
    # printed on its progress line and in the closing list, not a third time by the loader's log
    assert result.output.count("compressed data is truncated or corrupt") == 2
    assert not [r for r in caplog.records if r.name == "factcheck.pubmed.load"]
    with connect_reference(tmp_path / "reference.duckdb", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM pubmed").fetchone()[0] == 6
        status = con.execute("SELECT status FROM pubmed_files WHERE file_name = 'broken.xml.gz'").fetchone()
        assert status == ("failed",)


def test_an_interrupted_load_says_so_and_exits_130(tmp_path: Path, nlm_update: Path,
                                                    articles_xml: Path, monkeypatch):
    """Ctrl-C during a load is an interruption, not a failure: status 130, one line, the
    published reference as it was, and no partial copy kept as ``.failed``."""
    from factcheck.store import pubmed as store

    db = tmp_path / "pm.duckdb"
    runner = CliRunner()
    assert runner.invoke(cli, ["pubmed", "load", str(nlm_update), "--db", str(db),
                               "--workers", "0"]).exit_code == 0
    reference = tmp_path / "reference.duckdb"
    published = reference.stat().st_ino

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt    # what SIGINT raises in the loading process

    monkeypatch.setattr(store, "merge_records", interrupted)
    result = runner.invoke(cli, ["pubmed", "load", str(articles_xml), "--db", str(db),
                                 "--workers", "0"])
    assert result.exit_code == 130, result.output
    assert "interrupted: nothing was published" in result.output and "failed" not in result.output
    assert reference.stat().st_ino == published
    assert not list(tmp_path.glob("reference.duckdb.work*")) and not list(tmp_path.glob("*.failed"))
