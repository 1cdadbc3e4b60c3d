"""Bounds that keep cleaning fast and safe on hostile input."""

from __future__ import annotations

import re

#: Longest HTML document parsed, after inline scripts and styles are dropped from pages
#: longer than this; longer ones are cut here. The largest page of the extraction benchmark
#: is 263,000 characters without its scripts: an article never needs more, and the cut
#: keeps parse time and memory bounded on 20 MB pages.
MAX_HTML_CHARS = 1_000_000
#: Most paragraphs (blocks) of one article that the rules look at; the rest is cut.
MAX_BLOCKS = 4_000
#: Longest plain text cleaned.
MAX_TEXT_CHARS = 1_000_000
#: Most elements in one document before the page is refused as pathological.
MAX_ELEMENTS = 200_000
#: Most elements of a page's body that extraction looks at (an SVG drawing counts as one):
#: the rest of the body (in document order) is cut before trafilatura and the rules see it,
#: so their work is bounded by this, not by the page; the metadata is read from the whole page
#: before. No real article page has over some 5,000 elements in all (the largest of the 753
#: pages of the extraction and WCXB benchmarks: 4,975); 100,000 one-word paragraphs took
#: 7.7 s of CPU to clean before this cut (9-11 s in CI runs under load), about 4 s after.
MAX_EXTRACTED_ELEMENTS = 20_000

_SCRIPT_STYLE = re.compile(r"<script(?![^>]*ld\+json)[^>]*>.*?</script\s*>|<style[^>]*>.*?</style\s*>",
                           re.S | re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def binary_reason(text: str) -> str | None:
    """Why ``text`` (already decoded) looks like binary data, or None."""
    sample = text[:8192]
    if "\x00" in sample:
        return "NUL characters"
    control = len(_CONTROL.findall(sample))
    if sample and control / len(sample) > 0.05:
        return f"{control} control characters in the first {len(sample)}"
    replacement = sample.count("\ufffd")
    if sample and replacement / len(sample) > 0.2:
        return f"{replacement} undecodable characters in the first {len(sample)}"
    return None


def drop_scripts(html: str) -> str:
    """``html`` without inline scripts and styles (JSON-LD metadata kept): the bulk of most
    oversized pages."""
    return _SCRIPT_STYLE.sub("", html)
