"""The floors logic every quality gate shares (benchmarks/gates.py): a corpus digest pinned
beside the floors, a refusal on another corpus, no write on a refused update."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks_loader import load_benchmark

gates = load_benchmark("gates")

METRICS = ("precision", "recall")
CURRENT = {"dev": {"precision": 0.9, "recall": 0.7}}


def _corpus(root: Path, text: str) -> list[Path]:
    (root / "texts").mkdir(exist_ok=True)
    (root / "texts" / "a.txt").write_text("Ketamine relieves chronic pain.")
    (root / "texts" / "b.tsv").write_text(text)
    return sorted((root / "texts").iterdir())


def _args(floors: Path, *flags: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    gates.add_arguments(parser, floors)
    return parser.parse_args(list(flags))


def _pin(path: Path, corpus: dict, **dev) -> Path:
    path.write_text(json.dumps({"epsilon": 0.005, "corpus": corpus,
                                "floors": {"dev": {"precision": 0.9, "recall": 0.7, **dev}}}))
    return path


def test_the_digest_follows_names_and_bytes(tmp_path):
    one = gates.corpus_digest(_corpus(tmp_path, "claim\t1"), tmp_path)
    assert one == gates.corpus_digest(_corpus(tmp_path, "claim\t1"), tmp_path)
    assert one["files"] == 2
    assert gates.corpus_digest(_corpus(tmp_path, "claim\t0"), tmp_path) != one   # a label changed
    (tmp_path / "texts" / "b.tsv").rename(tmp_path / "texts" / "c.tsv")
    assert gates.corpus_digest(sorted((tmp_path / "texts").iterdir()), tmp_path)["sha256"] != one["sha256"]


def test_a_gate_on_another_corpus_refuses_and_writes_nothing(tmp_path, capsys):
    pinned = gates.corpus_digest(_corpus(tmp_path, "claim\t1"), tmp_path)
    floors = _pin(tmp_path / "floors.json", pinned)
    moved = gates.corpus_digest(_corpus(tmp_path, "claim\t0"), tmp_path)
    before = floors.read_bytes()
    for flags in ([], ["--update"], ["--update", "--allow-regression"]):
        assert gates.conclude(CURRENT, json.loads(before), _args(floors, *flags), METRICS, "t", moved) == 2
        assert floors.read_bytes() == before
    assert "corpus changed" in capsys.readouterr().out
    # re-pinned on purpose: the new corpus's digest and figures become the floors
    lower = {"dev": {"precision": 0.8, "recall": 0.6}}
    assert gates.conclude(lower, json.loads(before), _args(floors, "--update", "--new-corpus"),
                          METRICS, "t", moved) == 0
    written = json.loads(floors.read_text())
    assert written["corpus"] == moved and written["floors"]["dev"] == {"precision": 0.8, "recall": 0.6}
    assert gates.conclude(lower, written, _args(floors), METRICS, "t", moved) == 0


def test_a_refused_update_writes_nothing(tmp_path, capsys):
    corpus = gates.corpus_digest(_corpus(tmp_path, "claim\t1"), tmp_path)
    floors = _pin(tmp_path / "floors.json", corpus, precision=0.95, recall=0.6)
    before = floors.read_bytes()
    assert gates.conclude(CURRENT, json.loads(before), _args(floors, "--update"), METRICS, "t", corpus) == 1
    assert floors.read_bytes() == before          # recall would have been raised: not written
    assert "refused: dev precision" in capsys.readouterr().out
    assert gates.conclude(CURRENT, json.loads(before), _args(floors, "--update", "--allow-regression"),
                          METRICS, "t", corpus) == 0
    assert json.loads(floors.read_text())["floors"]["dev"] == {"precision": 0.9, "recall": 0.7}


def test_check_passes_within_epsilon_and_fails_below(tmp_path):
    corpus = gates.corpus_digest(_corpus(tmp_path, "claim\t1"), tmp_path)
    floors = _pin(tmp_path / "floors.json", corpus, recall=0.704)
    assert gates.conclude(CURRENT, json.loads(floors.read_text()), _args(floors), METRICS, "t", corpus) == 0
    floors = _pin(tmp_path / "floors.json", corpus, recall=0.72)
    assert gates.conclude(CURRENT, json.loads(floors.read_text()), _args(floors), METRICS, "t", corpus) == 1
