"""Behaviours of the HTML cleaner that the labelled pages do not isolate."""

from __future__ import annotations

from pathlib import Path

from factcheck.clean import clean_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clean"
PARAGRAPH = ("Statins cause muscle pain in only a small minority of the people who take them, "
             "according to a pooled analysis of 23 randomised trials. ")


def _page(body: str, head: str = "<title>Statins and muscle pain</title>") -> str:
    return f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{body}</body></html>"


def test_removed_blocks_are_in_page_order():
    result = clean_html((FIXTURES / "wp_jetpack_vitamin_d.html").read_text(encoding="utf-8"))
    kinds = [block.kind for block in result.removed]
    assert kinds.index("byline") < kinds.index("cta") < kinds.index("disclaimer") < kinds.index("share")
    assert kinds[0] == kinds[-1] == "header_footer"


def test_wrapper_named_like_a_sidebar_keeps_the_article():
    page = _page("<div class='content-with-sidebar-wrap'><article><h1>Statins</h1>"
                 + f"<p>{PARAGRAPH}</p>" * 3 + "</article><div class='sidebar'><p>Popular: "
                 + "ten foods that lower blood pressure</p></div></div>"
                 + "<div class='sidebar-menu'>" + "<a href='#'>Menu entry</a>" * 300 + "</div>")
    result = clean_html(page)
    assert PARAGRAPH.strip() in result.body_text
    assert "Popular" not in result.body_text


def test_hidden_elements_are_removed_and_recorded():
    page = _page("<article>" + f"<p>{PARAGRAPH}</p>" * 2
                 + "<div style='display: none'><p>2019-11-19T08:57:40+01:00 hidden schema copy "
                 "of the headline for crawlers</p></div></article>")
    result = clean_html(page)
    assert "hidden schema copy" not in result.body_text
    assert any(block.kind == "hidden" for block in result.removed)


def test_headline_moves_to_the_title():
    page = _page("<article><h1>Statins and muscle pain</h1>" + f"<p>{PARAGRAPH}</p>" * 2 + "</article>")
    result = clean_html(page)
    assert result.title == "Statins and muscle pain"
    assert not result.body_text.startswith("Statins and muscle pain")
    assert [b.kind for b in result.removed] == ["title"]


def test_jsonld_author_wins_over_a_reviewer_line():
    head = ('<title>Magnesium</title><script type="application/ld+json">{"@context":"https://schema.org",'
            '"@type":"MedicalWebPage","author":{"@type":"Person","name":"Megan Cole"}}</script>')
    page = _page("<p class='byline'>Medically reviewed by Dr. Alan Brooks</p><article>"
                 + f"<p>{PARAGRAPH}</p>" * 2 + "</article>", head)
    assert clean_html(page).author == "Megan Cole"


def test_key_takeaways_box_beside_the_body_is_kept():
    page = _page("<article><h1>Statins</h1><div class='key-takeaways'><h2>Key takeaways</h2><ul>"
                 "<li>Muscle pain is rarely caused by the statin itself.</li></ul></div>"
                 "<div class='entry-content'>" + f"<p>{PARAGRAPH}</p>" * 3 + "</div></article>")
    paragraphs = clean_html(page).body_text.split("\n\n")
    assert paragraphs[:2] == ["Key takeaways", "Muscle pain is rarely caused by the statin itself."]
    assert PARAGRAPH.strip() in paragraphs


def test_keep_cta_mode_leaves_calls_to_action_in_the_body():
    page = _page("<article>" + f"<p>{PARAGRAPH}</p>" * 2
                 + "<p>Worried about side effects? Book an appointment with our pharmacist today.</p></article>")
    assert "Book an appointment" not in clean_html(page).body_text
    assert "Book an appointment" in clean_html(page, remove_cta=False).body_text
