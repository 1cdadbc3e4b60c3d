"""The quality gates with pinned floors (benchmarks/gate_*.py) run with the test suite.

Each gate scores a stage on the project's own labelled data and exits non-zero when a
figure drops below its floor in benchmarks/floors/; see the scripts for how floors move.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("gate", sorted(p.name for p in (ROOT / "benchmarks").glob("gate_*.py")))
def test_quality_gate_holds(gate):
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / gate)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
