"""SQL writes for runs and what they record: the ``runs`` rows, ``pipeline_errors``, and the
record of a run that was not published.

Like every store writer, these never begin or commit a transaction (except
:func:`copy_run_records`, which must): the caller wraps one unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timezone

import duckdb

from .db import sql_string


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def new_run_id(flow: str = "run") -> str:
    """A run's id: its flow, its UTC start to the second, and six random hex digits."""
    return f"{flow}-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, inputs: Iterable[str],
              claims_model: str | None = None, stance_model: str | None = None) -> None:
    con.execute(
        "INSERT INTO runs (run_id, flow, started_at, status, inputs, claims_model, stance_model)"
        " VALUES (?, ?, ?, 'running', ?, ?, ?) ON CONFLICT (run_id) DO NOTHING",
        [run_id, flow, now(), list(inputs), claims_model, stance_model])


def set_claims_model(con: duckdb.DuckDBPyConnection, run_id: str, claims_model: str) -> None:
    """Correct the claim model a run recorded at its start, once extraction has loaded it."""
    con.execute("UPDATE runs SET claims_model = ? WHERE run_id = ?", [claims_model, run_id])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, *,
               counts: dict[str, int] | None = None, dq_passed: bool | None = None,
               message: str | None = None) -> None:
    counts = counts or {}
    allowed = ("n_documents", "n_new_versions", "n_claims", "n_flagged", "n_errors")
    sets = ", ".join(f"{k} = ?" for k in allowed if k in counts)
    params = [counts[k] for k in allowed if k in counts]
    con.execute(
        f"UPDATE runs SET status = ?, finished_at = ?, dq_passed = ?, message = ?"
        f"{', ' + sets if sets else ''} WHERE run_id = ?",
        [status, now(), dq_passed, message, *params, run_id])


def record_abandoned_run(con: duckdb.DuckDBPyConnection, run_id: str, started_at: str,
                         holder: str) -> bool:
    """Add the ``runs`` row of a run that died before it could publish (its lock record said
    it was under way); nothing when the run is already recorded. True when a row was added."""
    if con.execute("SELECT count(*) FROM runs WHERE run_id = ?", [run_id]).fetchone()[0]:
        return False
    con.execute(
        "INSERT INTO runs (run_id, flow, started_at, status, message) VALUES (?, ?, ?, 'abandoned', ?)",
        [run_id, run_id.split("-", 1)[0] or "run", started_at,
         f"the process ({holder}) ended before the run finished (killed, or the machine stopped);"
         " nothing of it was published"])
    return True


def record_error(con: duckdb.DuckDBPyConnection, run_id: str, source: str, stage: str,
                 error_kind: str, message: str, severity: str = "error") -> None:
    con.execute(
        "INSERT INTO pipeline_errors (run_id, source, stage, error_kind, severity, message, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [run_id, source, stage, error_kind, severity, message, now()])


def copy_run_records(con: duckdb.DuckDBPyConnection, source_db: str, run_id: str) -> None:
    """Copy one run's ``runs``, ``pipeline_errors`` and ``dq_results`` rows from another
    database file (a rejected working copy) into ``con``'s, so the published file keeps the
    history of runs that were not published, and why.

    Unlike the other writers here it holds its own transaction: DuckDB cannot detach the
    other file while a transaction has read from it."""
    con.execute(f"ATTACH {sql_string(source_db)} AS rejected (READ_ONLY)")
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            for table in ("runs", "pipeline_errors", "dq_results"):
                con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM rejected.{table}"
                            " WHERE run_id = ?", [run_id])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.execute("DETACH rejected")
