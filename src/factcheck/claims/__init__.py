"""Stage 3: health-claim extraction.

``extract_claims(body_text, mesh_vocabulary=None) -> list[Claim]`` finds the sentences of a cleaned
article body that assert something testable about health (efficacy, mechanism, safety, duration,
magnitude, prevalence, or a cited source), with a check-worthiness score and reason, certainty,
polarity, intervention/condition/outcome and MeSH concepts. Rules are data in ``rules.py``; the
synonym list is ``synonyms.py``; see ``docs/claims.md``.
"""

from .claim import CERTAINTIES, CLAIM_TYPES, POLARITIES, Claim
from .classify import Judgement, judge
from .extract import extract_claims, judge_sentences
from .facts import citation, figure_reported, figure_values, figures
from .mesh import EntityMatcher, Mention, synonyms_of
from .segment import Span, segment_sentences
from .synonyms import BROADER

# What other stages may use of this one (an import contract, pyproject.toml, keeps them to it).
__all__ = [
    "BROADER",
    "CERTAINTIES",
    "CLAIM_TYPES",
    "POLARITIES",
    "Claim",
    "EntityMatcher",
    "Judgement",
    "Mention",
    "Span",
    "citation",
    "extract_claims",
    "figure_reported",
    "figure_values",
    "figures",
    "judge",
    "judge_sentences",
    "segment_sentences",
    "synonyms_of",
]
