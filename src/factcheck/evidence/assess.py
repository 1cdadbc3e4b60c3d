"""Evidence for one claim, end to end: query, retrieval, reading, grading, verdict.

    assessment = assess_claim(con, claim)          # a factcheck.claims.Claim
    assessment.verdict.label, assessment.rows      # -> store.evidence.replace_claim_evidence

The ranking an editor sees puts the records that bear on the claim first (those that may
count, then the others, each by how probably they bear), then the rest by relevance: the
retrieval score plus the stance model's probability that a sentence bears on the claim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import duckdb

from ..claims import citation, figure_reported, figure_values
from ..claims import figures as figures_in
from ..store.rows import EvidenceRow, VerdictRow
from .grading import graded_type
from .read import Calibration, records_from, sentences_to_read
from .retrieve import (Hit, IndexTerms, Query, build_query, coverage, dense_ratio, form_words,
                       lexical_ratio, retrieve, topic_description, topic_records, topic_words)
from .stance import StanceModel, StanceModelMissing, default_model, shipped_version
from .verdict import ClaimFacts, ReadRecord, Verdict, decide

#: Records read (by the stance model) per claim, and kept as evidence rows.
READ_K = 10
#: Records kept of a claim whose topic the table does not hold (no record retrieved is on it,
#: and the count of records on it is zero: its verdict can only be ``no_coverage``): the
#: nearest few, to show the editor what the table holds closest to it. Keeping all READ_K
#: could change no label; on the demo's new articles, where seven claims in ten are off the
#: table, it was three fifths of the evidence rows stored (and, while records off the topic
#: were still glanced at, of the stance model's work).
GAP_K = 3
#: BM25 candidates re-ranked by the dense vectors before the best READ_K are read.
CANDIDATES = 100
#: Records on a claim's topic read when retrieval's READ_K best hold none although the table
#: holds some (``retrieve.topic_records``: its words are common in records off the topic).
#: They take the places of the last records retrieved, which are off the topic and so are
#: not read: a ``not_addressed`` verdict then always rests on on-topic records read.
TOPIC_K = 3

#: Recorded with every verdict (``verdicts.model_version``, after the stance model's hash);
#: raised when retrieval or the decision rules change what a claim is judged on
#: (3: expansion words weighted, one count per index term, dense cosine in the final order;
#: 4: records off the topic glanced at, not read whole; 5: a claim off the table keeps its
#: GAP_K nearest records only; 6: each pair read by the stance model on its own, not batched;
#: 7: the record calibration in ``stance.json`` refitted to pairs read on their own; the
#: model's version now names its calibration too, so a refit alone is a new version;
#: 8: records off the topic are not read, so they have no probabilities and no quote;
#: 9: a claim whose retrieved records are all off its topic reads the table's TOPIC_K best
#: records on it instead of the last ones; 10: absolute wording needs a trial or better behind
#: it on every ladder, "(e.g." no longer ends an abstract's sentence, the wording of
#: not-addressed verdicts names records that cannot count; 11: a claim whose own words say it is
#: about animals or cells is graded on the pharmacology ladder, ``grading.graded_type``;
#: 12: only a sentence that speaks of the claim's concepts or words may decide it, ``speaks_to``;
#: 13: the other sentences are not read at all, so a neutral record's quote and its ``p_relevant``
#: come from those that speak; 14: a claim whose on-topic records have no such sentence was read
#: not at all: the nothing-read confidence, and an explanation that says so).
RULES_VERSION = "verdict-rules-14"


@dataclass
class Assessment:
    query: Query
    records: list[ReadRecord]
    verdict: Verdict
    coverage: int | None

    @property
    def rows(self) -> list[EvidenceRow]:
        """The rows of ``evidence``. A record off the claim's topic is not read
        (``read.sentences_to_read``), so it has no quote (``quote`` NULL) and no
        probabilities: it never counts."""
        return [EvidenceRow(
            pmid=r.hit.pmid, rank=r.rank, score=float(r.hit.score), on_topic=r.on_topic,
            matched_terms=list(r.matched_terms), stance=r.stance, p_support=round(r.p_support, 4),
            p_refute=round(r.p_refute, 4), quote=r.quote, quote_section=r.quote_section,
            design=r.grade.design, counts=r.grade.counts, grade=r.grade.weight,
            grade_note=r.grade.note, dense_score=r.hit.dense,
            record_retracted=bool(r.hit.is_retracted)) for r in self.records]

    def verdict_row(self, model_version: str | None = None) -> VerdictRow:
        self.verdict.model_version = model_version
        return self.verdict


# --- on topic ------------------------------------------------------------------------------

_SUFFIXES = ("ations", "ation", "ities", "ness", "ings", "ing", "ies", "ied", "ed", "es", "s",
             "al", "ic", "y")
_STEM_WORD = re.compile(r"[a-z][a-z0-9]+")


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=1024)
def _stems(text: str) -> frozenset[str]:
    # a record retrieved for many claims of a run is stemmed once
    return frozenset(_stem(w) for w in _STEM_WORD.findall(text.lower()))


def _mentions(forms: Sequence[str], stems: frozenset[str]) -> bool:
    """Whether a record mentions any form of a concept (every content word of the form)."""
    for form in forms:
        words = [_stem(w) for w in form_words(form) if len(w) > 2]
        if words and all(w in stems for w in words):
            return True
    return False


def speaks_to(query: Query):
    """A test of one sentence: whether it speaks of what the claim is about, so that what the
    stance model reads in it can decide the claim: it names one of the claim's concepts (its
    intervention, condition or outcome, by any of their names), or shares at least two of the
    claim's words (one, for a claim of fewer than three). A sentence of an on-topic record that
    does neither is not read as supporting or refuting the claim ("The mean score for the
    construct was lower at 18.14" says nothing of painkillers and chronic pain, whatever the
    model makes of it)."""
    forms = [f for role in ("intervention", "condition", "outcome")
             for f in query.concepts.get(role, [])]
    key = {_stem(w) for w in query.words if w not in query.cited_words}
    if not key and not forms:
        return lambda sentence: True
    need = 2 if len(key) >= 3 else 1

    def speaks(sentence: str) -> bool:
        stems = _stems(sentence)
        return (bool(forms) and _mentions(forms, stems)) or len(key & stems) >= need
    return speaks


def judge_topic(hit: Hit, query: Query) -> tuple[bool, list[str]]:
    """(on topic, query words found): a record is on the claim's topic when it mentions the
    intervention and, if the claim names them, its condition or outcome; a claim without an
    intervention needs half of its six most specific words."""
    stems = _stems(" ".join(filter(None, [hit.title, hit.abstract, " ".join(hit.mesh_terms)])))
    matched = [w for w in query.words if _stem(w) in stems]
    intervention = query.concepts.get("intervention")
    target = query.concepts.get("condition", []) + query.concepts.get("outcome", [])
    if intervention and target:
        on = _mentions(intervention, stems) and _mentions(target, stems)
    elif intervention:
        # no condition or outcome recognised: the claim's own other words stand in for it
        # ("Ketamine cures tinnitus": a ketamine record must also speak of tinnitus)
        rest = [_stem(w) for w in topic_words(query)]
        on = _mentions(intervention, stems) and (
            not rest or sum(1 for w in rest if w in stems) * 2 >= len(rest))
    else:
        # the six most specific words, not those describing a source the claim cites
        key = [_stem(w) for w in [w for w in query.words if w not in query.cited_words][:6]]
        held = sum(1 for k in key if k in stems) * 2 >= len(key)
        on = held and (_mentions(target, stems) if target else bool(key))
    return on, matched


# --- the claim's facts ---------------------------------------------------------------------

def claim_facts_of(claim) -> ClaimFacts:
    sentence = claim.sentence
    figures = list(getattr(claim, "figures", None) or figures_in(sentence))
    cited = citation(sentence)
    # graded on the ladder its own words ask for (a claim about mice: the pharmacology one)
    return ClaimFacts(claim_type=graded_type(claim.claim_type, sentence), certainty=claim.certainty,
                      attribution=getattr(claim, "attribution", None) or "own", figures=figures,
                      cited=cited.text if cited else None,
                      cited_years=cited.years if cited else [],
                      cited_venues=cited.venues if cited else [])


def _figure_check(claim):
    values = figure_values(claim.sentence)

    def found(record: ReadRecord) -> bool:
        text = " ".join(filter(None, [record.hit.title, record.hit.abstract]))
        return any(figure_reported(v, text) for v in values)
    return found


def cited_source_found(facts: ClaimFacts, records: Sequence[ReadRecord]) -> bool | None:
    """Whether a record matching what the claim cites bears on it (``None``: cites nothing).

    A record matches when it supports or refutes the claim and, where the claim gives them,
    its publication year is the cited year (give or take one: online and print dates differ)
    and its journal is the cited venue."""
    if not facts.cited:
        return None
    for r in records:
        if r.stance == "neutral" and not r.on_topic:
            continue
        if facts.cited_years and not (r.hit.pub_year and any(abs(r.hit.pub_year - y) <= 1
                                                             for y in facts.cited_years)):
            continue
        if facts.cited_venues and not (r.hit.journal and any(
                _venue_match(v, r.hit.journal) for v in facts.cited_venues)):
            continue
        if r.stance != "neutral":
            return True
    return False


def cited_source_candidate(facts: ClaimFacts, records: Sequence[ReadRecord]) -> int | None:
    """The PMID of a record retrieved for the claim that matches what it cites (its year, give
    or take one, and its venue where the claim names one; a year alone matches only a record on
    the claim's topic) though it was not read as bearing on it; None when none does."""
    if not facts.cited or not (facts.cited_years or facts.cited_venues):
        return None
    for r in records:
        if facts.cited_years and not (r.hit.pub_year and any(abs(r.hit.pub_year - y) <= 1
                                                             for y in facts.cited_years)):
            continue
        if facts.cited_venues:
            if r.hit.journal and any(_venue_match(v, r.hit.journal) for v in facts.cited_venues):
                return r.hit.pmid
        elif r.on_topic:
            return r.hit.pmid
    return None


def _venue_match(cited: str, journal: str) -> bool:
    a = set(_STEM_WORD.findall(cited.lower())) - {"the", "of", "and", "journal"}
    b = set(_STEM_WORD.findall(journal.lower()))
    return bool(a) and a <= b


# --- assess ----------------------------------------------------------------------------------

#: Weight of the stance model's relevance against the BM25 score (relative to the first
#: record's) when ranking the records read; chosen on SciFact's training claims (nDCG@10 0.675
#: with retrieval alone, 0.687 with this, 0.652 with reciprocal-rank fusion of the two).
MODEL_RANK_WEIGHT = 0.5
#: Weight of the dense cosine (relative to the best record's; ``embed`` extra only) in the same
#: sum. On SciFact's training claims with the embed extra: nDCG@10 0.704 without it (the records
#: read were ordered on BM25 and the model alone, undoing the fusion), 0.724 with 1.0, 0.720
#: with 2.0.
DENSE_RANK_WEIGHT = 1.0


def rank_records(records: Sequence[ReadRecord], weight: float = MODEL_RANK_WEIGHT) -> list[ReadRecord]:
    """Records ordered by their BM25 score (relative to the best), plus their dense cosine
    (relative to the best; with the ``embed`` extra), plus ``weight`` times the stance model's
    probability that one of their sentences bears on the claim."""
    hits = [r.hit for r in records]
    return sorted(records, key=lambda r: -(lexical_ratio(r.hit, hits)
                                           + DENSE_RANK_WEIGHT * dense_ratio(r.hit, hits)
                                           + weight * r.p_relevant))


def order_for_display(records: list[ReadRecord]) -> list[ReadRecord]:
    """Records that bear on the claim first (countable ones before the others, each by how
    probably it bears), then the rest by relevance (``rank_records``); ranks renumbered from 1."""
    bearing = sorted((r for r in records if r.stance != "neutral"),
                     key=lambda r: (not r.grade.counts, -r.p_bearing, r.rank))
    rest = rank_records([r for r in records if r.stance == "neutral"])
    ordered = bearing + rest
    for i, r in enumerate(ordered, start=1):
        r.rank = i
    return ordered


def records_to_read(con: duckdb.DuckDBPyConnection, claim, *, k: int = READ_K,
                    vector: Sequence[float] | None = None, terms: IndexTerms | None = None
                    ) -> tuple[Query, list[Hit], list[tuple[bool, list[str]]], int | None]:
    """The claim's query, the records its verdict reads (retrieval's ``k`` best, or the
    ``GAP_K`` nearest when the table does not hold its topic), each one's topic check, and the
    count of the table's records on its topic. What a verdict rests on: the evidence stage
    compares it with a stored verdict's to know whether newly loaded records change it.
    ``terms``: the index term lookups of the batch the claim is judged in (else looked up)."""
    query = build_query(claim)
    terms = terms if terms is not None else IndexTerms(con)
    hits = retrieve(con, query, k=k, candidates=CANDIDATES, vector=vector, terms=terms)
    topic = [judge_topic(h, query) for h in hits]
    n_topic = coverage(con, query, terms=terms)
    if not any(on for on, _ in topic):
        if not n_topic:
            return query, hits[:GAP_K], topic[:GAP_K], n_topic
        # the table holds records on the topic, but retrieval ranked others first: read its
        # best ones on the topic in place of the last (unread) records retrieved
        seen = {h.pmid for h in hits}
        extra = [(h, t) for h in topic_records(con, query, min(TOPIC_K, k), terms=terms)
                 if h.pmid not in seen for t in [judge_topic(h, query)] if t[0]]
        if extra:
            keep = max(0, k - len(extra))
            hits = hits[:keep] + [h for h, _ in extra]
            topic = topic[:keep] + [t for _, t in extra]
    return query, hits, topic, n_topic


def assess_claim(con: duckdb.DuckDBPyConnection, claim, *, k: int = READ_K,
                 model: StanceModel | None = None, vector: Sequence[float] | None = None
                 ) -> Assessment:
    """Retrieve, read and judge the evidence for one claim."""
    return assess_claims(con, [claim], k=k, model=model, vectors=[vector])[0]


def assess_claims(con: duckdb.DuckDBPyConnection, claims: Sequence, *, k: int = READ_K,
                  model: StanceModel | None = None,
                  vectors: Sequence[Sequence[float] | None] | None = None,
                  terms: IndexTerms | None = None) -> list[Assessment]:
    """``assess_claim`` for several claims. Each (claim, sentence) pair is read by the stance
    model on its own (``stance.StanceModel``), so a claim's verdict depends on the claim and
    the table only, never on which other claims a run judges with it. ``terms``: the index
    term lookups shared by the claims of a batch (:class:`~factcheck.evidence.retrieve.IndexTerms`
    on ``con``; else one for these claims)."""
    model = model or default_model()
    calibrate = Calibration.from_meta(model.meta)
    vectors = list(vectors) if vectors is not None else [None] * len(claims)
    terms = terms if terms is not None else IndexTerms(con)

    def start(claim, vector):
        """Retrieve a claim's records and start reading their sentences."""
        query, hits, topic, n_topic = records_to_read(con, claim, k=k, vector=vector, terms=terms)
        on_topic = [t[0] for t in topic]
        ladder = graded_type(claim.claim_type, claim.sentence)
        per_hit = sentences_to_read(query.text, ladder, hits, query, on_topic, speaks_to(query))
        reading = model.submit([(query.text, s) for sentences in per_hit for s, _ in sentences])
        return claim, query, hits, topic, n_topic, on_topic, per_hit, ladder, reading

    def finish(claim, query, hits, topic, n_topic, on_topic, per_hit, ladder, reading) -> Assessment:
        records = records_from(reading.probabilities(), per_hit, ladder, hits, on_topic, calibrate)
        for r, (_, matched) in zip(records, topic):
            r.matched_terms = matched
        records = order_for_display(records)
        facts = claim_facts_of(claim)
        facts.topic = topic_description(query)
        verdict = decide(records, facts, coverage=n_topic, figure_found=_figure_check(claim),
                         cited_found=cited_source_found(facts, records),
                         cited_candidate=cited_source_candidate(facts, records))
        return Assessment(query, records, verdict, n_topic)

    # one claim ahead: a claim's retrieval (this thread, DuckDB) runs while the pool reads the
    # previous claim's sentences, so a two-core machine keeps both cores busy
    out: list[Assessment] = []
    ahead = started = None
    try:
        for claim, vector in zip(claims, vectors):
            started = start(claim, vector)
            if ahead is not None:
                out.append(finish(*ahead))
            ahead, started = started, None
        if ahead is not None:
            out.append(finish(*ahead))
            ahead = None
    finally:
        for pending in (ahead, started):     # an error or an interrupt: stop their reading
            if pending is not None:
                pending[-1].cancel()        # the reading is the last item of start's tuple
    return out


def claim_from_text(text: str, mesh_vocabulary=None):
    """A claim written on its own (a benchmark's, a user's) as the pipeline would extract it
    (with the table's MeSH vocabulary when given): its structure when the extractor accepts it,
    else a bare claim with no structure. Returns (claim, accepted)."""
    from ..claims import extract_claims
    from ..store.rows import Claim

    text = text.strip()
    if text and not re.search(r"[.!?][\"”'’)\]]*$", text):
        # a claim written on its own often lacks its full stop ("PTEN regulates SRF"); without
        # one the extractor reads a short line as a heading
        text += "."
    found = extract_claims(text, mesh_vocabulary=mesh_vocabulary)
    if found:
        best = max(found, key=lambda c: c.end - c.start)
        if best.end - best.start >= 0.8 * len(text.strip()):
            return best, True
    return Claim(sentence=text, start=0, end=len(text), claim_type="efficacy",
                 certainty="assertive", polarity="positive", score=0.0,
                 reason="not extracted"), False


def model_version(model: StanceModel | None = None) -> str:
    """What a verdict was judged with: the stance model's weights and calibration and the
    verdict rules (``verdicts.model_version``: ``stance-<sha>.<calibration>+verdict-rules-N``)."""
    model = model or default_model()
    return f"stance-{model.version}+{RULES_VERSION}"


def shipped_model_version() -> str:
    """:func:`model_version` of the shipped model, read from its metadata without loading it
    (``unavailable: …`` when the metadata cannot be read: the evidence stage says why)."""
    try:
        return f"stance-{shipped_version()}+{RULES_VERSION}"
    except StanceModelMissing as exc:
        return f"unavailable: {exc}"[:200]
