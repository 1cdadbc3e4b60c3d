"""The PubMed reference table: streaming parser of NLM XML (:mod:`.parse`), study design
(:mod:`.design`), loader into DuckDB (:mod:`.load`) and E-utilities client (:mod:`.eutils`)."""

from .design import DESIGNS, study_design
from .parse import (DeletedCitation, HostileXMLError, PubmedParseError, PubmedRecord,
                    iter_records)

__all__ = ["DESIGNS", "DeletedCitation", "HostileXMLError", "PubmedParseError", "PubmedRecord",
           "iter_records", "study_design"]
