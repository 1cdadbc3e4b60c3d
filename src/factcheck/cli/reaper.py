"""Kill the temporary Prefect API server of a run whose process died first (kill -9, OOM).

Prefect starts its temporary server as a child process (uvicorn) and stops it when the run
ends; a run killed outright leaves it serving as an orphan. ``factcheck run`` and ``demo``
start this small watcher beside them: it notes the run process's uvicorn children every half
second and, when the run process dies (Linux tells it at once, ``PR_SET_PDEATHSIG``), kills
them. Linux only (``/proc``); elsewhere it is not started.

    python -m factcheck.cli.reaper PARENT_PID
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def _children(parent: int) -> set[int]:
    """PIDs of ``parent``'s child processes that run uvicorn."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == parent and b"uvicorn" in (entry / "cmdline").read_bytes():
                found.add(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _kill(pids: set[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + 5
    while pids and time.monotonic() < deadline:
        pids = {pid for pid in pids if Path(f"/proc/{pid}").exists()}
        time.sleep(0.1)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue


def watch(parent: int) -> None:
    seen: set[int] = set()

    def parent_died(*_args) -> None:
        _kill(seen)
        os._exit(0)

    signal.signal(signal.SIGTERM, parent_died)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
    while True:
        if os.getppid() != parent:      # died before the prctl call, or prctl unavailable
            parent_died()
        seen = {pid for pid in seen if Path(f"/proc/{pid}").exists()} | _children(parent)
        time.sleep(0.5)


def start() -> subprocess.Popen | None:
    """Start the watcher for this process (Linux; None elsewhere or when it cannot start)."""
    if not sys.platform.startswith("linux") or not Path("/proc/self/stat").exists():
        return None
    try:
        return subprocess.Popen([sys.executable, "-m", "factcheck.cli.reaper", str(os.getpid())],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    except OSError:
        return None


if __name__ == "__main__":
    watch(int(sys.argv[1]))
