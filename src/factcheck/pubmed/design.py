"""Study design of a PubMed record, from its publication types, MeSH and (as a last resort)
its title. The design feeds evidence grading: a meta-analysis weighs more than a case report,
and an animal or in-vitro study says little about a claim made to people.

The rules are data: each :class:`DesignRule` names the publication types, MeSH descriptors
and title phrases that mark one design, and :data:`RULES` lists them in order of precedence
(strongest evidence first). The first rule that matches wins. To add a cue, add it to the
vocabulary of the rule it belongs to; every rule has a test in ``tests/pubmed/test_design.py``.

Two guards sit between the rules:
- A record indexed with the MeSH check tag "Animals" but not "Humans" (or typed as a
  veterinary trial) is an animal study whatever trial type it carries, unless it is a
  pooled analysis (meta-analysis, systematic review) or a guideline.
- Title phrases (and the same phrases in the METHODS section of a structured abstract) are
  used only for records that NLM has not indexed yet (no MeSH and no publication type
  beyond the generic ones): daily update files are mostly such records, and their titles
  ("…: a randomized controlled trial") and methods ("In a randomized, controlled trial, we
  assigned…") are then the best cue there is. Other abstract sections are not used: their
  background sentences cite other designs ("previous meta-analyses showed…").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DESIGNS = (
    "meta_analysis", "systematic_review", "rct", "clinical_trial", "observational",
    "case_report", "narrative_review", "guideline", "animal", "in_vitro", "other",
)


@dataclass(frozen=True)
class DesignRule:
    design: str
    publication_types: frozenset[str] = frozenset()
    mesh: frozenset[str] = frozenset()
    title: re.Pattern[str] | None = None
    needs_humans: bool = True   # skipped for animal-only records
    comment: str = ""

    def __post_init__(self) -> None:
        if self.design not in DESIGNS:
            raise ValueError(f"unknown study design {self.design!r}")
        if not (self.publication_types or self.mesh or self.title):
            raise ValueError(f"rule {self.design!r} has no cue at all")


def _words(*phrases: str) -> re.Pattern[str]:
    """A case-insensitive pattern matching any of ``phrases`` (regex syntax) as whole words."""
    if not phrases:
        raise ValueError("empty phrase group")
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


def _set(*items: str) -> frozenset[str]:
    if not items:
        raise ValueError("empty vocabulary")
    return frozenset(items)


#: Publication types that say nothing about design: a record with only these is "unindexed"
#: for the purpose of the title rules.
GENERIC_TYPES = _set(
    "Journal Article", "English Abstract", "Research Support, Non-U.S. Gov't",
    "Research Support, U.S. Gov't, P.H.S.", "Research Support, U.S. Gov't, Non-P.H.S.",
    "Research Support, N.I.H., Extramural", "Research Support, N.I.H., Intramural",
    "Research Support, American Recovery and Reinvestment Act", "Comparative Study",
    "Multicenter Study", "Evaluation Study", "Validation Study", "Preprint",
)

#: Publication types that still let title and methods phrases decide: NLM's indexers often
#: type a new meta-analysis or systematic review just "Review" before refining it.
TITLE_CUE_TYPES = GENERIC_TYPES | {"Review"}

#: MeSH check tags: who or what was studied.
HUMANS = "Humans"
ANIMALS = "Animals"
#: Publication types of trials in animals.
VETERINARY_TYPES = _set("Randomized Controlled Trial, Veterinary", "Clinical Trial, Veterinary",
                        "Observational Study, Veterinary")

RULES: tuple[DesignRule, ...] = (
    # Pooled analyses of several studies: top of the evidence pyramid.
    DesignRule("meta_analysis",
               publication_types=_set("Meta-Analysis", "Network Meta-Analysis"),
               title=_words(r"meta-?analys[ie]s", r"meta-?regression", r"pooled analysis"),
               needs_humans=False,
               comment="pooled statistical analysis of several studies"),
    DesignRule("systematic_review",
               publication_types=_set("Systematic Review"),
               title=_words(r"systematic(?:al)? (?:literature )?review", r"umbrella review",
                            r"scoping review", r"cochrane review"),
               needs_humans=False,
               comment="review with a declared search and selection method"),
    # Recommendations of a body of experts.
    DesignRule("guideline",
               publication_types=_set("Guideline", "Practice Guideline",
                                      "Consensus Development Conference",
                                      "Consensus Development Conference, NIH"),
               title=_words(r"(?:clinical )?practice guidelines?", r"consensus statement",
                            r"guidelines? for the (?:management|treatment|diagnosis)"),
               needs_humans=False,
               comment="practice guidelines and consensus statements"),
    # Studies in animals: graded low for claims made to people.
    DesignRule("animal",
               publication_types=VETERINARY_TYPES,
               title=_words(r"in (?:rats?|mice|mouse|dogs?|pigs?|rabbits?|monkeys?|sheep|"
                            r"zebrafish|primates|rodents|animals?)", r"murine", r"rodent model",
                            r"animal model"),
               needs_humans=False,
               comment="veterinary trial types; title cues for unindexed records"),
    DesignRule("rct",
               publication_types=_set("Randomized Controlled Trial", "Pragmatic Clinical Trial",
                                      "Equivalence Trial"),
               mesh=_set("Random Allocation"),
               title=_words(r"randomi[sz]ed(?:,)? (?:\w+[- ])*(?:controlled |clinical )?trial",
                            r"randomi[sz]ed(?:,)? (?:double|single|triple)-blind(?:ed)?",
                            r"placebo-controlled"),
               comment="randomised trials"),
    DesignRule("clinical_trial",
               publication_types=_set("Clinical Trial", "Clinical Trial, Phase I",
                                      "Clinical Trial, Phase II", "Clinical Trial, Phase III",
                                      "Clinical Trial, Phase IV", "Controlled Clinical Trial",
                                      "Adaptive Clinical Trial", "Clinical Trial Protocol"),
               mesh=_set("Double-Blind Method", "Single-Blind Method", "Cross-Over Studies"),
               title=_words(r"(?:clinical|pilot|open-label|single-arm|phase (?:i|ii|iii|iv|[1-4]))"
                            r" (?:\w+ )?(?:trial|study)", r"non-?randomi[sz]ed trial"),
               comment="non-randomised or unspecified interventional trials"),
    DesignRule("observational",
               publication_types=_set("Observational Study", "Twin Study"),
               mesh=_set("Cohort Studies", "Prospective Studies", "Retrospective Studies",
                         "Case-Control Studies", "Cross-Sectional Studies",
                         "Longitudinal Studies", "Follow-Up Studies", "Incidence", "Prevalence",
                         "Epidemiologic Studies", "Health Surveys", "Registries"),
               title=_words(r"cohort study", r"case-control study", r"cross-sectional",
                            r"retrospective (?:\w+ )?(?:study|analysis|review)",
                            r"prospective (?:\w+ )?study", r"population-based", r"registry",
                            r"nationwide study", r"observational"),
               comment="cohort, case-control, cross-sectional, registry studies"),
    DesignRule("case_report",
               publication_types=_set("Case Reports"),
               title=_words(r"case reports?", r"a case of", r"case series", r"report of (?:a|two|three) cases?"),
               comment="single patients or small case series"),
    # Laboratory work on cells or tissues, whatever the species.
    DesignRule("in_vitro",
               mesh=_set("In Vitro Techniques", "Cells, Cultured", "Cell Line", "Cell Line, Tumor",
                         "Tissue Culture Techniques", "Cell Culture Techniques"),
               title=_words(r"in vitro", r"cell lines?", r"cultured cells"),
               needs_humans=False,
               comment="cell and tissue culture studies"),
    DesignRule("narrative_review",
               publication_types=_set("Review", "Lecture"),
               title=_words(r"a review", r"an overview", r"narrative review", r"literature review",
                            r"state of the art", r"current concepts"),
               needs_humans=False,
               comment="reviews and opinion without a systematic method"),
)


#: Any rule's title phrase: a title or methods text this does not match cannot match a single
#: rule, so the rules' patterns are tried one by one only on texts that it does match (most
#: unindexed records match none: one search instead of one per rule). The phrases are lower
#: case, so it runs case-sensitively on the lower-cased text: 2.5 times faster than
#: ``re.IGNORECASE`` over the titles and methods of an NLM update file.
_ANY_TITLE_CUE = re.compile("|".join(f"(?:{rule.title.pattern})" for rule in RULES
                                     if rule.title is not None))


def _animal_only(publication_types: set[str], mesh_terms: set[str]) -> bool:
    if not VETERINARY_TYPES.isdisjoint(publication_types):
        return True
    return ANIMALS in mesh_terms and HUMANS not in mesh_terms


def study_design(publication_types: Iterable[str] | None, mesh_terms: Iterable[str] | None,
                 title: str | None = None, methods: str | None = None) -> str:
    """One of :data:`DESIGNS` for a record with these publication types, MeSH descriptors,
    title and (optionally) the METHODS part of its structured abstract; ``"other"`` when no
    rule matches. Title and methods phrases count only for records NLM has not indexed."""
    types = set(publication_types or ())
    mesh = set(mesh_terms or ())
    unindexed = not mesh and types <= TITLE_CUE_TYPES
    animal_only = _animal_only(types, mesh)
    texts = [t for t in (title, methods) if t and _ANY_TITLE_CUE.search(t.lower())] if unindexed else []
    for rule in RULES:
        if rule.needs_humans and animal_only:
            continue
        if not rule.publication_types.isdisjoint(types) or not rule.mesh.isdisjoint(mesh):
            return rule.design
        if texts and rule.title is not None and any(rule.title.search(t) for t in texts):
            return rule.design
    # Animal-only records that no rule above claimed (the usual case: MeSH "Animals" and
    # no trial type) are animal studies.
    return "animal" if animal_only else "other"


def rules_for(design: str) -> Sequence[DesignRule]:
    """The rules that produce ``design`` (for documentation and tests)."""
    return [rule for rule in RULES if rule.design == design]
