"""BM25 retrieval of PubMed records for a claim, over DuckDB's full-text index.

The query is built from the claim's structure (intervention, condition, outcome, MeSH
concepts) and the content words of its sentence; the index (``fts_main_pubmed``) covers
title, abstract and MeSH terms and is built by ``factcheck.store.pubmed.rebuild_fts_index``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import duckdb

# Words that carry no topic in a health claim: English function words plus the rhetoric of
# health marketing ("innovative", "promising") and vague nouns ("way", "option").
QUERY_STOPWORDS = frozenset("""
a about above after again against all also although always am an and any are as at be because
been before being below between both but by can could did do does doing down during each even
every few for from further had has have having he her here hers herself him himself his how i if
in into is it its itself just like made make makes many may me might more most much must my
myself no nor not now of off often on once one only or other our ours ourselves out over own
per quite rather same she should so some such than that the their theirs them themselves then
there these they this those through thus to too under until up upon us very was we were what
when where which while who whom why will with within without would you your yours yourself
yourselves new way ways option options help helps helping work works working show shows shown
showed known called including include includes provide provides providing offer offers
offering lead leads leading well even significant significantly potential potentially
promising promise innovative effective effectively various variety number people patients
patient individuals individual research studies study researchers evidence found finding
treatment treatments therapy therapies condition conditions use used using ability able
primarily mainly particularly especially already still really actually truly generally
""".split())

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]*[A-Za-z0-9]|[A-Za-z]")


def query_terms(sentence: str, *, intervention: str | None = None, condition: str | None = None,
                outcome: str | None = None, mesh_terms: Iterable[str] | None = None,
                max_terms: int = 24) -> list[str]:
    """The distinct lower-case words of a claim's BM25 query, most specific first."""
    ordered: list[str] = []
    for part in (intervention, condition, outcome, *(mesh_terms or ()), sentence):
        if not part:
            continue
        for word in _WORD.findall(part.replace("-", " ")):
            w = word.lower()
            if len(w) < 2 or w in QUERY_STOPWORDS or w.isdigit():
                continue
            if w not in ordered:
                ordered.append(w)
    return ordered[:max_terms]


@dataclass
class Hit:
    pmid: int
    score: float
    title: str | None
    abstract: str | None
    mesh_terms: list[str] = field(default_factory=list)
    study_design: str | None = None
    is_retracted: bool = False
    pub_year: int | None = None
    journal: str | None = None


def fts_ready(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'fts_main_pubmed'").fetchone()
    return bool(row and row[0])


def search_pubmed(con: duckdb.DuckDBPyConnection, terms: Sequence[str], k: int = 5) -> list[Hit]:
    """The ``k`` best PubMed records for ``terms`` by BM25 (title, abstract, MeSH)."""
    if not terms:
        return []
    query = " ".join(terms)
    rows = con.execute(
        """
        SELECT p.pmid, s.score, p.title, p.abstract, p.mesh_terms, p.study_design,
               p.is_retracted, p.pub_year, p.journal
        FROM (SELECT pmid, fts_main_pubmed.match_bm25(pmid, ?) AS score FROM pubmed) s
        JOIN pubmed p USING (pmid)
        WHERE s.score IS NOT NULL
        ORDER BY s.score DESC, p.pmid
        LIMIT ?
        """,
        [query, k]).fetchall()
    return [Hit(pmid=r[0], score=float(r[1]), title=r[2], abstract=r[3], mesh_terms=list(r[4] or []),
                study_design=r[5], is_retracted=bool(r[6]), pub_year=r[7], journal=r[8])
            for r in rows]
