"""Paragraphs trafilatura skips inside the article, and in its lead, are put back
(``clean.html._fill_gaps``); captions, teasers, time stamps and link lists are not, and what
comes back is judged by the text rules like any other paragraph."""

from __future__ import annotations

import trafilatura

from factcheck.clean import clean_html

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
    return f"""<html><head><title>Ketamine for pain</title></head><body>
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
