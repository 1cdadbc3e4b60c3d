"""Language of a cleaned body, by py3langid (a maintained fork of langid.py, also the one
trafilatura uses). The model loads once, lazily, on first use (about half a second)."""

from __future__ import annotations

_MIN_CHARS = 40
#: The first characters of the body are enough to tell its language (and cost a third of 1,500).
_SAMPLE_CHARS = 600


def detect_language(text: str, hint: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``, or ``hint`` (say the page's ``<html lang>``) when the text
    is too short to tell; None when neither says."""
    hint = (hint or "").strip().lower().replace("_", "-").split("-")[0] or None
    if len(text) < _MIN_CHARS:
        return hint
    try:
        import py3langid
    except ImportError:  # optional at run time; the declared dependency normally has it
        return hint
    code, _score = py3langid.classify(text[:_SAMPLE_CHARS])
    return code or hint
