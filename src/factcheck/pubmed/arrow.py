"""PubMed records as Arrow record batches: the hand-over format between the parser (in a
worker process or not) and the loader. Imports neither DuckDB nor pandas, so that parsing
workers stay small."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa

from ..store.pubmed_schema import STAGE_SCHEMA
from .design import study_design
from .parse import DeletedCitation, PubmedRecord, SkippedRecord, iter_records

#: Records per Arrow record batch built by the parser: small enough that the Python objects
#: of one batch stay a few tens of MB, large enough that Arrow conversion is efficient.
BATCH_SIZE = 5_000



@dataclass
class ParsedFile:
    """One file, fully parsed: its records as Arrow batches, its deletions, what was skipped."""

    batches: list[pa.RecordBatch] = field(default_factory=list)
    parquet: str | None = None    # or: the batches written to this Parquet file by a worker
    deletions: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    n_records: int = 0
    seconds: float = 0.0


def _records_to_batch(records: list[PubmedRecord], start_seq: int) -> pa.RecordBatch:
    columns = {
        "pmid": [r.pmid for r in records],
        "pmid_version": [r.pmid_version for r in records],
        "title": [r.title for r in records],
        "abstract": [r.abstract for r in records],
        "journal": [r.journal for r in records],
        "pub_year": [r.pub_year for r in records],
        "pub_date": [r.pub_date for r in records],
        "languages": [r.languages for r in records],
        "publication_types": [r.publication_types for r in records],
        "publication_type_ids": [r.publication_type_ids for r in records],
        "mesh_terms": [r.mesh_terms for r in records],
        "mesh_ids": [r.mesh_ids for r in records],
        "mesh_major": [r.mesh_major for r in records],
        "mesh_text": [r.mesh_text or None for r in records],
        "chemicals": [r.chemicals for r in records],
        "keywords": [r.keywords for r in records],
        "doi": [r.doi for r in records],
        "pmc_id": [r.pmc_id for r in records],
        "study_design": [study_design(r.publication_types, r.mesh_terms, r.title,
                                      r.methods_text if not r.mesh_terms else None)
                         for r in records],
        "is_retracted": [r.is_retracted for r in records],
        "retraction_in": [r.retraction_in for r in records],
        "retraction_of": [r.retraction_of for r in records],
        "expression_of_concern_in": [r.expression_of_concern_in for r in records],
        "erratum_in": [r.erratum_in for r in records],
        "citation_status": [r.citation_status for r in records],
        "record_kind": [r.kind for r in records],
        "seq": list(range(start_seq, start_seq + len(records))),
    }
    return pa.RecordBatch.from_pydict(columns, schema=STAGE_SCHEMA)


def parse_file(path: str | os.PathLike[str],
               on_batch: Callable[[pa.RecordBatch], None] | None = None) -> ParsedFile:
    """Parse one PubMed XML file (plain or gzip) into Arrow batches ready for merging.

    Batches are kept in the result, or handed to ``on_batch`` as soon as they are built
    (the worker process streams them to disk that way, so its memory stays flat). Raises
    :class:`~factcheck.pubmed.parse.PubmedParseError` when the file cannot be read as a
    whole; unusable articles are listed in ``skipped`` instead.
    """
    started = time.perf_counter()
    out = ParsedFile()
    pending: list[PubmedRecord] = []
    emit = on_batch or out.batches.append

    def skip(item: SkippedRecord) -> None:
        out.skipped.append(item.message)

    for item in iter_records(path, on_skip=skip):
        if isinstance(item, PubmedRecord):
            pending.append(item)
            if len(pending) >= BATCH_SIZE:
                emit(_records_to_batch(pending, out.n_records))
                out.n_records += len(pending)
                pending = []
        elif isinstance(item, DeletedCitation):
            out.deletions.append(item.pmid)
    if pending:
        emit(_records_to_batch(pending, out.n_records))
        out.n_records += len(pending)
    out.seconds = time.perf_counter() - started
    return out
