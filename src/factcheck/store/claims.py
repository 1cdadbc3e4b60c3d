"""SQL writes and reads of ``claims``: a version's claims replaced as a whole, and stored
claims read back as :class:`~factcheck.store.rows.Claim` by column name.

Like every store writer, these never begin or commit a transaction: the caller does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import duckdb

from .db import records
from .rows import Claim


def claim_id_for(article_id: str, version: int, start: int, end: int) -> str:
    return hashlib.sha1(f"{article_id}:{version}:{start}:{end}".encode()).hexdigest()[:20]


def save_claims(con: duckdb.DuckDBPyConnection, article_id: str, version: int,
                claims: Sequence[Claim], run_id: str) -> int:
    """Replace the claims of one version with ``claims`` (:class:`~factcheck.store.rows.Claim`,
    what the claims stage makes).

    Claim ids derive from the version and character offsets, so extracting the same version
    twice yields the same ids and no duplicates.
    """
    old = [r[0] for r in con.execute("SELECT claim_id FROM claims WHERE article_id = ? AND version = ?",
                                     [article_id, version]).fetchall()]
    if old:
        con.execute("DELETE FROM evidence WHERE claim_id IN (SELECT unnest(?))", [old])
        con.execute("DELETE FROM verdicts WHERE claim_id IN (SELECT unnest(?))", [old])
        con.execute("DELETE FROM claims WHERE article_id = ? AND version = ?", [article_id, version])
    rows = [{"claim_id": claim_id_for(article_id, version, c.start, c.end), "article_id": article_id,
             "version": version, "seq": seq, "start_char": c.start, "end_char": c.end,
             "run_id": run_id, **{f: _value(getattr(c, f)) for f in CLAIM_FIELDS}}
            for seq, c in enumerate(claims)]
    if rows:
        columns = list(rows[0])
        con.executemany(
            f"INSERT INTO claims ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [[r[c] for c in columns] for r in rows])
    con.execute("UPDATE article_versions SET claims_status = 'done' WHERE article_id = ? AND version = ?",
                [article_id, version])
    return len(rows)


#: ``Claim`` fields stored in ``claims`` under the same name (offsets are start_char/end_char).
CLAIM_FIELDS = ("sentence", "claim_type", "certainty", "polarity", "score", "reason", "intervention",
                "condition", "outcome", "mesh_terms", "query_text", "attribution", "attributed_to",
                "figures", "cited")


def _value(v):
    if isinstance(v, (list, tuple)):
        return list(v)
    if isinstance(v, float):
        return float(v)
    return v


def load_claims(con: duckdb.DuckDBPyConnection, where: str = "TRUE", params: list | None = None,
                relation: str = "current_claims") -> list[Claim]:
    """Stored claims as ``factcheck.claims.Claim`` objects (matched by column name, never by
    position), with ``claim_id`` set; ``where`` filters ``relation``."""
    out = []
    for r in records(con.execute(f"SELECT * FROM {relation} WHERE {where} ORDER BY article_id, "
                                 "version, seq", params or [])):
        fields = {f: r.get(f) for f in CLAIM_FIELDS}
        fields["mesh_terms"] = list(fields["mesh_terms"] or [])
        fields["figures"] = list(fields["figures"] or [])
        fields["attribution"] = fields["attribution"] or "own"
        out.append(Claim(start=r["start_char"], end=r["end_char"], claim_id=r["claim_id"], **fields))
    return out
