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


def test_a_sentence_that_speaks_of_nothing_the_claim_names_never_decides_it():
    """A sentence of an on-topic record that names none of the claim's concepts and shares one
    word with it at most is not read, so whatever the stance model would make of it, it does
    not decide."""
    from factcheck.evidence.assess import speaks_to
    from factcheck.evidence.retrieve import build_query
    from factcheck.store.rows import Claim

    text = "Ketamine infusions reduce migraine days."
    query = build_query(Claim(sentence=text, start=0, end=len(text), claim_type="efficacy",
                              certainty="assertive", polarity="positive", score=1.0, reason="",
                              intervention="ketamine", condition="migraine"))
    speaks = speaks_to(query)
    assert speaks("Ketamine infusions reduced migraine days compared with placebo.")
    assert speaks("Migraine frequency fell in the treated group.")       # names the condition
    assert not speaks("The mean score was lower at 18.14 in 70% of respondents.")
    stray = Hit(pmid=3, score=1.0, title="Ketamine and migraine: a cohort",
                abstract="RESULTS: The mean score was lower at 18.14 in 70% of respondents.",
                bm25=5.0, study_design="observational")
    # the stray sentence is not read: the stance model never sees it, so it can decide nothing
    assert sentences_to_read(text, "efficacy", [stray], query, [True]) == [[
        ("Ketamine and migraine: a cohort", "title"),
        ("The mean score was lower at 18.14 in 70% of respondents.", "results")]]
    assert sentences_to_read(text, "efficacy", [stray], query, [True], speaks) == [[
        ("Ketamine and migraine: a cohort", "title")]]
    ruled, = read_records(text, "efficacy", [stray], query, on_topic=[True], speaks=speaks)
    assert ruled.quote == "Ketamine and migraine: a cohort"
    # a record none of whose sentences speaks of the claim is not read at all
    silent = Hit(pmid=4, score=1.0, title="A cohort of respondents",
                 abstract="RESULTS: The mean score was lower at 18.14 in 70% of respondents.",
                 bm25=5.0, study_design="observational")
    unread, = read_records(text, "efficacy", [silent], query, on_topic=[True], speaks=speaks)
    assert (unread.stance, unread.quote, unread.p_support, unread.p_refute) == ("neutral", None, 0.0, 0.0)
