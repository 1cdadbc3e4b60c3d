"""The demo flow end to end: real Prefect flow, real samples, real PubMed sample, real DuckDB."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from factcheck.cli import cli
from factcheck.store.db import connect

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
TEASER = "Discover if ketamine shows up in drug tests"
CTA = "Contact us today to schedule a consultation"
NMDA_CLAIM = "Ketamine works primarily as an NMDA receptor antagonist"


def counts(db: Path) -> dict[str, int]:
    with connect(db, read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "article_versions", "claims", "evidence", "verdicts",
                          "removed_blocks")}


@pytest.fixture(scope="module")
def demo_out(prefect_harness, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    printed = result.output.replace("\n", "")
    assert str(out / "report" / "index.html") in printed
    # where it wrote, the files beside the database included
    assert str(out.resolve() / "reference.duckdb") in printed and str(out.resolve() / "raw") in printed
    return out


def test_demo_writes_database_report_and_jsonl(demo_out: Path):
    assert (demo_out / "factcheck.duckdb").stat().st_size > 0
    assert not (demo_out / "factcheck.duckdb.work").exists()
    html = (demo_out / "report" / "index.html").read_text()
    pages = sorted((demo_out / "report" / "articles").glob("*.html"))
    assert len(pages) == 4 and all(f'href="articles/{p.name}"' in html for p in pages)
    assert any("https://pubmed.ncbi.nlm.nih.gov/" in p.read_text() for p in pages)
    assert (demo_out / "report" / "quality.html").exists() and (demo_out / "report" / "flagged.csv").exists()
    assert "<script" not in html
    claims = [json.loads(line) for line in (demo_out / "claims.jsonl").read_text().splitlines()]
    assert claims
    for claim in claims:
        assert {"article", "sentence", "claim_type", "certainty", "verdict", "flags", "evidence"} <= set(claim)
        assert claim["verdict"] in {"supported", "mixed", "contradicted", "not_addressed", "no_coverage"}
        assert isinstance(claim["flags"], list) and isinstance(claim["evidence"], list)
        for e in claim["evidence"]:        # every record shown as evidence quotes its sentence
            assert e["stance"] in ("supports", "refutes") and e["quote"]
        if claim["verdict"] in ("supported", "contradicted", "mixed"):
            assert claim["deciding_pmids"] and any(f"PMID {p}" in claim["explanation"]
                                                   for p in claim["deciding_pmids"])
    assert {c["article"] for c in claims} == {p.name for p in (REPO / "data" / "seeds").glob("*.txt")}


def test_boilerplate_never_reaches_body_or_claims(demo_out: Path):
    with connect(demo_out / "factcheck.duckdb", read_only=True) as con:
        bodies = " ".join(r[0] for r in con.execute("SELECT body_text FROM current_articles").fetchall())
        sentences = [r[0] for r in con.execute("SELECT sentence FROM current_claims").fetchall()]
        removed = con.execute("SELECT kind, text FROM removed_blocks").fetchall()
        runs = con.execute("SELECT status, dq_passed, n_documents, n_claims FROM runs").fetchall()
    assert TEASER not in bodies and not any(TEASER in s for s in sentences)
    assert CTA not in bodies and not any(CTA in s for s in sentences)
    assert any(kind == "related_posts" and TEASER in text for kind, text in removed)
    assert any(CTA in text for _, text in removed)
    assert runs[0][:2] == ("completed", True) and runs[0][2] == 4 and runs[0][3] > 0


def test_nmda_claim_is_matched_to_pubmed_records_about_nmda(demo_out: Path):
    with connect(demo_out / "factcheck.duckdb", read_only=True) as con:
        rows = con.execute(
            """SELECT c.claim_type, p.pmid, concat_ws(' ', p.title, p.abstract, array_to_string(p.mesh_terms, ' '))
               FROM current_claims c JOIN evidence e USING (claim_id) JOIN pubmed p USING (pmid)
               WHERE c.sentence LIKE ?""", [NMDA_CLAIM + "%"]).fetchall()
        missing = con.execute("SELECT count(*) FROM current_claims LEFT JOIN verdicts USING (claim_id)"
                              " WHERE verdicts.claim_id IS NULL").fetchone()[0]
    assert rows, "the NMDA claim was not extracted or got no on-topic evidence"
    assert any("nmda" in text.lower() or "n-methyl-d-aspartate" in text.lower() for _, _, text in rows)
    assert missing == 0  # every claim has a verdict


def test_second_run_adds_no_duplicates(demo_out: Path, tmp_path: Path):
    out = tmp_path / "again"
    shutil.copytree(demo_out, out)
    before = counts(out / "factcheck.duckdb")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    after = counts(out / "factcheck.duckdb")
    assert after == before
    with connect(out / "factcheck.duckdb", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs WHERE status = 'completed'").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM pubmed_files WHERE status = 'loaded'").fetchone()[0] == 1


def test_bad_inputs_are_recorded_and_the_run_goes_on(prefect_harness, tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(REPO / "data" / "seeds" / "003_a7e04748c8724603.txt", inbox / "good.txt")
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (inbox / "latin1.txt").write_bytes(
        "Ketamin lindert chronische Schmerzen bei Patienten mit CRPS innerhalb weniger Stunden.\n"
        "Die Wirkung hält über drei Monate an, berichten Ärzte.".encode("cp1252"))
    out = tmp_path / "out"
    # `--input A B C` and `--input A --input B` both work
    files = [str(inbox / name) for name in ("good.txt", "empty.txt", "image.html")]
    args = ["run", "--input", *files, "--input", str(inbox / "latin1.txt"), "--out", str(out)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    # published, with two inputs failed: status 3, and where to read why
    assert result.exit_code == 3, result.output
    assert "2 of 4 inputs could not be stored" in result.output
    assert "! ingest: documents 4" in result.output          # not ✓ with errors
    # each failed input is named with its reason
    assert any(line.strip().startswith("✗") and "empty.txt: empty:" in line
               for line in result.output.splitlines())
    assert any("image.html: binary:" in line for line in result.output.splitlines())
    assert "FROM pipeline_errors WHERE run_id" in result.output
    with connect(out / "factcheck.duckdb", read_only=True) as con:
        errors = {(Path(s).name, k, sev) for s, k, sev in con.execute(
            "SELECT source, error_kind, severity FROM pipeline_errors").fetchall()}
        stored = {Path(r[0]).name for r in con.execute("SELECT source FROM articles").fetchall()}
        status = con.execute("SELECT status, n_errors FROM runs").fetchone()
    assert ("empty.txt", "empty", "error") in errors
    assert ("image.html", "binary", "error") in errors
    assert ("latin1.txt", "encoding", "warning") in errors
    assert stored == {"good.txt", "latin1.txt"}
    assert status == ("completed", 2)


def test_a_run_where_every_input_fails_exits_1(prefect_harness, tmp_path: Path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (tmp_path / "notepad.txt").write_bytes(b"\xef\xbb\xbf")   # an empty file saved with a BOM
    result = CliRunner().invoke(cli, ["run", "--input", str(tmp_path / "empty.txt"),
                                      str(tmp_path / "image.html"), str(tmp_path / "notepad.txt"),
                                      "--out", str(tmp_path / "out")], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "3 of 3 inputs could not be stored" in result.output
    assert "✗ ingest: documents 3" in result.output


def test_a_url_refused_by_the_guard_is_named_with_its_reason(prefect_harness, tmp_path: Path,
                                                             monkeypatch):
    monkeypatch.delenv("FACTCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)
    url = "http://127.0.0.1:9/article"
    result = CliRunner().invoke(cli, ["run", "--input", url, "--out", str(tmp_path / "out")],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output              # nothing could be stored
    assert any(line.strip().startswith(f"✗ {url}: blocked_address:") and "loopback" in line
               for line in result.output.splitlines()), result.output
