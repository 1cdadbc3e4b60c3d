"""Retrieval over the bundled PubMed sample: BM25 over postings, the query builder, coverage."""

from __future__ import annotations

import re

import pytest

from factcheck.evidence.retrieve import bm25, build_query, coverage, index_ready, retrieve
from factcheck.store.rows import Claim

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PUBMED_SAMPLE = REPO / "data" / "pubmed" / "pubmed_sample.xml.gz"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    from factcheck.pubmed.load import load_files
    from factcheck.store.db import connect

    path = tmp_path_factory.mktemp("ref") / "ref.duckdb"
    con = connect(path)
    load_files(con, [PUBMED_SAMPLE])
    yield con
    con.close()


def claim(sentence, **kw):
    return Claim(sentence=sentence, start=0, end=len(sentence), claim_type=kw.pop("claim_type", "efficacy"),
                 certainty="assertive", polarity="positive", score=1.0, reason="", **kw)


def _bm25_from_terms(con, words, k):
    """BM25 (Lucene's idf) computed the slow way, from the index's raw ``terms`` table."""
    return con.execute(
        """WITH q AS (SELECT d.termid, d.df FROM fts_main_pubmed.dict d
                      WHERE d.term IN (SELECT stem(unnest(?::VARCHAR[]), 'porter'))),
                tf AS (SELECT t.docid, t.termid, count(*) AS tf FROM fts_main_pubmed.terms t
                       JOIN q USING (termid) GROUP BY ALL),
                s AS (SELECT num_docs AS n, avgdl FROM fts_main_pubmed.stats)
           SELECT docs.name, sum(ln((s.n - q.df + 0.5) / (q.df + 0.5) + 1) * tf.tf * 2.2
                                / (tf.tf + 1.2 * (1 - 0.75 + 0.75 * docs.len / s.avgdl))) AS score
           FROM tf JOIN q USING (termid) JOIN fts_main_pubmed.docs docs USING (docid), s
           GROUP BY docs.name ORDER BY score DESC, docs.name LIMIT ?""", [list(words), k]).fetchall()


def test_postings_give_the_bm25_of_the_raw_index(sample_db):
    assert index_ready(sample_db)
    for words in (["ketamine", "chronic", "pain", "sublingual"], ["depression", "infusion"],
                  ["cystitis", "bladder", "ketamine"]):
        ours = bm25(sample_db, words, k=20)
        slow = _bm25_from_terms(sample_db, words, 20)
        assert [p for p, _ in ours] == [p for p, _ in slow]
        for (_, a), (_, b) in zip(ours, slow):
            assert a == pytest.approx(b, rel=1e-9)


def test_postings_follow_a_refresh(tmp_path):
    """Loading an update re-indexes only what changed, postings included: the same scores as a
    fresh build over the same rows."""
    from factcheck.pubmed.load import load_files
    from factcheck.store.db import connect
    from factcheck.store.pubmed import rebuild_fts_index

    fixtures = REPO / "tests" / "fixtures" / "pubmed"
    con = connect(tmp_path / "a.duckdb")
    load_files(con, [fixtures / "nlm_baseline_cut.xml.gz"])
    load_files(con, [fixtures / "nlm_update_cut.xml.gz"])
    refreshed = bm25(con, ["ketamine", "trial", "retracted", "patients"], k=50)
    rebuild_fts_index(con)
    rebuilt = bm25(con, ["ketamine", "trial", "retracted", "patients"], k=50)
    assert refreshed and [p for p, _ in refreshed] == [p for p, _ in rebuilt]
    con.close()


def test_query_keeps_the_claims_concepts_and_drops_marketing_words():
    c = claim("Ketamine therapy offers a promising, innovative way to relieve chronic pain",
              intervention="Ketamine therapy", condition="chronic pain",
              mesh_terms=["Ketamine", "Chronic Pain"])
    q = build_query(c)
    assert q.words[:3] == ["ketamine", "chronic", "pain"]
    assert "promising" not in q.words and "innovative" not in q.words
    assert q.concepts["intervention"][0] == "Ketamine therapy"
    assert "persistent pain" in [f.lower() for f in q.concepts["condition"]]


def test_the_query_reads_the_resolved_sentence():
    c = claim("It relieves pain for weeks.", intervention="ketamine",
              query_text="Ketamine relieves pain for weeks.")
    q = build_query(c)
    assert q.text.startswith("Ketamine")
    assert "ketamine" in q.words


def test_retrieval_finds_the_ketamine_case_series_first(sample_db):
    c = claim("Sublingual ketamine relieves chronic non-malignant pain.", intervention="ketamine",
              condition="chronic non-malignant pain", mesh_terms=["Ketamine", "Chronic Pain"])
    hits = retrieve(sample_db, build_query(c), k=5)
    assert hits and hits[0].pmid == 34092024
    assert all(h.title for h in hits)


def test_coverage_counts_records_on_the_topic(sample_db):
    on = claim("Ketamine relieves chronic pain.", intervention="ketamine", condition="chronic pain",
               mesh_terms=["Ketamine", "Chronic Pain"])
    off = claim("Ketamine cures tinnitus.", intervention="ketamine", condition="tinnitus")
    n_on = coverage(sample_db, build_query(on))
    assert n_on >= 1
    assert coverage(sample_db, build_query(off)) == 0
    # no intervention named: coverage cannot be counted, the retrieved records decide
    assert coverage(sample_db, build_query(claim("Chronic pain is common."))) is None


def test_words_that_stem_alike_count_once_and_weights_scale_a_term(sample_db):
    """"infusion" and "infusions" are one index term: asking for both scores as asking for one
    (they were summed twice). A term's weight scales its share of the score."""
    one = bm25(sample_db, ["ketamine", "infusion"], k=20)
    both = bm25(sample_db, ["ketamine", "infusion", "infusions"], k=20)
    assert one and [p for p, _ in one] == [p for p, _ in both]
    assert [s for _, s in both] == pytest.approx([s for _, s in one])
    half = dict(bm25(sample_db, ["infusion"], k=20, weights={"infusion": 0.5}))
    for pmid, score in bm25(sample_db, ["infusion"], k=20):
        assert half[pmid] == pytest.approx(score / 2)


def test_words_only_the_mesh_expansion_brings_weigh_less_than_the_claims_own():
    c = claim("Ketamine relieves CRPS pain.", intervention="ketamine", condition="CRPS",
              mesh_terms=["Ketamine", "Complex Regional Pain Syndromes"])
    q = build_query(c)
    assert q.weights["ketamine"] == q.weights["crps"] == q.weights["pain"] == 1.0
    expansion = [w for w in ("reflex", "sympathetic", "dystrophy", "regional") if w in q.weights]
    assert expansion and all(q.weights[w] < 1.0 for w in expansion)


def test_the_records_read_keep_the_dense_order_where_bm25_ties():
    """With the embed extra the final order sums BM25 and dense cosines (each relative to the
    best record's) with the model's relevance: on equal BM25 and equal relevance, the record
    closer to the claim in meaning comes first."""
    from factcheck.evidence.assess import rank_records
    from factcheck.evidence.grading import grade
    from factcheck.evidence.retrieve import Hit
    from factcheck.evidence.verdict import ReadRecord

    def rec(pmid, dense, bm25=5.0):
        hit = Hit(pmid=pmid, score=1.0, title="t", abstract="a", bm25=bm25, dense=dense)
        g = grade(study_design="rct", claim_type="efficacy", title="t", abstract="a")
        return ReadRecord(hit=hit, rank=pmid, on_topic=True, grade=g, p_relevant=0.4)

    assert [r.hit.pmid for r in rank_records([rec(1, 0.2), rec(2, 0.7), rec(3, 0.5)])] == [2, 3, 1]
    # without vectors the order is BM25's (then the model's), as in the default install
    assert [r.hit.pmid for r in rank_records([rec(1, None, 4.0), rec(2, None, 5.0)])] == [2, 1]


def test_a_batch_shares_its_term_lookups_with_the_same_results(sample_db):
    """Claims judged in one batch look each word's index terms up once (``IndexTerms``); the
    records, scores and coverage are those of lookups made afresh for each claim."""
    from factcheck.evidence.retrieve import IndexTerms, _word_terms

    claims = [claim("Ketamine relieves chronic pain.", intervention="ketamine", condition="chronic pain"),
              claim("Ketamine infusions treat depression.", intervention="ketamine", condition="depression"),
              claim("Sublingual ketamine eases chronic pain.", intervention="ketamine", condition="chronic pain")]
    terms = IndexTerms(sample_db)
    for c in claims:
        query = build_query(c)
        shared = retrieve(sample_db, query, k=10, terms=terms)
        alone = retrieve(sample_db, query, k=10)
        assert shared and [(h.pmid, h.score) for h in shared] == [(h.pmid, h.score) for h in alone]
        assert coverage(sample_db, query, terms=terms) == coverage(sample_db, query)
    words = ["ketamine", "pain", "infusions", "qqzzxx"]
    assert sorted(terms.of(words), key=str) == sorted(_word_terms(sample_db, words), key=str)
    assert terms.of(["qqzzxx"]) == [("qqzzxx", "qqzzxx", None, 0)]    # a term the index lacks
    assert {"ketamine", "pain", "depression", "qqzzxx"} <= set(terms._terms)


def _coverage_the_slow_way(con, query):
    """``coverage`` computed record by record in Python from the index's raw ``terms`` table:
    a record is on the topic when it holds every term of some intervention form, of some
    condition or outcome form when the claim names one, else half of the claim's other words."""
    from factcheck.evidence.retrieve import _content_words, _word_terms, topic_words

    held = {name: set(ids) for name, ids in con.execute(
        """SELECT d.name, list(DISTINCT t.termid) FROM fts_main_pubmed.terms t
           JOIN fts_main_pubmed.docs d USING (docid) GROUP BY d.name""").fetchall()}
    terms_of = {}
    def of(words):
        for word, _, termid, _ in _word_terms(con, words):
            terms_of.setdefault(word, []).append(termid)
    target = query.concepts.get("condition", []) + query.concepts.get("outcome", [])
    groups = [query.concepts["intervention"]] + ([target] if target else [])
    # a form of stop words alone is looked up by all its words
    forms = {f: _content_words(f) or re.findall(r"[a-z][a-z0-9-]*[a-z0-9]|[a-z]", f.lower())
             for g in groups for f in g}
    rest = [] if target else topic_words(query)
    of([w for ws in forms.values() for w in ws] + rest)

    def form_ids(form):
        found = [t for w in forms[form] for t in terms_of.get(w, [])]
        return None if not found or None in found else set(found)

    rest_ids = {t for w in rest for t in terms_of.get(w, []) if t is not None}
    count = 0
    for ids in held.values():
        if all(any(f is not None and f <= ids for f in map(form_ids, g)) for g in groups) and (
                not rest or len(rest_ids & ids) >= (len(rest) + 1) // 2):
            count += 1
    return count


@pytest.mark.parametrize("sentence, concepts", [
    ("Ketamine relieves chronic pain.", {"intervention": "ketamine", "condition": "chronic pain",
                                          "mesh_terms": ["Ketamine", "Chronic Pain"]}),
    ("Ketamine infusions ease depression in adults.", {"intervention": "ketamine", "condition": "depression"}),
    ("Ketamine works within hours for most patients.", {"intervention": "ketamine"}),
    ("Esketamine nasal spray reduces suicidal thoughts.",
     {"intervention": "esketamine", "outcome": "suicidal thoughts", "mesh_terms": ["Ketamine"]}),
    ("Ketamine cures tinnitus.", {"intervention": "ketamine", "condition": "tinnitus"}),
])
def test_coverage_counts_what_the_records_hold(sample_db, sentence, concepts):
    """The one-statement count over the postings (every form's terms held, per group) is the
    count made record by record from the raw index."""
    query = build_query(claim(sentence, **concepts))
    assert coverage(sample_db, query) == _coverage_the_slow_way(sample_db, query)


def test_coverage_of_the_sample_is_not_trivially_zero(sample_db):
    counts = [coverage(sample_db, build_query(claim(s, **c))) for s, c in (
        ("Ketamine relieves chronic pain.", {"intervention": "ketamine", "condition": "chronic pain"}),
        ("Ketamine works within hours for most patients.", {"intervention": "ketamine"}))]
    assert all(n and n > 0 for n in counts)


def test_the_topic_is_described_as_coverage_counts_it():
    """Without a condition or outcome, a record must also hold half of the claim's other words:
    the description an editor reads says so, and lists them."""
    from factcheck.evidence.retrieve import Query, topic_description

    both = Query(text="Ketamine relieves migraine.", words=["ketamine", "migraine"],
                 concepts={"intervention": ["ketamine"], "condition": ["migraine", "Migraine Disorders"]})
    assert topic_description(both) == ("records that mention “ketamine” and “migraine” (or another"
                                       " of its names)")
    two = Query(text="Ketamine lowers blood pressure in migraine patients.", words=["ketamine"],
                concepts={"intervention": ["Ketamine"], "condition": ["migraine", "Migraine Disorders"],
                          "outcome": ["blood pressure"]})
    assert topic_description(two) == ("records that mention “Ketamine” and “migraine” (or another of"
                                      " its names) or “blood pressure”")
    alone = Query(text="Recreational use of ketamine can pose threats to mental health.",
                  words=["ketamine"], concepts={"intervention": ["ketamine"]})
    assert topic_description(alone) == ("records that mention “ketamine” and at least 3 of the claim's"
                                        " other words: recreational, pose, threats, mental, health")
    assert topic_description(Query(text="Sleep matters.", words=["sleep"])) is None


def test_the_words_of_a_cited_source_are_not_words_of_the_claims_topic():
    """"A 2021 meta-analysis published in the Journal of Clinical Anesthesia found that …": a
    record on the claim's topic need not say "journal", "clinical" or "meta-analysis" (the
    cited meta-analysis itself was judged off the topic); they are still searched for."""
    from factcheck.evidence.retrieve import topic_words

    sentence = ("A 2021 meta-analysis published in the Journal of Clinical Anesthesia found that "
                "intrathecal ketamine shortens labour.")
    cited = claim(sentence, intervention="ketamine", cited="2021, Journal of Clinical Anesthesia")
    query = build_query(cited)
    assert {"journal", "clinical", "anesthesia"} <= set(query.words)
    assert topic_words(query) == ["intrathecal", "shortens", "labour"]
    plain = build_query(claim("Clinical anesthesia with ketamine shortens labour.",
                              intervention="ketamine"))
    assert "clinical" in topic_words(plain)
    # a venue named like the topic keeps the topic's word
    pain = build_query(claim("A 2020 study published in Pain found that ketamine reduces chronic pain.",
                             intervention="ketamine", cited="2020, Pain"))
    assert sorted(topic_words(pain)) == ["chronic", "pain"]
