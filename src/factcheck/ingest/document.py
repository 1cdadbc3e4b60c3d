"""The unit that ingestion hands to the rest of the pipeline."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone


@dataclass
class Document:
    """One article as read from a file or fetched from a URL.

    ``text`` is ``None`` when the input could not be used; ``error_kind`` and ``error`` then
    say why (``empty``, ``binary``, ``too_large``, ``encoding``, ``http``, ...). A document
    that was usable but needed repair (say a wrong declared encoding) keeps its text and
    lists the repair in ``warnings``.
    """

    source: str                       # canonical URL or absolute file path
    source_kind: str                  # 'file' | 'url'
    text: str | None = None           # decoded document
    content_type: str = "text/plain"  # 'text/html' | 'text/plain'
    encoding: str | None = None
    raw_bytes: int = 0
    content_hash: str | None = None   # sha256 of the raw bytes
    site: str | None = None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    error_kind: str | None = None
    error: str | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (kind, message)
    # Fetched documents only: what the server said, for conditional GET and the fetch log.
    final_url: str | None = None      # URL after redirects (``source`` is the canonical URL)
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def ok(self) -> bool:
        return self.text is not None and self.error_kind is None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
