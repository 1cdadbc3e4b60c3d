"""The cleaner on the project's own labelled pages (tests/fixtures/clean): for each page the
expected body (every paragraph, heading and list item), the removed blocks and their kinds,
and the metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from factcheck.clean import clean_document
from research.clean_evaluate import check_fixture, load_fixtures, summarise

FIXTURES = load_fixtures(Path(__file__).resolve().parents[1] / "fixtures" / "clean")


@pytest.fixture(scope="module")
def results():
    return {f.name: clean_document(f.read(), f.content_type) for f in FIXTURES}


def test_fixture_set_covers_the_templates():
    html = [f for f in FIXTURES if f.content_type == "text/html"]
    assert len(html) >= 15
    assert {f.expected["language"] for f in html} >= {"en", "de", "fr", "es"}
    kinds = set().union(*(f.expected["removed"] for f in FIXTURES))
    assert kinds >= {"related_posts", "cta", "share", "newsletter", "author_promo", "category_footer",
                     "navigation", "comments", "cookie_banner", "date", "byline", "disclaimer"}


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_page_is_cleaned_as_labelled(fixture, results):
    score = check_fixture(fixture, results[fixture.name])
    assert score.problems == []
    assert score.precision >= 0.95 and score.recall >= 0.95, (score.precision, score.recall)


def test_fixture_set_scores(results):
    scores = [check_fixture(f, results[f.name]) for f in FIXTURES]
    summary = summarise(scores)
    assert summary["f1"] >= 0.97
    assert summary["kinds_recall"] >= 0.95


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_body_text_layout_contract(fixture, results):
    """Paragraphs are separated by exactly one blank line and hold no line break of their own;
    claim offsets rely on this string never being re-normalised downstream."""
    body = results[fixture.name].body_text
    paragraphs = body.split("\n\n")
    assert all(p and p == p.strip() and "\n" not in p for p in paragraphs)
    assert results[fixture.name].to_dict()["body_text"] == body
