"""SQL writes for evidence rows and verdicts (each claim's are replaced as one unit)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import duckdb

from .runs import now
from .rows import EvidenceRow, VerdictRow

_EVIDENCE_COLUMNS = list(EvidenceRow.__dataclass_fields__)
_VERDICT_COLUMNS = list(VerdictRow.__dataclass_fields__)


def replace_claim_evidence(con: duckdb.DuckDBPyConnection, claim_id: str,
                           rows: Sequence[EvidenceRow], verdict: VerdictRow, run_id: str) -> None:
    """Replace the evidence and verdict of one claim (the caller holds the transaction)."""
    replace_claims_evidence(con, [(claim_id, rows, verdict)], run_id)


#: Rows per INSERT statement (DuckDB's executemany runs one statement per row: slow).
_CHUNK = 200


def _insert(con: duckdb.DuckDBPyConnection, sql: str, cols: Sequence[str], rows: list[list]) -> None:
    marks = f"({', '.join('?' for _ in cols)})"
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        con.execute(f"{sql} ({', '.join(cols)}) VALUES {', '.join([marks] * len(chunk))}",
                    [x for row in chunk for x in row])


def replace_claims_evidence(con: duckdb.DuckDBPyConnection,
                            judged: Sequence[tuple[str, Sequence[EvidenceRow], VerdictRow]],
                            run_id: str) -> None:
    """Replace the evidence and verdict of each ``(claim_id, rows, verdict)``, and add each
    verdict to ``verdict_history``, in a few statements (the caller holds the transaction)."""
    if not judged:
        return
    ids = [claim_id for claim_id, _, _ in judged]
    if len(set(ids)) != len(ids):
        raise ValueError("a claim is judged twice in one batch")
    for claim_id, rows, _ in judged:
        pmids = [r.pmid for r in rows]
        if len(set(pmids)) != len(pmids):
            raise ValueError(f"claim {claim_id} names a PubMed record twice in its evidence")
    con.execute("DELETE FROM evidence WHERE claim_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
    evidence = [[claim_id, *asdict(r).values(), run_id] for claim_id, rows, _ in judged for r in rows]
    if evidence:
        _insert(con, "INSERT INTO evidence", ["claim_id", *_EVIDENCE_COLUMNS, "run_id"], evidence)
    decided_at = now()
    _insert(con, "INSERT OR REPLACE INTO verdicts",
            ["claim_id", *_VERDICT_COLUMNS, "run_id", "decided_at", "checked_run_id"],
            [[claim_id, *asdict(v).values(), run_id, decided_at, run_id] for claim_id, _, v in judged])
    # one history row per (claim, run): a claim judged again by the same run replaces its row
    con.execute("DELETE FROM verdict_history WHERE run_id = ? AND claim_id IN"
                " (SELECT unnest(?::VARCHAR[]))", [run_id, ids])
    _insert(con, "INSERT INTO verdict_history",
            ["claim_id", "run_id", "decided_at", "label", "confidence", "flags", "deciding_pmids",
             "coverage", "model_version", "judged_because"],
            [[claim_id, run_id, decided_at, v.label, v.confidence, list(v.flags), list(v.deciding_pmids),
              v.coverage, v.model_version, v.judged_because] for claim_id, _, v in judged])


def drop_evidence_of_missing_records(con: duckdb.DuckDBPyConnection) -> int:
    """Delete evidence rows whose PubMed record is gone (a ``DeleteCitation`` was loaded).

    The current claims that read such a record are judged again by the same run (their
    verdict state says ``evidence_changed``: call :func:`verdicts_to_judge` first); this also clears
    the rows of older article versions, which are no longer judged. Returns the rows deleted.
    """
    (n,) = con.execute("DELETE FROM evidence e WHERE NOT EXISTS"
                       " (SELECT 1 FROM pubmed p WHERE p.pmid = e.pmid)").fetchone()
    return int(n)


def verdicts_to_judge(con: duckdb.DuckDBPyConnection, model_version: str,
                      claim_ids: Sequence[str] | None = None, *, records_ready: bool = True,
                      requested: bool = False) -> tuple[dict[str, dict], int]:
    """Which current claims (or which of ``claim_ids``) the evidence stage must judge, and why,
    decided in one statement so that the claims whose verdict stands are never read out of
    the database (a night's cost follows its new input, not the stored history).

    Returns (``claim_id -> {"reason", "coverage", "pmids"}`` for those to judge,
    how many current claims are in scope). The reason, first that applies: ``requested``
    (every claim in scope); ``new_claim`` (no verdict yet); ``model_changed`` (a verdict by
    another stance model or rules version); ``evidence_changed`` (a record it read was since
    deleted, replaced by a newer version, or retracted, including by a retraction notice
    loaded later); with the reference not ready (empty, no index) ``new_records`` for a
    verdict made while records were there, else none; ``check`` when records were loaded
    after the reference its verdict was judged or last checked against
    (``verdicts.reference_as_of``; ``pmids``: the records it rests on; retrieval decides).
    Read before :func:`drop_evidence_of_missing_records`."""
    where = "TRUE" if claim_ids is None else "cc.claim_id IN (SELECT unnest(?::VARCHAR[]))"
    params: list = [model_version] + ([] if claim_ids is None else [list(claim_ids)])
    in_scope = con.execute(f"SELECT count(*) FROM current_claims cc WHERE {where}",
                           params[1:]).fetchone()[0]
    rows = con.execute(
        f"""WITH s AS (
                SELECT cc.claim_id, coalesce(v.reference_as_of, v.decided_at) AS as_of, v.coverage,
                       CASE WHEN v.claim_id IS NULL THEN 'new_claim'
                            WHEN v.model_version IS DISTINCT FROM ? THEN 'model_changed'
                            WHEN EXISTS (SELECT 1 FROM evidence e LEFT JOIN pubmed p ON p.pmid = e.pmid
                                         WHERE e.claim_id = cc.claim_id
                                           AND (p.pmid IS NULL OR p.loaded_at >
                                                    coalesce(v.reference_as_of, v.decided_at)
                                                OR p.is_retracted IS DISTINCT FROM
                                                   coalesce(e.record_retracted, p.is_retracted)))
                                 THEN 'evidence_changed'
                       END AS stale
                FROM current_claims cc LEFT JOIN verdicts v ON v.claim_id = cc.claim_id
                WHERE {where})
            SELECT * FROM (
                SELECT claim_id,
                       CASE WHEN ?::BOOLEAN THEN 'requested'
                            WHEN stale IS NOT NULL THEN stale
                            WHEN NOT ?::BOOLEAN THEN
                                 CASE WHEN coalesce(coverage, 0) <> 0 THEN 'new_records' END
                            WHEN as_of < (SELECT max(loaded_at) FROM pubmed) THEN 'check'
                       END AS reason,
                       coverage
                FROM s)
            WHERE reason IS NOT NULL""", params + [requested, records_ready]).fetchall()
    todo = {cid: {"reason": reason, "coverage": cov, "pmids": set()} for cid, reason, cov in rows}
    checks = [cid for cid, item in todo.items() if item["reason"] == "check"]
    if checks:
        for cid, pmids in con.execute(
                "SELECT claim_id, list(pmid) FROM evidence WHERE claim_id IN"
                " (SELECT unnest(?::VARCHAR[])) GROUP BY claim_id", [checks]).fetchall():
            todo[cid]["pmids"] = set(pmids)
    return todo, int(in_scope)


#: The columns of a claim that its verdict depends on: a claim of an article's new version equal
#: to one of an earlier version in all of them is judged the same (retrieval and reading see
#: nothing else of it), so it takes that claim's verdict (:func:`carry_verdicts`).
JUDGED_ON = ("sentence", "query_text", "claim_type", "certainty", "polarity", "attribution",
             "attributed_to", "intervention", "condition", "outcome", "mesh_terms", "figures",
             "cited")


def carry_verdicts(con: duckdb.DuckDBPyConnection, run_id: str, model_version: str) -> list[str]:
    """Give each current claim without a verdict the verdict and evidence of the same claim of
    another version of its article (equal in every column of :data:`JUDGED_ON`) judged by
    ``model_version``: an edited article's unchanged sentences are not read again. A verdict
    whose evidence is no longer whole (a deciding record's row gone, or any record deleted from
    the reference since it was judged) is not carried.

    The copy keeps what the verdict was judged against (``reference_as_of``): records loaded,
    deleted or retracted since make the next plan judge or check it as any other verdict, and
    the time it was made (``decided_at``). Its ``judged_because`` is ``carried`` and its
    ``run_id`` the run that carried it; it gets a ``verdict_history`` row of ``run_id``. Returns
    the claim ids given a verdict (the caller holds the transaction)."""
    same = " AND ".join(f"o.{c} IS NOT DISTINCT FROM cc.{c}" for c in JUDGED_ON)
    # a record deleted after the verdict was judged took its evidence rows with it (the rows of
    # every claim, an earlier version's too), so the copy could not see that its basis changed:
    # such a verdict is not carried, and the claim is judged as new
    deleted = ("NOT EXISTS (SELECT 1 FROM pubmed_deleted pd WHERE pd.deleted_at > v.decided_at)"
               if con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'pubmed_deleted'"
                              ).fetchone()[0] else "TRUE")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE carry AS
            SELECT cc.claim_id AS new_id, o.claim_id AS old_id
            FROM current_claims cc
            JOIN claims o ON o.article_id = cc.article_id AND o.version <> cc.version AND {same}
            JOIN verdicts v ON v.claim_id = o.claim_id AND v.model_version = ?
            WHERE NOT EXISTS (SELECT 1 FROM verdicts n WHERE n.claim_id = cc.claim_id)
              AND {deleted}
              -- the verdict's evidence is whole: each deciding record has its row, and the
              -- records counted beside the label are the rows that count
              AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(v.deciding_pmids, [])) AS d(pmid)
                              WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.claim_id = o.claim_id
                                                AND e.pmid = d.pmid))
              AND coalesce(v.n_supporting, 0) + coalesce(v.n_refuting, 0) =
                  (SELECT count(*) FROM evidence e WHERE e.claim_id = o.claim_id
                   AND e.stance IN ('supports', 'refutes') AND coalesce(e.counts, false))
            QUALIFY row_number() OVER (PARTITION BY cc.claim_id
                                       ORDER BY o.version DESC, v.decided_at DESC) = 1""",
        [model_version])
    try:
        carried = [r[0] for r in con.execute("SELECT new_id FROM carry").fetchall()]
        if not carried:
            return []
        evidence = ", ".join(_EVIDENCE_COLUMNS)
        con.execute(f"""INSERT INTO evidence (claim_id, {evidence}, run_id)
                        SELECT k.new_id, {", ".join("e." + c for c in _EVIDENCE_COLUMNS)}, ?
                        FROM carry k JOIN evidence e ON e.claim_id = k.old_id""", [run_id])
        copied = [c for c in _VERDICT_COLUMNS if c not in ("judged_because", "reference_as_of")]
        con.execute(f"""INSERT INTO verdicts (claim_id, {", ".join(copied)}, judged_because,
                                              reference_as_of, run_id, decided_at, checked_run_id)
                        SELECT k.new_id, {", ".join("v." + c for c in copied)}, 'carried',
                               coalesce(v.reference_as_of, v.decided_at), ?, v.decided_at, ?
                        FROM carry k JOIN verdicts v ON v.claim_id = k.old_id""",
                    [run_id, run_id])
        con.execute("""INSERT INTO verdict_history (claim_id, run_id, decided_at, label, confidence,
                                                    flags, deciding_pmids, coverage, model_version,
                                                    judged_because)
                       SELECT v.claim_id, v.run_id, v.decided_at, v.label, v.confidence, v.flags,
                              v.deciding_pmids, v.coverage, v.model_version, v.judged_because
                       FROM verdicts v JOIN carry k ON v.claim_id = k.new_id""")
        return carried
    finally:
        con.execute("DROP TABLE IF EXISTS carry")


def mark_checked(con: duckdb.DuckDBPyConnection, run_id: str, *, claim_ids: Sequence[str] | None = None,
                 except_ids: Sequence[str] = ()) -> None:
    """Record that ``run_id`` found current the verdicts of the current claims (or of those
    of ``claim_ids``) but ``except_ids`` (``checked_run_id``): those it judged (their rows are
    new) and those it meant to judge and did not."""
    scope = "" if claim_ids is None else " AND claim_id IN (SELECT unnest(?::VARCHAR[]))"
    con.execute("UPDATE verdicts SET checked_run_id = ? WHERE claim_id IN (SELECT claim_id FROM"
                " current_claims) AND claim_id NOT IN (SELECT unnest(?::VARCHAR[]))" + scope,
                [run_id, list(except_ids)] + ([] if claim_ids is None else [list(claim_ids)]))


def stamp_reference(con: duckdb.DuckDBPyConnection, checked: dict[str, object]) -> None:
    """Record, for verdicts kept after a check (``claim_id -> reference_as_of``), the reference
    they were checked against: records loaded before it no longer make a run check them."""
    by_stamp: dict[object, list[str]] = {}
    for claim_id, as_of in checked.items():
        if as_of is not None:
            by_stamp.setdefault(as_of, []).append(claim_id)
    for as_of, ids in by_stamp.items():
        con.execute("UPDATE verdicts SET reference_as_of = ? WHERE claim_id IN"
                    " (SELECT unnest(?::VARCHAR[]))", [as_of, ids])


def verdict_counts(con: duckdb.DuckDBPyConnection, claim_ids: Sequence[str] | None = None
                   ) -> dict[str, int]:
    """Labels and flagged claims (the article's own assertions) over the current claims' verdicts."""
    where = "TRUE" if claim_ids is None else "cc.claim_id IN (SELECT unnest(?::VARCHAR[]))"
    params = [] if claim_ids is None else [list(claim_ids)]
    out: dict[str, int] = {"flagged": 0}
    for label, flagged, n in con.execute(
            f"""SELECT v.label, len(v.flags) > 0 AND coalesce(cc.attribution, 'own') <> 'rejected',
                       count(*)
                FROM current_claims cc JOIN verdicts v ON v.claim_id = cc.claim_id
                WHERE {where} GROUP BY ALL""", params).fetchall():
        out[label] = out.get(label, 0) + n
        out["flagged"] += n if flagged else 0
    return out
