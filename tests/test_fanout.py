"""Fan-out (issue 12): the per-article stages mapped over batches on threads or on a local Dask
cluster of two workers give exactly what the one-process run gives, and one process writes."""

from __future__ import annotations

import importlib.util
from contextlib import closing
from pathlib import Path

import pytest

from factcheck import pipeline
from factcheck.run import load_reference
from factcheck.store.db import connect
from flows.nightly import batches, run_nightly, stage_mark

SEEDS = [str(p) for p in sorted(pipeline.sample_articles())[:2]]


def outcome(db: Path) -> dict[tuple[str, str], tuple]:
    """Every current claim (article, sentence) with its type, certainty, label, flags and the
    records its verdict rests on."""
    with closing(connect(db, read_only=True)) as con:
        rows = con.execute(
            "SELECT cc.source, cc.sentence, cc.claim_type, cc.certainty, v.label, list_sort(v.flags),"
            " v.deciding_pmids FROM current_claims cc JOIN verdicts v USING (claim_id)").fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A reference file that the runs of this module share (BM25 only: the embed extra, where it
    is installed, would embed every record first)."""
    root = tmp_path_factory.mktemp("fanout")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FACTCHECK_EVIDENCE_EMBED", "off")
        load_reference(root / "reference.duckdb", pipeline.sample_pubmed(), workers=0)
    return root


@pytest.fixture(scope="module")
def one_process(folder, prefect_harness):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FACTCHECK_EVIDENCE_EMBED", "off")
        result = run_nightly(inputs=SEEDS, db=str(folder / "one.duckdb"), out_dir=str(folder / "one"))
    assert result["status"] == "completed"
    found = outcome(folder / "one.duckdb")
    assert len(found) > 10 and {v[2] for v in found.values()} - {"no_coverage"}
    return found


def test_a_stage_line_marks_errors_and_a_cleaning_that_left_nothing():
    assert "✓" in stage_mark({"documents": 3, "errors": 0})
    assert "!" in stage_mark({"documents": 3, "errors": 1})
    assert "✗" in stage_mark({"documents": 2, "errors": 2})
    # cleaning: pages with nothing left count against it, and none cleaned is a failure
    assert "✓" in stage_mark({"cleaned": 2, "empty": 0, "errors": 0})
    assert "!" in stage_mark({"cleaned": 2, "empty": 1, "errors": 0})
    assert "✗" in stage_mark({"cleaned": 0, "empty": 1, "errors": 0})
    assert "✓" in stage_mark({"cleaned": 0, "empty": 0, "errors": 0})   # nothing new to clean


def test_batches_are_contiguous_and_cover_every_item():
    items = list(range(10))
    parts = batches(items, 2)
    assert len(parts) == 8 and [i for p in parts for i in p] == items
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    assert batches([1, 2], 4) == [[1], [2]]
    assert batches([], 3) == []


def test_threads_give_what_one_process_gives(folder, one_process, monkeypatch):
    monkeypatch.setenv("FACTCHECK_EVIDENCE_EMBED", "off")
    result = run_nightly(task_runner_kind="thread", workers=2, inputs=SEEDS,
                         db=str(folder / "threads.duckdb"), out_dir=str(folder / "threads"))
    assert result["status"] == "completed"
    assert outcome(folder / "threads.duckdb") == one_process
    assert result["stages"]["evidence"]["judged"] == len(one_process)


@pytest.mark.skipif(importlib.util.find_spec("prefect_dask") is None, reason="the dask extra is not installed")
def test_a_local_dask_cluster_of_two_workers_gives_what_one_process_gives(folder, one_process, monkeypatch):
    monkeypatch.setenv("FACTCHECK_EVIDENCE_EMBED", "off")   # inherited by the worker processes
    result = run_nightly(task_runner_kind="dask", workers=2, inputs=SEEDS,
                         db=str(folder / "dask.duckdb"), out_dir=str(folder / "dask"))
    assert result["status"] == "completed"
    assert outcome(folder / "dask.duckdb") == one_process
    # the workers only read: the published database is the flow's, checked and complete
    assert result["stages"]["quality"]["passed"]
    assert not (folder / "dask.duckdb.work").exists()
