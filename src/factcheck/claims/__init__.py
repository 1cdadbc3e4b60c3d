"""Stage 3: health-claim extraction.

``extract_claims(body_text, mesh_vocabulary=None) -> list[Claim]`` finds the sentences of a cleaned
article body that assert something testable about health (efficacy, mechanism, safety, duration,
magnitude, prevalence, or a cited source), with a check-worthiness score and reason, certainty,
polarity, intervention/condition/outcome and MeSH concepts. Rules are data in ``rules.py``; the
synonym list is ``synonyms.py``; see ``docs/claims.md``.
"""

from .classify import Judgement, judge
from .extract import extract_claims, judge_sentences
from .mesh import EntityMatcher, Mention
from .claim import CERTAINTIES, CLAIM_TYPES, POLARITIES, Claim
from .segment import Span, segment_sentences

__all__ = [
    "CERTAINTIES",
    "CLAIM_TYPES",
    "POLARITIES",
    "Claim",
    "EntityMatcher",
    "Judgement",
    "Mention",
    "Span",
    "extract_claims",
    "judge",
    "judge_sentences",
    "segment_sentences",
]
