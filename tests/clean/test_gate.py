"""The boilerplate quality gate (benchmarks/gate_clean.py) and the metric it uses."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from research.clean_evaluate import shingle_scores

GATE = Path(__file__).resolve().parents[2] / "benchmarks" / "gate_clean.py"


@pytest.fixture(scope="module")
def gate():
    spec = importlib.util.spec_from_file_location("gate_clean", GATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _floors(path: Path, value: float) -> Path:
    path.write_text(json.dumps({"epsilon": 0.002,
                                "floors": {"fixtures": {"f1": value, "precision": value}}}))
    return path


def test_shingle_scores():
    text = "Ketamine blocks NMDA receptors in the spinal cord and may reduce pain."
    assert shingle_scores(text, text) == (1.0, 1.0)
    assert shingle_scores(text, "Share with friends on Facebook and Twitter today") == (0.0, 0.0)
    precision, recall = shingle_scores(text, text + " Contact us today to book a consultation.")
    assert recall == 1.0 and 0.4 < precision < 0.8


def test_gate_passes_on_the_pinned_floors(gate):
    assert gate.main([]) == 0


def test_gate_fails_below_a_floor(gate, tmp_path):
    assert gate.main(["--floors", str(_floors(tmp_path / "floors.json", 1.5))]) == 1


def test_gate_refuses_to_lower_a_floor_without_allow_regression(gate, tmp_path):
    floors = _floors(tmp_path / "floors.json", 1.5)
    before = floors.read_bytes()
    assert gate.main(["--update", "--floors", str(floors)]) == 1
    assert floors.read_bytes() == before                  # a refused update writes nothing
    assert gate.main(["--update", "--allow-regression", "--floors", str(floors)]) == 0
    assert json.loads(floors.read_text())["floors"]["fixtures"]["f1"] <= 1.0


def test_gate_raises_floors_on_update(gate, tmp_path):
    floors = _floors(tmp_path / "floors.json", 0.5)
    assert gate.main(["--update", "--floors", str(floors)]) == 0
    written = json.loads(floors.read_text())
    assert written["floors"]["fixtures"]["f1"] > 0.9
    assert written["corpus"]["files"] == len(gate.corpus_files())   # the digest is pinned


def test_the_pinned_floors_name_their_corpus(gate):
    pinned = json.loads(gate.FLOORS.read_text())["corpus"]
    assert pinned["files"] == len(gate.corpus_files()) and len(pinned["sha256"]) == 64
