"""The unit that ingestion hands to the rest of the pipeline: :class:`Document` (defined with
the other row types in ``factcheck.store.rows``, since the store writes it and imports no
stage)."""

from __future__ import annotations

import hashlib

from ..store.rows import Document

__all__ = ["Document", "sha256_hex"]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
