"""SQL writes for evidence rows and verdicts (each claim's are replaced as one unit)."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from ..evidence.verdict import ClaimEvidence, Verdict
from .articles import now


def replace_claim_evidence(con: duckdb.DuckDBPyConnection, claim_id: str,
                           judged: Sequence[ClaimEvidence], verdict: Verdict, run_id: str) -> None:
    """Replace the evidence and verdict of one claim (the caller holds the transaction)."""
    con.execute("DELETE FROM evidence WHERE claim_id = ?", [claim_id])
    if judged:
        con.executemany(
            "INSERT INTO evidence (claim_id, pmid, rank, score, on_topic, matched_terms, run_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [[claim_id, e.hit.pmid, e.rank, e.hit.score, e.on_topic, e.matched_terms, run_id] for e in judged])
    con.execute(
        "INSERT OR REPLACE INTO verdicts (claim_id, label, confidence, flags, explanation, run_id,"
        " decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [claim_id, verdict.label, verdict.confidence, verdict.flags, verdict.explanation, run_id, now()])


def drop_evidence_of_missing_records(con: duckdb.DuckDBPyConnection) -> int:
    """Delete evidence rows whose PubMed record is gone (a ``DeleteCitation`` was loaded).

    Current claims are re-assessed on every run anyway; this also clears the rows of older
    article versions, which are no longer re-assessed. Returns the number of rows deleted.
    """
    (n,) = con.execute("DELETE FROM evidence e WHERE NOT EXISTS"
                       " (SELECT 1 FROM pubmed p WHERE p.pmid = e.pmid)").fetchone()
    return int(n)
