"""Stage 4: PubMed evidence per claim (BM25 over DuckDB FTS), verdicts and editor flags."""

from .assess import ClaimRow, assess_claim
from .retrieve import query_terms, search_pubmed
from .verdict import FLAGS, Verdict, decide, judge_hits

__all__ = ["FLAGS", "ClaimRow", "Verdict", "assess_claim", "decide", "judge_hits", "query_terms",
           "search_pubmed"]
