"""kill -9 of a run leaves no temporary Prefect server behind (issue 16)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from factcheck.cli.reaper import _children

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")]

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_killing_a_run_kills_its_temporary_prefect_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    (tmp_path / "prefect").mkdir()
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), DO_NOT_TRACK="1",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120")
    script = Path(sys.executable).with_name("factcheck")
    run = subprocess.Popen([str(script), "run", "--input", str(SEEDS), "--out", str(tmp_path / "out")],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, servers = time.monotonic() + 150, set()
        while not servers and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.5)
            servers = _children(run.pid)
        assert servers, "the run never started a temporary Prefect server"
        time.sleep(1)   # let the watcher see it
        run.send_signal(signal.SIGKILL)
        run.wait()
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in servers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in servers), "the temporary server outlived its run"
    finally:
        if run.poll() is None:
            run.kill()
        for pid in _children(run.pid):
            os.kill(pid, signal.SIGKILL)
