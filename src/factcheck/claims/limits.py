"""Bounds on the claims of one article, so that one pathological page cannot hold up a run.

The cleaner already cuts pages at 1,000,000 characters and 4,000 paragraphs; a body that long
would still yield thousands of claims (real article sentences repeated give one claim per
70 characters), each then matched against the reference table: minutes of work for one input.
A long health article holds some 60,000 characters and rarely over 100 check-worthy claims.
"""

from __future__ import annotations

from typing import NamedTuple

#: Characters of a body read for claims; the rest is not (cut at a paragraph break).
MAX_BODY_CHARS = 100_000
#: Sentences of a body judged (each costs some milliseconds, more with the ``embed`` extra); a
#: long article holds some 400-500.
MAX_SENTENCES = 600
#: Distinct claims kept per article version, in text order; the rest are dropped. Each claim
#: is then matched and read against the reference table (about a third of a second of CPU),
#: so this also bounds an article's evidence work.
MAX_CLAIMS = 150


def bounded_body(body: str, limit: int = MAX_BODY_CHARS, sentences: int = MAX_SENTENCES) -> str:
    """``body`` itself when short enough, else its first ``limit`` characters cut back to the
    last paragraph break (or sentence end) before the limit, and then cut after its
    ``sentences``-th sentence. A prefix, so claim offsets into it are offsets into ``body``."""
    from .segment import segment_sentences

    if len(body) > limit:
        body = _cut(body, limit)
    spans = segment_sentences(body)
    if len(spans) > sentences:
        body = body[:spans[sentences - 1].end]
    return body


def _cut(body: str, limit: int) -> str:
    head = body[:limit]
    for mark in ("\n\n", ". ", "\n"):
        at = head.rfind(mark)
        if at > limit // 2:
            return head[:at + (1 if mark == ". " else 0)]
    return head


class Cut(NamedTuple):
    """A cut the claims stage made in one article, as it records it in ``pipeline_errors``:
    ``too_large`` (the body read in part, or claims past :data:`MAX_CLAIMS`) or
    ``repeated_text`` (claims that repeat an earlier sentence, judged once); the message starts
    ``limit:``."""

    kind: str
    message: str


def bounded_claims(body: str, mesh_vocabulary=None) -> tuple[list, list[Cut]]:
    """The claims of ``body`` within the bounds above, and a :class:`Cut` for each cut made
    (what the claims stage records): the body read up to :data:`MAX_BODY_CHARS` and
    :data:`MAX_SENTENCES`, a claim repeated word for word judged once, at most
    :data:`MAX_CLAIMS` distinct claims kept."""
    from .extract import extract_claims

    read = bounded_body(body or "")
    found, repeats = distinct_claims(extract_claims(read, mesh_vocabulary=mesh_vocabulary))
    cuts = []
    if len(read) < len(body or ""):
        cuts.append(Cut("too_large", f"limit: body of {len(body):,} characters; claims read from "
                                     f"the first {len(read):,} (at most {MAX_BODY_CHARS:,} characters"
                                     f" and {MAX_SENTENCES} sentences)"))
    if repeats:
        cuts.append(Cut("repeated_text", f"limit: {repeats:,} claims repeat an earlier sentence of "
                                         "the article word for word; each is judged once"))
    if len(found) > MAX_CLAIMS:
        cuts.append(Cut("too_large", f"limit: {len(found):,} distinct claims found; the first "
                                     f"{MAX_CLAIMS} kept"))
        found = found[:MAX_CLAIMS]
    return found, cuts


def distinct_claims(claims: list) -> tuple[list, int]:
    """``claims`` without the repeats of a sentence the article already made (same words,
    case and spacing aside): a page that repeats its text, by accident or to bloat, gets one
    verdict per claim. Returns the kept claims and how many repeats were dropped."""
    seen: set[str] = set()
    kept = []
    for claim in claims:
        key = " ".join(claim.sentence.lower().split())
        if key in seen:
            continue
        seen.add(key)
        kept.append(claim)
    return kept, len(claims) - len(kept)
