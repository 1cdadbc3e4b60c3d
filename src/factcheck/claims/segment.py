"""Sentence segmentation of cleaned or scraped article text, with exact character offsets.

Input: the cleaned body (paragraphs separated by blank lines, headings and list items on their own
lines) or raw scraped text. Output: ``Span(start, end, text)`` with ``body[start:end] == text``,
leading and trailing white space trimmed.

Why lines first, then pysbd: scraped text marks headings, list items and teaser links only by a
line break, which pysbd treats as ordinary white space and would glue onto the next sentence.
pysbd (rule-based, maintained, handles "Dr.", "e.g.", "(IV)", quotes and decimals) then splits
each line; its ``char_span`` offsets are relative to the line and re-based here, then checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import pysbd

# A heading glued to the paragraph after it ("Modulation of NMDA Receptors NMDA receptors are…"):
# a Title Case run of 2-10 words, no verb-like lower-case word, then a capitalised word that
# repeats a word of the heading or starts a typical sentence opener.
_RUN_IN_HEADING = re.compile(
    r"^(?P<head>(?:[A-Z0-9][\w’'&/-]*|of|and|for|the|to|in|on|with|a|an|vs\.?|&)"
    r"(?:\s+(?:[A-Z0-9][\w’'&/-]*|of|and|for|the|to|in|on|with|a|an|vs\.?|&)){1,9})"
    r"\s+(?P<next>(?:[A-Z][a-z]+|[A-Z]{2,})\b)"
)
_SENTENCE_OPENERS = frozenset(
    "the a an this these it in for while when many some most one by although ketamine "
    "however research studies patients people if as unlike".split()
)


@dataclass(frozen=True, slots=True)
class Span:
    """One sentence: ``text == body[start:end]``."""

    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _lines(body: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in body.splitlines(keepends=True):
        yield offset, line
        offset += len(line)


def _trimmed(body: str, start: int, end: int) -> Span | None:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    return Span(start, end, body[start:end])


def split_run_in_heading(text: str) -> int | None:
    """Length of a Title Case heading glued to the start of ``text``, or None.

    Only splits when the heading has no sentence punctuation and is followed by a capitalised
    word that either repeats a heading word or is a usual sentence opener, so Title Case
    drug or organisation names inside a sentence are left alone.
    """
    m = _RUN_IN_HEADING.match(text)
    if not m:
        return None
    head, nxt = m.group("head"), m.group("next")
    head_words = head.split()
    capitalised = sum(1 for w in head_words if w[:1].isupper() or w[:1].isdigit())
    if capitalised < 2 or len(head_words) < 2:
        return None
    rest = text[m.end("head"):].lstrip()
    if not re.match(r"[A-Z][^.!?]{15,}[.!?…]", rest):
        return None
    if nxt.lower() in {w.lower() for w in head_words} or nxt.lower() in _SENTENCE_OPENERS:
        return m.end("head")
    return None


def segment_sentences(body: str) -> list[Span]:
    """Split ``body`` into sentences with offsets into ``body`` (see module docstring)."""
    spans: list[Span] = []
    seg = _segmenter()
    for line_start, line in _lines(body):
        if not line.strip():
            continue
        for piece in seg.segment(line):
            start = line_start + piece.start
            end = line_start + piece.end
            span = _trimmed(body, start, end)
            if span is None:
                continue
            cut = split_run_in_heading(span.text)
            if cut is not None:
                head = _trimmed(body, span.start, span.start + cut)
                tail = _trimmed(body, span.start + cut, span.end)
                spans.extend(s for s in (head, tail) if s is not None)
            else:
                spans.append(span)
    for span in spans:
        if body[span.start:span.end] != span.text:  # pragma: no cover - guards pysbd upgrades
            raise RuntimeError(f"segmenter offsets drifted at {span.start}: {span.text[:40]!r}")
    return spans
