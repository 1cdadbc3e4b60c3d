"""SQL writes for data-quality results."""

from __future__ import annotations

import duckdb

from .db import records
from .runs import now


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


def dq_report(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> tuple[dict, list[dict]] | None:
    """The data-quality results of ``run_id`` (default: the latest run that has any), with its
    ``runs`` row: ``(run, results)``, failed checks first (errors before warnings). ``None``
    when no run has recorded checks."""
    if run_id is None:
        row = con.execute("SELECT d.run_id FROM dq_results d LEFT JOIN runs r USING (run_id) "
                          "GROUP BY d.run_id ORDER BY max(coalesce(r.started_at, d.checked_at)) DESC "
                          "LIMIT 1").fetchone()
        if row is None:
            return None
        run_id = row[0]
    cur = con.execute("SELECT run_id, flow, status, started_at, finished_at, dq_passed, message "
                      "FROM runs WHERE run_id = ?", [run_id])
    names = [d[0] for d in cur.description]
    found = cur.fetchone()
    run = dict(zip(names, found)) if found else {"run_id": run_id}
    cur = con.execute("SELECT table_name, column_name, expectation, severity, success, observed, checked_at "
                      "FROM dq_results WHERE run_id = ? ORDER BY success, severity = 'warning', "
                      "table_name, expectation, column_name", [run_id])
    results = records(cur)
    return (run, results) if results else None


def save_run_metrics(con: duckdb.DuckDBPyConnection, run_id: str, metrics) -> None:
    """Replace this run's ``run_metrics`` with ``metrics``: (metric, scope, value, n) tuples."""
    con.execute("DELETE FROM run_metrics WHERE run_id = ?", [run_id])
    if metrics:
        con.executemany("INSERT INTO run_metrics (run_id, metric, scope, value, n) VALUES (?, ?, ?, ?, ?)",
                        [[run_id, m, s, float(v), int(n)] for m, s, v, n in metrics])


def previous_metrics(con: duckdb.DuckDBPyConnection, run_id: str, min_n: dict[str, int] | None = None
                     ) -> dict[tuple[str, str], tuple[float, int, str]]:
    """For each (metric, scope), its value in the latest published run (``completed``) before
    ``run_id`` that has it over at least ``min_n[metric]`` articles or claims:
    ``{(metric, scope): (value, n, that run's id)}``. A site absent from last night is
    compared with the last night that had it."""
    min_n = min_n or {}
    rows = con.execute(
        """SELECT m.metric, m.scope, m.value, m.n, m.run_id, r.started_at FROM run_metrics m
           JOIN runs r USING (run_id)
           WHERE r.status = 'completed' AND r.run_id <> ?
             AND r.started_at <= coalesce((SELECT started_at FROM runs WHERE run_id = ?), now()::TIMESTAMP)
           ORDER BY r.started_at""", [run_id, run_id]).fetchall()
    out: dict[tuple[str, str], tuple[float, int, str]] = {}
    for metric, scope, value, n, run, _started in rows:   # oldest first: the latest wins
        if n >= min_n.get(metric, 0):
            out[(metric, scope)] = (value, n, run)
    return out


def last_full_check(con: duckdb.DuckDBPyConnection, result: str) -> str | None:
    """The checks' digest recorded by the latest published run that validated every row (its
    ``dq_results`` row ``result``: ``factcheck.quality.checks.EVERY_ROW``), or None."""
    import json

    row = con.execute(
        "SELECT d.observed FROM dq_results d JOIN runs r USING (run_id) WHERE d.expectation = ?"
        " AND r.status = 'completed' ORDER BY d.checked_at DESC LIMIT 1", [result]).fetchone()
    try:
        return json.loads(row[0]).get("digest") if row else None
    except (ValueError, AttributeError):
        return None
