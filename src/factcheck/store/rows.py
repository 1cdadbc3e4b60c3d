"""Row types that travel between the stages and the database.

The stages build these and the store writes and reads them by column name (never by
position). Defined here, in the store, because the store imports no stage.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol, Sequence


class RemovedBlockLike(Protocol):
    """What ``removed_blocks`` stores of one block taken out of an article
    (``factcheck.clean.RemovedBlock`` has this shape)."""

    kind: str
    text: str
    reason: str


class CleanedVersion(Protocol):
    """What ``store.articles.save_cleaned`` stores of a cleaned version
    (``factcheck.clean.CleanResult`` has this shape; the store names the fields it reads
    rather than importing the stage's type)."""

    title: str | None
    author: str | None
    published: str | None        # ISO date
    language: str | None
    body_text: str
    removed: Sequence[RemovedBlockLike]
    error: str | None


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


@dataclass(slots=True)
class Claim:
    """A check-worthy sentence of an article body and its structure.

    ``sentence == body_text[start:end]`` for the ``body_text`` it was extracted from.
    ``score`` (0..1) is how check-worthy the sentence is; ``reason`` says why in words.
    ``intervention``, ``condition`` and ``outcome`` are surface text from the sentence (or None);
    ``mesh_terms`` are their MeSH descriptors (normalised against the PubMed vocabulary when one
    was given), in the order intervention, condition, outcome, then any others mentioned.
    ``attribution`` is ``own`` (the article asserts it), ``reported`` (someone else's) or
    ``rejected`` (someone else's, and the article rejects or questions it).

    This one shape travels from extraction to the store (``store.claims.save_claims``),
    back out of it (``store.claims.load_claims``, by column name) and into the evidence stage.
    """

    sentence: str
    start: int
    end: int
    claim_type: str
    certainty: str
    polarity: str
    score: float
    reason: str
    intervention: str | None = None
    condition: str | None = None
    outcome: str | None = None
    mesh_terms: list[str] = field(default_factory=list)
    # What the evidence stage reads (``facts.py``): the sentence with "it"/"the drug" resolved,
    # whether the article asserts, reports or rejects it (and whom it attributes it to), the
    # figures it states and the source it cites.
    query_text: str | None = None
    attribution: str = "own"
    attributed_to: str | None = None
    figures: list[str] = field(default_factory=list)
    cited: str | None = None
    # Set once stored: the claim's id (``factcheck.store.claims.claim_id_for``).
    claim_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dict with every field."""
        return asdict(self)


@dataclass(slots=True)
class EvidenceRow:
    """One record read for a claim (a row of ``evidence``)."""

    pmid: int
    rank: int
    score: float
    on_topic: bool
    matched_terms: list[str] = field(default_factory=list)
    stance: str = "neutral"
    p_support: float | None = None
    p_refute: float | None = None
    quote: str | None = None
    quote_section: str | None = None
    design: str | None = None
    counts: bool | None = None
    grade: float | None = None
    grade_note: str | None = None
    dense_score: float | None = None
    record_retracted: bool | None = None


@dataclass(slots=True)
class VerdictRow:
    """A claim's verdict (a row of ``verdicts``)."""

    label: str
    confidence: float
    flags: list[str]
    explanation: str
    flag_reasons: list[str] = field(default_factory=list)
    deciding_pmids: list[int] = field(default_factory=list)
    n_supporting: int = 0
    n_refuting: int = 0
    coverage: int | None = None
    model_version: str | None = None
    scheme: int = 2
    judged_because: str | None = None
    #: the latest ``pubmed.loaded_at`` of the reference it was judged against (migration 0014)
    reference_as_of: datetime | None = None
