"""Sentence segmentation: exact offsets on scraped text shapes."""

from __future__ import annotations

import json
from pathlib import Path

from factcheck.claims import segment_sentences
from factcheck.claims.segment import split_run_in_heading

ROOT = Path(__file__).resolve().parents[2]


def _texts() -> list[str]:
    manifest = json.loads((ROOT / "data/labelled/manifest.json").read_text(encoding="utf-8"))
    return [(ROOT / "data/labelled" / e["text"]).read_text(encoding="utf-8")
            for e in manifest["texts"]]


def test_offsets_are_exact_on_every_labelled_text():
    for text in _texts():
        spans = segment_sentences(text)
        assert spans
        last_end = 0
        for span in spans:
            assert text[span.start:span.end] == span.text
            assert span.text == span.text.strip()
            assert span.start >= last_end
            last_end = span.end


def test_abbreviations_brackets_quotes_and_decimals_do_not_split():
    body = ('Dr. Smith said ketamine works. It is given by intravenous (IV) infusion. '
            'Some drugs, e.g. opioids, are risky. Relief lasted 3.5 months in 60% of patients. '
            '“It works,” he said.')
    assert [s.text for s in segment_sentences(body)] == [
        "Dr. Smith said ketamine works.",
        "It is given by intravenous (IV) infusion.",
        "Some drugs, e.g. opioids, are risky.",
        "Relief lasted 3.5 months in 60% of patients.",
        "“It works,” he said.",
    ]


def test_a_run_of_question_and_exclamation_marks_ends_a_sentence():
    body = "Is it a miracle cure?!? Ketamine relieves depression within hours!!! Many swear by it."
    assert [s.text for s in segment_sentences(body)] == [
        "Is it a miracle cure?!?", "Ketamine relieves depression within hours!!!",
        "Many swear by it."]
    for span in segment_sentences(body):
        assert body[span.start:span.end] == span.text
    # a run of marks that ends no sentence (a number follows in the same clause) stays
    assert len(segment_sentences("Pain fell by half (!!) in 60% of patients.")) == 1


def test_headings_list_items_and_teasers_stay_on_their_own_lines():
    body = ("What Causes Chronic Pain?\nOne of the reasons is nerve damage.\nJoint Pain\n"
            "Muscle Aches\nDiscover if ketamine shows up in drug tests and what that means for…\n"
            "Explore the intriguing connection between smoking weed and…")
    texts = [s.text for s in segment_sentences(body)]
    assert texts == ["What Causes Chronic Pain?", "One of the reasons is nerve damage.",
                     "Joint Pain", "Muscle Aches",
                     "Discover if ketamine shows up in drug tests and what that means for…",
                     "Explore the intriguing connection between smoking weed and…"]


def test_windows_line_endings_keep_offsets():
    body = "Ketamine Works\r\n\r\nKetamine blocks NMDA receptors. It acts fast.\r\n"
    spans = segment_sentences(body)
    assert [s.text for s in spans] == ["Ketamine Works", "Ketamine blocks NMDA receptors.",
                                       "It acts fast."]
    assert all(body[s.start:s.end] == s.text for s in spans)


def test_heading_run_into_its_paragraph_is_split_off():
    body = "Modulation of NMDA Receptors NMDA receptors are involved in the transmission of pain."
    spans = segment_sentences(body)
    assert [s.text for s in spans] == ["Modulation of NMDA Receptors",
                                       "NMDA receptors are involved in the transmission of pain."]
    assert split_run_in_heading("Benefits of IV Vitamin Therapy Our drips boost your immune "
                                "system.") == len("Benefits of IV Vitamin Therapy")


def test_title_case_names_inside_a_sentence_are_not_split():
    for sentence in ("The National Library of Medicine described that side effects can occur.",
                     "The American Psychiatric Nurses Association describes how it works.",
                     "Complex Regional Pain Syndrome, also known as RSD, is a condition."):
        assert split_run_in_heading(sentence) is None
        assert [s.text for s in segment_sentences(sentence)] == [sentence]


def test_empty_body_has_no_sentences():
    assert segment_sentences("") == []
    assert segment_sentences("\n\n  \n") == []


def test_one_enormous_line_is_cut_at_sentence_ends_with_exact_offsets():
    sentence = "Dr. Lee said ketamine blocks NMDA receptors in 3.5 hours (IV). "
    body = sentence * 400  # ~25,000 characters, no line break
    spans = segment_sentences(body)
    assert len(spans) == 400
    assert all(body[s.start:s.end] == s.text == sentence.strip() for s in spans)
