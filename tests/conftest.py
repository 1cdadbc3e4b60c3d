"""Shared test set-up: Prefect and Great Expectations stay local, quiet and offline."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

# Before anything imports prefect or great_expectations.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="factcheck-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

import pytest  # noqa: E402

# test helpers importable as plain modules (benchmarks_loader)
sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "data" / "seeds"
PUBMED_SAMPLE = REPO / "data" / "pubmed" / "pubmed_sample.xml.gz"


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (it takes ~10 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "factcheck.duckdb"


@pytest.fixture
def con(db_path: Path):
    from factcheck.store.db import connect

    connection = connect(db_path)
    yield connection
    connection.close()
