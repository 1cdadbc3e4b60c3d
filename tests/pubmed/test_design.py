"""One test per study-design rule group, plus the guards between them."""

from __future__ import annotations

import pytest

from factcheck.pubmed.design import DESIGNS, RULES, DesignRule, rules_for, study_design

HUMAN = ["Humans"]
ANIMAL = ["Animals", "Rats"]


@pytest.mark.parametrize("types, mesh, expected", [
    # meta-analysis beats everything it pools
    (["Journal Article", "Meta-Analysis", "Randomized Controlled Trial"], HUMAN, "meta_analysis"),
    (["Network Meta-Analysis"], [], "meta_analysis"),
    (["Systematic Review", "Review"], HUMAN, "systematic_review"),
    (["Practice Guideline"], HUMAN, "guideline"),
    (["Consensus Development Conference, NIH"], [], "guideline"),
    (["Randomized Controlled Trial"], HUMAN, "rct"),
    (["Pragmatic Clinical Trial"], HUMAN, "rct"),
    (["Journal Article"], HUMAN + ["Random Allocation"], "rct"),
    (["Clinical Trial, Phase II"], HUMAN, "clinical_trial"),
    (["Controlled Clinical Trial"], HUMAN, "clinical_trial"),
    (["Journal Article"], HUMAN + ["Double-Blind Method"], "clinical_trial"),
    (["Observational Study"], HUMAN, "observational"),
    (["Journal Article"], HUMAN + ["Retrospective Studies"], "observational"),
    (["Journal Article"], HUMAN + ["Case-Control Studies"], "observational"),
    (["Case Reports"], HUMAN, "case_report"),
    (["Journal Article"], HUMAN + ["Cells, Cultured"], "in_vitro"),
    (["Review"], HUMAN, "narrative_review"),
    (["Journal Article"], HUMAN, "other"),
    (["Editorial"], [], "other"),
    ([], [], "other"),
])
def test_design_from_publication_types_and_mesh(types, mesh, expected):
    assert study_design(types, mesh) == expected


def test_animal_guard_outranks_human_trial_types():
    assert study_design(["Randomized Controlled Trial"], ANIMAL) == "animal"
    assert study_design(["Randomized Controlled Trial, Veterinary"], ["Dogs"]) == "animal"
    assert study_design(["Journal Article"], ANIMAL) == "animal"
    # pooled analyses of animal studies are still meta-analyses
    assert study_design(["Meta-Analysis"], ANIMAL) == "meta_analysis"
    # cultured animal cells are in-vitro work
    assert study_design(["Journal Article"], ANIMAL + ["Cells, Cultured"]) == "in_vitro"
    # studies of people and animals are graded on their human design
    assert study_design(["Clinical Trial"], ["Humans", "Animals"]) == "clinical_trial"


@pytest.mark.parametrize("title, expected", [
    ("Ketamine for depression: a systematic review and meta-analysis.", "meta_analysis"),
    ("Esketamine nasal spray: a systematic review.", "systematic_review"),
    ("Clinical practice guidelines for chronic pain.", "guideline"),
    ("Ketamine analgesia in rats.", "animal"),
    ("Ketamine versus placebo: a randomized, double-blind trial.", "rct"),
    ("Ketamine infusion: a randomised controlled trial.", "rct"),
    ("Ketamine in refractory migraine: an open-label pilot study.", "clinical_trial"),
    ("Ketamine use and bladder damage: a cohort study.", "observational"),
    ("Ketamine-induced cystitis: a case report.", "case_report"),
    ("Ketamine metabolism in human cell lines.", "in_vitro"),
    ("Ketamine in pain medicine: a narrative review.", "narrative_review"),
    ("Ketamine and the brain.", "other"),
])
def test_title_cues_for_unindexed_records(title, expected):
    assert study_design(["Journal Article"], [], title) == expected


def test_title_cues_ignored_once_nlm_has_indexed_the_record():
    title = "Ketamine versus placebo: a randomized controlled trial."
    assert study_design(["Journal Article"], HUMAN, title) == "other"
    assert study_design(["Case Reports"], [], title) == "case_report"


def test_every_rule_has_a_known_design_and_every_design_is_reachable():
    reachable = {rule.design for rule in RULES} | {"other"}
    assert reachable == set(DESIGNS)
    assert rules_for("rct")[0].publication_types >= {"Randomized Controlled Trial"}


def test_a_rule_without_cues_or_with_an_unknown_design_is_refused():
    with pytest.raises(ValueError):
        DesignRule("rct")
    with pytest.raises(ValueError):
        DesignRule("anecdote", publication_types=frozenset({"Letter"}))


def test_methods_section_of_an_unindexed_record():
    methods = "In a randomized, controlled trial, we assigned patients in a 1:1 ratio."
    assert study_design(["Journal Article"], [], "Rituximab versus Mycophenolate", methods) == "rct"
    cohort = "We conducted a retrospective cohort study of 2,000 users."
    assert study_design(["Journal Article"], [], "Ketamine and the bladder", cohort) == "observational"
    # once indexed, NLM's types decide
    assert study_design(["Journal Article"], HUMAN, "Rituximab versus Mycophenolate", methods) == "other"


def test_a_new_meta_analysis_typed_only_review_is_a_meta_analysis():
    title = "Music interventions for cancer survivors: a meta-analysis."
    assert study_design(["Journal Article", "Review"], [], title) == "meta_analysis"
    assert study_design(["Journal Article", "Review"], [], "Ketamine in pain medicine.") == "narrative_review"


def test_title_phrases_are_lower_case_because_the_prefilter_lower_cases_the_text():
    # study_design searches all rules' phrases at once in the lower-cased title first; an
    # upper-case letter in a phrase would make that search miss and silently drop the rule.
    import re

    for rule in RULES:
        if rule.title is not None:
            literal = re.sub(r"\\[A-Za-z]", "", rule.title.pattern)
            assert literal == literal.lower(), rule.design
    assert study_design(["Journal Article"], [], "A RANDOMISED, Double-Blind Trial of X") == "rct"
