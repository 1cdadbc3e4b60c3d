"""Verdicts and flags from judged PubMed hits; retrieval over the real FTS index."""

from factcheck.evidence.retrieve import Hit, query_terms
from factcheck.evidence.verdict import FLAGS, decide, judge_hits


def hit(pmid, title, abstract="", design="other", retracted=False, mesh=()):
    return Hit(pmid=pmid, score=1.0, title=title, abstract=abstract, mesh_terms=list(mesh),
               study_design=design, is_retracted=retracted, pub_year=2020)


RCT = hit(1, "Ketamine infusion for chronic neuropathic pain: a randomized controlled trial", design="rct")
CASE = hit(2, "Ketamine for refractory pain in a patient with cancer", design="case_report")
RAT = hit(3, "Ketamine reduces mechanical allodynia in rats with nerve injury", design="animal")
OFF = hit(4, "Propofol sedation for colonoscopy", design="rct")


def judge(hits, **claim):
    terms = query_terms(claim.get("sentence", ""), intervention=claim.get("intervention"),
                        condition=claim.get("condition"), outcome=claim.get("outcome"))
    return judge_hits(hits, intervention=claim.get("intervention"), condition=claim.get("condition"),
                      outcome=claim.get("outcome"), terms=terms)


def test_query_terms_keep_topic_words_and_drop_marketing():
    terms = query_terms("Ketamine therapy offers a promising, innovative way to relieve chronic pain",
                        intervention="ketamine", condition="chronic pain")
    assert terms[:3] == ["ketamine", "chronic", "pain"]
    assert "promising" not in terms and "innovative" not in terms and "therapy" not in terms


def test_on_topic_needs_intervention_and_condition():
    judged = judge([RCT, OFF], sentence="Ketamine relieves chronic pain", intervention="ketamine",
                   condition="chronic pain")
    assert [j.on_topic for j in judged] == [True, False]
    assert "ketamine" in judged[0].matched_terms


def test_trial_evidence_is_evidence_found():
    judged = judge([RCT, CASE], sentence="Ketamine relieves chronic pain", intervention="ketamine",
                   condition="pain")
    v = decide(judged, claim_type="efficacy", certainty="assertive")
    assert v.label == "evidence_found" and v.flags == []
    assert "randomized controlled trial (PMID 1" in v.explanation


def test_case_reports_only_is_limited_and_absolute_wording_is_overstated():
    judged = judge([CASE, OFF], sentence="Ketamine cures cancer pain", intervention="ketamine",
                   condition="cancer pain")
    assert decide(judged, claim_type="efficacy", certainty="hedged").label == "limited_evidence"
    v = decide(judged, claim_type="efficacy", certainty="absolute")
    assert v.label == "overstated"
    assert {"absolute_language", "overstated_certainty", "weak_evidence_only"} <= set(v.flags)


def test_animal_only_is_flagged_preclinical():
    judged = judge([RAT], sentence="Ketamine regenerates damaged nerves", intervention="ketamine",
                   condition="nerve injury")
    v = decide(judged, claim_type="efficacy", certainty="assertive")
    assert v.label == "limited_evidence" and "preclinical_only" in v.flags
    # a mechanism may well be shown in animals: firm wording is what gets flagged then
    v = decide(judged, claim_type="mechanism", certainty="assertive")
    assert v.flags == ["weak_evidence_only"]
    assert decide(judged, claim_type="mechanism", certainty="hedged").flags == []


def test_no_hits_and_retractions():
    v = decide([], claim_type="duration", certainty="assertive")
    assert v.label == "no_evidence"
    assert {"no_evidence_found", "specific_figure_unverified"} <= set(v.flags)
    retracted = hit(5, "Ketamine for chronic pain: a meta-analysis", design="meta_analysis", retracted=True)
    judged = judge([retracted], sentence="Ketamine relieves chronic pain", intervention="ketamine",
                   condition="chronic pain")
    v = decide(judged, claim_type="efficacy", certainty="assertive")
    # a retracted record never counts as evidence, and is flagged for the editor
    assert v.label == "no_evidence" and "retracted_evidence" in v.flags
    assert "Retracted: PMID 5" in v.explanation


def test_every_emitted_flag_is_documented():
    judged = judge([CASE], sentence="A 2009 study proves ketamine cures pain", intervention="ketamine",
                   condition="pain")
    for certainty in ("hedged", "assertive", "absolute"):
        for claim_type in ("efficacy", "duration", "cited_source", "mechanism"):
            assert set(decide(judged, claim_type=claim_type, certainty=certainty).flags) <= set(FLAGS)
            assert set(decide([], claim_type=claim_type, certainty=certainty).flags) <= set(FLAGS)


def test_every_study_design_has_a_weight_and_every_label_is_reachable():
    from factcheck.evidence.grading import DESIGN_LABEL, DESIGN_WEIGHT
    from factcheck.evidence.verdict import LABELS
    from factcheck.pubmed.design import DESIGNS

    assert set(DESIGN_WEIGHT) == set(DESIGNS) == set(DESIGN_LABEL)
    judged_rct = judge([RCT], sentence="Ketamine relieves chronic pain", intervention="ketamine",
                       condition="chronic pain")
    judged_case = judge([CASE], sentence="Ketamine relieves cancer pain", intervention="ketamine",
                        condition="cancer pain")
    reached = {decide(judged_rct, claim_type="efficacy", certainty="assertive").label,
               decide(judged_case, claim_type="efficacy", certainty="assertive").label,
               decide(judged_case, claim_type="efficacy", certainty="absolute").label,
               decide([], claim_type="efficacy", certainty="assertive").label}
    assert reached == set(LABELS)
