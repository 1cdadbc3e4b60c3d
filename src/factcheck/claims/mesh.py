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
from typing import Iterable

from .rules import GENERIC_INTERVENTION
from .synonyms import BROADER, IDIOMS, ROLES

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


_VOCAB_WORD = re.compile(r"[\w']+")


def _norm(text: str) -> str:
    return re.sub(r"[\s-]+", " ", text.lower()).strip()


class EntityMatcher:
    """Finds entity mentions and normalises them; build once per vocabulary and reuse."""

    def __init__(self, mesh_vocabulary: Iterable[str] | None = None) -> None:
        self.vocabulary: dict[str, str] | None = None
        # headings that may stand verbatim in prose ("Nausea", "Spinal Cord Stimulation"),
        # keyed by their normalised words; looked up by word n-grams, not one huge regex
        self._verbatim: dict[str, str] = {}
        self._longest = 0
        if mesh_vocabulary is not None:
            self.vocabulary = {}
            for term in mesh_vocabulary:
                if term and isinstance(term, str):
                    self.vocabulary.setdefault(_norm(term), term)
            for key, term in self.vocabulary.items():
                if (len(key) >= 4 and key not in _GENERIC_HEADINGS and "," not in key
                        and re.fullmatch(r"[\w' -]+", key)):
                    self._verbatim[key] = term
                    self._longest = max(self._longest, len(key.split()))

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

        def take(cands: list[Mention]) -> None:
            for cand in sorted(cands, key=lambda c: (-(c.end - c.start), c.start)):
                if free(cand.start, cand.end):
                    found.append(cand)
                    taken.append((cand.start, cand.end))

        for m in IDIOMS.finditer(sentence):
            taken.append((m.start(), m.end()))
        candidates: list[Mention] = []
        for role, pattern, lookup in _role_tables():
            for m in pattern.finditer(sentence):
                descriptor = lookup.get(_norm(m.group(0)), "")
                if descriptor:
                    candidates.append(Mention(role, m.group(0), m.start(), m.end(),
                                              self.normalise(descriptor)))
        take(candidates)
        if not any(m.role == "intervention" for m in found):
            for m in GENERIC_INTERVENTION.finditer(sentence):
                if free(m.start(), m.end()):
                    take([Mention("intervention", m.group(0), m.start(), m.end(), "")])
                    break
        if self._verbatim:
            words = list(_VOCAB_WORD.finditer(sentence))
            extra = []
            for i in range(len(words)):
                for n in range(1, min(self._longest, len(words) - i) + 1):
                    start, end = words[i].start(), words[i + n - 1].end()
                    term = self._verbatim.get(_norm(sentence[start:end]))
                    if term:
                        text = sentence[start:end]
                        role = ("intervention" if GENERIC_INTERVENTION.fullmatch(text)
                                else "vocabulary")
                        extra.append(Mention(role, text, start, end, term))
            # a shape-only intervention that is itself a heading gets that heading
            for i, m in enumerate(found):
                if m.role == "intervention" and not m.descriptor:
                    same = [e for e in extra if (e.start, e.end) == (m.start, m.end)]
                    if same:
                        found[i] = Mention("intervention", m.text, m.start, m.end,
                                           same[0].descriptor)
            take(extra)
        return sorted(found, key=lambda c: c.start)


_MATCHERS: dict[frozenset[str] | None, EntityMatcher] = {}


def matcher_for(mesh_vocabulary: Iterable[str] | None) -> EntityMatcher:
    """A cached ``EntityMatcher`` for this vocabulary (building one compiles a large pattern,
    and the pipeline calls ``extract_claims`` once per article with the same vocabulary)."""
    key = None if mesh_vocabulary is None else frozenset(
        t for t in mesh_vocabulary if isinstance(t, str))
    matcher = _MATCHERS.get(key)
    if matcher is None:
        if len(_MATCHERS) >= 4:
            _MATCHERS.clear()
        matcher = _MATCHERS[key] = EntityMatcher(key)
    return matcher


def synonyms_of(descriptor: str) -> tuple[str, ...]:
    """Surface forms listed for ``descriptor`` in any role (for query expansion)."""
    forms: list[str] = []
    for mapping in ROLES.values():
        forms.extend(mapping.get(descriptor, ()))
    return tuple(forms)
