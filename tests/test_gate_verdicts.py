"""The verdict quality gate: its measures, and the pinned floors on the editors' labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks_loader import load_benchmark

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


gate = load_benchmark("gate_verdicts")
gates = load_benchmark("gates")


def label(sentence, verdict, bearing=(), flags=(), worthy=True):
    return {"article": "a.txt", "sentence": sentence, "verdict": verdict, "flags": list(flags),
            "bearing": [{"pmid": p, "stance": "supports", "quote": "q"} for p in bearing],
            "check_worthy": worthy}


def pred(sentence, verdict, bearing=(), flags=(), top3=()):
    return {"label": verdict, "flags": list(flags), "bearing": list(bearing),
            "top3": list(top3 or bearing), "sentence": sentence}


def test_measures():
    labels = {("a.txt", "one"): label("one", "supported", [1, 2], ["overstated_certainty"]),
              ("a.txt", "two"): label("two", "not_addressed", [], ["overstated_certainty"]),
              ("a.txt", "three"): label("three", "no_coverage", [], [], worthy=False),
              ("a.txt", "four"): label("four", "supported", [9])}
    preds = {("a.txt", "one"): pred("one", "supported", [1, 3], ["overstated_certainty"]),
             ("a.txt", "two"): pred("two", "supported", [4], ["figure_not_found"], top3=[4, 5, 6]),
             ("a.txt", "three"): pred("three", "no_coverage", [], ["overstated_certainty"])}
    m, errors, confusion = gate.measure(labels, preds)
    assert m["claims_matched"] == 3 and m["claims_labelled"] == 4
    assert m["precision_at_3"] == pytest.approx(1 / 3)          # 1, 3, 4 shown; only 1 bears
    assert m["bearing_recall_at_3"] == pytest.approx(1 / 2)     # 1 of 1, 2 found
    assert m["verdict_accuracy"] == pytest.approx(2 / 3)
    # flags over check-worthy claims only: tp 1 (one), fp 1 (two: figure), fn 1 (two: overstated)
    assert m["flag_precision"] == pytest.approx(1 / 2) and m["flag_recall"] == pytest.approx(1 / 2)
    assert confusion[("not_addressed", "supported")] == 1
    assert any(e.startswith("VERDICT not_addressed != supported") for e in errors)


def test_check_and_epsilon():
    floors = {"epsilon": 0.01, "floors": {"demo": {"verdict_accuracy": 0.6, "flag_recall": 0.5}}}
    assert gates.check({"demo": {"verdict_accuracy": 0.595, "flag_recall": 0.7}}, floors) == []
    assert len(gates.check({"demo": {"verdict_accuracy": 0.55, "flag_recall": 0.7}}, floors)) == 1


def test_the_labels_follow_their_contract():
    from factcheck.evidence.verdict import FLAGS, LABELS

    labels = gate.load_labels()
    assert len(labels) == 97
    for row in labels.values():
        assert row["verdict"] in LABELS and set(row["flags"]) <= set(FLAGS)
        assert all(b["stance"] in ("supports", "contradicts") and b["quote"] for b in row["bearing"])


@pytest.mark.slow
def test_pinned_floors_hold_on_the_editors_labels(capsys):
    assert gate.main([]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "verdict quality gate: pass" in out
    floors = json.loads((BENCH / "floors" / "verdicts.json").read_text())
    assert set(floors["floors"]["demo"]) == set(gate.METRICS)
