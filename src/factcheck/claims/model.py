"""The ``Claim`` record handed to the evidence stage, the store and the report."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from .mesh import synonyms_of

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

_WORD = re.compile(r"[A-Za-z0-9][\w'-]*")
_QUERY_STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it its of on or the to with that this "
    "these those".split()
)


@dataclass(slots=True)
class Claim:
    """A check-worthy sentence of an article body and its structure.

    ``sentence == body_text[start:end]`` for the ``body_text`` it was extracted from.
    ``score`` (0..1) is how check-worthy the sentence is; ``reason`` says why in words.
    ``intervention``, ``condition`` and ``outcome`` are surface text from the sentence (or None);
    ``mesh_terms`` are their MeSH descriptors (normalised against the PubMed vocabulary when one
    was given), in the order intervention, condition, outcome, then any others mentioned.
    """

    sentence: str
    start: int
    end: int
    claim_type: str
    certainty: str
    polarity: str
    score: float
    reason: str
    intervention: str | None = None
    condition: str | None = None
    outcome: str | None = None
    mesh_terms: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dict with every field."""
        return asdict(self)

    def search_terms(self) -> list[str]:
        """Words and phrases for a BM25 query over PubMed titles and abstracts.

        The intervention, condition and outcome as written, their MeSH descriptors, and the
        synonym-list surface forms of those descriptors (so "CRPS" also searches "complex
        regional pain syndrome" and "reflex sympathetic dystrophy"). De-duplicated, in order.
        """
        terms: list[str] = []
        seen: set[str] = set()

        def add(term: str | None) -> None:
            if not term:
                return
            key = term.lower().strip()
            if key and key not in seen:
                seen.add(key)
                terms.append(term.strip())

        for part in (self.intervention, self.condition, self.outcome):
            add(part)
        for descriptor in self.mesh_terms:
            add(descriptor)
            for form in synonyms_of(descriptor):
                add(form)
        return terms

    def query_text(self) -> str:
        """``search_terms`` flattened to one lower-case string of distinct words."""
        words: list[str] = []
        seen: set[str] = set()
        for term in self.search_terms():
            for w in _WORD.findall(term.lower()):
                if w not in _QUERY_STOPWORDS and w not in seen:
                    seen.add(w)
                    words.append(w)
        return " ".join(words)
