"""Plain-text mode on the four bundled sample articles (data/seeds/), as scraped."""

from __future__ import annotations

from pathlib import Path

import pytest

from factcheck.clean import clean_document, clean_text

SEEDS = Path(__file__).resolve().parents[2] / "data" / "seeds"


def _clean(name: str):
    path = next(SEEDS.glob(f"{name}_*.txt"))
    return path.read_text(encoding="utf-8"), clean_text(path.read_text(encoding="utf-8"))


# (sample, line that must be gone, kind it is recorded under)
REMOVED = [
    ("000", "Reach out and schedule your free consultation to find out more!", "author_promo"),
    ("001", "This article is in the category Treatment and created by SubstanceAbuseAction Team",
     "category_footer"),
    ("001", "Can secondhand smoke from weed cause nausea?", "related_posts"),
    ("001", "Discover if ketamine shows up in drug tests", "related_posts"),
    ("001", "Can cannabis be a weight loss ally?", "related_posts"),
    ("002", "Contact us today to schedule a consultation", "cta"),
    ("002", "Take the First Step Towards Pain-Free Living Today", "cta"),
    ("003", "Back to Blog", "navigation"),
    ("003", "May 3, 2021", "date"),
    ("003", "SageBrains arrow right button", "navigation"),
    ("003", "Share with friends!", "share"),
    ("003", "journey today.", "cta"),
    ("003", "Join the thousands who are receiving their psychedelic news", "newsletter"),
    ("003", "Get Started", "cta"),
]


@pytest.mark.parametrize(("sample", "snippet", "kind"), REMOVED)
def test_boilerplate_line_is_removed_and_recorded(sample, snippet, kind):
    _, result = _clean(sample)
    assert snippet not in result.body_text
    assert any(snippet in block.text and block.kind == kind for block in result.removed), \
        [(b.kind, b.text[:60]) for b in result.removed]


@pytest.mark.parametrize("sample", ["000", "001", "002", "003"])
def test_every_body_line_and_heading_is_kept(sample):
    raw, result = _clean(sample)
    removed_text = " ".join(block.text for block in result.removed)
    body_paragraphs = result.body_text.split("\n\n")
    for line in raw.splitlines():
        line = " ".join(line.split())  # the body collapses runs of white space, NBSP included
        if not line or line in removed_text:
            continue
        assert line in body_paragraphs, f"lost body line: {line[:80]}"


def test_headings_stay_on_their_own_paragraph():
    _, result = _clean("002")
    paragraphs = result.body_text.split("\n\n")
    for heading in ("What is Ketamine Therapy?", "Fibromyalgia", "Cancer Pain",
                    "Ketamine Therapy for Chronic Pain at Pain Management & Injury Relief"):
        assert heading in paragraphs


def test_claim_sentences_survive():
    _, result = _clean("001")
    assert "Ketamine works primarily as an NMDA receptor antagonist" in result.body_text


def test_date_and_title_are_read_from_lines():
    _, result = _clean("003")
    assert result.published == "2021-05-03"
    assert result.title == "How Ketamine Treatment Can Relieve Chronic Pain?"
    assert result.language == "en"
    assert result.error is None


def test_clean_document_dispatches_plain_text():
    raw, _ = _clean("002")
    result = clean_document(raw, "text/plain")
    assert "Contact us today to schedule a consultation" not in result.body_text
    assert result.to_dict()["removed"][0]["kind"]
