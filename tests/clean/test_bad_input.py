"""Hostile and broken input: an error or an empty body with its reason, in bounded time,
never an exception."""

from __future__ import annotations

import time

import pytest

from factcheck.clean import clean_document, clean_html, clean_text

ARTICLE = ("<article><h1>Statins and muscle pain</h1><p>" +
           "Statins cause muscle pain in only a small minority of the people who take them. " * 5 +
           "</p></article>")


@pytest.mark.parametrize("cleaner", [clean_html, clean_text])
@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_input_is_an_error(cleaner, text):
    result = cleaner(text)
    assert result.body_text == ""
    assert "empty" in result.error


@pytest.mark.parametrize("cleaner", [clean_html, clean_text])
def test_binary_input_is_refused(cleaner):
    data = bytes(range(256)).decode("latin-1") * 20          # what binary bytes decode to
    result = cleaner(data)
    assert result.body_text == ""
    assert "binary" in result.error


def test_script_only_page_has_no_body_and_says_why():
    page = ("<html><head><script src='app.js'></script></head><body><div id='root'></div>"
            "<script>window.__DATA__ = {\"title\": \"Ketamine\"};</script></body></html>")
    result = clean_html(page)
    assert result.body_text == ""
    assert "no visible text" in result.error


def test_pathologically_nested_dom_is_bounded():
    page = "<html><body>" + "<div>" * 100_000 + "<p>deep</p>" + "</div>" * 100_000 + "</body></html>"
    started = time.perf_counter()
    result = clean_html(page)
    assert time.perf_counter() - started < 10
    assert result.body_text == ""
    assert "nested deeper" in result.error


def test_article_before_deep_nesting_is_kept():
    page = "<html><body>" + ARTICLE + "<span>" * 50_000 + "x</body></html>"
    result = clean_html(page)
    assert "only a small minority" in result.body_text
    assert any(block.reason.startswith("limit:") for block in result.removed)


def test_twenty_megabyte_page_is_cut_and_recorded():
    filler = "".join(f"<div class='row'><span>item {i}</span></div>" for i in range(400_000))
    page = "<html><head><script>var blob='" + "x" * 5_000_000 + "';</script></head><body>" \
        + ARTICLE + filler + "</body></html>"
    assert len(page) > 20_000_000
    started = time.perf_counter()
    result = clean_html(page)
    assert time.perf_counter() - started < 20
    assert "only a small minority" in result.body_text
    assert any("cut there" in block.reason for block in result.removed)


def test_mojibake_from_a_wrong_declared_charset_still_cleans():
    # UTF-8 bytes decoded as cp1252 by a page that declared the wrong charset
    text = "Die Hyposensibilisierung verringert Beschwerden bei Gräserpollenallergie deutlich."
    page = f"<html><body><article><p>{(text + ' ').encode('utf-8').decode('cp1252') * 4}</p></article></body></html>"
    result = clean_html(page)
    assert result.error is None
    assert "Hyposensibilisierung" in result.body_text


def test_plain_text_declared_as_html_is_kept():
    text = "Vitamin D supplements reduced respiratory infections in people who were deficient. " * 5
    result = clean_document(text, "text/html")
    assert "respiratory infections" in result.body_text


def test_huge_plain_text_is_cut_and_recorded():
    result = clean_text("A line about ketamine and chronic pain relief.\n" * 300_000)
    assert result.body_text
    assert any(block.reason.startswith("limit:") for block in result.removed)


def test_text_that_is_only_boilerplate_says_so():
    result = clean_text("Back to Blog\nShare with friends!\nGet Started")
    assert result.body_text == ""
    assert "boilerplate" in result.error
    assert {block.kind for block in result.removed} == {"navigation", "share", "cta"}


@pytest.mark.parametrize("cleaner", [clean_html, clean_text])
def test_undecoded_bytes_are_read_as_utf8(cleaner):
    result = cleaner(("<p>" + "Vitamin D supplements reduced respiratory infections. " * 5 + "</p>").encode())
    assert "respiratory infections" in result.body_text


def test_cut_body_keeps_the_first_body_elements_in_document_order():
    from lxml import etree

    from factcheck.clean.html import _cut_body

    page = ('<html><head><title>t</title><meta name="a"/><meta name="b"/></head><body><div>'
            "<p>one<b>b</b>tail-b</p>tail-p<p>two<i>i</i></p></div><svg>" + "<path/>" * 50 +
            "</svg><p>three</p></body></html>")
    tree = etree.fromstring(page)
    assert _cut_body(tree, 7) == 0          # div p b p i svg p: the head and the drawing's parts do not count
    assert etree.tostring(tree, encoding="unicode") == page
    assert _cut_body(tree, 3) == 4          # div, p(one), b kept; their tails stay
    assert etree.tostring(tree, encoding="unicode") == (
        "<html><head><title>t</title><meta name=\"a\"/><meta name=\"b\"/></head><body><div>"
        "<p>one<b>b</b>tail-b</p>tail-p</div></body></html>")


def test_page_with_too_many_elements_is_cut_before_extraction():
    """Past the limit the body is cut (recorded) before trafilatura reads it; the metadata is
    read from the whole page first, and padding in the head or an icon sprite cannot push the
    article out."""
    from factcheck.clean.limits import MAX_EXTRACTED_ELEMENTS

    late = "<p>Ketamine after the cut regrows every damaged nerve within a week, the clinic says.</p>"
    json_ld = ('<script type="application/ld+json">{"@type": "Article", "datePublished": "2024-03-01",'
               ' "author": {"@type": "Person", "name": "Jane Doe"}}</script>')
    filler = "<div><span></span></div>" * (MAX_EXTRACTED_ELEMENTS // 2 + 500)   # no text: kept whole without the cut
    page = (f"<html><head><title>Ketamine</title></head><body><article>{ARTICLE}{filler}{late}"
            f"</article>{json_ld}</body></html>")
    result = clean_html(page)
    assert "only a small minority" in result.body_text
    assert "after the cut" not in result.body_text
    assert [b.reason for b in result.removed if "elements in the page's body" in b.reason]
    assert result.author == "Jane Doe" and str(result.published).startswith("2024-03-01")
    # the same page without the filler keeps the late sentence: the cut, not another limit, lost it
    assert "after the cut" in clean_html(page.replace(filler, "")).body_text

    head_padding = "<meta name='x' content='y'>" * (MAX_EXTRACTED_ELEMENTS + 500)
    sprite = "<svg>" + "<path d='M0 0'/>" * (MAX_EXTRACTED_ELEMENTS + 500) + "</svg>"
    for padded in (page.replace(filler, "").replace("<title>", head_padding + "<title>"),
                   page.replace(filler, "").replace("<body>", "<body>" + sprite)):
        result = clean_html(padded)
        assert "after the cut" in result.body_text and "only a small minority" in result.body_text
        assert not [b for b in result.removed if "elements in the page's body" in b.reason]
