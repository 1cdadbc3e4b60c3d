"""Bounds on the claims of one article, so that one pathological page cannot hold up a run.

The cleaner already cuts pages at 1,000,000 characters and 4,000 paragraphs; a body that long
would still yield thousands of claims (real article sentences repeated give one claim per
70 characters), each then matched against the reference table: minutes of work for one input.
A long health article holds some 60,000 characters and rarely over 100 check-worthy claims.
"""

from __future__ import annotations

#: Characters of a body read for claims; the rest is not (cut at a paragraph break).
MAX_BODY_CHARS = 100_000
#: Claims kept per article version, in text order; the rest are dropped.
MAX_CLAIMS = 300


def bounded_body(body: str, limit: int = MAX_BODY_CHARS) -> str:
    """``body`` itself when short enough, else its first ``limit`` characters cut back to the
    last paragraph break (or sentence end) before the limit. A prefix, so claim offsets into
    it are offsets into ``body``."""
    if len(body) <= limit:
        return body
    head = body[:limit]
    for mark in ("\n\n", ". ", "\n"):
        at = head.rfind(mark)
        if at > limit // 2:
            return head[:at + (1 if mark == ". " else 0)]
    return head
