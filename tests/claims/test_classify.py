"""Check-worthiness, type, certainty and polarity of single sentences."""

from __future__ import annotations

import pytest

from factcheck.claims import extract_claims, judge
from factcheck.claims.classify import certainty_of, polarity_of, shape_exclusion
from factcheck.claims.mesh import matcher_for


def _judge(sentence: str, whole_line: bool = False):
    return judge(sentence, matcher_for(None).mentions(sentence), whole_line)


@pytest.mark.parametrize("sentence,claim_type", [
    ("Ketamine works primarily as an NMDA receptor antagonist, which means it blocks a receptor "
     "involved in pain transmission and perception.", "mechanism"),
    ("Pain relieving effects of even just one ketamine therapy session have shown to last over "
     "three months.", "duration"),
    ("A 2009 study published in the National Institute of Health showcases ketamine’s ability "
     "to block pain.", "cited_source"),
    ("Patients have reported experiencing hallucinations, drowsiness, dizziness, dissociation, "
     "and a “spaced out” feeling.", "safety"),
    ("Chronic pain affects millions of individuals worldwide.", "prevalence"),
    ("Curcumin increases absorption by up to 2,000%.", "magnitude"),
    ("Research shows that ketamine is effective in mental health treatment as well as pain "
     "management.", "efficacy"),
])
def test_claims_and_their_types(sentence, claim_type):
    verdict = _judge(sentence)
    assert verdict.worthy, verdict.reason
    assert verdict.claim_type == claim_type
    assert 0.45 <= verdict.score <= 1.0


@pytest.mark.parametrize("sentence", [
    "If you are living with chronic pain, consider discussing ketamine therapy with your "
    "healthcare provider.",
    "In this blog, we will explain how ketamine therapy works, its potential benefits, and "
    "whether it can truly help individuals manage chronic pain.",
    "Contact us today to schedule a consultation and take the first step toward lasting pain "
    "relief.",
    "Discover if ketamine shows up in drug tests and what that means for mental health…",
    "How Does Ketamine Therapy Work for Chronic Pain?",
    "Fibromyalgia is a widespread chronic pain disorder that causes muscle pain, joint "
    "stiffness, fatigue, and tender points throughout the body.",
    "Ketamine is a medication traditionally used as an anesthetic.",
    "I felt really floaty and had some nausea, but the nurses adjusted the dose.",
])
def test_non_claims(sentence):
    verdict = _judge(sentence)
    assert not verdict.worthy, verdict.reason
    assert verdict.reason.startswith("not a claim") or verdict.reason.startswith("weak")


def test_shapes_that_are_never_claims():
    assert "teaser" in shape_exclusion("Explore the health effects and risks associated with…",
                                       False)
    assert "question" in shape_exclusion("Can ketamine be used as a treatment option?", False)
    assert "heading" in shape_exclusion("Modulation of NMDA Receptors", True)
    assert "list" in shape_exclusion("This unique action can lead to:", False)
    assert "breadcrumb" in shape_exclusion("Home / Supplements / Sleep & Relaxation", True)
    assert shape_exclusion("Ketamine blocks NMDA receptors in the brain.", True) is None


@pytest.mark.parametrize("sentence,certainty", [
    ("Ketamine has been proven to show breakthroughs in therapy-resistant chronic pain.",
     "absolute"),
    ("It may be worth trying, and it has been proven to work.", "absolute"),
    ("Ketamine therapy can help by addressing the abnormal pain signals.", "hedged"),
    ("Ketamine therapy offers a potential solution and lasting pain relief.", "hedged"),
    ("It provides a way forward and lasting relief from chronic pain.", "absolute"),
    ("Traditional treatments may not always provide lasting relief.", "hedged"),
    ("Ketamine works by blocking these receptors.", "assertive"),
    ("The marks are not bruises and are completely harmless.", "absolute"),
    ("It is not always safe.", "hedged"),
    # a comparison of risks is no hedge
    ("Smokers are 15 to 30 times more likely to develop lung cancer.", "assertive"),
    ("Statins will likely lower your cholesterol.", "hedged"),
    # a negated "can" asserts
    ("Chronic pain isn't something you can get rid of by taking painkillers.", "assertive"),
    ("It's not clear whether vitamin D can prevent colds.", "hedged"),
    ("Doctors are not sure if melatonin can improve sleep.", "hedged"),
    ("Ketamine can help with chronic pain.", "hedged"),
])
def test_certainty_precedence(sentence, certainty):
    assert certainty_of(sentence)[0] == certainty


def test_polarity_negates_the_claim_not_a_relative_clause():
    assert polarity_of("Vitamin D supplements do not prevent depression.")[0] == "negative"
    assert polarity_of("There is no evidence that ivermectin shrinks tumours.")[0] == "negative"
    assert polarity_of("It is an option for patients who have not found relief elsewhere."
                       )[0] == "positive"
    # any claim verb, and "won't", "never", "neither … nor"
    for negated in ("Statins do not lower the risk of dementia.", "Vitamin C does not shorten colds.",
                    "Echinacea won't prevent colds.", "Antibiotics never cure viral infections.",
                    "Neither vitamin C nor zinc shortens a cold."):
        assert polarity_of(negated)[0] == "negative", negated
    assert polarity_of("Patients who did not lower their dose relapsed less.")[0] == "positive"


def test_pronoun_subject_borrows_the_previous_sentence_entities():
    body = ("Statins lower LDL cholesterol by blocking an enzyme in the liver.\n\n"
            "They reduce the risk of heart attacks and strokes by about a quarter.")
    claims = extract_claims(body)
    assert [c.claim_type for c in claims] == ["mechanism", "magnitude"]
    assert claims[1].intervention == "Statins"
    assert "Hydroxymethylglutaryl-CoA Reductase Inhibitors" in claims[1].mesh_terms


def test_section_heading_supplies_the_subject():
    body = "Is Botox safe?\nSide effects are usually mild and short-lived."
    claims = extract_claims(body)
    assert len(claims) == 1 and claims[0].claim_type == "safety"
    assert claims[0].certainty == "hedged"


def test_intervention_and_target_without_claim_wording_fall_back_to_efficacy():
    verdict = _judge("Ketamine therapy addresses the root of fibromyalgia.")
    assert verdict.worthy and verdict.claim_type == "efficacy"
    assert "no claim wording recognised" in verdict.reason
    # first-person experience is not a claim even when it names both
    assert not _judge("I take ketamine for my fibromyalgia.").worthy


def test_reported_beliefs_are_not_asserted():
    assert not _judge("Some people worry that sunscreen causes vitamin D deficiency.").worthy


def test_advice_is_judged_by_the_claim_its_reason_clause_makes():
    mixed = _judge("Do not take vitamin A supplements while pregnant, as too much of it could "
                   "harm your baby.")
    assert mixed.worthy and mixed.claim_type == "safety", mixed.reason
    plain = _judge("Do not take vitamin A supplements while pregnant, as your midwife will "
                   "explain.")
    assert not plain.worthy and plain.reason.startswith("not a claim: reader advice")
    procedure = _judge("You'll be screened for tuberculosis before you start, because the drugs "
                       "can reactivate a dormant TB infection.")
    assert procedure.worthy and procedure.claim_type == "safety", procedure.reason
    before = _judge("Too much iodine can upset your thyroid, so people with thyroid conditions "
                    "should talk to their doctor first.")
    assert before.worthy and before.claim_type == "safety", before.reason


def test_plainly_worded_scientific_assertions_are_claims():
    from factcheck.claims import extract_claims

    for text in ("Activation of PPM1D enhances p53 function.",
                 "Peroxynitrite is required for induction of T cell tolerance.",
                 "Pyridostatin induces checkpoint activation.",
                 "There is a positive correlation between hip fractures and statin use."):
        (claim,) = extract_claims(text)
        assert claim.sentence == text
        assert "scientific assertion" in claim.reason or claim.score >= 0.4
    # product contents and definitions in lay words stay out
    assert extract_claims("Each gummy contains 500 mg of apple cider vinegar plus vitamin B12.") == []


def test_a_statistical_finding_is_a_claim_without_an_intervention_but_a_description_is_not():
    from factcheck.claims import extract_claims

    for text in ("Women with a lower birth weight are more likely to develop breast cancer later in life.",
                 "Men are more susceptible to death due to pneumonia when compared to women.",
                 "Diabetic patients with acute coronary syndrome experience decreased short-term and "
                 "long-term risk for bleeding events."):
        (claim,) = extract_claims(text)
        assert claim.sentence == text, claim
    # describing a condition, even with a research word in it, is not a finding
    for text in ("Cold sores are caused by the herpes simplex virus, usually type 1 (HSV-1).",
                 "Chlamydia is a sexually transmitted infection caused by the bacterium Chlamydia "
                 "trachomatis."):
        assert extract_claims(text) == [], text


def test_a_claim_written_on_its_own_without_a_full_stop_is_read_as_a_sentence():
    from factcheck.evidence.assess import claim_from_text

    claim, accepted = claim_from_text("Localization of PIN1 in the roots of Arabidopsis requires VPS9a")
    assert accepted and claim.sentence.endswith("VPS9a."), claim
    assert claim_from_text("Ketamine relieves chronic pain.")[0].sentence == "Ketamine relieves chronic pain."


def test_a_one_line_text_is_not_a_heading_but_a_line_in_an_article_may_be():
    from factcheck.claims import extract_claims

    claim = "Cognitive behavioral therapy is an ineffective treatment for insomnia"
    assert [c.sentence for c in extract_claims(claim)] == [claim]
    article = f"{claim}\n\nMany people sleep badly. Sleep hygiene is often discussed."
    assert claim not in [c.sentence for c in extract_claims(article)]


def test_numbered_or_bulleted_instructions_are_advice_not_claims():
    """The advice rules read a list item without its number or bullet ("3. Avoid alcohol …"
    was a duration claim); a claim in a numbered list is still one."""
    text = ("Aftercare\n\n3. Avoid alcohol for 48 hours after the injection.\n\n- Do not lie down "
            "for 4 hours after treatment.\n\n2. Botox relaxes the muscles for three to four months.")
    assert [c.sentence for c in extract_claims(text)] == [
        "2. Botox relaxes the muscles for three to four months."]


def test_a_reported_belief_the_article_rejects_is_kept_as_rejected():
    """"Many people believe X, but studies found no such effect" states what the article
    rejects: kept, attributed and rejected (never flagged); a belief merely reported is not a
    claim."""
    kept = extract_claims("Many people believe that sugar makes children hyperactive, but "
                          "controlled studies have found no such effect.")
    assert [c.attribution for c in kept] == ["rejected"]
    idea = extract_claims("The idea that antiperspirants cause breast cancer is not supported by evidence.")
    assert [c.attribution for c in idea] == ["rejected"]
    assert extract_claims("Many people believe that ketamine is a party drug.") == []
