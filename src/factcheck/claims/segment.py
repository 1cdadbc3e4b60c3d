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
# a Title Case run of 2-10 words followed by a capitalised word that repeats a word of the
# heading or is a usual sentence opener.
_HEADING_WORD = re.compile(r"[A-Z0-9][\w’'&/-]*|of|and|for|the|to|in|on|with|a|an|vs\.?|&|at")
_TOKEN = re.compile(r"\S+")
_SENTENCE_OPENERS = frozenset(
    "the a an this these those that it in for while when many some most one by although "
    "however research studies patients people if as unlike our your we you they there what "
    "how with after before during walk-ins".split()
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

    Tries the longest Title Case run first, then shorter ones; splits only when the heading has at
    least two capitalised words and no sentence punctuation, and the word after it is capitalised
    and either repeats a heading word or is a usual sentence opener ("Our", "The", "Ketamine"
    after "… Ketamine"), so Title Case names inside a sentence are left alone.
    """
    tokens = list(_TOKEN.finditer(text[:200]))
    run = 0
    while run < min(len(tokens), 11) and _HEADING_WORD.fullmatch(tokens[run].group(0)):
        run += 1
    for cut in range(min(run, 10), 1, -1):
        if cut >= len(tokens):
            continue
        head = [t.group(0) for t in tokens[:cut]]
        capitalised = sum(1 for w in head if w[:1].isupper() or w[:1].isdigit())
        nxt = tokens[cut].group(0)
        if capitalised < 2 or not re.fullmatch(r"(?:[A-Z][a-z’'-]+|[A-Z]{2,})", nxt):
            continue
        rest = text[tokens[cut].start():]
        if not re.match(r"[A-Z][^.!?]{15,}[.!?…]", rest):
            continue
        if nxt.lower() in {w.lower() for w in head} or nxt.lower() in _SENTENCE_OPENERS:
            return tokens[cut - 1].end()
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
