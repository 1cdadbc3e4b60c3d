"""Reading records against a claim with the shipped stance model: a record on the claim's
topic is read whole, one off it is not read (it cannot count either way)."""

from __future__ import annotations

from factcheck.evidence.read import (MAX_SENTENCES, candidate_sentences, read_records,
                                     sentences_to_read)
from factcheck.evidence.retrieve import Hit

ABSTRACT = "\n".join([
    "BACKGROUND: Chronic pain is common and costly.",
    "METHODS: We enrolled 80 adults and followed them for a year.",
    *[f"RESULTS: Outcome {i} did not differ between the groups." for i in range(14)],
    "RESULTS: Ketamine infusions reduced migraine days compared with placebo.",
    "CONCLUSIONS: More work is needed.",
])
WORDS = {"ketamine", "migraine", "infusions"}


def hit(pmid: int) -> Hit:
    return Hit(pmid=pmid, score=1.0, title="A trial of infusions in adults", abstract=ABSTRACT,
               bm25=5.0, study_design="rct")


def test_an_off_topic_record_is_not_read_and_one_on_topic_is_read_up_to_the_limit():
    whole = candidate_sentences(hit(1), "efficacy", WORDS)
    assert 10 <= len(whole) <= MAX_SENTENCES and whole[0] == ("A trial of infusions in adults", "title")
    assert sentences_to_read("Ketamine infusions reduce migraine days.", "efficacy",
                             [hit(1), hit(2)], on_topic=[True, False]) == [whole, []]


def test_read_records_never_counts_or_quotes_an_off_topic_record():
    claim = "Ketamine infusions reduce migraine days."
    on, off = read_records(claim, "efficacy", [hit(1), hit(2)], on_topic=[True, False])
    assert (off.stance, off.quote, off.p_support, off.p_refute, off.p_relevant) == ("neutral", None, 0.0, 0.0, 0.0)
    # the record on topic is read whole: its most decided sentence is the finding
    assert on.quote == "Ketamine infusions reduced migraine days compared with placebo."
    assert on.stance == "supports"


def test_an_abstract_is_split_after_a_number_but_not_inside_e_g_or_a_list_number():
    from factcheck.evidence.sentences import split_abstract

    text = ("Gaps (e.g. 3 mm) allowed loading by week 4. Large gaps (i.e. 6 mm) healed later. "
            "1. Patients improved in 2013. The effect lasted.")
    assert [s.text for s in split_abstract(text)] == [
        "Gaps (e.g. 3 mm) allowed loading by week 4.", "Large gaps (i.e. 6 mm) healed later.",
        "1. Patients improved in 2013.", "The effect lasted."]
