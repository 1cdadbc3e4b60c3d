"""Plain-text articles (as scraped, one paragraph or heading per line) → :class:`CleanResult`."""

from __future__ import annotations

import re

from .engine import Block, apply_rules
from .language import detect_language
from .limits import MAX_BLOCKS, MAX_TEXT_CHARS, binary_reason
from .result import CleanResult, RemovedBlock

_BLANK_LINES = re.compile(r"\n\s*\n")
_ENDS_OPEN = re.compile(r"[^.!?:;…\"'”’)\]]$")


def text_to_blocks(text: str) -> list[Block]:
    """Split plain text into blocks: one per line, except that a line broken in the middle
    of a sentence ("Start the" / "journey today.") is joined with the next one."""
    blocks: list[Block] = []
    for chunk in _BLANK_LINES.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        merged: list[str] = []
        for line in lines:
            if merged and _ENDS_OPEN.search(merged[-1]) and line[:1].islower():
                merged[-1] = f"{merged[-1]} {line}"
            else:
                merged.append(line)
        blocks.extend(Block(line) for line in merged)
    return blocks


def _guess_title(blocks: list[Block]) -> str | None:
    """The first short line without end punctuation, if it opens the article."""
    for block in blocks[:2]:
        text = block.text.strip()
        if 3 <= len(text) <= 150 and not re.search(r"[.!:;]$", text):
            return text
    return None


def clean_text(text: str, remove_cta: bool = True) -> CleanResult:
    """Remove boilerplate lines and call-to-action sentences from a plain-text article.

    Returns the body with one paragraph per kept line (blank line between them), the title
    when the text opens with a heading-like line, the date and author when a date or byline
    line was removed, and the audit trail of removed blocks. Empty or binary input gives an
    empty body and ``error``; it never raises.
    """
    if isinstance(text, bytes):  # callers should decode (factcheck.ingest.decode); be lenient
        text = text.decode("utf-8", errors="replace")
    if text is None or not text.strip():
        return CleanResult(error="the document is empty")
    if reason := binary_reason(text):
        return CleanResult(error=f"the document looks binary ({reason}), not text")
    limits: list[RemovedBlock] = []
    if len(text) > MAX_TEXT_CHARS:
        limits.append(RemovedBlock("boilerplate", f"[{len(text) - MAX_TEXT_CHARS} characters]",
                                   f"limit: text longer than {MAX_TEXT_CHARS} characters cut there"))
        text = text[:MAX_TEXT_CHARS]
    blocks = text_to_blocks(text)
    if len(blocks) > MAX_BLOCKS:
        limits.append(RemovedBlock("boilerplate", f"[{len(blocks) - MAX_BLOCKS} lines]",
                                   f"limit: more than {MAX_BLOCKS} lines; the rest is cut"))
        blocks = blocks[:MAX_BLOCKS]
    outcome = apply_rules(blocks, remove_cta=remove_cta)
    body = "\n\n".join(block.text for block in outcome.blocks)
    removed: list[RemovedBlock] = outcome.removed + limits
    result = CleanResult(
        title=_guess_title(outcome.blocks),
        author=outcome.author,
        published=outcome.published,
        language=detect_language(body),
        body_text=body,
        removed=removed,
    )
    if not body:
        result.error = "every line of the document is boilerplate; nothing left to check"
    return result
