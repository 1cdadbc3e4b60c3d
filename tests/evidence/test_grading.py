"""Evidence grading: what can count for which claim type, designs read from the record's words."""

from __future__ import annotations

import pytest

from factcheck.evidence.grading import CLINICAL_WEIGHT, DESIGN_LABEL, MECHANISM_WEIGHT, grade, read_design
from factcheck.pubmed.design import DESIGNS

RESULTS = ("RESULTS: Of 120 patients, pain scores fell by 2.1 points (95% CI 1.2-3.0). "
           "CONCLUSIONS: Ketamine reduced pain.")


def test_every_design_has_a_weight_on_both_ladders_and_a_label():
    designs = set(DESIGNS) | {"protocol"}
    assert designs == set(CLINICAL_WEIGHT) == set(DESIGN_LABEL)
    assert designs - {"protocol", "guideline"} <= set(MECHANISM_WEIGHT)


@pytest.mark.parametrize("title, abstract, types", [
    ("Ketamine versus placebo for chronic pain: study protocol for a randomised controlled trial",
     "BACKGROUND: ... METHODS: We will recruit 200 adults.", ["Journal Article"]),
    ("Sublingual ketamine in CRPS", "This trial will randomise 80 patients to ketamine or placebo.",
     ["Clinical Trial Protocol"]),
    ("Rationale and design of the KETAPAIN trial", "Patients will be randomized to two arms.",
     ["Journal Article"]),
])
def test_a_protocol_is_read_from_types_or_words_and_never_counts(title, abstract, types):
    assert read_design("clinical_trial", title, abstract, [], types) == "protocol"
    for claim_type in ("efficacy", "mechanism", "duration"):
        g = grade(study_design="clinical_trial", claim_type=claim_type, title=title,
                  abstract=abstract, publication_types=types)
        assert not g.counts and "protocol" in g.note


def test_a_finished_trial_that_mentions_its_protocol_is_not_a_protocol():
    assert read_design("rct", "Ketamine for chronic pain: a randomised trial",
                       "METHODS: Per protocol analysis. " + RESULTS, ["Humans"], ["Randomized Controlled Trial"]) == "rct"


def test_animal_and_in_vitro_work_is_read_from_the_abstract_when_mesh_is_missing():
    rats = "Ketamine (10 mg/kg) reduced mechanical allodynia in rats after spinal nerve ligation."
    assert read_design("other", "Ketamine and allodynia", rats, [], []) == "animal"
    cells = "In vitro, ketamine inhibited NMDA currents in cultured neurons and HEK293 cells."
    assert read_design("other", "Ketamine and NMDA currents", cells, [], []) == "in_vitro"
    people = "In 40 patients with CRPS, ketamine reduced pain compared with placebo."
    assert read_design("other", "Ketamine in CRPS", people, [], []) == "other"
    # MeSH, when present, decides
    assert read_design("other", "x", rats, ["Humans"], []) == "other"


def test_the_ladder_depends_on_the_claim_type():
    rat = dict(study_design="animal", title="Ketamine in rats", abstract="Ketamine blocked NMDA receptors in rats.")
    efficacy = grade(claim_type="efficacy", **rat)
    mechanism = grade(claim_type="mechanism", **rat)
    assert not efficacy.counts and "animal" in efficacy.note
    assert mechanism.counts and mechanism.weight >= 0.8
    review = dict(study_design="narrative_review", title="Ketamine pharmacology: a review",
                  abstract="Ketamine is a non-competitive NMDA receptor antagonist.")
    assert not grade(claim_type="efficacy", **review).counts
    assert grade(claim_type="mechanism", **review).counts


def test_records_without_results_do_not_count_for_outcomes():
    g = grade(study_design="rct", claim_type="efficacy", title="Ketamine for pain", abstract=None)
    assert not g.counts and "no abstract" in g.note
    g = grade(study_design="other", claim_type="efficacy", title="Ketamine for pain", abstract=RESULTS,
              publication_types=["Editorial"])
    assert not g.counts and "editorial" in g.note
    assert grade(study_design="rct", claim_type="efficacy", title="t", abstract=RESULTS).weight == 0.9


def test_retracted_records_never_count():
    g = grade(study_design="meta_analysis", claim_type="efficacy", title="t", abstract=RESULTS,
              is_retracted=True)
    assert not g.counts and g.weight == 0 and "retracted" in g.note


def test_a_claim_about_animals_or_cells_is_graded_on_the_pharmacology_ladder():
    from factcheck.evidence.grading import graded_type
    assert graded_type("efficacy", "A 2019 study found that ketamine regrew synapses in mice.") == "mechanism"
    assert graded_type("cited_source", "Animal studies show curcumin shrinks tumours.") == "mechanism"
    assert graded_type("efficacy", "In the lab, curcumin kills cancer cells.") == "mechanism"
    assert graded_type("efficacy", "Mice fed blueberries lived longer.") == "mechanism"
    # people named beside the animals, or an animal word that is a body part: about people
    assert graded_type("efficacy", "Ketamine relieves depression in patients, as studies in "
                       "rats first showed.") == "efficacy"
    assert graded_type("efficacy", "Stretching your calves prevents night cramps.") == "efficacy"
    assert graded_type("safety", "Ketamine is safe for most adults.") == "safety"
    assert graded_type("mechanism", "Ketamine blocks NMDA receptors.") == "mechanism"
