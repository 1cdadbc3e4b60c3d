"""SQL writes for evidence rows and verdicts (each claim's are replaced as one unit)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import duckdb

from .articles import now
from .rows import EvidenceRow, VerdictRow

_EVIDENCE_COLUMNS = list(EvidenceRow.__dataclass_fields__)
_VERDICT_COLUMNS = list(VerdictRow.__dataclass_fields__)


def replace_claim_evidence(con: duckdb.DuckDBPyConnection, claim_id: str,
                           rows: Sequence[EvidenceRow], verdict: VerdictRow, run_id: str) -> None:
    """Replace the evidence and verdict of one claim (the caller holds the transaction)."""
    con.execute("DELETE FROM evidence WHERE claim_id = ?", [claim_id])
    if rows:
        cols = ["claim_id", *_EVIDENCE_COLUMNS, "run_id"]
        con.executemany(
            f"INSERT INTO evidence ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [[claim_id, *asdict(r).values(), run_id] for r in rows])
    cols = ["claim_id", *_VERDICT_COLUMNS, "run_id", "decided_at"]
    con.execute(
        f"INSERT OR REPLACE INTO verdicts ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [claim_id, *asdict(verdict).values(), run_id, now()])


def drop_evidence_of_missing_records(con: duckdb.DuckDBPyConnection) -> int:
    """Delete evidence rows whose PubMed record is gone (a ``DeleteCitation`` was loaded).

    Current claims are re-assessed on every run anyway; this also clears the rows of older
    article versions, which are no longer re-assessed. Returns the number of rows deleted.
    """
    (n,) = con.execute("DELETE FROM evidence e WHERE NOT EXISTS"
                       " (SELECT 1 FROM pubmed p WHERE p.pmid = e.pmid)").fetchone()
    return int(n)
