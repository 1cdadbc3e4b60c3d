"""What the dashboard shows, as plain functions over a read-only connection to the published
database, each returning a pandas DataFrame (no Streamlit here: call them from a notebook)."""

from __future__ import annotations

import duckdb
import pandas as pd

#: Dimensions flagged claims can be counted by.
DIMENSIONS = {"site": "cc.site", "condition": "cc.condition", "intervention": "cc.intervention",
              "verdict": "v.label", "flag": "flag"}


def flagged_by(con: duckdb.DuckDBPyConnection, dimension: str) -> pd.DataFrame:
    """Flagged current claims counted by ``dimension`` (site, condition, intervention,
    verdict or flag), most first."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}: one of {', '.join(DIMENSIONS)}")
    column = DIMENSIONS[dimension]
    source = ("(SELECT cc.*, unnest(v.flags) AS flag FROM current_claims cc JOIN verdicts v USING (claim_id))"
              if dimension == "flag" else "current_claims")
    return con.execute(f"""
        SELECT coalesce({column}::VARCHAR, '(none)') AS {dimension}, count(DISTINCT cc.claim_id) AS flagged_claims,
               count(DISTINCT cc.article_id) AS articles
        FROM {source} cc JOIN verdicts v USING (claim_id)
        WHERE len(v.flags) > 0
        GROUP BY ALL ORDER BY flagged_claims DESC, 1""").df()


def verdicts_over_time(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """For each published run, the latest verdict of every claim judged up to then: one row
    per (run, label) with the number of claims and of flagged claims. Claims of an article's
    older versions stay counted (a claim id is never reused), so the totals only grow."""
    return con.execute("""
        WITH published AS (
            SELECT run_id, started_at, coalesce(finished_at, started_at) AS finished_at FROM runs
            WHERE status = 'completed'),
        in_force AS (
            SELECT p.run_id, p.started_at, h.claim_id, arg_max(h.label, h.decided_at) AS label,
                   arg_max(len(h.flags), h.decided_at) AS n_flags
            FROM published p JOIN verdict_history h ON h.decided_at <= p.finished_at
            GROUP BY ALL)
        SELECT run_id, started_at, label, count(*) AS claims, count(*) FILTER (WHERE n_flags > 0) AS flagged
        FROM in_force GROUP BY ALL ORDER BY started_at, label""").df()


def run_history(con: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """The latest runs: status, counts, duration and data-quality outcome."""
    return con.execute("""
        SELECT r.run_id, r.flow, r.started_at, r.status,
               round(date_diff('millisecond', r.started_at, r.finished_at) / 1000.0, 1) AS seconds,
               r.n_documents, r.n_new_versions, r.n_claims, r.n_flagged, r.n_errors, r.dq_passed,
               (SELECT count(*) FROM dq_results d WHERE d.run_id = r.run_id AND NOT d.success
                 AND d.severity = 'error') AS dq_failed_errors,
               (SELECT count(*) FROM dq_results d WHERE d.run_id = r.run_id AND NOT d.success
                 AND d.severity = 'warning') AS dq_warnings,
               r.message
        FROM runs r ORDER BY r.started_at DESC LIMIT ?""", [limit]).df()


def claims(con: duckdb.DuckDBPyConnection, *, site: str | None = None, verdict: str | None = None,
           flagged_only: bool = False, search: str | None = None, limit: int = 1000,
           decisions: dict | None = None, open_only: bool = False) -> pd.DataFrame:
    """Current claims with their verdict and flags, filtered, the most severely flagged first;
    each titled as the report titles it (``report.build.article_title``). With ``decisions``
    (``store.triage.load_decisions``), a ``decision`` column: the editor's decision in force, or
    ``open`` for a flagged claim without one; ``open_only`` keeps only those."""
    from ..report.build import FLAG_SEVERITY, article_title
    from ..store.triage import decision_for

    where, params = ["TRUE"], []
    if site:
        where.append("cc.site = ?")
        params.append(site)
    if verdict:
        where.append("v.label = ?")
        params.append(verdict)
    if flagged_only:
        where.append("len(v.flags) > 0")
    if search:
        where.append("cc.sentence ILIKE ?")
        params.append(f"%{search}%")
    severity = " ".join(f"WHEN list_contains(v.flags, '{f}') THEN {int(n)}"
                        for f, n in sorted(FLAG_SEVERITY.items(), key=lambda x: -x[1]))
    found = con.execute(f"""
        SELECT cc.claim_id, cc.sentence, v.label AS verdict, v.flags, cc.site, cc.article_title,
               cc.intervention, cc.condition, cc.claim_type, cc.certainty, v.confidence, v.decided_at,
               cc.article_id, cc.source
        FROM current_claims cc LEFT JOIN verdicts v USING (claim_id)
        WHERE {' AND '.join(where)}
        ORDER BY CASE {severity} WHEN len(coalesce(v.flags, [])) > 0 THEN 1 ELSE 0 END DESC,
                 len(coalesce(v.flags, [])) DESC, cc.source, cc.seq
        LIMIT ?""", [*params, limit]).df()
    untitled = sorted({a for a, t in zip(found["article_id"], found["article_title"])
                       if not (isinstance(t, str) and t.strip())})
    if untitled:
        bodies = dict(con.execute("SELECT article_id, body_text FROM current_articles WHERE article_id"
                                  " IN (SELECT unnest(?::VARCHAR[]))", [untitled]).fetchall())
        found["article_title"] = [t if isinstance(t, str) and t.strip() else article_title(None, bodies.get(a))
                                  for a, t in zip(found["article_id"], found["article_title"])]
    if decisions is not None:
        def in_force(row) -> str:
            flags = list(row.flags) if row.flags is not None else []
            if not flags:
                return ""
            found_decision = decision_for(decisions, row.article_id, row.sentence, flags)
            return found_decision.status if found_decision else "open"

        found.insert(3, "decision", [in_force(r) for r in found.itertuples()])
        if open_only:
            found = found[found["decision"] == "open"].reset_index(drop=True)
    return found


def claim_detail(con: duckdb.DuckDBPyConnection, claim_id: str) -> dict | None:
    """One claim: its verdict, the records retrieved for it (best first) and its verdict history."""
    cur = con.execute("""
        SELECT cc.claim_id, cc.sentence, cc.source, cc.site, cc.article_title, cc.article_id,
               cc.claim_type, cc.certainty, cc.intervention, cc.condition, cc.outcome, cc.query_text,
               v.label, v.confidence, v.flags, v.flag_reasons, v.explanation, v.coverage, v.judged_because
        FROM current_claims cc LEFT JOIN verdicts v USING (claim_id) WHERE cc.claim_id = ?""", [claim_id])
    row = cur.fetchone()
    if row is None:
        return None
    detail = dict(zip([d[0] for d in cur.description], row))
    detail["evidence"] = con.execute("""
        SELECT rank, pmid, 'https://pubmed.ncbi.nlm.nih.gov/' || pmid || '/' AS url, title, journal,
               pub_year, design, is_retracted, stance, p_support, p_refute, quote, on_topic
        FROM claim_evidence WHERE claim_id = ? ORDER BY rank""", [claim_id]).df()
    detail["history"] = con.execute("""
        SELECT h.decided_at, h.run_id, h.label, h.flags, h.judged_because, h.model_version
        FROM verdict_history h WHERE claim_id = ? ORDER BY decided_at""", [claim_id]).df()
    return detail


def sites(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT site FROM current_claims WHERE site IS NOT NULL"
                                      " ORDER BY 1").fetchall()]
