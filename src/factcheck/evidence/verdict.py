"""Verdicts and editor flags for a claim, from the records read against it.

Labels (what each means for an editor):

- ``supported``: a record that can count for this claim (see ``grading``) supports it, and no
  record of clearly higher design contradicts it;
- ``contradicted``: a record that can count refutes it, and none of clearly higher design
  supports it;
- ``mixed``: records of comparable design both support and refute it;
- ``not_addressed``: the table holds records on the claim's topic, but none supports or
  refutes this assertion;
- ``no_coverage``: the table holds nothing on the claim's topic: a gap in the reference
  data, not a finding about the literature.

The confidence is a calibrated probability (``stance.json``'s abstract-level calibration):
for ``supported``, ``contradicted`` and ``mixed`` the probability that the deciding record
really says so; for ``not_addressed`` the probability that none of the records read (those on
the claim's topic: records off it are not read) bears on the claim, and
:data:`NOTHING_READ` when none of the records retrieved is on the topic (nothing was read to
tell); for ``no_coverage`` 1.0 (the table holds no record on the topic: a count, not a
reading). The explanation names the deciding PMIDs and quotes the deciding sentence of each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..store.rows import VerdictRow as Verdict
from .grading import HUMAN_OUTCOME_TYPES, PRECLINICAL, TRIAL_OR_BETTER, Grade, design_label
from .retrieve import Hit

LABELS = ("supported", "mixed", "contradicted", "not_addressed", "no_coverage")
#: Labels of verdicts written before migration 0004 (``verdicts.scheme = 1``).
OLD_LABELS = ("evidence_found", "limited_evidence", "no_evidence", "overstated")

# Editor flags, each with what it tells the editor. Only these strings are ever emitted.
FLAGS: dict[str, str] = {
    "overstated_certainty": "worded more firmly than the evidence in the table allows",
    "contradicted_by_stronger_evidence": "a study at least as strong as any support contradicts it",
    "preclinical_only": "a claim about people whose only support is animal or in-vitro work",
    "figure_not_found": "a figure it states (a duration, percentage, count) is in no supporting record",
    "cited_source_not_found": "no record that bears on it matches the study, journal or year it cites",
    "retracted_evidence": "a retracted publication bears on this claim",
}

#: A design this much stronger wins over the other side; closer ones make a ``mixed`` verdict.
DECISIVE_MARGIN = 0.25
#: "Only case reports or observational work": the strongest support weighs no more than this.
WEAK_SUPPORT = 0.5
#: The confidence of a ``not_addressed`` verdict for which no record on the claim's topic was
#: among those retrieved, so none was read: no reading tells either way.
NOTHING_READ = 0.5


@dataclass
class ReadRecord:
    """One retrieved record, read against the claim."""

    hit: Hit
    rank: int
    on_topic: bool
    grade: Grade
    stance: str = "neutral"          # supports | refutes | neutral
    p_support: float = 0.0           # calibrated, abstract level
    p_refute: float = 0.0
    quote: str | None = None         # the deciding sentence
    quote_section: str | None = None
    matched_terms: list[str] = field(default_factory=list)
    p_relevant: float = 0.0          # the model's highest probability that a sentence bears on it

    @property
    def p_bearing(self) -> float:
        return max(self.p_support, self.p_refute)


@dataclass
class ClaimFacts:
    """What the verdict needs to know of the claim itself."""

    claim_type: str
    certainty: str
    attribution: str = "own"
    figures: list[str] = field(default_factory=list)
    cited: str | None = None
    cited_years: list[int] = field(default_factory=list)
    cited_venues: list[str] = field(default_factory=list)
    #: what "on the claim's topic" means for it, in words (``retrieve.topic_description``)
    topic: str | None = None


def decide(records: Sequence[ReadRecord], claim: ClaimFacts, coverage: int | None = None,
           figure_found=None, cited_found: bool | None = None,
           cited_candidate: int | None = None) -> Verdict:
    """The verdict for one claim from its read records.

    ``coverage`` is the number of records of the table on the claim's topic (``None`` when the
    claim names no intervention: the retrieved records' own ``on_topic`` decide then).
    ``figure_found(record) -> bool`` says whether a record reports one of the claim's figures;
    ``cited_found`` whether a record matching the cited source bears on the claim (``None``:
    nothing cited); ``cited_candidate`` the PMID of a record retrieved for it that matches the
    cited source but was not read as bearing on it (the source is then in the table).
    """
    supporting = sorted((r for r in records if r.stance == "supports" and r.grade.counts),
                        key=lambda r: (-r.grade.weight, -r.p_support, r.rank))
    refuting = sorted((r for r in records if r.stance == "refutes" and r.grade.counts),
                      key=lambda r: (-r.grade.weight, -r.p_refute, r.rank))
    best_s = supporting[0].grade.weight if supporting else 0.0
    best_r = refuting[0].grade.weight if refuting else 0.0
    on_topic = (coverage > 0) if coverage is not None else any(r.on_topic for r in records)
    on_topic = on_topic or bool(supporting or refuting) or any(
        r.stance != "neutral" for r in records)

    if supporting and refuting:
        if best_r - best_s >= DECISIVE_MARGIN:
            label = "contradicted"
        elif best_s - best_r >= DECISIVE_MARGIN:
            label = "supported"
        else:
            label = "mixed"
    elif supporting:
        label = "supported"
    elif refuting:
        label = "contradicted"
    else:
        label = "not_addressed" if on_topic else "no_coverage"

    if label == "supported":
        deciding = supporting[:3]
        confidence = supporting[0].p_support
    elif label == "contradicted":
        deciding = refuting[:3]
        confidence = refuting[0].p_refute
    elif label == "mixed":
        deciding = supporting[:2] + refuting[:2]
        confidence = min(supporting[0].p_support, refuting[0].p_refute)
    elif label == "not_addressed" and not any(r.on_topic and r.quote for r in records):
        # nothing read: no record on the topic retrieved, or none with a sentence that names
        # what the claim is about (``read.sentences_to_read``)
        deciding = []
        confidence = NOTHING_READ
    else:
        deciding = []
        confidence = 1.0 - max((r.p_bearing for r in records if r.grade.counts), default=0.0)

    flags: list[tuple[str, str, list[int]]] = []
    if claim.attribution != "rejected":
        flags = _flags(label, claim, records, supporting, refuting, best_s, best_r, figure_found,
                       cited_found, cited_candidate)
    return Verdict(
        label=label, confidence=round(min(max(confidence, 0.0), 1.0), 3),
        flags=[f for f, _, _ in flags],
        flag_reasons=[_with_pmids(reason, pmids) for _, reason, pmids in flags],
        explanation=_explain(label, claim, records, deciding, coverage, on_topic),
        deciding_pmids=[r.hit.pmid for r in deciding], n_supporting=len(supporting),
        n_refuting=len(refuting), coverage=coverage)


def _with_pmids(reason: str, pmids: list[int]) -> str:
    if not pmids:
        return reason
    return f"{reason} (PMID {', '.join(str(p) for p in pmids[:5])})"


def _flags(label, claim: ClaimFacts, records, supporting, refuting, best_s, best_r, figure_found,
           cited_found, cited_candidate=None) -> list[tuple[str, str, list[int]]]:
    flags: list[tuple[str, str, list[int]]] = []
    human = claim.claim_type in HUMAN_OUTCOME_TYPES
    certainty = claim.certainty
    # a record that supports it but cannot count (a protocol, animal work for a claim about
    # people, a retracted record) is named in the explanation: "no record … that can count"
    can_count = (" that can count" if any(r.stance == "supports" and not r.grade.counts
                                           for r in records) else "")
    # absolute wording needs a clinical trial or better behind it, on any ladder (on the
    # mechanism ladder an animal study weighs more than a trial does on the clinical one)
    trial_backed = any(r.grade.design in TRIAL_OR_BETTER for r in supporting)
    overstated = None
    if certainty == "absolute" and not (label == "supported" and trial_backed):
        overstated = ("worded as certain, but no trial or review in the table supports it"
                      if label != "supported" else
                      "worded as certain, but its support is weaker than a clinical trial")
    elif certainty == "assertive" and label in ("not_addressed", "contradicted", "mixed"):
        overstated = {"not_addressed": f"stated as fact, but no record on its topic{can_count} supports it",
                      "contradicted": "stated as fact, but the evidence contradicts it",
                      "mixed": "stated as fact, but the evidence is mixed"}[label]
    elif certainty == "assertive" and label == "supported" and human and best_s <= WEAK_SUPPORT:
        overstated = ("stated as fact, but its only support is "
                      + design_label(supporting[0].grade.design) + " evidence")
    elif certainty == "hedged" and label in ("not_addressed", "contradicted"):
        overstated = (f"hedged, but no record on its topic{can_count} supports it" if label == "not_addressed"
                      else "hedged, but the evidence contradicts it")
    if overstated:
        flags.append(("overstated_certainty", overstated, [r.hit.pmid for r in supporting[:2]]))
    if refuting and best_r >= best_s:
        flags.append(("contradicted_by_stronger_evidence",
                      f"{design_label(refuting[0].grade.design)} evidence contradicts it",
                      [r.hit.pmid for r in refuting[:3]]))
    if human and not supporting:
        preclinical = [r for r in records if r.stance == "supports" and r.grade.design in PRECLINICAL]
        if preclinical:
            flags.append(("preclinical_only", "its only support is animal or in-vitro work",
                          [r.hit.pmid for r in preclinical[:3]]))
    if claim.figures:
        bearing = supporting or refuting
        found = figure_found is not None and any(figure_found(r) for r in bearing)
        if not found:
            flags.append(("figure_not_found",
                          f"no supporting record reports {', '.join(repr(f) for f in claim.figures[:3])}",
                          []))
    if cited_found is False:
        if cited_candidate is not None:
            flags.append(("cited_source_not_found",
                          f"the source it cites ({claim.cited}) may be a record of the table that "
                          "was not read as speaking to this claim", [cited_candidate]))
        else:
            flags.append(("cited_source_not_found",
                          f"no record matching the source it cites ({claim.cited}) was found "
                          "among those retrieved for it", []))
    retracted = [r for r in records if r.hit.is_retracted and (r.on_topic or r.stance != "neutral")]
    if retracted:
        flags.append(("retracted_evidence", "a retracted record bears on it",
                      [r.hit.pmid for r in retracted]))
    return flags


def _quote(record: ReadRecord, limit: int = 300) -> str:
    text = (record.quote or record.hit.title or "").strip()
    if len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    return text


def _cite(record: ReadRecord) -> str:
    year = f", {record.hit.pub_year}" if record.hit.pub_year else ""
    return f"PMID {record.hit.pmid} ({design_label(record.grade.design)}{year})"


def _explain(label, claim: ClaimFacts, records, deciding, coverage, on_topic) -> str:
    parts: list[str] = []
    if claim.attribution == "rejected":
        parts.append("The article reports this claim as someone else's and rejects it; it is "
                     "not flagged.")
    if label in ("supported", "contradicted", "mixed"):
        verbs = {"supports": "supports it", "refutes": "contradicts it"}
        for r in deciding:
            parts.append(f"{_cite(r)} {verbs[r.stance]}: “{_quote(r)}”")
    elif label == "not_addressed":
        n = coverage if coverage is not None else sum(1 for r in records if r.on_topic)
        uncounted_bearing = any(r.stance != "neutral" and not r.grade.counts for r in records)
        but = ("none of those read that can count supports or contradicts it" if uncounted_bearing
               else "none of those read supports or contradicts it"
               if any(r.on_topic and r.quote for r in records)
               else "none of the sentences of those retrieved names what it is about, so none was "
               "read" if any(r.on_topic for r in records)
               else "none of them was among the records retrieved for it, so none was read")
        topic = f" ({claim.topic})" if claim.topic else ""
        parts.append(f"{n} record{'s' if n != 1 else ''} of the reference table "
                     f"{'are' if n != 1 else 'is'} on this claim's topic{topic}, but {but}.")
    else:
        topic = f" ({claim.topic})" if claim.topic else ""
        parts.append(f"The reference table holds no record on this claim's topic{topic}: a gap in "
                     "the reference data, not evidence against the claim.")
    uncounted = [r for r in records if r.stance != "neutral" and not r.grade.counts]
    for r in uncounted[:2]:
        parts.append(f"Not counted: PMID {r.hit.pmid}, {r.grade.note}.")
    return " ".join(parts)
