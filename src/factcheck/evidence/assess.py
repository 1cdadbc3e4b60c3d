"""Evidence for one stored claim: retrieve PubMed records, judge them, decide a verdict."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from .retrieve import query_terms, search_pubmed
from .verdict import ClaimEvidence, Verdict, decide, judge_hits


# How many BM25 candidates to judge for each evidence row kept.
CANDIDATES_PER_RESULT = 6


@dataclass
class ClaimRow:
    claim_id: str
    sentence: str
    claim_type: str
    certainty: str
    intervention: str | None
    condition: str | None
    outcome: str | None
    mesh_terms: list[str]


CLAIM_ROW_SQL = ("SELECT claim_id, sentence, claim_type, certainty, intervention, condition, outcome,"
                 " coalesce(mesh_terms, []) FROM current_claims")


def assess_claim(con: duckdb.DuckDBPyConnection, claim: ClaimRow, k: int = 5
                 ) -> tuple[list[ClaimEvidence], Verdict]:
    terms = query_terms(claim.sentence, intervention=claim.intervention, condition=claim.condition,
                        outcome=claim.outcome, mesh_terms=claim.mesh_terms)
    hits = search_pubmed(con, terms, k=k * CANDIDATES_PER_RESULT)
    judged = judge_hits(hits, intervention=claim.intervention, condition=claim.condition,
                        outcome=claim.outcome, terms=terms)
    # BM25 alone ranks a record that repeats one query word above one that names both the
    # intervention and the condition: keep the on-topic records first, each group by score.
    kept = sorted(judged, key=lambda e: (not e.on_topic, e.rank))[:k]
    for rank, item in enumerate(kept, start=1):
        item.rank = rank
    return kept, decide(kept, claim_type=claim.claim_type, certainty=claim.certainty)
