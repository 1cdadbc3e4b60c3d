"""SQL writes for data-quality results."""

from __future__ import annotations

import duckdb

from .articles import now


def save_dq_results(con: duckdb.DuckDBPyConnection, run_id: str, results) -> None:
    """Replace this run's ``dq_results`` rows with ``results`` (``quality.CheckResult``)."""
    con.execute("DELETE FROM dq_results WHERE run_id = ?", [run_id])
    at = now()
    if results:
        con.executemany(
            "INSERT INTO dq_results (run_id, table_name, expectation, column_name, success, severity,"
            " observed, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [[run_id, r.table, r.expectation, r.column, r.success, r.severity, r.observed, at]
             for r in results])
