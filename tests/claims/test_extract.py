"""extract_claims on the four sample articles and on scraped-text shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from factcheck.claims import CERTAINTIES, CLAIM_TYPES, POLARITIES, Claim, extract_claims

SEEDS = Path(__file__).resolve().parents[2] / "data" / "seeds"


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_claims() -> dict[str, tuple[str, list[Claim]]]:
    out = {}
    for prefix in ("000", "001", "002", "003"):
        text = _seed(prefix)
        out[prefix] = (text, extract_claims(text))
    return out


def test_offsets_are_exact_and_fields_valid(seed_claims):
    for text, claims in seed_claims.values():
        assert claims
        for c in claims:
            assert text[c.start:c.end] == c.sentence
            assert c.claim_type in CLAIM_TYPES
            assert c.certainty in CERTAINTIES
            assert c.polarity in POLARITIES
            assert 0.0 <= c.score <= 1.0
            assert c.reason
            assert set(c.to_dict()) >= {"sentence", "start", "end", "claim_type", "certainty",
                                        "polarity", "score", "reason", "intervention",
                                        "condition", "outcome", "mesh_terms"}


def test_nmda_antagonist_sentence_is_a_mechanism_claim(seed_claims):
    _, claims = seed_claims["001"]
    (claim,) = [c for c in claims
                if c.sentence.startswith("Ketamine works primarily as an NMDA receptor antagonist")]
    assert claim.claim_type == "mechanism"
    assert claim.intervention == "Ketamine"
    assert "Ketamine" in claim.mesh_terms
    assert "Receptors, N-Methyl-D-Aspartate" in claim.mesh_terms
    from factcheck.evidence.retrieve import build_query

    assert "nmda" in build_query(claim).words


def test_related_post_teasers_and_calls_to_action_are_not_claims(seed_claims):
    sentences = [c.sentence for _, claims in seed_claims.values() for c in claims]
    assert not any(s.endswith("…") for s in sentences)
    assert not any("Discover if ketamine shows up in drug tests" in s for s in sentences)
    assert not any("Contact us today" in s for s in sentences)
    assert not any("In this blog, we will explain" in s for s in sentences)
    assert not any(s.startswith("If you are living with chronic pain, consider") for s in sentences)


def test_issue_examples_are_claims(seed_claims):
    by_text = {c.sentence: c for _, claims in seed_claims.values() for c in claims}
    duration = by_text["Pain relieving effects of even just one ketamine therapy session have "
                       "shown to last over three months."]
    assert duration.claim_type == "duration"
    regen = [c for s, c in by_text.items()
             if "promoting the regeneration of damaged nerves" in s]
    assert regen and regen[0].claim_type == "mechanism"
    cited = [c for s, c in by_text.items() if s.startswith("A 2009 study published in")]
    assert cited and cited[0].claim_type == "cited_source"


def test_empty_and_blank_bodies_give_no_claims():
    assert extract_claims("") == []
    assert extract_claims("   \n\n  ") == []


def test_a_repeated_sentence_is_judged_in_its_own_context():
    """A sentence met twice is judged once per context (``_judged`` reuses a judgement only for
    the same words in the same context): "They" with no sentence before it names nothing; after
    a sentence about statins it is about statins."""
    alone = "They reduce the risk of heart attacks by a third."
    after = "Statins lower cholesterol in adults.\n" + alone
    claims = extract_claims(f"{alone}\n\n{after}")
    assert [c.sentence for c in claims] == [alone, "Statins lower cholesterol in adults.", alone]
    assert "Statins" not in claims[0].reason
    assert claims[2].reason == extract_claims(after)[1].reason
    assert "Statins" in claims[2].reason


def test_the_cuts_of_an_article_are_recorded_by_kind():
    """A body past the characters read is ``too_large``; claims repeating an earlier sentence
    word for word are ``repeated_text`` (judged once), not a size problem."""
    from factcheck.claims.limits import MAX_BODY_CHARS, bounded_claims

    sentence = "Ketamine infusions relieve chronic pain in most patients, a 2019 trial found."
    claims, cuts = bounded_claims("\n\n".join([sentence] * 3))
    assert len(claims) == 1
    assert [(c.kind, c.message.startswith("limit: 2 claims repeat")) for c in cuts] == [
        ("repeated_text", True)]
    long_body = "\n\n".join(f"Ketamine eased pain in patient {i} of the trial, doctors said."
                            for i in range(MAX_BODY_CHARS // 40))
    _, cuts = bounded_claims(long_body)
    assert "too_large" in {c.kind for c in cuts}
    assert all(c.message.startswith("limit:") for c in cuts)


@pytest.mark.parametrize("sentence, intervention", [
    # fragments the generic intervention pattern took for one
    ("Plant-based eating is taking center stage in nutrition advice and lowers cholesterol.", None),
    ("Taking it with food reduces stomach upset.", None),
    ("The Food and Drug Administration approved it for depression.", None),
    ("Many people know about vegan diets that lower cholesterol.", "vegan diets"),
    # still found
    ("Taking vitamin D supplements reduces the risk of colds.", "vitamin D"),
    ("Eating more fibre lowers cholesterol.", "Eating more fibre"),
])
def test_the_generic_intervention_is_a_phrase_not_a_fragment(sentence, intervention):
    found = [c.intervention for c in extract_claims(sentence)]
    if intervention is None:     # no claim, or a claim without a made-up intervention
        assert found in ([], [None])
    else:
        assert found == [intervention]


def test_the_drug_refers_to_the_intervention_named_before_and_a_contrast_is_not_the_subject():
    """"The drug can cause nausea" after a sentence on sertraline is about sertraline (the
    generic word was taken for the intervention, and nothing was resolved); after "Unlike
    paracetamol, ibuprofen …", "it" is ibuprofen, and so is that sentence's own intervention."""
    text = ("Sertraline for depression\n\nSertraline is widely prescribed for depression. The drug "
            "can cause nausea in the first weeks.\n\nUnlike paracetamol, ibuprofen reduces "
            "inflammation. It can also irritate the stomach lining.\n\nKetamine relieves chronic "
            "pain. Ketamine works better than pain medications for nerve pain.")
    by_sentence = {c.sentence: c for c in extract_claims(text)}
    nausea = by_sentence["The drug can cause nausea in the first weeks."]
    assert nausea.intervention == "Sertraline"
    assert nausea.query_text == "Sertraline can cause nausea in the first weeks."
    assert by_sentence["Unlike paracetamol, ibuprofen reduces inflammation."].intervention == "ibuprofen"
    stomach = by_sentence["It can also irritate the stomach lining."]
    assert stomach.intervention == "ibuprofen" and stomach.query_text.startswith("Ibuprofen")
    # a generic word that is no reference stays as written
    assert by_sentence["Ketamine works better than pain medications for nerve pain."].query_text is None
