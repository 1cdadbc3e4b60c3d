"""``--fetch-evidence``: claims the reference table cannot judge get trials and reviews fetched
from an NCBI-like server on 127.0.0.1, loaded, and judged again."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from factcheck import pipeline
from factcheck.evidence.fetch import query_for
from factcheck.store.rows import Claim
from stages import run_stages

from .conftest import request_params

ARTICLE = (
    '<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
    '<Article PubModel="Print"><Journal><JournalIssue><PubDate><Year>2022</Year></PubDate>'
    '</JournalIssue><Title>Pain Medicine</Title></Journal><ArticleTitle>{title}</ArticleTitle>'
    '<Abstract><AbstractText Label="RESULTS" NlmCategory="RESULTS">{results}</AbstractText>'
    '<AbstractText Label="CONCLUSIONS" NlmCategory="CONCLUSIONS">{conclusion}</AbstractText>'
    '</Abstract><Language>eng</Language><PublicationTypeList><PublicationType UI="D016449">'
    'Randomized Controlled Trial</PublicationType></PublicationTypeList></Article>'
    '<MeshHeadingList><MeshHeading><DescriptorName UI="D006801">Humans</DescriptorName>'
    '</MeshHeading><MeshHeading><DescriptorName UI="D007649">Ketamine</DescriptorName>'
    '</MeshHeading></MeshHeadingList></MedlineCitation><PubmedData><ArticleIdList>'
    '<ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>')

RECORDS = {
    910001: dict(title="Intravenous ketamine for complex regional pain syndrome: a randomized, "
                       "double-blind, placebo-controlled trial.",
                 results="Pain scores fell significantly more with ketamine than with placebo "
                         "(p &lt; 0.001) in 60 patients with complex regional pain syndrome.",
                 conclusion="Ketamine infusion relieved pain in patients with complex regional "
                            "pain syndrome."),
    910002: dict(title="Ketamine in chronic neuropathic pain: a randomized trial.",
                 results="Ketamine reduced neuropathic pain scores at week 2 compared with placebo.",
                 conclusion="Ketamine relieves chronic neuropathic pain in the short term."),
}


class NCBI:
    def __init__(self):
        self.terms: list[str] = []
        self.app = Starlette(routes=[Route("/esearch.fcgi", self.esearch, methods=["GET", "POST"]),
                                     Route("/efetch.fcgi", self.efetch, methods=["GET", "POST"])])

    async def esearch(self, request: Request) -> Response:
        params = await request_params(request)
        self.terms.append(params["term"])
        found = list(RECORDS) if "ketamine" in params["term"].lower() else []
        body = (f"<eSearchResult><Count>{len(found)}</Count><RetMax>0</RetMax><RetStart>0</RetStart>"
                f"<QueryKey>1</QueryKey><WebEnv>W1</WebEnv><IdList></IdList></eSearchResult>")
        return Response('<?xml version="1.0" ?>\n' + body, media_type="text/xml")

    async def efetch(self, request: Request) -> Response:
        params = await request_params(request)
        start, count = int(params["retstart"]), int(params["retmax"])
        chosen = list(RECORDS)[start:start + count]
        body = "".join(ARTICLE.format(pmid=p, **RECORDS[p]) for p in chosen)
        return Response('<?xml version="1.0" ?>\n<PubmedArticleSet>' + body + "</PubmedArticleSet>",
                        media_type="text/xml")


def test_the_query_asks_for_trials_and_reviews_on_the_claims_topic():
    c = Claim(sentence="Ketamine relieves pain in CRPS.", start=0, end=31, claim_type="efficacy",
              certainty="assertive", polarity="positive", score=1.0, reason="",
              intervention="Ketamine", condition="CRPS",
              mesh_terms=["Ketamine", "Complex Regional Pain Syndromes"])
    q = query_for(c)
    assert q.startswith('("Ketamine"[MeSH Terms] OR "Ketamine"[tiab]) AND ("Complex Regional Pain '
                        'Syndromes"[MeSH Terms] OR "CRPS"[tiab])')
    assert '"randomized controlled trial"[Publication Type]' in q and q.endswith("hasabstract")
    c.intervention = None
    assert query_for(c) is None


def test_gaps_are_fetched_loaded_and_judged_again(serve, tmp_path: Path, monkeypatch):
    ncbi = NCBI()
    base = serve(ncbi.app)
    article = tmp_path / "clinic.txt"
    article.write_text("Ketamine for CRPS\n\nKetamine infusions relieve pain in complex regional "
                       "pain syndrome.\n", encoding="utf-8")
    db = tmp_path / "f.duckdb"
    run = run_stages(db, [article], evidence=False)
    before = pipeline.evidence_stage(db, run)
    assert before.get("no_coverage") == before["claims"] >= 1

    # a private address is refused unless allowed
    monkeypatch.delenv("FACTCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)
    refused = pipeline.fetch_evidence_stage(db, run, base_url=base)
    assert refused["errors"] == 1 and refused["queries"] == 0 and not ncbi.terms

    monkeypatch.setenv("FACTCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    started = time.monotonic()
    counts = pipeline.fetch_evidence_stage(db, run, base_url=base, cache_dir=tmp_path / "cache")
    assert counts["queries"] == 1 and counts["inserted"] == 2 and counts["errors"] == 0
    assert time.monotonic() - started >= 1 / 3          # NCBI's rate limit is kept
    assert "Randomized Controlled Trial" in ncbi.terms[0].title() or "randomized" in ncbi.terms[0]
    with duckdb.connect(str(db), read_only=True) as con:
        label, deciding, coverage = con.execute(
            "SELECT label, deciding_pmids, coverage FROM verdicts").fetchone()
        errors = con.execute("SELECT stage, error_kind FROM pipeline_errors").fetchall()
    assert coverage == 2
    assert label == "supported" and set(deciding) <= set(RECORDS)
    assert ("fetch_evidence", "blocked_address") in errors


def test_a_query_answered_as_before_judges_nothing_again(serve, tmp_path: Path, monkeypatch):
    """The nightly run asks the same questions of the claims still without support every night;
    an answer already loaded, file for file, changes nothing, so their verdicts are kept (they
    were all judged again, as 'requested', every night)."""
    ncbi = NCBI()
    base = serve(ncbi.app)
    monkeypatch.setenv("FACTCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    article = tmp_path / "clinic.txt"
    article.write_text("Ketamine for tinnitus\n\nKetamine infusions cure tinnitus in adults.\n",
                       encoding="utf-8")
    db = tmp_path / "f.duckdb"
    first_run = run_stages(db, [article])
    first = pipeline.fetch_evidence_stage(db, first_run, base_url=base, cache_dir=tmp_path / "cache")
    assert first["inserted"] == 2 and first["rejudged"] == first["claims"] >= 1
    with duckdb.connect(str(db), read_only=True) as con:
        judged = con.execute("SELECT claim_id, run_id, label FROM verdicts").fetchall()
    assert {label for *_, label in judged} <= {"no_coverage", "not_addressed"}   # still a gap

    night = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    again = pipeline.fetch_evidence_stage(db, night, base_url=base, cache_dir=tmp_path / "cache")
    assert again["queries"] == 1 and len(ncbi.terms) == 2      # asked again, answered as before
    assert "rejudged" not in again and again["inserted"] == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT claim_id, run_id, label FROM verdicts").fetchall() == judged


def test_an_unreachable_service_is_recorded_and_the_run_goes_on(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    article = tmp_path / "clinic.txt"
    article.write_text("Ketamine infusions relieve pain in complex regional pain syndrome.\n")
    db = tmp_path / "f.duckdb"
    run = run_stages(db, [article])
    counts = pipeline.fetch_evidence_stage(db, run, base_url="http://127.0.0.1:9/")  # discard port
    assert counts["errors"] >= 1 and counts["inserted"] == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM pipeline_errors WHERE stage = 'fetch_evidence'"
                           ).fetchone()[0] >= 1
        assert con.execute("SELECT label FROM verdicts").fetchone()[0] == "no_coverage"
