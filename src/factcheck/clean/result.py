"""What cleaning hands to the rest of the pipeline: the cleaned body and its audit trail."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace


@dataclass
class RemovedBlock:
    """One block taken out of an article.

    ``kind`` is one of :data:`factcheck.clean.rules.KINDS` (``related_posts``, ``cta``, ...);
    ``text`` is the block as it stood; ``reason`` names the rule that matched, in words.
    """

    kind: str
    text: str
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CleanResult:
    """An article after boilerplate removal.

    ``body_text`` holds paragraphs separated by one blank line; headings and list items each
    stand on their own paragraph. Claim character offsets point into this exact string, so
    it is never re-normalised after it leaves :mod:`factcheck.clean`. ``error`` says why the
    body is empty when it is (empty input, binary, script-only page, ...).
    """

    title: str | None = None
    author: str | None = None
    published: str | None = None      # ISO date, YYYY-MM-DD
    language: str | None = None
    body_text: str = ""
    removed: list[RemovedBlock] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.body_text)

    def analysed_text(self) -> str:
        """The text claims are extracted from: the headline, then the cleaned body.

        The HTML cleaner moves a page's headline into ``title``, but a headline is often the
        article's boldest claim ("Ketamine: An Effective Treatment for Chronic Pain"), so it
        is put back as the first paragraph. Plain text keeps its first line in the body.
        """
        title, body = (self.title or "").strip(), self.body_text
        if not title or not body or body.lstrip().startswith(title):
            return body
        return f"{title}\n\n{body}"

    def stored(self) -> CleanResult:
        """The result as the pipeline stores it (``article_versions.body_text``, whose claim
        offsets point into it): the body is :meth:`analysed_text`, and when that put the
        headline back, the headline's ``title`` block is no longer listed as removed."""
        body = self.analysed_text()
        removed = [b for b in self.removed if body == self.body_text or b.kind != "title"]
        return replace(self, body_text=body, removed=removed)

    def removed_kinds(self) -> set[str]:
        return {block.kind for block in self.removed}

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "author": self.author,
            "published": self.published,
            "language": self.language,
            "body_text": self.body_text,
            "removed": [block.to_dict() for block in self.removed],
            "error": self.error,
        }
