"""Stage 1: ingestion. Local files and folders now; web crawling in ``factcheck.ingest.web``."""

from .document import Document
from .local import expand_paths, read_file, read_local

__all__ = ["Document", "expand_paths", "read_file", "read_local"]
