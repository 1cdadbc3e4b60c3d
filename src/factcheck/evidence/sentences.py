"""An abstract's sentences, each with the section it belongs to.

PubMed stores structured abstracts with their section labels at line starts
("BACKGROUND: …", "RESULTS: …"; see ``factcheck.pubmed.parse``). Which section a sentence
comes from matters: a result or a conclusion can decide whether a study supports a claim
about an outcome, a background sentence only reports what others found, and a methods
sentence decides nothing. Unstructured abstracts get no section (``None``).

The splitter is a regular expression tuned for scientific prose (no split after "et al.",
"e.g.", "vs.", "Fig.", a decimal point or an initial), because it runs on every retrieved
abstract of every claim and must cost microseconds, not the milliseconds of a general
sentence segmenter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Section labels NLM normalises structured abstracts to (NlmCategory), and their common
# author wordings, mapped to the four roles that matter here.
SECTION_ROLES: dict[str, str] = {
    "BACKGROUND": "background", "INTRODUCTION": "background", "CONTEXT": "background",
    "RATIONALE": "background", "PURPOSE": "objective", "OBJECTIVE": "objective",
    "OBJECTIVES": "objective", "AIM": "objective", "AIMS": "objective",
    "METHODS": "methods", "METHOD": "methods", "DESIGN": "methods", "SETTING": "methods",
    "PARTICIPANTS": "methods", "PATIENTS": "methods", "INTERVENTIONS": "methods",
    "INTERVENTION": "methods", "MEASUREMENTS": "methods", "MAIN OUTCOME MEASURES": "methods",
    "MATERIALS AND METHODS": "methods", "PATIENTS AND METHODS": "methods",
    "SEARCH METHODS": "methods", "SELECTION CRITERIA": "methods",
    "DATA COLLECTION AND ANALYSIS": "methods", "DATA SOURCES": "methods",
    "STUDY SELECTION": "methods", "DATA EXTRACTION": "methods", "STUDY DESIGN": "methods",
    "TRIAL REGISTRATION": "methods", "ETHICS AND DISSEMINATION": "methods",
    "RESULTS": "results", "FINDINGS": "results", "MAIN RESULTS": "results",
    "OUTCOMES": "results", "MEASUREMENTS AND MAIN RESULTS": "results",
    "CONCLUSIONS": "conclusions", "CONCLUSION": "conclusions", "INTERPRETATION": "conclusions",
    "AUTHORS' CONCLUSIONS": "conclusions", "DISCUSSION": "conclusions",
    "CONCLUSIONS AND RELEVANCE": "conclusions", "IMPLICATIONS": "conclusions",
    "SIGNIFICANCE": "conclusions", "CLINICAL RELEVANCE": "conclusions",
}

_LABEL = re.compile(r"^\s*([A-Z][A-Z ,'&/]{2,60}):\s+", re.MULTILINE)
#: Publisher and registry lines that some records carry at the end of their abstract; they
#: are not part of the study and are dropped.
_NOT_ABSTRACT = re.compile(
    r"protected by copyright|all rights reserved|^©|\(c\) \d{4}|copyright \d{4}|"
    r"published by (?:elsevier|wiley|springer|oxford)|this article is an open access|"
    r"^(?:[A-Z]\.){1,3}(?:\s*(?:&|and)\s*(?:[A-Z]\.){1,3})?\s*$", re.IGNORECASE)
# A sentence ends at . ! or ? followed by space and an upper-case letter, digit or bracket,
# unless the word before the stop is a known abbreviation or a single capital (an initial).
_ABBREVIATIONS = frozenset(
    "al e.g i.e vs fig figs ref refs approx ca cf dr mr mrs ms no nos st vol eq eqs sp spp "
    "resp inc ltd co jr sr prof dept univ".split())
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=[\"“(\[]?[A-Z0-9])")


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    index: int                 # order in the abstract, from 0 (the title is not counted)
    section: str | None        # background | objective | methods | results | conclusions |
                               # other (a label of no known role) | None (unlabelled)


def _split_prose(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        before = text[start:m.start()].rstrip("\"”')] ")
        last = before.rsplit(None, 1)[-1] if before.split() else ""
        word = last.lstrip("([\"“").rstrip(".!?").lower()    # "(e.g." is "e.g"
        # an abbreviation, an initial, or a list number on its own ("1. Patients …"); a sentence
        # ending in a number ("… in 2013. The …") ends there
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or \
                re.fullmatch(r"\d+\.", before.strip()):
            continue
        piece = text[start:m.start()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def split_abstract(abstract: str | None) -> list[Sentence]:
    """The sentences of an abstract in order, with their section role where labelled."""
    if not abstract or not abstract.strip():
        return []
    parts: list[tuple[str | None, str]] = []
    labels = list(_LABEL.finditer(abstract))
    if labels:
        if labels[0].start() > 0:
            parts.append((None, abstract[:labels[0].start()]))
        for i, m in enumerate(labels):
            end = labels[i + 1].start() if i + 1 < len(labels) else len(abstract)
            # a label of no known role (AUTHOR CONTRIBUTIONS, FUNDING, …) is "other"
            parts.append((SECTION_ROLES.get(m.group(1).strip().upper(), "other"), abstract[m.end():end]))
    else:
        parts.append((None, abstract))
    sentences: list[Sentence] = []
    for section, chunk in parts:
        for line in chunk.splitlines():
            for piece in _split_prose(line):
                if not _NOT_ABSTRACT.search(piece):
                    sentences.append(Sentence(piece, len(sentences), section))
    return sentences
