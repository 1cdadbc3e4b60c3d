"""Entity mentions and their MeSH concepts.

``EntityMatcher`` finds intervention, condition and outcome mentions in a sentence using the
maintained synonym list (``synonyms.py``) and, when given, the MeSH vocabulary of the PubMed table
(``SELECT DISTINCT unnest(mesh_terms) FROM pubmed``). A descriptor from the synonym list is kept
when the vocabulary is absent or contains it; a descriptor the vocabulary lacks is replaced by the
first broader or sibling descriptor it does contain (``CRPS`` -> ``Reflex Sympathetic Dystrophy``
in a 1970s sample), otherwise kept, so the claim is still labelled when the table is small.
Descriptors written verbatim in the sentence ("Fatigue", "Nausea") are added from the vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping

from .rules import GENERIC_INTERVENTION
from .synonyms import BROADER, ROLES

# Vocabulary headings too generic to be worth a concept when written verbatim in a sentence.
_GENERIC_HEADINGS = frozenset(
    "humans male female adult aged child time therapeutics methods research patients pain "
    "disease syndrome risk role brain body work life health people population treatment "
    "outcome efficacy safety control records".split()
)


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention: role (intervention/condition/outcome/vocabulary), surface text, char
    offsets within the sentence, and the MeSH descriptor it normalises to ("" for an intervention
    recognised only by its shape, such as "steroid injections" or "lecanemab")."""

    role: str
    text: str
    start: int
    end: int
    descriptor: str


def _surface_pattern(forms: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(set(forms), key=len, reverse=True)
    body = "|".join(re.escape(f).replace(r"\ ", r"[\s-]+") for f in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=1)
def _role_tables() -> tuple[tuple[str, re.Pattern[str], dict[str, str]], ...]:
    tables = []
    for role, mapping in ROLES.items():
        lookup: dict[str, str] = {}
        for descriptor, forms in mapping.items():
            for form in forms:
                lookup.setdefault(_norm(form), descriptor)
        tables.append((role, _surface_pattern(lookup), lookup))
    return tuple(tables)


def _norm(text: str) -> str:
    return re.sub(r"[\s-]+", " ", text.lower()).strip()


class EntityMatcher:
    """Finds entity mentions and normalises them; build once per vocabulary and reuse."""

    def __init__(self, mesh_vocabulary: Iterable[str] | None = None) -> None:
        self.vocabulary: dict[str, str] | None = None
        self._verbatim: re.Pattern[str] | None = None
        if mesh_vocabulary is not None:
            self.vocabulary = {}
            for term in mesh_vocabulary:
                if term and isinstance(term, str):
                    self.vocabulary.setdefault(_norm(term), term)
            verbatim = [
                t for key, t in self.vocabulary.items()
                if len(key) >= 4 and key not in _GENERIC_HEADINGS and "," not in key
                and re.fullmatch(r"[\w' -]+", key)
            ]
            if verbatim:
                self._verbatim = _surface_pattern(verbatim)

    def normalise(self, descriptor: str) -> str:
        """The descriptor as the PubMed table spells it, or its broader relative it holds."""
        if self.vocabulary is None:
            return descriptor
        found = self.vocabulary.get(_norm(descriptor))
        if found:
            return found
        for related in BROADER.get(descriptor, ()):
            found = self.vocabulary.get(_norm(related))
            if found:
                return found
        return descriptor

    def mentions(self, sentence: str) -> list[Mention]:
        """Entity mentions in ``sentence``, longest first where they overlap, in text order."""
        found: list[Mention] = []
        taken: list[tuple[int, int]] = []

        def free(a: int, b: int) -> bool:
            return all(b <= s or a >= e for s, e in taken)

        candidates: list[Mention] = []
        for role, pattern, lookup in _role_tables():
            for m in pattern.finditer(sentence):
                descriptor = lookup.get(_norm(m.group(0)), "")
                if descriptor:
                    candidates.append(Mention(role, m.group(0), m.start(), m.end(),
                                              self.normalise(descriptor)))
        if self._verbatim is not None:
            assert self.vocabulary is not None
            for m in self._verbatim.finditer(sentence):
                term = self.vocabulary.get(_norm(m.group(0)))
                if term:
                    candidates.append(Mention("vocabulary", m.group(0), m.start(), m.end(), term))
        for cand in sorted(candidates, key=lambda c: (-(c.end - c.start), c.start)):
            if free(cand.start, cand.end):
                found.append(cand)
                taken.append((cand.start, cand.end))
        if not any(m.role == "intervention" for m in found):
            for m in GENERIC_INTERVENTION.finditer(sentence):
                if free(m.start(), m.end()):
                    found.append(Mention("intervention", m.group(0), m.start(), m.end(), ""))
                    break
        return sorted(found, key=lambda c: c.start)


def synonyms_of(descriptor: str) -> tuple[str, ...]:
    """Surface forms listed for ``descriptor`` in any role (for query expansion)."""
    forms: list[str] = []
    for mapping in ROLES.values():
        forms.extend(mapping.get(descriptor, ()))
    return tuple(forms)


def descriptor_table() -> Mapping[str, Mapping[str, tuple[str, ...]]]:
    """The synonym list by role (read-only view for docs and tests)."""
    return ROLES
