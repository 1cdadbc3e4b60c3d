"""End to end through the shipped stance model: a small reference table of records written for
these tests (clear findings, in PubMed's structured-abstract layout), real retrieval, real
reading, real verdicts."""

from __future__ import annotations

import duckdb
import pytest

from factcheck.evidence.assess import GAP_K, assess_claim, assess_claims
from factcheck.store.db import connect
from factcheck.store.reference import make_own_reference
from factcheck.store.pubmed import rebuild_fts_index
from factcheck.store.rows import Claim
from stages import run_stages

RECORDS = [
    # pmid, title, abstract, design, publication types, retracted
    (501, "Ketamine infusion for complex regional pain syndrome: a randomized, double-blind, "
          "placebo-controlled trial",
     "METHODS: 60 adults with complex regional pain syndrome received ketamine or placebo.\n"
     "RESULTS: Pain scores fell significantly more with ketamine than with placebo at 12 weeks.\n"
     "CONCLUSIONS: Ketamine infusion relieved pain in complex regional pain syndrome.",
     "rct", ["Randomized Controlled Trial"], False),
    (502, "Vitamin C supplements and the common cold: a randomized controlled trial",
     "METHODS: 400 adults took vitamin C or placebo daily for 12 weeks.\n"
     "RESULTS: The number of colds did not differ between the vitamin C and placebo groups.\n"
     "CONCLUSIONS: Vitamin C supplements did not prevent the common cold.",
     "rct", ["Randomized Controlled Trial"], False),
    (503, "Zinc lozenges for the common cold: study protocol for a randomised controlled trial",
     "BACKGROUND: Zinc may shorten colds.\nMETHODS: We will randomise 300 adults to zinc or placebo "
     "lozenges and will measure the duration of colds.",
     "clinical_trial", ["Clinical Trial Protocol"], False),
    (504, "Magnesium cures migraine: a randomized controlled trial",
     "RESULTS: Migraine attacks stopped completely in all patients given magnesium.\n"
     "CONCLUSIONS: Magnesium cures migraine.",
     "rct", ["Randomized Controlled Trial", "Retracted Publication"], True),
    (505, "Melatonin and sleep onset in adults with insomnia: a randomized controlled trial",
     "RESULTS: Melatonin shortened sleep onset by 7 minutes compared with placebo.\n"
     "CONCLUSIONS: Melatonin modestly shortened the time to fall asleep in adults with insomnia.",
     "rct", ["Randomized Controlled Trial"], False),
    (506, "Curcumin shrinks colon tumours in mice",
     "METHODS: Mice bearing colon tumours were fed curcumin or a control diet for four weeks.\n"
     "RESULTS: Colon tumours were significantly smaller in mice fed curcumin.\n"
     "CONCLUSIONS: Curcumin shrank colon tumours in mice.",
     "animal", ["Journal Article"], False),
]


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "ref.duckdb"
    con = connect(path)
    make_own_reference(con)   # this database holds its own PubMed table
    for pmid, title, abstract, design, types, retracted in RECORDS:
        con.execute("INSERT INTO pubmed (pmid, title, abstract, study_design, publication_types, "
                    "is_retracted, pub_year, journal, loaded_at) VALUES (?, ?, ?, ?, ?, ?, 2021, "
                    "'Test Journal', now()::TIMESTAMP)",
                    [pmid, title, abstract, design, types, retracted])
    rebuild_fts_index(con)
    yield con
    con.close()


def claim(sentence, intervention, condition, certainty="assertive", claim_type="efficacy", **kw):
    return Claim(sentence=sentence, start=0, end=len(sentence), claim_type=claim_type,
                 certainty=certainty, polarity="positive", score=1.0, reason="",
                 intervention=intervention, condition=condition, **kw)


def test_a_supporting_trial_gives_supported_with_its_quoted_sentence(table):
    a = assess_claim(table, claim("Ketamine infusions relieve pain in complex regional pain syndrome.",
                                  "ketamine", "complex regional pain syndrome"))
    assert a.verdict.label == "supported"
    assert a.verdict.deciding_pmids[0] == 501
    top = a.records[0]
    assert top.hit.pmid == 501 and top.stance == "supports"
    assert top.quote and top.quote in RECORDS[0][1] + "\n" + RECORDS[0][2]
    assert "PMID 501" in a.verdict.explanation and top.quote[:40] in a.verdict.explanation


def test_a_contradicting_abstract_gives_contradicted(table):
    a = assess_claim(table, claim("Vitamin C supplements prevent the common cold.", "vitamin C",
                                  "common cold"))
    assert a.verdict.label == "contradicted"
    assert a.verdict.deciding_pmids == [502]
    assert "contradicted_by_stronger_evidence" in a.verdict.flags
    assert "overstated_certainty" in a.verdict.flags


def test_a_protocol_never_counts(table):
    a = assess_claim(table, claim("Zinc lozenges shorten colds.", "zinc lozenges", "colds"))
    protocol = next(r for r in a.records if r.hit.pmid == 503)
    assert protocol.grade.design == "protocol" and not protocol.grade.counts
    assert a.verdict.label in ("not_addressed", "no_coverage")
    assert 503 not in a.verdict.deciding_pmids


def test_a_retracted_record_never_supports(table):
    a = assess_claim(table, claim("Magnesium cures migraine.", "magnesium", "migraine",
                                  certainty="absolute"))
    retracted = next(r for r in a.records if r.hit.pmid == 504)
    assert not retracted.grade.counts
    assert a.verdict.label != "supported" and 504 not in a.verdict.deciding_pmids
    assert "retracted_evidence" in a.verdict.flags


def test_animal_work_counts_for_a_claim_about_animals_and_not_for_one_about_people(table):
    """A claim about mice asks for the mouse study: it is supported, not flagged
    ``preclinical_only``. The same finding stated of people rests on animal work alone."""
    mice = assess_claim(table, claim("Curcumin shrinks colon tumours in mice.", "curcumin",
                                     "colon tumours"))
    assert mice.verdict.label == "supported" and mice.verdict.deciding_pmids == [506]
    assert "preclinical_only" not in mice.verdict.flags
    assert mice.records[0].grade.counts
    people = assess_claim(table, claim("Curcumin shrinks colon tumours.", "curcumin", "colon tumours"))
    assert people.verdict.label == "not_addressed" and "preclinical_only" in people.verdict.flags
    assert not people.records[0].grade.counts and "animal" in people.records[0].grade.note


def test_a_stated_figure_is_checked_against_the_evidence(table):
    a = assess_claim(table, claim("Melatonin helps adults with insomnia fall asleep within minutes.",
                                  "melatonin", "insomnia", figures=["within minutes"]))
    assert a.verdict.label == "supported"
    b = assess_claim(table, claim("Melatonin cuts the time to fall asleep by over three months.",
                                  "melatonin", "insomnia", figures=["over three months"]))
    assert "figure_not_found" in b.verdict.flags


def test_an_attributed_and_rejected_claim_is_not_flagged(tmp_path):
    """Through the pipeline: the sentence is extracted as someone else's claim that the article
    rejects; it gets a verdict, no flag, and stays out of flagged_claims."""
    article = tmp_path / "news.txt"
    article.write_text(
        "Vitamin D and depression\n\n"
        "Influencers claim vitamin D cures depression, a claim the researchers say is not supported.\n\n"
        "Ketamine cures depression forever.\n", encoding="utf-8")
    db = tmp_path / "f.duckdb"
    run_stages(db, [article])
    with duckdb.connect(str(db), read_only=True) as con:
        rows = dict(con.execute("SELECT c.attribution, v.flags FROM claims c JOIN verdicts v "
                                "USING (claim_id)").fetchall())
        flagged = [r[0] for r in con.execute("SELECT sentence FROM flagged_claims").fetchall()]
    assert rows["rejected"] == []
    assert rows["own"] == ["overstated_certainty"]          # absolute, and nothing covers it
    assert flagged == ["Ketamine cures depression forever."]


CLAIMS = [
    claim("Ketamine infusions relieve pain in complex regional pain syndrome.", "ketamine",
          "complex regional pain syndrome"),
    claim("Vitamin C supplements prevent the common cold.", "vitamin C", "common cold"),
    claim("Zinc lozenges shorten colds.", "zinc lozenges", "colds"),
    claim("Magnesium cures migraine.", "magnesium", "migraine", certainty="absolute"),
    claim("Melatonin helps adults with insomnia fall asleep within minutes.", "melatonin", "insomnia",
          figures=["within minutes"]),
]


def test_a_claims_verdict_does_not_depend_on_the_claims_judged_beside_it(table):
    """The pipeline judges claims in steps of many; each claim's sentences are read in a model
    call of their own, so its probabilities are exactly those it gets judged alone, in any
    company and any order."""
    together = assess_claims(table, CLAIMS)
    backwards = assess_claims(table, CLAIMS[::-1])[::-1]
    # (exact but for the last bits of BM25 sums, which DuckDB may add in another order: the
    # calibrated probabilities take the relative BM25 score in)
    for c, a, b in zip(CLAIMS, together, backwards):
        alone = assess_claim(table, c)
        for other in (a, b):
            assert (other.verdict.label, other.verdict.flags) == (
                alone.verdict.label, alone.verdict.flags), c.sentence
            # (confidence is rounded to 3 places: a last-bit difference may cross a rounding edge)
            assert other.verdict.confidence == pytest.approx(alone.verdict.confidence, abs=1e-3)
            assert [(r.hit.pmid, r.quote) for r in other.records] == [
                (r.hit.pmid, r.quote) for r in alone.records]
            assert [(r.p_support, r.p_refute) for r in other.records] == [
                (pytest.approx(r.p_support, rel=1e-9), pytest.approx(r.p_refute, rel=1e-9))
                for r in alone.records]


def test_a_claim_off_the_table_keeps_only_its_nearest_records(table):
    off = claim("Acupuncture cures tinnitus in adults after 12 weeks compared with placebo.",
                "acupuncture", "tinnitus")
    on = claim("Vitamin C supplements prevent the common cold in adults compared with placebo.",
               "vitamin C", "common cold")
    a_off, a_on = assess_claims(table, [off, on])
    assert a_off.coverage == 0 and a_off.verdict.label == "no_coverage"
    assert 0 < len(a_off.records) <= GAP_K
    # records off the topic are not read: no stance, no probabilities, no quote stored
    assert all(not r.on_topic and r.stance == "neutral" and r.p_bearing == 0.0 for r in a_off.records)
    assert [(row.quote, row.quote_section) for row in a_off.rows] == [(None, None)] * len(a_off.rows)
    assert a_off.verdict.confidence == 1.0     # the table holds nothing on the topic: a count
    # the explanation says what being on this claim's topic means
    assert "no record on this claim's topic (records that mention “acupuncture”" in a_off.verdict.explanation
    assert "tinnitus”" in a_off.verdict.explanation
    on_rows = [row for row, r in zip(a_on.rows, a_on.records) if r.on_topic]
    assert on_rows and all(row.quote for row in on_rows)
    # a claim on the table's topic reads every record retrieved, up to READ_K
    assert a_on.coverage and len(a_on.records) > GAP_K


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """A table where the claim's words crowd out its topic: short records on melatonin and sleep
    in adults that never name insomnia, and one long record that names both."""
    path = tmp_path_factory.mktemp("crowded") / "ref.duckdb"
    con = connect(path)
    make_own_reference(con)
    rows = [(600 + i, f"Melatonin levels and sleep in adults: cohort {i}",
             "RESULTS: Adults with higher evening melatonin slept longer; melatonin rose in "
             "adults who kept regular sleep times.", "cohort", []) for i in range(8)]
    # records on other topics, so that the claim's words are rare in the table as in PubMed
    rows += [(650 + i, f"Blood pressure in cohort {i}", "RESULTS: Blood pressure fell with "
              "exercise in the cohort.", "cohort", []) for i in range(40)]
    rows.append((700, "Hormone supplements in a general practice population",
                 "RESULTS: " + "Many supplements were recorded in the practice registers. " * 60
                 + "Melatonin shortened the time to fall asleep in patients with insomnia.",
                 "cohort", []))
    for pmid, title, abstract, design, types in rows:
        con.execute("INSERT INTO pubmed (pmid, title, abstract, study_design, publication_types, "
                    "is_retracted, pub_year, journal, loaded_at) VALUES (?, ?, ?, ?, ?, false, 2021, "
                    "'Test Journal', now()::TIMESTAMP)", [pmid, title, abstract, design, types])
    rebuild_fts_index(con)
    yield con
    con.close()


def test_a_claim_whose_retrieved_records_are_all_off_its_topic_reads_those_on_it(crowded):
    """Retrieval ranks the records dense in the claim's other words first; none of the k best
    names insomnia, though the table holds a record on melatonin and insomnia. That record is read in place of
    the last one retrieved, so "not addressed" never rests on records off the topic alone."""
    from factcheck.evidence.assess import build_query, judge_topic, records_to_read
    from factcheck.evidence.retrieve import coverage, retrieve, topic_records

    c = claim("Melatonin helps adults with insomnia sleep longer.", "melatonin", "insomnia")
    query = build_query(c)
    retrieved = retrieve(crowded, query, k=3)
    assert 700 not in {h.pmid for h in retrieved}                     # the premise
    assert not any(judge_topic(h, query)[0] for h in retrieved)
    assert [h.pmid for h in topic_records(crowded, query, 3)] == [700]
    assert coverage(crowded, query) == 1

    _, hits, topic, n_topic = records_to_read(crowded, c, k=3)
    assert [h.pmid for h in hits] == [h.pmid for h in retrieved[:2]] + [700]
    assert [on for on, _ in topic] == [False, False, True] and n_topic == 1
    a = assess_claim(crowded, c, k=3)
    read = [r for r in a.records if r.hit.pmid == 700]
    assert read and read[0].on_topic and read[0].quote     # read: its deciding sentence quoted
    assert "none of them was among the records retrieved" not in a.verdict.explanation


def test_a_concept_named_by_generic_words_is_on_topic_where_coverage_counts_it(crowded):
    """"drug" is no search word (too generic to rank by), but a claim whose intervention the
    extractor names "drug" is on the topic of records that say "drugs", as coverage counts
    them: the topic check and the count agree."""
    from factcheck.evidence.assess import build_query, judge_topic
    from factcheck.evidence.retrieve import coverage, fetch_records

    c = claim("The drug helps insomnia.", "drug", "insomnia")
    query = build_query(c)
    con = crowded
    con.execute("INSERT INTO pubmed (pmid, title, abstract, study_design, publication_types, "
                "is_retracted, pub_year, journal, loaded_at) VALUES (800, 'Drugs for insomnia', "
                "'RESULTS: Hypnotic drugs shortened sleep onset in insomnia.', 'cohort', [], false, "
                "2021, 'Test Journal', now()::TIMESTAMP)")
    rebuild_fts_index(con)
    try:
        on = [p for p, h in fetch_records(con, list(range(600, 690)) + [700, 800]).items()
              if judge_topic(h, query)[0]]
        assert on == [800] and coverage(con, query) == 1
    finally:
        con.execute("DELETE FROM pubmed WHERE pmid = 800")
        rebuild_fts_index(con)
