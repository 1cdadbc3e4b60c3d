"""Verdict labels and editor flags from read records (the decision rules, on fixed readings)."""

from __future__ import annotations

from factcheck.evidence.grading import grade
from factcheck.evidence.retrieve import Hit
from factcheck.evidence.verdict import FLAGS, LABELS, ClaimFacts, ReadRecord, decide

ABSTRACT = "RESULTS: Pain scores fell. CONCLUSIONS: It works."


def record(pmid, stance, design="rct", p=0.9, retracted=False, claim_type="efficacy", on_topic=True,
           abstract=ABSTRACT, title="A study", types=None, year=2020, journal="Pain"):
    hit = Hit(pmid=pmid, score=1.0, title=title, abstract=abstract, study_design=design,
              is_retracted=retracted, publication_types=types or ["Journal Article"], pub_year=year,
              journal=journal)
    g = grade(study_design=design, claim_type=claim_type, title=title, abstract=abstract,
              is_retracted=retracted, publication_types=hit.publication_types)
    return ReadRecord(hit=hit, rank=pmid, on_topic=on_topic, grade=g, stance=stance,
                      p_support=p if stance == "supports" else 0.05,
                      p_refute=p if stance == "refutes" else 0.05,
                      quote=f"sentence of {pmid}", quote_section="results")


def facts(claim_type="efficacy", certainty="assertive", **kw):
    return ClaimFacts(claim_type=claim_type, certainty=certainty, **kw)


def test_support_and_contradiction_give_their_labels_with_quoted_sentences():
    v = decide([record(1, "supports")], facts(), coverage=3)
    assert v.label == "supported" and v.deciding_pmids == [1] and v.flags == []
    assert "PMID 1" in v.explanation and "“sentence of 1”" in v.explanation
    v = decide([record(2, "refutes")], facts(), coverage=3)
    assert v.label == "contradicted"
    assert "contradicted_by_stronger_evidence" in v.flags and "overstated_certainty" in v.flags
    assert v.confidence == 0.9


def test_the_stronger_design_decides_and_comparable_designs_are_mixed():
    meta_against = decide([record(1, "supports", "case_report"), record(2, "refutes", "meta_analysis")],
                          facts(), coverage=5)
    assert meta_against.label == "contradicted"
    trial_for = decide([record(1, "supports", "rct"), record(2, "refutes", "case_report")],
                       facts(), coverage=5)
    assert trial_for.label == "supported"
    assert "contradicted_by_stronger_evidence" not in trial_for.flags
    both = decide([record(1, "supports", "rct"), record(2, "refutes", "rct")], facts(), coverage=5)
    assert both.label == "mixed" and set(both.deciding_pmids) == {1, 2}


def test_nothing_bearing_is_not_addressed_or_no_coverage():
    neutral = record(1, "neutral")
    v = decide([neutral], facts(), coverage=4)
    assert v.label == "not_addressed" and "4 records" in v.explanation
    assert v.flags == ["overstated_certainty"]          # stated as fact, nothing supports it
    v = decide([record(1, "neutral", on_topic=False)], facts(), coverage=0)
    assert v.label == "no_coverage" and v.flags == []   # a gap in the table flags nothing...
    v = decide([], facts(certainty="absolute"), coverage=0)
    assert v.label == "no_coverage" and v.flags == ["overstated_certainty"]  # ...unless absolute


def test_a_topic_the_table_holds_but_retrieval_missed_is_not_addressed_with_no_confidence():
    """Records on the topic exist (coverage) but none was retrieved, so none was read: the
    verdict says so, and its confidence is 0.5 (nothing read tells either way), not 1.0."""
    off = record(1, "neutral", on_topic=False)
    off.p_support = off.p_refute = 0.0                   # off the topic: not read
    v = decide([off], facts(), coverage=7)
    assert v.label == "not_addressed" and v.confidence == 0.5
    assert "7 records" in v.explanation and "none was read" in v.explanation
    read = decide([record(2, "neutral")], facts(), coverage=7)
    assert read.confidence == 0.95 and "none of those read" in read.explanation


def test_a_protocol_never_counts():
    protocol = record(1, "supports", design="clinical_trial", types=["Clinical Trial Protocol"],
                      title="Ketamine for chronic pain: study protocol for a randomised trial")
    assert protocol.grade.design == "protocol" and not protocol.grade.counts
    v = decide([protocol], facts(), coverage=2)
    assert v.label == "not_addressed" and v.deciding_pmids == []
    assert "Not counted: PMID 1, a trial protocol" in v.explanation


def test_a_retracted_record_never_supports_and_is_flagged():
    v = decide([record(1, "supports", "meta_analysis", retracted=True)], facts(), coverage=2)
    assert v.label == "not_addressed"
    assert "retracted_evidence" in v.flags


def test_animal_support_for_a_claim_about_people_is_preclinical_only():
    rat = record(1, "supports", design="animal")
    v = decide([rat], facts("efficacy"), coverage=1)
    assert v.label == "not_addressed" and "preclinical_only" in v.flags
    v = decide([record(1, "supports", design="animal", claim_type="mechanism")], facts("mechanism"),
               coverage=1)
    assert v.label == "supported" and v.flags == []     # pharmacology is shown in animals


def test_certainty_against_evidence():
    case = record(1, "supports", design="case_report")
    assert "overstated_certainty" in decide([case], facts(certainty="assertive"), coverage=1).flags
    assert decide([case], facts(certainty="hedged"), coverage=1).flags == []
    trial = record(1, "supports", design="rct")
    assert decide([trial], facts(certainty="absolute"), coverage=1).flags == []
    assert "overstated_certainty" in decide([case], facts(certainty="absolute"), coverage=1).flags
    # hedged, but nothing supports it ("can help reset pain pathways")
    assert decide([record(1, "neutral")], facts(certainty="hedged"), coverage=3).flags == [
        "overstated_certainty"]


def test_a_rejected_attributed_claim_is_judged_but_never_flagged():
    v = decide([record(1, "neutral")], facts(certainty="absolute", attribution="rejected"), coverage=3)
    assert v.label == "not_addressed" and v.flags == []
    assert "someone else's and rejects it" in v.explanation


def test_figures_and_cited_sources():
    trial = record(1, "supports")
    v = decide([trial], facts(figures=["over three months"]), coverage=1,
               figure_found=lambda r: False)
    assert "figure_not_found" in v.flags
    v = decide([trial], facts(figures=["over three months"]), coverage=1, figure_found=lambda r: True)
    assert "figure_not_found" not in v.flags
    v = decide([trial], facts(cited="2009, JAMA"), coverage=1, cited_found=False)
    assert "cited_source_not_found" in v.flags and "2009, JAMA" in v.flag_reasons[-1]


def test_every_label_is_reachable_and_every_flag_documented():
    seen_labels, seen_flags = set(), set()
    cases = [([record(1, "supports")], 1), ([record(1, "refutes")], 1),
             ([record(1, "supports"), record(2, "refutes")], 1), ([record(1, "neutral")], 1),
             ([], 0), ([record(1, "supports", retracted=True)], 1),
             ([record(1, "supports", design="animal")], 1)]
    for records, cov in cases:
        for certainty in ("hedged", "assertive", "absolute"):
            v = decide(records, facts(certainty=certainty, figures=["87%"], cited="2009"), coverage=cov,
                       figure_found=lambda r: False, cited_found=False)
            seen_labels.add(v.label)
            seen_flags.update(v.flags)
            assert len(v.flags) == len(v.flag_reasons)
            assert 0.0 <= v.confidence <= 1.0
    assert seen_labels == set(LABELS)
    assert seen_flags == set(FLAGS)


def test_absolute_wording_needs_a_trial_or_better_on_the_mechanism_ladder_too():
    """On the mechanism ladder an animal study outweighs a clinical trial; absolute wording still
    needs a trial or better behind it (docs/evidence.md), or it is overstated."""
    mech = facts(claim_type="mechanism", certainty="absolute")
    animal = decide([record(1, "supports", "animal", claim_type="mechanism")], mech, coverage=3)
    assert animal.label == "supported" and "overstated_certainty" in animal.flags
    trial = decide([record(2, "supports", "rct", claim_type="mechanism")], mech, coverage=3)
    assert trial.label == "supported" and "overstated_certainty" not in trial.flags


def test_a_not_addressed_verdict_names_support_that_cannot_count():
    """A protocol read as supporting cannot count: the verdict is not addressed, and its words
    say "that can count" instead of claiming nothing read supports it."""
    protocol = record(1, "supports", "protocol", types=["Clinical Trial Protocol"])
    v = decide([protocol, record(2, "neutral")], facts(), coverage=2)
    assert v.label == "not_addressed"
    assert "none of those read that can count supports or contradicts it" in v.explanation
    assert "Not counted: PMID 1" in v.explanation
    reason = dict(zip(v.flags, v.flag_reasons))["overstated_certainty"]
    assert reason.startswith("stated as fact, but no record on its topic that can count supports it")


def test_a_cited_source_in_the_table_that_does_not_bear_is_named_not_called_missing():
    """The cited study retrieved but read as neutral is in the table: the flag names it instead
    of saying the source is not in the reference table."""
    from factcheck.evidence.assess import cited_source_candidate, cited_source_found

    claim = facts(cited="2021, Journal of Clinical Anesthesia", cited_years=[2021],
                  cited_venues=["Journal of Clinical Anesthesia"])
    cited = record(7, "neutral", "meta_analysis", year=2021, journal="Journal of clinical anesthesia")
    other = record(8, "neutral", year=2015, journal="Pain")
    assert cited_source_found(claim, [cited, other]) is False
    assert cited_source_candidate(claim, [cited, other]) == 7
    v = decide([cited, other], claim, coverage=2, cited_found=False, cited_candidate=7)
    reason = dict(zip(v.flags, v.flag_reasons))["cited_source_not_found"]
    assert "may be a record of the table" in reason and "PMID 7" in reason
    assert cited_source_candidate(claim, [other]) is None
    v = decide([other], claim, coverage=1, cited_found=False, cited_candidate=None)
    assert "no record matching the source it cites" in dict(zip(v.flags, v.flag_reasons))[
        "cited_source_not_found"]
