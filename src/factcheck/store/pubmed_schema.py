"""The hand-over format of PubMed records: the Arrow schema in which the parser delivers a
file's records and :func:`factcheck.store.pubmed.merge_records` takes them. Defined in the
store, which owns the ``pubmed`` table, and imported by the parser; imports only pyarrow so
that parsing workers stay small."""

from __future__ import annotations

import pyarrow as pa

#: Columns of ``pubmed`` filled from the parsed records, with their Arrow types. The
#: remaining columns (source_file, loaded_at) are set by
#: :func:`factcheck.store.pubmed.merge_records`.
STAGE_SCHEMA = pa.schema([
    ("pmid", pa.int64()),
    ("pmid_version", pa.int32()),
    ("title", pa.string()),
    ("abstract", pa.string()),
    ("journal", pa.string()),
    ("pub_year", pa.int32()),
    ("pub_date", pa.string()),
    ("languages", pa.list_(pa.string())),
    ("publication_types", pa.list_(pa.string())),
    ("publication_type_ids", pa.list_(pa.string())),
    ("mesh_terms", pa.list_(pa.string())),
    ("mesh_ids", pa.list_(pa.string())),
    ("mesh_major", pa.list_(pa.string())),
    ("mesh_text", pa.string()),
    ("chemicals", pa.list_(pa.string())),
    ("keywords", pa.list_(pa.string())),
    ("doi", pa.string()),
    ("pmc_id", pa.string()),
    ("study_design", pa.string()),
    ("is_retracted", pa.bool_()),
    ("retraction_in", pa.list_(pa.int64())),
    ("retraction_of", pa.list_(pa.int64())),
    ("expression_of_concern_in", pa.list_(pa.int64())),
    ("erratum_in", pa.list_(pa.int64())),
    ("citation_status", pa.string()),
    ("record_kind", pa.string()),
    ("seq", pa.int32()),          # position in the file: the last of duplicates wins
])
