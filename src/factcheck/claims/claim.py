"""Claim types, certainties and polarities; the ``Claim`` record itself is the store's row type
(``factcheck.store.rows.Claim``), one shape from extraction to report."""

from __future__ import annotations

from ..store.rows import Claim

__all__ = ["CERTAINTIES", "CLAIM_TYPES", "POLARITIES", "Claim"]

CLAIM_TYPES: tuple[str, ...] = (
    "efficacy",      # an intervention treats, relieves, improves, prevents or cures something
    "mechanism",     # how an intervention or the body works: receptors, pathways, signals
    "safety",        # side effects, risks, harms, or a statement that something is safe
    "duration",      # time course: onset ("within hours") or persistence ("lasts 3 months")
    "magnitude",     # size of an effect: percentages, fold changes, "halves"
    "prevalence",    # how common something is in a population
    "cited_source",  # attributes a finding to a named study, journal, institution or agency
)
CERTAINTIES: tuple[str, ...] = ("hedged", "assertive", "absolute")
POLARITIES: tuple[str, ...] = ("positive", "negative")
