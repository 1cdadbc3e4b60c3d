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
import threading
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


_LOCAL = threading.local()


def _segmenter() -> pysbd.Segmenter:
    """One segmenter per thread: pysbd keeps the text being split on the instance
    (``Segmenter.segment`` sets ``self.original_text``), so a shared one is not thread-safe
    (threads fanned out by the flow then lose and misplace sentences)."""
    segmenter = getattr(_LOCAL, "segmenter", None)
    if segmenter is None:
        segmenter = _LOCAL.segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return segmenter


# pysbd's run time grows faster than linearly with the length of its input, and scraped text
# sometimes arrives as one enormous line; such lines are cut at a sentence end first.
MAX_CHUNK = 1500
_SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*\s+(?=[\"“‘(]?[A-Z0-9])")
_NOT_AN_END = re.compile(r"(?:\b(?:Dr|Mr|Mrs|Ms|Prof|St|Sr|Jr|vs|No|Fig|e\.g|i\.e|etc|approx)|"
                         r"\b[A-Z])\.$")


def _chunks(line: str) -> Iterator[tuple[int, str]]:
    """``line`` in pieces of at most about MAX_CHUNK characters, cut after a sentence end."""
    start = 0
    while len(line) - start > MAX_CHUNK:
        window = line[start:start + MAX_CHUNK]
        cut = None
        for m in _SENTENCE_END.finditer(window):
            if m.start() > MAX_CHUNK // 3 and not _NOT_AN_END.search(window[:m.start() + 1]):
                cut = m.end()
        if cut is None:
            space = window.rfind(" ", MAX_CHUNK // 2)
            cut = space + 1 if space > 0 else MAX_CHUNK
        yield start, line[start:start + cut]
        start += cut
    yield start, line[start:]


def _lines(body: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in body.splitlines(keepends=True):
        for chunk_offset, chunk in _chunks(line):
            yield offset + chunk_offset, chunk
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


@lru_cache(maxsize=4096)
def _pieces(line: str) -> tuple[tuple[int, int], ...]:
    """pysbd's (start, end) sentence offsets within ``line``. A line depends on nothing
    around it, so each distinct line is split once per process: scraped pages repeat their
    lines (menus, disclaimers; a bloated page its whole text), and pysbd is most of a
    sentence's cost in the claims stage."""
    return tuple((piece.start, piece.end) for piece in _segmenter().segment(line))


#: A run of question and exclamation marks ending a sentence ("a miracle cure?!? Ketamine",
#: "within hours!!! Many"), which pysbd leaves inside the sentence it ends.
_MARKS_END = re.compile(r"[!?]{2,}[\"”’)\]]*\s+(?=[\"“‘(]?[A-Z0-9])")


def _cut(body: str, span: Span, cuts: list[int]) -> list[Span]:
    """``span`` cut at ``cuts`` (offsets into ``body``), each piece trimmed, empty ones dropped."""
    if not cuts:
        return [span]
    bounds = [span.start, *cuts, span.end]
    pieces = (_trimmed(body, a, b) for a, b in zip(bounds, bounds[1:]))
    return [piece for piece in pieces if piece is not None]


def segment_sentences(body: str) -> list[Span]:
    """Split ``body`` into sentences with offsets into ``body`` (see module docstring)."""
    spans: list[Span] = []
    for line_start, line in _lines(body):
        if not line.strip():
            continue
        for piece_start, piece_end in _pieces(line):
            start = line_start + piece_start
            end = line_start + piece_end
            whole = _trimmed(body, start, end)
            if whole is None:
                continue
            # after a run of "?!" marks that ends a sentence, then after a heading run in
            for span in _cut(body, whole, [whole.start + m.end()
                                           for m in _MARKS_END.finditer(whole.text)]):
                cut = split_run_in_heading(span.text)
                spans.extend(_cut(body, span, [] if cut is None else [span.start + cut]))
    for span in spans:
        if body[span.start:span.end] != span.text:  # pragma: no cover - guards pysbd upgrades
            raise RuntimeError(f"segmenter offsets drifted at {span.start}: {span.text[:40]!r}")
    return spans
