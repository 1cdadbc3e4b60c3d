"""Closing coverage gaps: PubMed queries for the claims the reference table cannot judge.

A claim left at ``no_coverage`` (nothing on its topic) or ``not_addressed`` (nothing that
speaks to it) may be a gap in the loaded sample, not in the literature. The opt-in nightly
step ``--fetch-evidence`` asks NCBI's E-utilities for the trials, systematic reviews and
meta-analyses on the claim's intervention and condition, loads them into the reference table,
and judges those claims again. This module only builds the queries; the client, its rate
limits (3 requests/s, 10 with an API key) and the loader are ``factcheck.pubmed``'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Publication types worth fetching for a claim about an effect: designs that report results
#: and weigh most (``grading.CLINICAL_WEIGHT``).
PUBLICATION_TYPES = ("randomized controlled trial", "clinical trial", "meta-analysis",
                     "systematic review", "practice guideline")
#: Records asked for per claim, and per run (each query costs a few requests).
PER_CLAIM = 20
PER_RUN = 400

_SAFE = re.compile(r"[^\w\s'-]")


@dataclass(frozen=True)
class EvidenceQuery:
    query: str
    claim_ids: tuple[str, ...]


def _term(surface: str | None, descriptor: str | None) -> str | None:
    """A PubMed term for one concept: its MeSH heading when the claim has one, or'ed with the
    words as written in title or abstract."""
    parts = []
    if descriptor:
        parts.append(f'"{_SAFE.sub(" ", descriptor).strip()}"[MeSH Terms]')
    if surface:
        words = _SAFE.sub(" ", surface).strip()
        if words:
            parts.append(f'"{words}"[tiab]')
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def query_for(claim, descriptors: Iterable[str] = ()) -> str | None:
    """The E-utilities query for a claim: (intervention) AND (condition or outcome) AND (a
    design that reports results) AND an abstract; ``None`` when it names no intervention."""
    from .retrieve import _same_concept

    mesh = list(descriptors or getattr(claim, "mesh_terms", None) or [])
    if not claim.intervention:
        return None

    def descriptor_of(surface: str) -> str | None:
        return next((d for d in mesh if _same_concept(surface, d)), None)

    intervention = _term(claim.intervention, descriptor_of(claim.intervention))
    target_surface = claim.condition or claim.outcome
    target = _term(target_surface, descriptor_of(target_surface)) if target_surface else None
    types = " OR ".join(f'"{t}"[Publication Type]' for t in PUBLICATION_TYPES)
    parts = [intervention, target, f"({types})", "hasabstract"]
    return " AND ".join(p for p in parts if p)


def queries_for(claims) -> list[EvidenceQuery]:
    """One query per distinct (intervention, target), with the claims it serves."""
    by_query: dict[str, list[str]] = {}
    for claim in claims:
        q = query_for(claim)
        if q:
            by_query.setdefault(q, []).append(claim.claim_id)
    return [EvidenceQuery(q, tuple(ids)) for q, ids in by_query.items()]
