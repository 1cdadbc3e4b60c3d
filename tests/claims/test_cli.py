"""``factcheck claims PATH``: a thin command over the claims stage's bounded extraction."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

from click.testing import CliRunner

from factcheck.cli import cli
from factcheck.store.db import connect
from factcheck.store.reference import make_own_reference

SEED = next((Path(__file__).resolve().parents[2] / "data" / "seeds").glob("001_*.txt"))


def test_json_lines_hold_the_claim_structure():
    result = CliRunner().invoke(cli, ["claims", "--json", str(SEED)])
    assert result.exit_code == 0, result.output
    claims = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    nmda = [c for c in claims if c["sentence"].startswith("Ketamine works primarily as an NMDA")]
    assert nmda and nmda[0]["claim_type"] == "mechanism"
    assert not any(c["sentence"].endswith("…") for c in claims)
    for c in claims:
        assert set(c) >= {"sentence", "start", "end", "claim_type", "certainty", "polarity",
                          "score", "reason", "intervention", "condition", "outcome",
                          "mesh_terms"}


def test_text_output_and_explain(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("Ketamine Works\n\nKetamine blocks NMDA receptors in the brain.\n\n"
                    "Contact us today to book your consultation.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["claims", str(page)])
    assert result.exit_code == 0, result.output
    assert "[mechanism/assertive/positive" in result.output
    assert "Contact us" not in result.output
    explained = CliRunner().invoke(cli, ["claims", "--explain", str(page)])
    assert "CLAIM" in explained.output and "not a claim" in explained.output


def test_a_repeated_sentence_is_one_claim_as_a_run_stores_it(tmp_path):
    page = tmp_path / "page.txt"
    claim = "Ketamine blocks NMDA receptors in the brain."
    page.write_text(f"Ketamine Works\n\n{claim}\n\nIt is safe.\n\n{claim}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["claims", str(page)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count(claim) == 1
    assert "1 claims repeat an earlier sentence" in result.stderr


def test_db_option_uses_the_pubmed_mesh_vocabulary(tmp_path):
    db = tmp_path / "fc.duckdb"
    with closing(connect(db)) as con:
        make_own_reference(con)   # this database holds its own PubMed table
        con.execute("INSERT INTO pubmed (pmid, title, mesh_terms) VALUES "
                    "(1, 't', ['Ketamine', 'Reflex Sympathetic Dystrophy'])")
    page = tmp_path / "page.txt"
    page.write_text("Ketamine therapy has been found to be particularly effective for managing "
                    "CRPS.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["claims", "--json", "--db", str(db), str(page)])
    assert result.exit_code == 0, result.output
    (claim,) = [json.loads(line) for line in result.output.splitlines()]
    assert claim["mesh_terms"] == ["Ketamine", "Reflex Sympathetic Dystrophy"]


def test_missing_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["claims", str(tmp_path / "nope.txt")])
    assert result.exit_code != 0
    assert "does not exist" in result.output
