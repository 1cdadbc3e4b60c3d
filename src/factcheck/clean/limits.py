"""Bounds that keep cleaning fast and safe on hostile input."""

from __future__ import annotations

import re

#: Longest HTML document parsed; longer ones are cut here (a 20 MB page is never an article
#: body; the cut keeps parse time and memory bounded).
MAX_HTML_CHARS = 3_000_000
#: Longest plain text cleaned.
MAX_TEXT_CHARS = 1_000_000
#: Deepest element nesting kept; deeper subtrees are flattened before extraction.
MAX_DEPTH = 200
#: Most elements in one document before the page is refused as pathological.
MAX_ELEMENTS = 200_000

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
