"""Retrieval of PubMed records for a claim: one query builder, BM25 over the reference
table's postings, fused with dense vectors when the ``embed`` extra is installed.

- :func:`build_query` is the one place a claim becomes a query: its intervention, condition
  and outcome with their MeSH descriptors and listed synonyms ("CRPS" also searches "complex
  regional pain syndrome" and "reflex sympathetic dystrophy"), then the content words of the
  claim as read (pronouns resolved), without function words and the generic vocabulary of
  health marketing.
- :func:`bm25` scores records with the same BM25 as DuckDB's ``match_bm25`` (k1 1.2, b 0.75,
  Porter stems, the FTS extension's tokenizer and stop words), but reads only the postings of
  the query's terms (``fts_main_pubmed.postings``, sorted by term): its cost follows the
  terms' document frequencies, not the size of the table.
- With the ``embed`` extra, the BM25 candidates are re-ranked by reciprocal-rank fusion with
  the cosine of their all-MiniLM-L6-v2 vectors (``pubmed_vectors``, computed when records are
  loaded, never per claim) to the claim's.
- :func:`coverage` counts the records of the table on a claim's topic (intervention and
  condition or outcome), which tells "nothing in the table" from "nothing that speaks to it".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import duckdb

from ..store.pubmed import FTS_SCHEMA

FTS = FTS_SCHEMA   # the full-text index's schema in the reference file
K1, B = 1.2, 0.75
#: Reciprocal-rank fusion constant (Cormack et al. 2009).
RRF_K = 60
#: BM25 weight of a query word that only the MeSH descriptors and listed synonyms bring (the
#: claim's own words and its concepts as written weigh 1): they widen recall but must not
#: outweigh the claim. Chosen on SciFact's training claims (the `train` half of
#: ``benchmarks/splits/scifact.json``): nDCG@10 0.689 at 1.0, 0.691 at 0.5, 0.690 at 0.3.
EXPANSION_WEIGHT = 0.5

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
drug drugs medication medications medicine medicines product products doctor doctors
""".split())

#: Words that describe a cited study rather than what it found (dropped from a citing claim's
#: topic words, ``topic_words``).
CITATION_WORDS = frozenset("""
published publish journal meta analysis analyses review reviews systematic trial trials
randomized randomised controlled report reported paper survey according issue edition
""".split())

#: Words that say what a claim asserts about its topic, not what the topic is: left out when
#: the claim's own words stand in for a condition the extractor did not recognise.
RELATION_WORDS = frozenset("""
cure cures cured curing relieve relieves relieved relief treat treats treated treating reduce
reduces reduced reducing improve improves improved improving prevent prevents prevented cause
causes caused increase increases increased decrease decreases decreased lower lowers lowered
raise raises boost boosts stop stops block blocks heal heals helps lasting last lasts permanent
permanently completely fast quickly rapid instantly safe effective proven every always never
""".split())

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]*[A-Za-z0-9]|[A-Za-z]")
ROLES = ("intervention", "condition", "outcome")


@dataclass
class Query:
    """A claim as the evidence stage searches for it."""

    text: str                                   # the claim as read (pronouns resolved)
    words: list[str]                            # BM25 words, most specific first
    concepts: dict[str, list[str]] = field(default_factory=dict)  # role -> surface forms
    weights: dict[str, float] = field(default_factory=dict)       # word -> BM25 weight (else 1)
    #: words that only describe the source the claim cites ("a 2021 meta-analysis published in
    #: the Journal of Clinical Anesthesia"): searched for, but not part of the claim's topic
    cited_words: frozenset[str] = frozenset()


def _content_words(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(text.replace("-", " ")):
        w = word.lower()
        if len(w) >= 2 and w not in QUERY_STOPWORDS and not w.isdigit():
            out.append(w)
    return out


def form_words(form: str) -> list[str]:
    """The words a record must hold to mention one form of a concept (``coverage``,
    ``assess.judge_topic``): its content words, or all its words when it has none (a concept
    named by generic words only, such as "drug" or "physical therapy", is still mentioned only
    by records that use them)."""
    return _content_words(form) or [w.lower() for w in _WORD.findall(form)]


def build_query(claim, max_words: int = 32) -> Query:
    """The query for a claim (a ``factcheck.claims.Claim`` or anything with its fields)."""
    from ..claims import BROADER, synonyms_of

    text = getattr(claim, "query_text", None) or claim.sentence
    concepts: dict[str, list[str]] = {}
    mesh = list(getattr(claim, "mesh_terms", None) or [])
    for role in ROLES:
        surface = getattr(claim, role, None)
        if not surface:
            continue
        forms = [surface]
        for descriptor in mesh:
            if _same_concept(surface, descriptor):
                for d in (descriptor, *BROADER.get(descriptor, ())):
                    forms += [d, *synonyms_of(d)]
        concepts[role] = _distinct(forms)
    # most specific first: the concepts as written, the claim's own words, then the MeSH
    # descriptors and the listed synonyms (which widen recall but must not crowd out the claim)
    words: list[str] = []
    parts: list[str] = [concepts[role][0] for role in ROLES if role in concepts]
    parts.append(text)
    parts += mesh
    for role in ROLES:
        forms = concepts.get(role, [])
        if not forms:
            continue
        named = set(_content_words(forms[0]))
        # other names ("reflex sympathetic dystrophy" for CRPS), not longer forms of the same
        # name ("ketamine infusion" for ketamine), whose extra words are generic
        parts += [f for f in forms[1:] if not named & set(_content_words(f))]
    own = set(_content_words(text))
    for role in ROLES:
        if role in concepts:
            own.update(_content_words(concepts[role][0]))
    for part in parts:
        for w in _content_words(part):
            if w not in words:
                words.append(w)
    words = words[:max_words]
    cited = getattr(claim, "cited", None)
    cited_words: frozenset[str] = frozenset()
    if cited:
        # a venue's or body's words, unless the claim also uses them outside the citation
        # ("published in Pain … reduces chronic pain": "pain" stays a topic word)
        rest = text
        for part in cited.split(", "):
            at = rest.lower().find(part.lower())
            if at >= 0:
                rest = rest[:at] + " " + rest[at + len(part):]
        cited_words = (frozenset(_content_words(cited)) - set(_content_words(rest))) | CITATION_WORDS
    return Query(text=text, words=words, concepts=concepts,
                 weights={w: 1.0 if w in own else EXPANSION_WEIGHT for w in words},
                 cited_words=cited_words)


def _distinct(items: Iterable[str]) -> list[str]:
    seen, out = set(), []
    for item in items:
        key = item.lower().strip()
        if key and key not in seen:
            seen.add(key)
            out.append(item.strip())
    return out


def _same_concept(surface: str, descriptor: str) -> bool:
    """Whether a MeSH descriptor of the claim names the same thing as a surface mention."""
    from ..claims import synonyms_of

    s = surface.lower().strip()
    return s == descriptor.lower() or s in (f.lower() for f in synonyms_of(descriptor))


@dataclass
class Hit:
    """One retrieved PubMed record."""

    pmid: int
    score: float                    # fused retrieval score (higher is better)
    title: str | None
    abstract: str | None
    bm25: float | None = None       # the record's BM25 score (None: built by hand, see lexical)
    dense: float | None = None      # cosine to the claim (embed extra only)
    mesh_terms: list[str] = field(default_factory=list)
    publication_types: list[str] = field(default_factory=list)
    study_design: str | None = None
    is_retracted: bool = False
    pub_year: int | None = None
    journal: str | None = None


def lexical_ratio(hit: Hit, hits: Sequence[Hit]) -> float:
    """The hit's BM25 score relative to the best of ``hits`` (1.0 for the best). The same
    quantity with and without dense re-ranking (``Hit.score`` is a fused reciprocal-rank score
    under the embed extra, on another scale), so that the record calibration and the display
    order fitted on BM25 hold in both modes."""
    def lexical(h: Hit) -> float:
        return h.bm25 if h.bm25 is not None else h.score
    top = max((lexical(h) for h in hits), default=0.0) or 1.0
    return lexical(hit) / top


def dense_ratio(hit: Hit, hits: Sequence[Hit]) -> float:
    """The hit's cosine to the claim relative to the best of ``hits`` (0.0 without vectors)."""
    top = max((h.dense for h in hits if h.dense is not None), default=None)
    if not top or hit.dense is None:
        return 0.0
    return max(hit.dense, 0.0) / top


def index_ready(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the reference table has its full-text index and BM25 postings (built by
    ``factcheck pubmed load``)."""
    from ..store.pubmed import index_exists
    from ..store.reference import reference_catalog

    return index_exists(con, reference_catalog(con))



def _word_terms(con: duckdb.DuckDBPyConnection, words: Sequence[str]
                ) -> list[tuple[str, str, int | None, int]]:
    """(word, stem, termid, df) for every index term of every word, in one statement."""
    if not words:
        return []
    return con.execute(
        f"""WITH toks AS (SELECT x AS word, unnest({FTS}.tokenize(x)) AS tok
                          FROM unnest(?::VARCHAR[]) t(x)),
                 stems AS (SELECT DISTINCT word, stem(tok, 'porter') AS stem FROM toks
                           WHERE len(tok) > 0 AND tok NOT IN (SELECT sw FROM {FTS}.stopwords))
            SELECT s.word, s.stem, d.termid, coalesce(d.df, 0)
            FROM stems s LEFT JOIN {FTS}.dict d ON d.term = s.stem""",
        [list(dict.fromkeys(words))]).fetchall()


class IndexTerms:
    """The full-text index's terms of words and its statistics, each looked up once on one
    connection: the claims of a batch share most of their words (an article's claims name the
    same intervention and condition), and retrieval and coverage look up the same ones. Valid
    while the index does not change (a batch judged on one read-only connection)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._terms: dict[str, list[tuple[str, int | None, int]]] = {}
        self._stats: tuple[int, float] | None = None

    def of(self, words: Sequence[str]) -> list[tuple[str, str, int | None, int]]:
        """:func:`_word_terms` of ``words``, the words not seen before looked up in one statement."""
        words = list(dict.fromkeys(words))
        missing = [w for w in words if w not in self._terms]
        if missing:
            found: dict[str, list[tuple[str, int | None, int]]] = {w: [] for w in missing}
            for word, stem, termid, df in _word_terms(self.con, missing):
                found[word].append((stem, termid, df))
            self._terms.update(found)      # only once the lookup succeeded
        return [(w, *term) for w in words for term in self._terms[w]]

    def stats(self) -> tuple[int, float]:
        """(documents indexed, their average length in terms)."""
        if self._stats is None:
            n_docs, avgdl = self.con.execute(f"SELECT num_docs, avgdl FROM {FTS}.stats").fetchone()
            self._stats = (int(n_docs or 0), float(avgdl or 1.0))
        return self._stats


def bm25(con: duckdb.DuckDBPyConnection, words: Sequence[str], k: int = 100,
         weights: dict[str, float] | None = None, terms: IndexTerms | None = None,
         among: str | None = None) -> list[tuple[int, float]]:
    """The ``k`` best (pmid, BM25 score) for ``words``, best first. Each index term counts
    once, however many of the words stem to it ("infusion", "infusions"), with the largest
    of their ``weights`` (default 1). ``terms``: the batch's term lookups (else looked up).
    ``among``: a SELECT of the only pmids to score."""
    weights = weights or {}
    terms = terms if terms is not None else IndexTerms(con)
    by_term: dict[int, tuple[float, int]] = {}
    for word, _, termid, df in terms.of(words):
        if termid is not None:
            w = weights.get(word, 1.0)
            if termid not in by_term or w > by_term[termid][0]:
                by_term[termid] = (w, df)
    if not by_term:
        return []
    n_docs, avgdl = terms.stats()
    if not n_docs:
        return []
    # BM25 term weight idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avgdl)), with the
    # constants folded: a * tf / (tf + c + d * len); one scan of the terms' postings (sorted
    # by term, so only their blocks are read), each term's a picked by a CASE
    c, d = K1 * (1 - B), K1 * B / avgdl
    cases = " ".join(f"WHEN {int(termid)} THEN CAST({weight * _idf(n_docs, int(df)) * (K1 + 1)!r} AS DOUBLE)"
                     for termid, (weight, df) in by_term.items())
    return [(int(p), float(s)) for p, s in con.execute(
        f"SELECT pmid, sum((CASE termid {cases} END) * tf / (tf + CAST({c!r} AS DOUBLE)"
        f" + CAST({d!r} AS DOUBLE) * len)) AS s FROM {FTS}.postings"
        f" WHERE termid IN ({', '.join(str(int(t)) for t in by_term)})"
        + (f" AND pmid IN ({among})" if among else "") +
        f" GROUP BY pmid ORDER BY s DESC, pmid LIMIT {int(k)}").fetchall()]


def _idf(n_docs: int, df: int) -> float:
    import math

    return math.log((n_docs - df + 0.5) / (df + 0.5) + 1.0)


_RECORD_SQL = """SELECT pmid, title, abstract, coalesce(mesh_terms, []), coalesce(publication_types, []),
                        study_design, is_retracted, pub_year, journal
                 FROM pubmed WHERE pmid IN (SELECT unnest(?::BIGINT[]))"""


def fetch_records(con: duckdb.DuckDBPyConnection, pmids: Sequence[int]) -> dict[int, Hit]:
    if not pmids:
        return {}
    out = {}
    for r in con.execute(_RECORD_SQL, [list(pmids)]).fetchall():
        out[int(r[0])] = Hit(pmid=int(r[0]), score=0.0, title=r[1], abstract=r[2], mesh_terms=list(r[3]),
                             publication_types=list(r[4]), study_design=r[5], is_retracted=bool(r[6]),
                             pub_year=r[7], journal=r[8])
    return out


def has_vectors(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'pubmed_vectors'"
                      ).fetchone()
    return bool(row and row[0]) and bool(con.execute("SELECT count(*) FROM pubmed_vectors").fetchone()[0])


def dense_scores(con: duckdb.DuckDBPyConnection, vector: Sequence[float], pmids: Sequence[int]
                 ) -> dict[int, float]:
    """Cosine of each record's stored vector to ``vector`` (records without one are left out)."""
    if not pmids:
        return {}
    dim = len(vector)
    rows = con.execute(
        f"SELECT pmid, array_cosine_similarity(vec, ?::FLOAT[{dim}]) FROM pubmed_vectors "
        "WHERE pmid IN (SELECT unnest(?::BIGINT[]))", [list(vector), list(pmids)]).fetchall()
    return {int(p): float(s) for p, s in rows if s is not None}


def fuse(rankings: Sequence[Sequence[int]], weights: Sequence[float] | None = None) -> dict[int, float]:
    """Reciprocal-rank fusion of several rankings (lists of ids, best first)."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, pmid in enumerate(ranking, start=1):
            scores[pmid] = scores.get(pmid, 0.0) + weight / (RRF_K + rank)
    return scores


def retrieve(con: duckdb.DuckDBPyConnection, query: Query, k: int = 20, candidates: int = 100,
             vector: Sequence[float] | None = None, terms: IndexTerms | None = None) -> list[Hit]:
    """The ``k`` best records for ``query``: BM25's ``candidates`` best, re-ranked with the
    dense vectors when ``vector`` (the claim's embedding) is given and vectors are stored.
    ``terms``: the batch's index term lookups (:class:`IndexTerms`), else looked up."""
    scored = bm25(con, query.words, k=max(k, candidates), weights=query.weights, terms=terms)
    if not scored:
        return []
    bm25_score = dict(scored)
    order = [p for p, _ in scored]
    dense: dict[int, float] = {}
    if vector is not None:
        dense = dense_scores(con, vector, order)
    if dense:
        by_dense = sorted(dense, key=lambda p: -dense[p])
        fused = fuse([order, by_dense])
        order = sorted(order, key=lambda p: (-fused.get(p, 0.0), p))
        final = fused
    else:
        final = bm25_score
    top = order[:k]
    records = fetch_records(con, top)
    hits = []
    for pmid in top:
        hit = records.get(pmid)
        if hit is None:
            continue
        hit.score, hit.bm25, hit.dense = float(final[pmid]), bm25_score[pmid], dense.get(pmid)
        hits.append(hit)
    return hits


def topic_words(query: Query) -> list[str]:
    """The claim's own words that name its topic beside the intervention (for a claim whose
    condition or outcome the extractor did not recognise): its content words, without the
    intervention's and without the words of the relation it asserts."""
    named = {w for form in query.concepts.get("intervention", []) for w in _content_words(form)}
    return [w for w in dict.fromkeys(_content_words(query.text))
            if w not in named and w not in RELATION_WORDS and w not in query.cited_words]


def topic_description(query: Query) -> str | None:
    """What a record must mention to be on the claim's topic (``coverage``,
    ``assess.judge_topic``), in words for an editor; None when the claim names no intervention
    (then the retrieved records' own topic checks decide)."""
    forms = query.concepts.get("intervention")
    if not forms:
        return None
    groups = [query.concepts[role] for role in ("condition", "outcome") if query.concepts.get(role)]

    def named(group: list[str]) -> str:
        return f"“{group[0]}”" + (" (or another of its names)" if len(group) > 1 else "")

    if groups:   # any name of the condition or of the outcome
        either = " or ".join(named(group) for group in groups)
        return f"records that mention {named(forms)} and {either}"
    rest = topic_words(query)
    if not rest:
        return f"records that mention {named(forms)}"
    return (f"records that mention {named(forms)} and at least {(len(rest) + 1) // 2} of the"
            f" claim's other words: {', '.join(rest)}")


def coverage(con: duckdb.DuckDBPyConnection, query: Query, terms: IndexTerms | None = None) -> int | None:
    """How many records of the table are on the claim's topic: they mention the intervention
    (any listed form) and, when the claim names one, its condition or outcome (any form).
    ``None`` when the claim names no intervention (then only the retrieved records tell).
    A form is mentioned when a record holds every one of its words (stems); the count is one
    SQL statement over the postings of those words."""
    sql = _topic_sql(con, query, terms)
    if sql is None:
        return None
    if not sql:
        return 0
    return int(con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0])


def topic_records(con: duckdb.DuckDBPyConnection, query: Query, k: int,
                  terms: IndexTerms | None = None) -> list[Hit]:
    """The ``k`` records on the claim's topic (as :func:`coverage` counts them) that BM25 ranks
    best for the query, best first: what retrieval's ranking may leave out of a claim's top
    records when the claim's words are common in records off its topic."""
    sql = _topic_sql(con, query, terms)
    if not sql:
        return []
    scored = bm25(con, query.words, k=k, weights=query.weights, terms=terms, among=sql)
    records = fetch_records(con, [p for p, _ in scored])
    hits = []
    for pmid, score in scored:
        hit = records.get(pmid)
        if hit is not None:
            hit.score = hit.bm25 = score
            hits.append(hit)
    return hits


def _topic_sql(con: duckdb.DuckDBPyConnection, query: Query, terms: IndexTerms | None = None
               ) -> str | None:
    """A SELECT of the pmids on the claim's topic (:func:`coverage`); "" when the table's index
    lacks a word the topic needs (no record is on it); None when the claim names no
    intervention."""
    forms = query.concepts.get("intervention")
    if not forms:
        return None
    target = query.concepts.get("condition", []) + query.concepts.get("outcome", [])
    groups = [forms] + ([target] if target else [])
    words = {form: form_words(form) for group in groups for form in group}
    rest = [] if target else topic_words(query)
    lookups = terms if terms is not None else IndexTerms(con)
    terms_of: dict[str, list[int | None]] = {}
    for word, _, termid, _ in lookups.of([w for ws in words.values() for w in ws] + rest):
        terms_of.setdefault(word, []).append(termid)
    sql_groups = []
    for group in groups:
        alternatives = []
        for form in group:
            found = [t for w in words[form] for t in terms_of.get(w, [])]
            if not found or any(t is None for t in found):
                continue
            ids = sorted({int(t) for t in found})
            alternatives.append(f"SELECT pmid FROM {FTS}.postings WHERE termid IN "
                                f"({', '.join(map(str, ids))}) GROUP BY pmid HAVING count(*) = {len(ids)}")
        if not alternatives:
            return ""
        sql_groups.append(" UNION ".join(f"({a})" for a in alternatives))
    if rest:
        # no condition or outcome recognised: records holding half of the claim's other words
        ids = sorted({int(t) for w in rest for t in terms_of.get(w, []) if t is not None})
        need = (len(rest) + 1) // 2
        if len(ids) < need:
            return ""
        sql_groups.append(f"SELECT pmid FROM {FTS}.postings WHERE termid IN "
                          f"({', '.join(map(str, ids))}) GROUP BY pmid HAVING count(*) >= {need}")
    return " INTERSECT ".join(f"({g})" for g in sql_groups)
