"""Entity mentions, the synonym list and MeSH normalisation."""

from __future__ import annotations

import re

from factcheck.claims import EntityMatcher, extract_claims
from factcheck.claims.mesh import matcher_for, synonyms_of
from factcheck.claims.synonyms import BROADER, ROLES


def test_synonym_list_is_well_formed():
    for role, mapping in ROLES.items():
        seen: dict[str, str] = {}
        for descriptor, forms in mapping.items():
            assert forms, f"{role} {descriptor}: no surface forms"
            assert re.fullmatch(r"(?:[A-Z0-9]|gamma-)[\w ,'().-]*", descriptor), descriptor
            for form in forms:
                assert form == form.lower(), f"{descriptor}: surface form {form!r} not lower case"
                assert seen.setdefault(form, descriptor) == descriptor, (
                    f"{role}: {form!r} maps to both {seen[form]!r} and {descriptor!r}")
    every = {d for mapping in ROLES.values() for d in mapping}
    for child, parents in BROADER.items():
        assert child in every and all(p in every for p in parents)


def test_crps_and_its_synonyms_normalise_to_one_concept():
    matcher = EntityMatcher()
    for text in ("Ketamine helps with CRPS.", "Ketamine helps complex regional pain syndrome.",
                 "Ketamine helps Complex Regional Pain Syndromes."):
        descriptors = [m.descriptor for m in matcher.mentions(text)]
        assert descriptors == ["Ketamine", "Complex Regional Pain Syndromes"], text
    rsd = [m.descriptor for m in matcher.mentions("also known as Reflex Sympathetic Dystrophy")]
    assert rsd == ["Reflex Sympathetic Dystrophy"]


def test_nmda_forms_normalise_to_the_receptor_heading():
    matcher = EntityMatcher()
    for text in ("an NMDA receptor antagonist", "the brain’s NMDA (N-Methyl-D-Aspartate) receptors",
                 "a receptor called N-methyl-D-aspartate"):
        assert "Receptors, N-Methyl-D-Aspartate" in [m.descriptor for m in matcher.mentions(text)]


def test_vocabulary_spelling_and_broader_fallback():
    # the table spells the heading in its own case and lacks CRPS but holds its sibling
    matcher = EntityMatcher(["KETAMINE", "Reflex Sympathetic Dystrophy", "Nausea"])
    mentions = matcher.mentions("Ketamine eases CRPS but may cause nausea.")
    assert [m.descriptor for m in mentions] == ["KETAMINE", "Reflex Sympathetic Dystrophy",
                                                "Nausea"]


def test_vocabulary_headings_written_verbatim_are_found():
    matcher = EntityMatcher(["Tinnitus", "Acupressure", "Humans", "Laser Therapy"])
    mentions = matcher.mentions("Acupressure and laser therapy relieve tinnitus in humans.")
    found = {(m.role, m.descriptor) for m in mentions}
    assert ("vocabulary", "Tinnitus") in found
    assert ("vocabulary", "Acupressure") in found
    assert ("intervention", "Laser Therapy") in found  # shaped like an intervention
    assert not any(d == "Humans" for _, d in found)  # too generic to count


def test_shape_only_intervention_has_no_descriptor_and_no_mesh_term():
    claims = extract_claims("Lecanemab slowed cognitive decline by 27% in a large trial.")
    assert claims and claims[0].intervention == "Lecanemab"
    assert "" not in claims[0].mesh_terms


def test_matcher_is_cached_per_vocabulary():
    assert matcher_for(None) is matcher_for(None)
    assert matcher_for(["Ketamine"]) is matcher_for({"Ketamine"})
    assert matcher_for(["Ketamine"]) is not matcher_for(None)


def test_the_query_expands_synonyms():
    from factcheck.evidence.retrieve import build_query

    (claim,) = extract_claims("Ketamine therapy has been found to be particularly effective for "
                              "managing CRPS.")
    query = build_query(claim)
    forms = [t.lower() for t in query.concepts["condition"]]
    assert "complex regional pain syndromes" in forms
    assert "complex regional pain syndrome" in forms
    assert "reflex sympathetic dystrophy" in forms
    assert {"ketamine", "crps", "complex", "regional"} <= set(query.words)
    assert "crps" in synonyms_of("Complex Regional Pain Syndromes")


def test_no_descriptor_is_listed_twice_in_a_role():
    # a repeated key in a dict literal silently drops the first entry's surface forms
    import ast
    from pathlib import Path

    import factcheck.claims.synonyms as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})


def test_figurative_uses_name_no_entity():
    matcher = matcher_for(None)
    for idiom in ("When you fly east, your internal clock keeps running on home time.",
                  "The clinic has been up and running since May.",
                  "We are running low on appointments this week."):
        assert not [m for m in matcher.mentions(idiom) if m.role == "intervention"], idiom
    (running,) = [m for m in matcher.mentions("Running reduces the risk of heart disease.")
                  if m.role == "intervention"]
    assert running.descriptor == "Running"


def test_ordinary_words_are_not_taken_for_the_wrong_concept():
    """"relief" alone is not pain management ("fast relief from heartburn"); coffee is coffee,
    not caffeine ("decaf coffee")."""
    from factcheck.claims import extract_claims

    (antacid,) = extract_claims("Antacids provide fast relief from heartburn after meals.")
    assert antacid.mesh_terms == ["Antacids", "Heartburn"]
    (decaf,) = extract_claims("Decaf coffee lowers the risk of type 2 diabetes.")
    assert "Coffee" in decaf.mesh_terms and "Caffeine" not in decaf.mesh_terms
    (ketamine,) = extract_claims("Ketamine offers pain relief within hours.")
    assert "Pain Management" in ketamine.mesh_terms
