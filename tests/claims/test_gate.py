"""The claims quality gate: pinned floors, epsilon, and no silent lowering."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks_loader import load_benchmark

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


gate = load_benchmark("gate_claims")
gates = load_benchmark("gates")

CURRENT = {"test": {"precision": 0.90, "recall": 0.70, "type_accuracy": 0.8,
                    "certainty_accuracy": 0.9}}


def _floors(**test):
    return {"epsilon": 0.005, "floors": {"test": {"precision": 0.9, "recall": 0.7,
                                                   "type_accuracy": 0.8,
                                                   "certainty_accuracy": 0.9, **test}}}


def test_check_passes_within_epsilon_and_fails_below():
    assert gates.check(CURRENT, _floors(recall=0.704)) == []
    failures = gates.check(CURRENT, _floors(recall=0.72))
    assert len(failures) == 1 and "recall" in failures[0]


def test_update_raises_but_never_lowers_without_permission():
    new, refused = gates.updated(CURRENT, _floors(recall=0.6, precision=0.95), False, gate.METRICS)
    assert new["floors"]["test"]["recall"] == 0.7          # raised
    assert new["floors"]["test"]["precision"] == 0.95      # kept
    assert refused and "precision" in refused[0]
    lowered, refused = gates.updated(CURRENT, _floors(precision=0.95), True, gate.METRICS)
    assert lowered["floors"]["test"]["precision"] == 0.9 and not refused


def test_pinned_floors_hold_on_the_labelled_texts(capsys):
    floors = json.loads((BENCH / "floors" / "claims.json").read_text(encoding="utf-8"))
    assert set(floors["floors"]) == {"dev", "test"}
    assert gate.main([]) == 0, capsys.readouterr().out
