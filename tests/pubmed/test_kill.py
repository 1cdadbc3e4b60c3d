"""`factcheck pubmed load` killed with SIGKILL: its parse workers die with it, and the next load
removes the working folder it left behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "pubmed" / "pubmed_sample.xml.gz"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's PR_SET_PDEATHSIG")


def workers_of(marker: str) -> list[int]:
    """PIDs of parse workers whose command line names ``marker`` (a path of this test)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        text = [c.decode("utf-8", "replace") for c in cmd]
        if "factcheck.pubmed.worker" in text and any(marker in c for c in text):
            found.append(int(entry.name))
    return found


def load(files, db, tmpdir) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmpdir), "FACTCHECK_EVIDENCE_EMBED": "off"}
    return subprocess.Popen([sys.executable, "-c", "from factcheck.cli import cli; cli()", "pubmed",
                             "load", *map(str, files), "--db", str(db), "--workers", "2"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_killed_load_leaves_no_worker_running_and_its_folder_is_cleaned_next_time(tmp_path):
    files = []
    for i in range(4):
        files.append(tmp_path / f"part{i}.xml.gz")
        shutil.copy(SAMPLE, files[-1])
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    proc = load(files, tmp_path / "ref.duckdb", tmpdir)
    # wait until a worker is writing its records (it is then seconds from done)
    deadline = time.monotonic() + 60
    while not list(tmpdir.glob("factcheck-pubmed-*/*/records.parquet")) and time.monotonic() < deadline:
        assert proc.poll() is None, "the load ended before its workers could be seen"
        time.sleep(0.01)
    running = workers_of(str(tmp_path))
    assert running, "no parse worker at work"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # a worker parses its file in seconds: still at work 0.5 s later unless it died with the load
    deadline = time.monotonic() + 0.5
    while workers_of(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert workers_of(str(tmp_path)) == [], "parse workers outlived the killed load"
    left = [p.name for p in tmpdir.iterdir()]
    assert any(name.startswith(f"factcheck-pubmed-{proc.pid}-") for name in left)

    again = load(files[:1], tmp_path / "ref.duckdb", tmpdir)
    assert again.wait(timeout=120) == 0
    assert not any(p.name.startswith(f"factcheck-pubmed-{proc.pid}-") for p in tmpdir.iterdir())
