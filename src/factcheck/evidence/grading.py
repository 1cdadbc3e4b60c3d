"""How much a PubMed record's study design counts as evidence, as named data.

The weights follow the usual evidence hierarchy (systematic reviews and meta-analyses of
trials on top; case reports, animal and in-vitro work at the bottom). They grade evidence
*strength*, not direction: a strong study on the claim's topic may still contradict it,
which is why the verdict labels speak of evidence found, not of truth.
"""

from __future__ import annotations

DESIGN_WEIGHT: dict[str, float] = {
    "meta_analysis": 1.0,
    "systematic_review": 0.95,
    "rct": 0.9,
    "guideline": 0.85,
    "clinical_trial": 0.7,
    "observational": 0.5,
    "narrative_review": 0.35,
    "other": 0.3,
    "case_report": 0.2,
    "animal": 0.15,
    "in_vitro": 0.1,
}

DESIGN_LABEL: dict[str, str] = {
    "meta_analysis": "meta-analysis",
    "systematic_review": "systematic review",
    "rct": "randomized controlled trial",
    "guideline": "practice guideline",
    "clinical_trial": "clinical trial",
    "observational": "observational study",
    "narrative_review": "narrative review",
    "other": "other publication",
    "case_report": "case report",
    "animal": "animal study",
    "in_vitro": "in-vitro study",
}

# A relevant record at or above this weight is "strong" evidence (clinical trials and up).
STRONG_WEIGHT = 0.7
# Designs that say nothing about effects in people.
PRECLINICAL = frozenset({"animal", "in_vitro"})


def design_weight(design: str | None) -> float:
    return DESIGN_WEIGHT.get(design or "other", DESIGN_WEIGHT["other"])


def design_label(design: str | None) -> str:
    return DESIGN_LABEL.get(design or "other", design or "other publication")
