"""Reading records against a claim with the shipped stance model: a record on the claim's
topic is read whole, one off it is only glanced at (it cannot count either way)."""

from __future__ import annotations

from factcheck.evidence.read import (MAX_SENTENCES, OFF_TOPIC_SENTENCES, candidate_sentences,
                                     glance_sentences, read_records)
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


def test_an_off_topic_record_is_glanced_at_title_and_closest_sentence():
    whole = candidate_sentences(hit(1), "efficacy", WORDS)
    glance = glance_sentences(hit(1), "efficacy", WORDS)
    assert 10 <= len(whole) <= MAX_SENTENCES and len(glance) == OFF_TOPIC_SENTENCES == 2
    assert glance[0] == ("A trial of infusions in adults", "title")
    assert glance[1][0] == "Ketamine infusions reduced migraine days compared with placebo."


def test_read_records_quotes_the_closest_sentence_of_an_off_topic_record_and_never_counts_it():
    claim = "Ketamine infusions reduce migraine days."
    on, off = read_records(claim, "efficacy", [hit(1), hit(2)], on_topic=[True, False])
    assert off.stance == "neutral" and off.quote in {s for s, _ in glance_sentences(hit(2), "efficacy", WORDS)}
    # the record on topic is read whole: its most decided sentence is the finding
    assert on.quote == "Ketamine infusions reduced migraine days compared with placebo."
    assert on.stance == "supports"
