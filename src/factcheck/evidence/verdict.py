"""Verdicts and editor flags for a claim, from the PubMed records retrieved for it.

A verdict grades the *evidence found* for a claim's topic, not the claim's truth: factcheck
does not (yet) read whether a study supports or contradicts the claim. Labels:

- ``evidence_found``: on-topic clinical trials, systematic reviews, meta-analyses or guidelines
- ``limited_evidence``: on-topic records, but only observational, case, narrative, animal or lab work
- ``no_evidence``: nothing on the claim's topic in the reference table
- ``overstated``: absolute wording ("proven", "cures", "always") with limited or no evidence
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .grading import PRECLINICAL, STRONG_WEIGHT, design_label, design_weight
from .retrieve import QUERY_STOPWORDS, Hit

# The verdict labels (meanings in this module's docstring and docs/schema.md).
LABELS = ("evidence_found", "limited_evidence", "no_evidence", "overstated")

# Editor flags, each with what it tells the editor. Only these strings are ever emitted.
FLAGS: dict[str, str] = {
    "no_evidence_found": "no PubMed record in the reference table is on this claim's topic",
    "weak_evidence_only": "worded firmly, but on-topic records are only observational, case, narrative or lab work",
    "preclinical_only": "a claim about people backed only by animal or in-vitro studies",
    "absolute_language": "the claim uses absolute wording (proven, cures, always, lasting)",
    "overstated_certainty": "the claim is worded more strongly than its evidence",
    "retracted_evidence": "a retracted publication is among the records retrieved",
    "specific_figure_unverified": "a duration, magnitude or rate is stated without strong evidence",
    "cited_source_not_found": "the claim cites a study or body that was not found",
}

# Claims about what happens to people: animal or lab work alone cannot back them.
HUMAN_OUTCOME_TYPES = frozenset({"efficacy", "safety", "duration", "magnitude", "prevalence"})

_SUFFIXES = ("ations", "ation", "ities", "ness", "ings", "ing", "ies", "ied", "ed", "es", "s", "al", "ic", "y")
_WORD = re.compile(r"[a-z][a-z0-9]+")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower())}


def _concept_words(concept: str | None) -> list[str]:
    if not concept:
        return []
    return [_stem(w) for w in _WORD.findall(concept.lower().replace("-", " "))
            if w not in QUERY_STOPWORDS and len(w) > 2]


def concept_matched(concept: str | None, record_stems: set[str]) -> bool | None:
    """``None`` when the claim has no such concept; else whether half its words are in the record."""
    words = _concept_words(concept)
    if not words:
        return None
    found = sum(1 for w in words if w in record_stems)
    return found * 2 >= len(words)


@dataclass
class ClaimEvidence:
    """One retrieved record, judged against the claim."""

    hit: Hit
    rank: int
    on_topic: bool
    matched_terms: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    label: str
    confidence: float
    flags: list[str]
    explanation: str


def judge_hits(hits: Sequence[Hit], *, intervention: str | None, condition: str | None,
               outcome: str | None, terms: Sequence[str]) -> list[ClaimEvidence]:
    """Mark each hit on or off the claim's topic.

    With an intervention, a record is on topic when it mentions the intervention and, if the
    claim names a condition or outcome, one of those too. Without structure, when it holds at
    least half of the claim's six most specific query terms.
    """
    judged = []
    for rank, hit in enumerate(hits, start=1):
        stems = _stems(" ".join(filter(None, [hit.title, hit.abstract, " ".join(hit.mesh_terms)])))
        matched = [t for t in terms if _stem(t) in stems]
        i_ok = concept_matched(intervention, stems)
        c_ok = concept_matched(condition, stems)
        o_ok = concept_matched(outcome, stems)
        if i_ok is not None:
            target = [x for x in (c_ok, o_ok) if x is not None]
            on_topic = i_ok and (not target or any(target))
        else:
            key = [_stem(t) for t in terms[:6]]
            on_topic = bool(key) and sum(1 for k in key if k in stems) * 2 >= len(key)
        judged.append(ClaimEvidence(hit, rank, bool(on_topic), matched))
    return judged


def decide(judged: Sequence[ClaimEvidence], *, claim_type: str, certainty: str) -> Verdict:
    """Label, confidence, flags and a plain-words explanation for one claim."""
    relevant = [e for e in judged if e.on_topic and not e.hit.is_retracted]
    strong = [e for e in relevant if design_weight(e.hit.study_design) >= STRONG_WEIGHT]
    clinical = [e for e in relevant if e.hit.study_design not in PRECLINICAL]
    flags: list[str] = []

    if not relevant:
        label = "no_evidence"
        flags.append("no_evidence_found")
        confidence = 0.6 if judged else 0.5
    elif strong:
        label = "evidence_found"
        confidence = min(0.9, 0.55 + 0.1 * len(strong))
    else:
        label = "limited_evidence"
        confidence = min(0.8, 0.5 + 0.05 * len(relevant))
        if not clinical and claim_type in HUMAN_OUTCOME_TYPES:
            flags.append("preclinical_only")
        elif certainty != "hedged":
            # a hedged claim ("may help") on weak evidence is worded as it should be
            flags.append("weak_evidence_only")

    if certainty == "absolute":
        flags.append("absolute_language")
        if label != "evidence_found":
            label = "overstated"
            flags.append("overstated_certainty")
    if any(e.hit.is_retracted for e in judged):
        flags.append("retracted_evidence")
    if claim_type in {"duration", "magnitude", "prevalence"} and not strong:
        flags.append("specific_figure_unverified")
    if claim_type == "cited_source" and not relevant:
        flags.append("cited_source_not_found")

    return Verdict(label, round(confidence, 2), flags, _explain(judged, relevant, strong, certainty))


def _explain(judged, relevant, strong, certainty) -> str:
    if not judged:
        return "No PubMed record in the reference table matched the claim's words."
    parts = [f"{len(relevant)} of {len(judged)} retrieved PubMed records are on the claim's topic."]
    if relevant:
        best = max(relevant, key=lambda e: (design_weight(e.hit.study_design), -e.rank))
        parts.append(f"Best design: {design_label(best.hit.study_design)} (PMID {best.hit.pmid}"
                     f"{', ' + str(best.hit.pub_year) if best.hit.pub_year else ''}).")
        if not strong:
            parts.append("No clinical trial, systematic review or meta-analysis among them.")
    retracted = [e.hit.pmid for e in judged if e.hit.is_retracted]
    if retracted:
        parts.append("Retracted: " + ", ".join(f"PMID {p}" for p in retracted) + ".")
    if certainty == "absolute":
        parts.append("The claim is worded as certain.")
    return " ".join(parts)
