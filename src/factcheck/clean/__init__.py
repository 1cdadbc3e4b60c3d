"""Boilerplate removal for health articles, with an audit trail.

Public interface (used by the pipeline, the CLI and the benchmarks):

* :func:`clean_html` - an HTML page → :class:`CleanResult`
* :func:`clean_text` - a plain-text article (one paragraph per line) → :class:`CleanResult`
* :func:`clean_document` - dispatch on the content type ('text/html' or 'text/plain')

The health-site rules live as named data in :mod:`factcheck.clean.rules`.
"""

from __future__ import annotations

from .html import clean_html
from .result import CleanResult, RemovedBlock
from .rules import KINDS
from .text import clean_text

__all__ = ["CleanResult", "RemovedBlock", "KINDS", "clean_html", "clean_text", "clean_document"]


def clean_document(text: str, content_type: str, url: str | None = None) -> CleanResult:
    """Clean ``text`` as HTML when ``content_type`` says HTML (``text/html``,
    ``application/xhtml+xml``), otherwise as plain text."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml", "html"):
        return clean_html(text, url=url)
    return clean_text(text)
