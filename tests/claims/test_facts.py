"""What the evidence stage reads of a claim: figures, citations, attribution, resolved references."""

from __future__ import annotations

import pytest

from factcheck.claims import extract_claims
from factcheck.claims.facts import (attribution, citation, figure_reported, figure_values, figures,
                                    resolve_reference)


@pytest.mark.parametrize("sentence, expected", [
    ("One ketamine session relieves pain for over three months.", ["over three months"]),
    ("The effect wears off within hours.", ["within hours"]),
    ("87% of patients improved.", ["87%"]),
    ("1 in 5 users develop bladder problems.", ["1 in 5"]),
    ("It doubles the response rate.", ["doubles"]),
    ("Exercise cuts the risk by 15-30%.", ["15-30%"]),
    ("Smokers are 15 to 30 times more likely to get lung cancer.", ["15 to 30 times"]),
    ("Ketamine has been used since the 1960s.", []),
    ("Ketamine relieves pain.", []),
])
def test_figures(sentence, expected):
    assert figures(sentence) == expected


def test_a_range_is_one_figure_with_both_bounds():
    """"15-30%" is found in evidence reporting 20%, and not in evidence reporting 50%: the
    lower bound counts too (only "30%" was read before)."""
    (r,) = figure_values("cuts the risk by 15-30%")
    assert (r.kind, r.low, r.high) == ("percent", 15.0, 30.0)
    assert figure_reported(r, "Risk fell by 20% in the exercise group.")
    assert not figure_reported(r, "Risk fell by 50%.")
    (f,) = figure_values("15 to 30 times more likely")
    assert (f.kind, f.low, f.high) == ("fold", 15.0, 30.0)


def test_a_figure_matches_the_same_quantity_in_other_units_only():
    three_months = figure_values("lasts over three months")[0]
    assert figure_reported(three_months, "Analgesia persisted for 12 weeks after the infusion.")
    assert not figure_reported(three_months, "Analgesia lasted 4 hours.")
    hours = figure_values("wears off within hours")[0]
    assert figure_reported(hours, "The effect was gone 6 hours after dosing.")
    assert figure_reported(figure_values("87% of patients")[0], "Response was 86.5% at week 4.")
    assert not figure_reported(figure_values("87% of patients")[0], "Response was 40%.")


def test_citations_name_year_venue_and_body_but_not_vague_appeals():
    c = citation("A 2009 study published in the Journal of Pain Research found that 87% improved.")
    assert c.years == [2009] and c.venues == ["Journal of Pain Research"] and c.kind == "study"
    c = citation("According to the National Library of Medicine, ketamine can relieve pain.")
    assert c.bodies == ["National Library of Medicine"]
    assert citation("Studies show that ketamine relieves pain.") is None
    assert citation("Ketamine was developed in 1962.") is None
    # a venue named after "a study in", agencies written out; a dose or a count is no year
    assert citation("A 2019 study in JAMA found that statins lower heart attack risk.").text == "2019, JAMA"
    assert citation("A 2018 study published in the British Medical Journal showed it.").venues == [
        "British Medical Journal"]
    assert citation("The U.S. Food and Drug Administration warns against it.").bodies == [
        "U.S. Food and Drug Administration"]
    assert citation("A study found that taking 2000 IU of vitamin D daily lowers flu risk.") is None
    assert citation("A study of 2000 patients found fewer colds.") is None


@pytest.mark.parametrize("sentence, next_sentence, expected", [
    ("Influencers claim vitamin D cures depression, a claim the researchers say is not supported.",
     None, "rejected"),
    ("Some clinics say ketamine regenerates damaged nerves.", "There is no evidence for this.",
     "rejected"),
    ("Some clinics say ketamine regenerates damaged nerves.", "Patients agree.", "reported"),
    # the article rejects the claim it states ("a myth", "not supported")
    ("It is a myth that vaccines cause autism.", None, "rejected"),
    ("A common myth holds that cracking knuckles causes arthritis.", None, "rejected"),
    ("Influencers claim celery juice cures eczema.", "This is not supported by any clinical trial.",
     "rejected"),
    ("Clinics say ketamine cures depression, but the evidence is weak.", None, "rejected"),
    # the article's own claim, whatever opens the sentence
    ("Contrary to popular belief, ketamine cures depression in every patient.", None, "own"),
    ("Despite claims online, garlic does not cure ear infections.", None, "own"),
    ("Findings suggest that yoga lowers blood pressure.", None, "own"),
    ("The Centers for Disease Control and Prevention says vaccines are safe.", None, "own"),
    ("The CDC says flu vaccines reduce hospitalisation.", None, "own"),
    ("The idea that exercise helps depression is well established.", None, "own"),
    # a named person's claim, whichever side of the verb the name stands
    ("Dr. Smith says acupuncture relieves chronic back pain.", None, "reported"),
    ("Acupuncture relieves chronic back pain, says Dr. Smith.", None, "reported"),
    ("Researchers say ketamine relieves depression.", None, "own"),
    ("Ketamine relieves depression.", None, "own"),
])
def test_attribution(sentence, next_sentence, expected):
    assert attribution(sentence, next_sentence)[0] == expected


def test_an_opening_reference_is_resolved_to_the_intervention():
    assert resolve_reference("It relieves pain within hours.", "ketamine") == "Ketamine relieves pain within hours."
    assert resolve_reference("However, it may not suit everyone.", "Ketamine therapy") == \
        "However, ketamine therapy may not suit everyone."
    assert resolve_reference("The drug can cause bladder damage.", "ketamine") == \
        "Ketamine can cause bladder damage."
    assert resolve_reference("Ketamine helps.", "ketamine") == "Ketamine helps."


def test_extracted_claims_carry_their_facts():
    body = ("Ketamine is an anesthetic used in clinics.\n\n"
            "It relieves chronic pain for over three months, according to a 2009 study in JAMA.\n\n"
            "Influencers claim ketamine cures depression, a claim the researchers say is not supported.")
    claims = {c.sentence: c for c in extract_claims(body)}
    resolved = next(c for s, c in claims.items() if s.startswith("It relieves"))
    assert resolved.query_text.startswith("Ketamine relieves chronic pain")
    assert resolved.figures == ["over three months"] and "2009" in resolved.cited
    rejected = next(c for s, c in claims.items() if s.startswith("Influencers"))
    assert rejected.attribution == "rejected" and rejected.attributed_to == "Influencers"
