"""Every command answers --help; the single-file commands work on the bundled samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from factcheck.cli import cli

SEED = Path(__file__).resolve().parents[1] / "data" / "seeds" / "001_b93a18ff41c11d19.txt"


def all_commands(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize("args", [(), *all_commands(cli)], ids=lambda a: " ".join(a) or "factcheck")
def test_every_command_has_help(args):
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_public_commands_exist():
    names = set(all_commands(cli))
    assert {("demo",), ("run",), ("clean",), ("claims",), ("pubmed",), ("pubmed", "load")} <= names


def test_clean_json_lists_removed_blocks_with_kinds():
    result = CliRunner().invoke(cli, ["clean", str(SEED), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert "Discover if ketamine shows up" not in data["body_text"]
    assert "related_posts" in {block["kind"] for block in data["removed"]}


def test_clean_json_prints_the_body_a_run_stores_and_the_claims_offsets_point_into_it(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Ketamine cures migraine | Best Clinic</title></head><body>"
                    "<article><h1>Ketamine cures migraine</h1>"
                    + "<p>Ketamine infusions relieve chronic pain in most patients, a trial found.</p>" * 3
                    + "</article></body></html>", encoding="utf-8")
    cleaned = json.loads(CliRunner().invoke(cli, ["clean", str(page), "--json"]).output)
    # the headline is back at the top of the body, so it is not listed as removed
    assert cleaned["body_text"].startswith("Ketamine cures migraine\n\n")
    assert "title" not in {block["kind"] for block in cleaned["removed"]}
    found = CliRunner().invoke(cli, ["claims", str(page), "--json"])
    claims = [json.loads(line) for line in found.output.splitlines() if line.strip()]
    assert claims and claims[0]["start"] > len("Ketamine cures migraine")
    for c in claims:
        assert cleaned["body_text"][c["start"]:c["end"]] == c["sentence"]


def test_claims_prints_the_nmda_claim():
    result = CliRunner().invoke(cli, ["claims", str(SEED)])
    assert result.exit_code == 0, result.output
    assert "Ketamine works primarily as an NMDA receptor antagonist" in result.output


def test_run_requires_an_input():
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 2 and "--input" in result.output


def test_clean_refuses_binary_file(tmp_path):
    binary = tmp_path / "x.html"
    binary.write_bytes(b"%PDF-1.7\n" + bytes(range(256)))
    result = CliRunner().invoke(cli, ["clean", str(binary)])
    assert result.exit_code == 1 and "binary" in result.output



def test_pubmed_load_while_another_run_writes_says_so(tmp_path):
    from factcheck.store.publish import WriterLock

    db = tmp_path / "f.duckdb"
    sample = Path(__file__).resolve().parents[1] / "data" / "pubmed" / "pubmed_sample.xml.gz"
    with WriterLock(tmp_path / "reference.duckdb"):   # another load of the same reference
        result = CliRunner().invoke(cli, ["pubmed", "load", str(sample), "--db", str(db)])
    assert result.exit_code == 2
    assert "another factcheck run is writing" in result.output and "Traceback" not in result.output


def test_check_judges_one_claim_against_a_table(tmp_path):
    from factcheck.pubmed.load import load_files
    from factcheck.store.db import connect

    db = tmp_path / "f.duckdb"
    sample = Path(__file__).resolve().parents[1] / "data" / "pubmed" / "pubmed_sample.xml.gz"
    with connect(db) as con:
        load_files(con, [sample])
    result = CliRunner().invoke(cli, ["check", "Ketamine cures tinnitus in every patient.",
                                      "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["verdict"] == "no_coverage" and data["coverage"] == 0
    assert "overstated_certainty" in data["flags"]            # absolute wording, nothing behind it
    assert data["claim"]["intervention"].lower() == "ketamine"
    # a text that is no claim is said to be judged as written, with no type read into it
    plain = CliRunner().invoke(cli, ["check", "hello", "--db", str(db)])
    assert plain.exit_code == 0 and "not extracted as a claim" in plain.output
    assert "efficacy, assertive" not in plain.output.splitlines()[0]
    missing = CliRunner().invoke(cli, ["check", "x", "--db", str(tmp_path / "nope.duckdb")])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_a_temporary_prefect_server_that_does_not_start_is_one_clear_line_and_exit_2(tmp_path):
    """On a busy machine Prefect's temporary server can miss its start-up deadline (forced here
    with a deadline of 0 s): one line saying so and how to fix it, exit 2, nothing written,
    no server process left behind."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), FACTCHECK_CLAIMS_EMBED="off",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="0")
    out = subprocess.run(
        [sys.executable, "-c", "from factcheck.cli import cli; cli()", "run", "--input",
         str(SEED.parent), "--db",
         str(tmp_path / "f.duckdb"), "--out", str(tmp_path / "out")],
        env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr[-2000:]
    assert "temporary API server did not start within 0 s" in out.stdout
    assert "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr
    assert not (tmp_path / "f.duckdb").exists() and not (tmp_path / "out").exists()


def test_run_while_another_run_writes_says_so_before_starting_anything(tmp_path):
    import os

    from factcheck.store.publish import WriterLock

    db = tmp_path / "f.duckdb"
    with WriterLock(db):
        result = CliRunner().invoke(cli, ["run", "--input", str(SEED), "--db", str(db),
                                          "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "another factcheck run is writing" in result.output
    assert f"PID {os.getpid()} on " in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_run_while_another_process_holds_the_database_open_for_writing_says_so(tmp_path):
    import subprocess
    import sys

    import duckdb

    db = tmp_path / "f.duckdb"
    duckdb.connect(str(db)).close()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, time\n"
                               f"con = duckdb.connect({str(db)!r})\nprint('open', flush=True)\n"
                               "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        result = CliRunner().invoke(cli, ["run", "--input", str(SEED), "--db", str(db),
                                          "--out", str(tmp_path / "out")])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2, result.output
    assert f"is open for writing in another process (PID {holder.pid})" in " ".join(result.output.split())
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()
    # a file DuckDB cannot read for another reason is not taken for one held open
    from factcheck.cli.pipeline_cmd import _held_open

    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(db.read_bytes()[:4096] + b"\x00" * 8192 + b"garbage block" * 100)
    foreign = tmp_path / "foreign.duckdb"
    foreign.write_text("not a database")
    assert _held_open(damaged) is None and _held_open(foreign) is None and _held_open(db) is None


def test_schedule_refuses_a_bad_cron_and_a_missing_server_before_serving(tmp_path):
    import socket

    runner = CliRunner()
    bad = runner.invoke(cli, ["schedule", "--cron", "0 3 * *", "--input", str(SEED)])
    assert bad.exit_code == 2 and "not a valid cron expression" in bad.output
    seconds = runner.invoke(cli, ["schedule", "--cron", "* * * * * *", "--input", str(SEED)])
    assert seconds.exit_code == 2 and "not a valid cron expression" in seconds.output
    never = runner.invoke(cli, ["schedule", "--cron", "0 3 31 2 *", "--input", str(SEED)])
    assert never.exit_code == 2 and "never comes" in never.output

    unset = runner.invoke(cli, ["schedule", "--input", str(SEED)], env={"PREFECT_API_URL": None})
    assert unset.exit_code == 2, unset.output
    assert "PREFECT_API_URL is not set" in unset.output and "prefect server start" in unset.output

    with socket.socket() as s:           # a port on which nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = runner.invoke(cli, ["schedule", "--input", str(SEED)],
                         env={"PREFECT_API_URL": f"http://127.0.0.1:{port}/api"})
    assert down.exit_code == 2, down.output
    assert f"no Prefect server answers at http://127.0.0.1:{port}/api" in down.output
    assert "Traceback" not in bad.output + unset.output + down.output

    malformed = runner.invoke(cli, ["schedule", "--input", str(SEED)],
                              env={"PREFECT_API_URL": "http://[::1/api"})
    assert malformed.exit_code == 2 and "no Prefect server answers at http://[::1/api" in malformed.output
    # a server that answers /health but is not Prefect's
    import http.server
    import threading

    class Yes(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"true")

        def log_message(self, *args):
            pass

    stub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Yes)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    try:
        other = runner.invoke(cli, ["schedule", "--input", str(SEED)],
                              env={"PREFECT_API_URL": f"http://127.0.0.1:{stub.server_port}/api"})
    finally:
        stub.shutdown()
    assert other.exit_code == 2 and "where a Prefect server names its version" in other.output
    assert "Traceback" not in malformed.output + other.output


def test_run_with_prefect_api_url_at_a_stopped_server_is_one_clear_line(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = CliRunner().invoke(cli, ["run", "--input", str(SEED), "--db", str(tmp_path / "f.duckdb"),
                                      "--out", str(tmp_path / "out")],
                                env={"PREFECT_API_URL": f"http://127.0.0.1:{port}/api"})
    assert result.exit_code == 2, result.output
    assert f"no Prefect server answers at http://127.0.0.1:{port}/api" in result.output
    assert "unset PREFECT_API_URL" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    assert result.output.startswith("error: no Prefect server")      # markup rendered, not printed
    # with the database in the output folder (the default), nothing is written either: no lock
    default = CliRunner().invoke(cli, ["run", "--input", str(SEED), "--out", str(tmp_path / "out2")],
                                 env={"PREFECT_API_URL": f"http://127.0.0.1:{port}/api"})
    assert default.exit_code == 2 and not (tmp_path / "out2").exists(), default.output


def test_run_with_a_malformed_allowed_network_says_so_before_starting_anything(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_ALLOWED_NETWORKS", "10.0.0.0/8,intranet.example")
    db = tmp_path / "f.duckdb"
    result = CliRunner().invoke(cli, ["run", "--input", str(SEED), "--db", str(db),
                                      "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "'intranet.example' is not an IP address or network" in result.output
    assert "Traceback" not in result.output and not db.exists()


def test_the_console_entry_point_keeps_exit_codes_and_output(tmp_path):
    """``factcheck`` as installed (``factcheck.cli:main``, which freezes the objects left at
    exit out of the last garbage collections) still exits with the command's status and
    flushes its output."""
    import subprocess
    import sys

    def factcheck(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", "from factcheck.cli import main; main()", *args],
                              capture_output=True, text=True, cwd=tmp_path)

    version = factcheck("--version")
    assert version.returncode == 0 and version.stdout.startswith("factcheck")
    wrong = factcheck("no-such-command")
    assert wrong.returncode == 2 and "No such command" in wrong.stderr
    claims = factcheck("claims", str(SEED), "--json")
    assert claims.returncode == 0
    assert all(json.loads(line)["sentence"] for line in claims.stdout.splitlines())
    assert len(claims.stdout.splitlines()) > 3


def test_a_pubmed_file_given_as_an_article_input_is_refused_before_anything_starts(tmp_path):
    """``--pubmed a.xml b.xml`` takes b.xml as an article input: it would be stored as an
    article and its abstracts and affiliations read for claims. Refused (exit 2), naming the
    way to load it, whether plain or gzipped."""
    import gzip

    sample = Path(__file__).resolve().parents[1] / "data" / "pubmed" / "pubmed_sample.xml.gz"
    plain = tmp_path / "update.xml"
    with gzip.open(sample, "rb") as fh:
        plain.write_bytes(fh.read(20_000))
    article = tmp_path / "a.txt"
    article.write_text("Ketamine relieves pain.\n", encoding="utf-8")
    db = tmp_path / "out" / "factcheck.duckdb"
    for given in (plain, sample):
        result = CliRunner().invoke(cli, ["run", "--input", str(article), "--db", str(db),
                                          "--pubmed", str(sample), str(given)])
        assert result.exit_code == 2, result.output
        assert f"load it with --pubmed {given}" in " ".join(result.output.split())
    assert not db.exists()


def test_a_folder_named_report_that_is_not_factchecks_is_never_replaced(tmp_path):
    """With --out defaulting to the database's folder, OUT/report may be someone's own folder:
    the run refuses at once (a run replaces OUT/report whole) and the folder is untouched."""
    from factcheck.report.build import is_report

    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "notes.txt").write_text("mine", encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("Ketamine relieves pain.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", "--input", str(article), "--db",
                                      str(tmp_path / "factcheck.duckdb")])
    assert result.exit_code == 2 and "is not a factcheck report" in " ".join(result.output.split())
    assert (tmp_path / "report" / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert not (tmp_path / "factcheck.duckdb").exists() and not is_report(tmp_path / "report")


def test_run_writes_its_report_beside_the_database_it_names(tmp_path, monkeypatch):
    """``run --db elsewhere/factcheck.duckdb`` without ``--out`` writes its report beside that
    database, never into ./out of the current folder (where another database's report may be)."""
    from factcheck.cli.pipeline_cmd import _out_dir

    assert _out_dir(None, str(tmp_path / "pub" / "factcheck.duckdb")) == str(tmp_path / "pub")
    assert _out_dir("reports", str(tmp_path / "pub" / "factcheck.duckdb")) == "reports"
    assert _out_dir(None, None) == "out"
