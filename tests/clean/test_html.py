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


def test_a_script_inside_the_headline_stays_out_of_the_title():
    page = _page("<article><h1>Statins <script>alert(1)</script><style>h1{}</style>and muscle "
                 "pain</h1>" + f"<p>{PARAGRAPH}</p>" * 2 + "</article>", head="")
    result = clean_html(page)
    assert result.title == "Statins and muscle pain"
    assert "alert" not in result.title and "alert" not in result.body_text


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


SECOND = ("In the first year of treatment, muscle pain or weakness was reported by 27.1 per cent "
          "of people taking a statin and 26.6 per cent of those taking a placebo. ")


def test_prose_in_a_box_named_like_a_widget_is_kept():
    """A theme's wrapper whose class happens to hold a furniture word ('sidebar-enabled-false')
    but that holds paragraphs of running text is not pruned as furniture; a widget of links
    beside it is."""
    first = "".join(f"<p>{text}</p>" for text in (
        PARAGRAPH, SECOND,
        "That means only about one in 15 reports of muscle symptoms among statin users was "
        "actually caused by the drug, the authors wrote in The Lancet.",
        "Most of the excess reports came in the first year of treatment, and most of them were "
        "mild, the analysis of individual patient data found.",
        "The trials compared statins with a placebo in people with and without heart disease, "
        "and followed them for a median of four and a half years.",
        "Muscle symptoms were no more common with the more intensive regimens after the first "
        "year, which suggests that most later complaints have other causes."))
    boxed = "".join(f"<p>{text}</p>" for text in (
        "Doctors say the findings should reassure patients who stopped taking their tablets "
        "because they feared aches and pains would follow.",
        "People who develop severe muscle pain, weakness or dark urine should still see a doctor "
        "promptly, because a rare but serious muscle condition can occur.",
        "The researchers called for the product information leaflets given to patients to be "
        "revised so that they no longer overstate the risk of muscle symptoms.",
        "Heart specialists not involved in the work said the results matched what they saw in "
        "clinics, where most muscle complaints turned out to have other causes."))
    page = _page("<article><h1>Statins</h1>" + f"<div>{first}</div>"
                 f"<div class='layout sidebar-enabled-false'>{boxed}</div></article>"
                 "<div class='widget popular'><p><a href='/a'>Ten foods that lower blood pressure"
                 "</a></p><p><a href='/b'>Why millions more adults could be offered statins</a>"
                 "</p></div>")
    result = clean_html(page)
    assert not any("muscle condition" in block.text for block in result.removed)   # not pruned
    assert "Ten foods" not in result.body_text
    assert "sidebar" in [block.kind for block in result.removed]


def test_page_builder_boxes_are_layout_not_sidebars():
    """Elementor names every box 'elementor-widget…': boxes of text and headings are not
    pruned as sidebar widgets; a share bar ('elementor-widget-share-buttons') still is."""
    widget = "<div class='elementor-element elementor-widget elementor-widget-{}'>{}</div>"
    page = _page("<div class='elementor-widget-wrap'>"
                 + widget.format("text-editor", f"<p>{PARAGRAPH}</p>")
                 + widget.format("heading", "<h2>Who should take a statin?</h2>")
                 + widget.format("text-editor", f"<p>{SECOND}</p><p>{PARAGRAPH}</p>")
                 + widget.format("share-buttons", "<a href='#'>Share on Facebook</a>") + "</div>")
    result = clean_html(page)
    assert SECOND.strip() in result.body_text
    assert not any("statin" in block.text for block in result.removed)   # no box pruned
    assert "Share on Facebook" not in result.body_text
    assert [block.kind for block in result.removed] == ["share"]


def test_weekday_date_lines_and_like_counts_are_removed():
    page = _page("<article><p>Sunday, March 10, 2024</p>" + f"<p>{PARAGRAPH}</p><p>1.2K</p>"
                 + f"<p>{SECOND}</p></article>")
    result = clean_html(page)
    assert result.body_text == PARAGRAPH.strip() + "\n\n" + SECOND.strip()
    assert {block.kind for block in result.removed} >= {"date", "boilerplate"}


def test_metadata_from_meta_tags_and_a_byline_outside_the_comments():
    head = ("<title>Statins | The Daily Courier</title>"
            "<meta property='og:title' content='Statins do not cause most muscle pain'>")
    body = ("<article><h1>Statins do not cause most muscle pain</h1>"
            "<div class='post-author'>By Jane Roe, Health correspondent</div>"
            f"<p>{PARAGRAPH}</p><p>{SECOND}</p></article>"
            "<section class='comments'><span class='comment-author'>Diana Yardley says</span>"
            "<p>Great read!</p></section>")
    result = clean_html(_page(body, head))
    assert result.title == "Statins do not cause most muscle pain"
    assert result.author == "Jane Roe"
    # without the byline, a commenter's name or a form label is never taken for the author
    bare = clean_html(_page(body.replace("By Jane Roe, Health correspondent", "")
                            + "<form><label class='author'>Name *</label></form>", head))
    assert bare.author is None


def test_meta_author_that_is_a_url_or_one_word_is_not_a_name():
    head = ("<title>Statins</title><meta name='author' content='https://example.org/staff'>"
            "<meta property='article:author' content='Dr. Jane Roe'>")
    result = clean_html(_page(f"<article><p>{PARAGRAPH}</p><p>{SECOND}</p></article>", head))
    assert result.author == "Dr. Jane Roe"
