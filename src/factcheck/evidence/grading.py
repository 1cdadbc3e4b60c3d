"""How much a PubMed record can count for or against a claim, as named data.

A record's weight depends on the claim's type, not only on its study design:

- A claim about what happens to people (efficacy, safety, duration, size of effect,
  prevalence, a cited finding) is weighed on the clinical ladder: meta-analyses and
  systematic reviews of trials on top, case reports at the bottom. Only studies in people
  that report results count at all: a trial *protocol* or design paper (no results yet), a
  record without an abstract, a narrative review (no results of its own), and animal or
  in-vitro work do not. Preclinical support is kept aside: it sets ``preclinical_only``.
- A mechanism or pharmacology claim ("ketamine is an NMDA receptor antagonist") is weighed on
  the pharmacology ladder: laboratory and animal work is how mechanisms are shown, so it
  counts nearly as much as a trial, and a review stating the pharmacology counts too.
- A claim about animals or cells ("ketamine regrew synapses in mice", "in cell cultures,
  curcumin killed tumour cells") is weighed on the pharmacology ladder whatever its type:
  animal or in-vitro work is the evidence it asks for, not a shortfall (``graded_type``).
- A retracted record never counts (it sets ``retracted_evidence``).

Study design comes from ``pubmed.study_design`` (publication types and MeSH, see
``factcheck.pubmed.design``), corrected here from the record's own text where the index is
silent: 2021 records mostly carry no MeSH yet, so "in rats" or "HEK293 cells" in the
abstract, or "study protocol" in the title, must be read from the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Weight of each design for a claim about effects in people (None: does not count).
CLINICAL_WEIGHT: dict[str, float | None] = {
    "meta_analysis": 1.0,
    "systematic_review": 0.95,
    "rct": 0.9,
    "guideline": 0.85,
    "clinical_trial": 0.7,
    "observational": 0.5,
    "other": 0.3,            # unindexed records in people: design unknown, results reported
    "case_report": 0.2,
    "narrative_review": None,
    "animal": None,
    "in_vitro": None,
    "protocol": None,
}

#: Weight of each design for a mechanism or pharmacology claim.
MECHANISM_WEIGHT: dict[str, float | None] = {
    "meta_analysis": 1.0,
    "systematic_review": 0.95,
    "rct": 0.9,
    "clinical_trial": 0.85,
    "in_vitro": 0.8,
    "animal": 0.8,
    "guideline": 0.75,
    "narrative_review": 0.7,
    "observational": 0.6,
    "other": 0.6,
    "case_report": 0.4,
    "protocol": None,
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
    "protocol": "trial protocol",
}

#: What absolute wording ("cures", "proven", "always") needs behind it, whatever the ladder: a
#: clinical trial or better (on the mechanism ladder an animal study outweighs a trial).
TRIAL_OR_BETTER = frozenset({"meta_analysis", "systematic_review", "rct", "guideline",
                             "clinical_trial"})
#: Designs that say nothing directly about effects in people.
PRECLINICAL = frozenset({"animal", "in_vitro"})
#: Claim types about what happens to people (graded on the clinical ladder).
HUMAN_OUTCOME_TYPES = frozenset({"efficacy", "safety", "duration", "magnitude", "prevalence",
                                 "cited_source"})
MECHANISM_TYPES = frozenset({"mechanism"})

# --- reading the design from the text --------------------------------------------------------

#: Publication types of records that report no results.
NO_RESULT_TYPES = frozenset({"Clinical Trial Protocol", "Published Erratum", "Retraction of Publication",
                             "Comment", "Editorial", "Letter", "News", "Interview"})

#: A trial protocol or design paper: the study is planned or under way, no results yet.
PROTOCOL = re.compile(
    r"\b(?:study|trial|research|review) protocol\b|\bprotocol (?:for|of) (?:a|an|the)\b"
    r"|\b(?:design|rationale) and (?:design|rationale|methods?)\b"
    r"|\b(?:this|the|our) (?:study|trial|review) (?:will|aims to|is designed to)\b"
    r"|\bwe will (?:recruit|randomi[sz]e|enrol|enroll|assess|evaluate|conduct|investigate|"
    r"include|search|compare|measure)\b|\bwill be (?:randomi[sz]ed|recruited|enrolled|"
    r"allocated|assigned)\b|\b(?:trial|study) registration\b.{0,40}\b(?:ongoing|recruiting)\b",
    re.IGNORECASE)

ANIMAL_WORDS = re.compile(
    r"\b(?:rats?|mice|mouse|murine|rodents?|rabbits?|dogs?|canine|cats?|feline|pigs?|piglets?|"
    r"porcine|swine|sheep|ovine|monkeys?|macaques?|primates?|zebrafish|drosophila|guinea pigs?|"
    r"hamsters?|ferrets?|horses?|equine|bovine|cattle|calves|lambs?|goats?|chicks?|animal "
    r"models?|(?:in|of) animals|wistar|sprague[- ]dawley|c57bl)\b", re.IGNORECASE)
IN_VITRO_WORDS = re.compile(
    r"\b(?:in vitro|cell lines?|cultured (?:cells|neurons|astrocytes|cardiomyocytes|hepatocytes)|"
    r"cell cultures?|organoids?|hek ?293|hela|sh-sy5y|pc12|caco-2|hepg2|primary cultures?)\b",
    re.IGNORECASE)
HUMAN_WORDS = re.compile(
    r"\b(?:patients?|participants?|volunteers?|subjects|men|women|children|adolescents|adults|"
    r"infants|neonates|humans?|people|persons|individuals|outpatients|inpatients|veterans|"
    r"pregnan\w+|cohort|trial|clinic(?:al)?)\b", re.IGNORECASE)

#: A claim's own words saying what it is about is animals or cells: narrower than
#: ``ANIMAL_WORDS``, which reads abstracts ("stretch your calves" is about people).
PRECLINICAL_SUBJECT = re.compile(
    r"\b(?:in|of|on|to|given to|fed to) (?:lab(?:oratory)? )?(?:rats|mice|rodents|animals|"
    r"monkeys|primates|zebrafish|animal models?|cell cultures?|cell lines?|cultured cells|"
    r"(?:a |the )?(?:lab|laboratory|petri dish(?:es)?|test tubes?))\b"
    r"|\b(?:animal|rodent|mouse|rat|in[- ]vitro|laboratory|lab|preclinical|cell[- ]culture) "
    r"(?:stud(?:y|ies)|experiments?|research|models?|work|trials?)\b"
    r"|\bin[- ]vitro\b|^\W*(?:rats|mice|rodents|lab animals)\b", re.IGNORECASE)


def graded_type(claim_type: str, sentence: str | None) -> str:
    """The claim type whose ladder grades the evidence for a claim: ``mechanism`` for a claim
    about people's outcomes whose own words say it is about animals or cells and not about
    people ("A 2019 study found that ketamine regrew synapses in mice"), else ``claim_type``.

    Such a claim is not about people, so an animal study is the evidence it asks for: on the
    clinical ladder it could never count, and the claim would be flagged ``preclinical_only``
    for the very thing it says."""
    if claim_type not in HUMAN_OUTCOME_TYPES or not sentence:
        return claim_type
    if PRECLINICAL_SUBJECT.search(sentence) and not HUMAN_WORDS.search(sentence):
        return "mechanism"
    return claim_type


@dataclass(frozen=True)
class Grade:
    design: str                # design as graded
    counts: bool               # may count for or against the claim at all
    weight: float              # 0..1 on the ladder of the claim's type (0 when it does not count)
    note: str | None = None    # why it does not count, in plain words


def read_design(study_design: str | None, title: str | None, abstract: str | None,
                mesh_terms: list[str] | None = None, publication_types: list[str] | None = None
                ) -> str:
    """The design to grade: ``study_design`` corrected from the record's words (a protocol;
    an animal or in-vitro study that NLM has not indexed yet)."""
    design = study_design or "other"
    types = set(publication_types or ())
    text = " ".join(t for t in (title, abstract) if t)
    if "Clinical Trial Protocol" in types or (title and PROTOCOL.search(title)) or \
            (abstract and not _reports_results(abstract) and PROTOCOL.search(abstract)):
        return "protocol"
    mesh = set(mesh_terms or ())
    if design in PRECLINICAL or design in ("meta_analysis", "systematic_review", "guideline"):
        return design
    if "Humans" in mesh:
        return design
    if "Animals" in mesh:
        return "animal"
    animal = len(ANIMAL_WORDS.findall(text))
    in_vitro = len(IN_VITRO_WORDS.findall(text))
    human = len(HUMAN_WORDS.findall(text))
    if animal and animal > human:
        return "animal"
    if in_vitro and not human and not animal:
        return "in_vitro"
    return design


_RESULT_WORDS = re.compile(r"\b(?:RESULTS?:|we found|were found|was found|significantly|"
                           r"p ?[<=] ?0?\.\d|95% ?ci|odds ratio|hazard ratio|compared with)",
                           re.IGNORECASE)


def _reports_results(abstract: str) -> bool:
    return bool(_RESULT_WORDS.search(abstract))


def grade(*, study_design: str | None, claim_type: str, title: str | None, abstract: str | None,
          is_retracted: bool = False, mesh_terms: list[str] | None = None,
          publication_types: list[str] | None = None) -> Grade:
    """How much one record can count for or against a claim of ``claim_type``."""
    design = read_design(study_design, title, abstract, mesh_terms, publication_types)
    if is_retracted:
        return Grade(design, False, 0.0, "retracted: it cannot count as evidence")
    if design == "protocol":
        return Grade(design, False, 0.0, "a trial protocol or design paper: no results yet")
    types = set(publication_types or ())
    if types and types <= NO_RESULT_TYPES | {"Journal Article"} and types & NO_RESULT_TYPES:
        kind = sorted(types & NO_RESULT_TYPES)[0].lower()
        return Grade(design, False, 0.0, f"a {kind}: reports no results")
    if claim_type in MECHANISM_TYPES:
        weight = MECHANISM_WEIGHT.get(design, MECHANISM_WEIGHT["other"])
        if weight is None:
            return Grade(design, False, 0.0, f"a {DESIGN_LABEL.get(design, design)}")
        return Grade(design, True, weight)
    if not abstract or not abstract.strip():
        return Grade(design, False, 0.0, "no abstract: its results cannot be read")
    weight = CLINICAL_WEIGHT.get(design, CLINICAL_WEIGHT["other"])
    if weight is None:
        reason = {"narrative_review": "a narrative review: no results of its own",
                  "animal": "an animal study: says nothing directly about people",
                  "in_vitro": "an in-vitro study: says nothing directly about people"}
        return Grade(design, False, 0.0, reason.get(design, DESIGN_LABEL.get(design, design)))
    return Grade(design, True, weight)


def design_label(design: str | None) -> str:
    return DESIGN_LABEL.get(design or "other", design or "other publication")


# Back-compatible name for code that weighed designs without a claim type.
DESIGN_WEIGHT = {k: (v if v is not None else 0.1) for k, v in CLINICAL_WEIGHT.items()}


def design_weight(design: str | None) -> float:
    return DESIGN_WEIGHT.get(design or "other", DESIGN_WEIGHT["other"])
