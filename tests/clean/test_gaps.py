"""Paragraphs trafilatura skips inside the article, and in its lead, are put back
(``clean.html._fill_gaps``); captions, teasers, time stamps and link lists are not, and what
comes back is judged by the text rules like any other paragraph."""

from __future__ import annotations

import pytest
import trafilatura

from factcheck.clean import clean_html, rules
from factcheck.clean.html import _fill_gaps, _is_stamp

P1 = ("Ketamine infusions are used in some clinics for chronic pain, and the doses given there "
      "are lower than the doses used for anaesthesia in operating rooms.")
P2 = ("Researchers who followed patients for twelve weeks reported that the relief faded for "
      "most of them within a fortnight of the last infusion.")
P3 = ("Side effects during the infusion included dizziness, nausea and a feeling of detachment, "
      "which usually passed within an hour of the session ending.")
ALERT = ("Ketamine is not approved for chronic pain, and clinics that offer it do so off label "
         "without long-term safety data for repeated infusions.")
DEK = "One infusion relieved pain for about two weeks in most patients, a review of trials finds"
CAPTION = ("A nurse prepares a ketamine infusion at a pain clinic in Leeds, where patients "
           "receive weekly sessions. Photo: Getty Images")
STAMP = "Published Tue, Nov 19 2019 10:48 AM EST, updated an hour ago by the health desk"
TEASER = "Why chronic pain clinics are turning to an old anaesthetic drug for relief now"
LINKS = ("<a href='/a'>Ketamine clinics near you and what they charge for a session</a> "
         "<a href='/b'>Esketamine nasal spray explained</a>")
CTA = ("Book your free consultation today and our team will help you find the right "
       "ketamine treatment plan for your pain.")


def page(between: str = "", lead: str = "", dek: str = "") -> str:
    """A clinic blog post: the headline (and its ``dek``) in a header, a ``lead`` below it,
    the text in the theme's content container."""
    return f"""<html><head><title>Ketamine for chronic pain: what the trials show | Pain Clinic</title></head><body>
<nav><a href='/'>Home</a> <a href='/blog'>Blog</a></nav>
<main><div class="article-header"><h1>Ketamine for chronic pain: what the trials show</h1>{dek}</div>
{lead}<div class="entry-content"><p>{P1}</p>{between}<p>{P2}</p><p>{P3}</p></div></main>
<footer>Copyright 2026 Pain Clinic</footer></body></html>"""


def alert(text: str) -> str:
    return (f'<div class="elementor-widget-container"><div class="elementor-alert" role="alert">'
            f'<span class="elementor-alert-title">Important to note:</span> '
            f'<span class="elementor-alert-description">{text}</span></div></div>')


def paragraphs(result) -> list[str]:
    return result.body_text.split("\n\n")


def test_trafilatura_alone_skips_the_blocks_these_tests_put_back():
    # the premise: without the gap filling, these sentences are lost
    for html in (page(between=alert(ALERT)), page(lead=f'<div class="intro"><p>{DEK}</p></div>'),
                 page(dek=f'<p class="standfirst">{DEK}</p>'),
                 page(lead=f'<h3>{TEASER}</h3><div class="meta">{STAMP}</div>')):
        text = trafilatura.extract(html, favor_recall=True, fast=True, include_tables=True) or ""
        assert P1 in text and P2 in text
        assert ALERT not in text and DEK not in text and TEASER not in text and STAMP not in text


def test_a_block_skipped_between_kept_paragraphs_is_put_back_in_place():
    body = paragraphs(clean_html(page(between=alert(ALERT))))
    assert body == [P1, f"Important to note: {ALERT}", P2, P3]


def test_the_lead_between_the_headline_and_the_body_is_put_back_first():
    result = clean_html(page(lead=f'<div class="intro"><p>{DEK}</p></div>'))
    assert paragraphs(result)[:2] == [DEK, P1]


def test_a_dek_in_the_page_header_is_not_put_back():
    # it restates the article, whose headline is kept (news benchmarks leave it out)
    assert paragraphs(clean_html(page(dek=f'<p class="standfirst">{DEK}</p>'))) == [P1, P2, P3]


def test_captions_time_stamps_teasers_and_link_lists_are_not_put_back():
    between = (f'<figure><img src="a.png"><figcaption>{P2.replace("Researchers", "Doctors")}'
               f'</figcaption></figure>'
               f'<div class="wp-caption-text"><div>{CAPTION.replace(" Photo: Getty Images", "")}</div></div>'
               + alert(CAPTION) +
               f'<div class="box"><div>{LINKS}</div></div>')
    lead = (f'<div class="meta"><div>{STAMP}</div></div>'
            f'<h3>{TEASER}</h3>')
    body = paragraphs(clean_html(page(between=between, lead=lead)))
    assert body == [P1, P2, P3]


def test_a_block_kept_with_an_inline_part_dropped_is_not_put_back_twice():
    # trafilatura drops the button and keeps the paragraph: the page's block and the kept one
    # differ
    html = page().replace(f"<p>{P2}</p>", f"<p>{P2[:60]}<button>Copy a link to this section</button>"
                                          f"{P2[60:]}</p>")
    body = paragraphs(clean_html(html))
    assert sum(1 for p in body if "twelve weeks" in p) == 1


def test_a_call_to_action_put_back_is_removed_by_the_text_rules_and_recorded():
    result = clean_html(page(between=alert(CTA)))
    assert "Book your free consultation" not in result.body_text
    assert any("Book your free consultation" in block.text and block.kind == "cta"
               for block in result.removed)
    assert paragraphs(result) == [P1, P2, P3]


P4 = ("Most patients in the trials had tried at least three other pain medicines before they "
      "were offered ketamine, and many were taking opioids at the time.")


def article(*parts: str, h1: str = "Ketamine for chronic pain: what the trials show",
            classes: str = "") -> str:
    return f"""<html><head><title>Ketamine for chronic pain: what the trials show | Pain Clinic</title>
</head><body><nav><a href='/'>Home</a></nav><main><article class="{classes}">
<div class="article-header"><h1>{h1}</h1></div><div class="entry-content">{''.join(parts)}</div>
</article></main><footer>Copyright 2026</footer></body></html>"""


def test_a_gap_after_a_later_block_goes_after_that_block():
    body = paragraphs(clean_html(article(f"<p>{P1}</p>", f"<p>{P2}</p>", f"<p>{P3}</p>", alert(ALERT),
                                         f"<p>{P4}</p>")))
    assert body == [P1, P2, P3, f"Important to note: {ALERT}", P4]


def test_a_gap_after_a_short_kept_heading_goes_under_that_heading():
    body = paragraphs(clean_html(article(f"<p>{P1}</p>", "<h2>Side effects</h2>", alert(ALERT),
                                         f"<p>{P2}</p>", f"<p>{P3}</p>")))
    assert body == [P1, "Side effects", f"Important to note: {ALERT}", P2, P3]


def test_a_gap_after_a_paragraph_split_by_a_line_break_goes_after_the_whole_paragraph():
    body = paragraphs(clean_html(article(f"<p>{P1}</p>", f"<p>{P2}<br>{P3}</p>", alert(ALERT),
                                         f"<p>{P4}</p>")))
    assert body.index(f"Important to note: {ALERT}") == len(body) - 2
    assert P4 == body[-1] and "\n".join(body[:-2]).count("twelve weeks") == 1


def test_kept_paragraphs_in_another_form_are_not_put_back_twice():
    soft = P2.replace("fortnight", "fort\u00adnight")
    short = "Ketamine clinics charge per session <button>Copy link</button> and insurers rarely pay."
    body = clean_html(article(f"<p>{P1}</p>", f"<p>{soft}</p>", f"<p>{short}</p>", alert(ALERT),
                              f"<p>{P3}</p>")).body_text
    assert body.count("twelve weeks") == 1 and body.count("insurers rarely pay") == 1
    assert f"Important to note: {ALERT}" in body


def note(text: str) -> str:
    """An alert box without a title: trafilatura skips it too."""
    return (f'<div class="elementor-widget-container"><div class="elementor-alert" role="alert">'
            f'<span class="elementor-alert-description">{text}</span></div></div>')


def test_a_repeated_gap_is_put_back_once_and_a_short_one_by_its_words_not_its_characters():
    seven = "Ask your doctor first about it, please."            # 7 words
    eight = "Do not take it with alcohol or opioids."            # 8 words, 39 characters
    body = paragraphs(clean_html(article(f"<p>{P1}</p>", alert(ALERT), f"<p>{P2}</p>", alert(ALERT),
                                         note(seven), note(eight), f"<p>{P3}</p>")))
    assert body.count(f"Important to note: {ALERT}") == 1
    assert eight in body and not any(seven in p for p in body)


def test_the_lead_needs_the_headline_and_state_classes_do_not_stop_the_filling():
    lead = f'<div class="intro"><p>{DEK}</p></div>'
    page_ = article(f"<p>{P1}</p>", alert(ALERT), f"<p>{P2}</p>", f"<p>{P3}</p>",
                    classes="post type-post has-post-thumbnail format-standard")
    with_lead = page_.replace('<div class="entry-content">', lead + '<div class="entry-content">')
    assert paragraphs(clean_html(with_lead))[:3] == [DEK, P1, f"Important to note: {ALERT}"]
    # an <h1> that is the site's logo, not the headline: what follows it is not a lead
    logo = with_lead.replace("<h1>Ketamine for chronic pain: what the trials show</h1>",
                             "<h1><a href='/'>Pain Clinic Leeds</a></h1>")
    assert DEK not in clean_html(logo).body_text


@pytest.mark.parametrize(("text", "credit"), [
    ("A nurse prepares a ketamine infusion at a pain clinic. Photo: Getty Images", True),
    ("Beijing Chaoyang Hospital, where plague patients sought treatmentCredit: EPA", True),
    ("The road to retiring early isn't easy.Kathrin Ziegler/Getty", True),
    ("US professor Kevin King (left) and his Australian colleague Timothy Weeks AP", True),
    ("Credit: the study was funded by the National Institutes of Health and ran for five years.", False),
    ("MRI images by researchers at Oxford showed less swelling after six weeks.", False),
    ("If you forget doses, take a photo: it helps you remember which pill you took.", False),
    ("The spray was approved by the EPA", False),
    ("A nurse prepares an infusion at the clinic. Photo: Getty Images.", True),
    ("A nurse prepares an infusion at the clinic (Photo: J. Smith)", True),
    ("The tumour marker is called alpha-fetoprotein, or AFP", False),
    ("If the pain persists, ask your doctor/PA", False),
    ("Download the app from Unsplash or Pexels to track symptoms each day", False),
])
def test_photo_credits(text, credit):
    assert bool(rules.PHOTO_CREDIT.search(text)) is credit


@pytest.mark.parametrize(("text", "stamp"), [
    ("Published Wed, Nov 20 2019 4:29 AM EST Updated an hour ago", True),
    ("PUBLISHED: 10:48, Tue, Nov 19, 2019 | UPDATED: 11:05, Tue, Nov 19, 2019", True),
    ("The Associated Press Published Monday, November 18, 2019 8:22AM EST", True),
    ("Last reviewed: March 2024", True),
    ("Updated guidance from the CDC on 12/03/2021 says adults over 65 should get a booster", False),
    ("Published in JAMA on March 3, 2020, the trial followed 5,000 adults for a decade", False),
    ("Published in 2019, the trial followed 5,000 adults", False),
    ("Published In The Lancet On March 3, 2020, The Trial Followed 5,000 Adults", False),
])
def test_time_stamps(text, stamp):
    assert _is_stamp(text) is stamp


def test_put_back_blocks_keep_their_role():
    from lxml import html as lxml_html

    from factcheck.clean.engine import Block

    tree = lxml_html.fromstring(f"<html><body><p>{P1}</p><ul><li>{ALERT}</li></ul>"
                                f"<table><tr><td><span>{P4}</span></td></tr></table><p>{P2}</p></body></html>")
    blocks, n = _fill_gaps(tree, [Block(P1), Block(P2)])
    assert n == 2 and [b.role for b in blocks] == ["p", "li", "table", "p"]


def test_a_gap_after_a_repeated_paragraph_goes_after_the_repeat():
    # the repeat (a pull quote) is found after the point reached, not at its first occurrence
    body = paragraphs(clean_html(article(f"<p>{P1}</p>", f"<p>{P2}</p>", f"<p>{P3}</p>", f"<p>{P1}</p>",
                                         alert(ALERT), f"<p>{P4}</p>")))
    assert body == [P1, P2, P3, P1, f"Important to note: {ALERT}", P4]


def test_a_short_block_found_by_chance_inside_a_kept_paragraph_moves_nothing():
    # "Side effects" also stands inside P3; the alert still goes before P3, not lost
    body = paragraphs(clean_html(article(f"<p>{P1}</p>", f"<p>{P2}</p>", note("Side effects"),
                                         alert(ALERT), f"<p>{P3}</p>")))
    assert body == [P1, P2, f"Important to note: {ALERT}", P3]


def test_a_pull_quote_before_its_source_moves_nothing():
    quote = P2.split(" reported")[0] + " found the relief faded."
    body = paragraphs(clean_html(article(f"<p>{P1}</p>", note(P2[:90]), alert(ALERT), f"<p>{P3}</p>",
                                         f"<p>{P2}</p>", f"<p>{P4}</p>")))
    assert body.index(f"Important to note: {ALERT}") == 1 and body[-3:] == [P3, P2, P4]
    assert not any(quote in p for p in body)


def test_the_lead_goes_before_a_first_paragraph_split_by_a_line_break():
    lead = f'<div class="intro"><p>{DEK}</p></div>'
    html = article(f"<p>{P1}<br>{P4}</p>", alert(ALERT), f"<p>{P2}</p>", f"<p>{P3}</p>").replace(
        '<div class="entry-content">', lead + '<div class="entry-content">')
    assert paragraphs(clean_html(html))[0] == DEK


@pytest.mark.parametrize(("h1", "head", "lead"), [
    ("<h1><a name='top'></a>Ketamine for chronic pain: what the trials show</h1>", "", True),
    ("<h1>Pain Clinic Leeds</h1>", "<meta property='og:site_name' content='Pain Clinic Leeds'>", False),
    ("<h1><img src='logo.png' alt=''></h1>", "", False),
])
def test_the_lead_follows_a_headline_not_a_logo(h1, head, lead):
    html = article(f"<p>{P1}</p>", alert(ALERT), f"<p>{P2}</p>", f"<p>{P3}</p>").replace(
        '<div class="entry-content">', f'<div class="intro"><p>{DEK}</p></div><div class="entry-content">'
    ).replace("<h1>Ketamine for chronic pain: what the trials show</h1>", h1).replace("</head>", head + "</head>")
    assert (DEK in clean_html(html).body_text) is lead


def test_a_soft_hyphen_does_not_hide_the_last_anchor():
    # trafilatura drops the soft hyphen: the page's paragraph must still be found in its output,
    # else it is no anchor and the alert before it is not put back
    soft = P3.replace("detachment", "detach\u00adment")
    body = paragraphs(clean_html(article(f"<p>{P1}</p>", f"<p>{P2}</p>", alert(ALERT), f"<p>{soft}</p>")))
    assert f"Important to note: {ALERT}" in body
