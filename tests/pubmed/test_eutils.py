"""The E-utilities client against a real HTTP server on 127.0.0.1 that answers like NCBI
(esearch with History server, efetch batches, NCBI's error bodies, throttling)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from factcheck.pubmed.eutils import (EutilsClient, EutilsError, RateLimiter, fetch_to_files,
                                     parse_esearch)
from factcheck.pubmed.load import load_files
from factcheck.store.reference import connect_reference
from factcheck.store.db import connect

from .conftest import request_params

ESEARCH_HEAD = ('<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC '
                '"-//NLM//DTD esearch 20060628//EN" '
                '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n')
EFETCH_HEAD = ('<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD '
               'PubMedArticle, 1st January 2025//EN" '
               '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n')


def article(pmid: int) -> str:
    return (f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">'
            f'{pmid}</PMID><Article PubModel="Print"><Journal><JournalIssue><PubDate><Year>2023'
            f'</Year></PubDate></JournalIssue><Title>Invented Journal</Title></Journal>'
            f'<ArticleTitle>Ketamine study number {pmid}.</ArticleTitle><Abstract><AbstractText>'
            f'Ketamine and migraine, record {pmid}.</AbstractText></Abstract><Language>eng'
            f'</Language><PublicationTypeList><PublicationType UI="D016428">Journal Article'
            f'</PublicationType></PublicationTypeList></Article></MedlineCitation><PubmedData>'
            f'<ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList>'
            f'</PubmedData></PubmedArticle>')


class FakeNCBI:
    """NCBI's E-utilities as far as the client uses them, with a fault-injection queue."""

    def __init__(self, pmids: list[int]):
        self.pmids = pmids
        self.requests: list[tuple[float, str, dict[str, str]]] = []
        self.faults: list[tuple[int, dict[str, str]]] = []  # (status, headers) served first
        self.histories: dict[str, list[int]] = {}
        self.served = None    # if set, efetch serves at most this many records of a batch
        self.app = Starlette(routes=[Route("/esearch.fcgi", self.esearch, methods=["GET", "POST"]),
                                     Route("/efetch.fcgi", self.efetch, methods=["GET", "POST"])])

    async def _params(self, request: Request) -> dict[str, str]:
        params = await request_params(request)
        self.requests.append((time.monotonic(), request.url.path, params))
        return params

    def _fault(self) -> Response | None:
        if self.faults:
            status, headers = self.faults.pop(0)
            return Response("<html>busy</html>", status_code=status, headers=headers)
        return None

    async def esearch(self, request: Request) -> Response:
        params = await self._params(request)
        fault = self._fault()
        if fault:
            return fault
        assert params["db"] == "pubmed" and params["tool"] == "factcheck"
        term = params["term"]
        if "[[" in term:
            return Response(ESEARCH_HEAD + "<eSearchResult><ERROR>Invalid query</ERROR>"
                            "</eSearchResult>", media_type="text/xml")
        found = [] if "nothing" in term else self.pmids
        webenv = f"MCID_{len(self.histories) + 1:024d}"
        self.histories[webenv] = found
        retmax = int(params.get("retmax", 20))
        ids = "".join(f"<Id>{p}</Id>\n" for p in found[:retmax])
        history = (f"<QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv>"
                   if params.get("usehistory") == "y" else "")
        extra = ("<ErrorList><PhraseNotFound>nothing</PhraseNotFound></ErrorList><WarningList>"
                 "<OutputMessage>No items found.</OutputMessage></WarningList>" if not found else "")
        body = (f"<eSearchResult><Count>{len(found)}</Count><RetMax>{min(retmax, len(found))}"
                f"</RetMax><RetStart>0</RetStart>{history}<IdList>\n{ids}</IdList>"
                f"<TranslationSet/><QueryTranslation>{term}[All Fields]</QueryTranslation>"
                f"{extra}</eSearchResult>")
        return Response(ESEARCH_HEAD + body, media_type="text/xml")

    async def efetch(self, request: Request) -> Response:
        params = await self._params(request)
        fault = self._fault()
        if fault:
            return fault
        if "id" in params:
            chosen = [int(p) for p in params["id"].split(",")]
        else:
            found = self.histories.get(params.get("WebEnv", ""))
            if found is None or params.get("query_key") != "1":
                return Response('<?xml version="1.0" encoding="UTF-8" ?>\n<eFetchResult>\n'
                                '\t<ERROR>Unable to obtain query #1</ERROR>\n</eFetchResult>',
                                media_type="text/xml")
            start, count = int(params["retstart"]), int(params["retmax"])
            chosen = found[start:start + count][:self.served]
        body = "<PubmedArticleSet>\n" + "\n".join(article(p) for p in chosen) + "\n</PubmedArticleSet>"
        return Response(EFETCH_HEAD + body, media_type="text/xml")


@pytest.fixture
def ncbi(serve):
    fake = FakeNCBI(list(range(800001, 800024)))  # 23 records
    fake.base_url = serve(fake.app)
    return fake


def client_for(ncbi, **kw) -> EutilsClient:
    kw.setdefault("rate", 1000.0)  # ask for "unlimited": the client still caps at NCBI's limit
    kw.setdefault("backoff_max", 0.05)
    return EutilsClient(base_url=ncbi.base_url, email="dev@example.org", api_key=kw.pop("api_key", ""),
                        **kw)


def test_history_search_then_batched_fetch(ncbi, tmp_path: Path):
    with client_for(ncbi, api_key="KEY") as client:
        paths = fetch_to_files(client, "ketamine AND migraine", tmp_path, batch_size=10)
    assert [p.name for p in paths] == ["batch_000000.xml", "batch_000010.xml", "batch_000020.xml"]
    search, *fetches = ncbi.requests
    assert search[1] == "/esearch.fcgi"
    assert search[2]["usehistory"] == "y" and search[2]["api_key"] == "KEY"
    assert search[2]["email"] == "dev@example.org"
    assert [(f[2]["retstart"], f[2]["retmax"]) for f in fetches] == [("0", "10"), ("10", "10"),
                                                                    ("20", "3")]
    assert {f[2]["WebEnv"] for f in fetches} == {"MCID_" + "0" * 23 + "1"}
    with connect(tmp_path / "t.duckdb") as con:
        summary = load_files(con, paths, workers=0)
        assert summary.inserted == 23
        hit = con.execute("SELECT pmid FROM (SELECT pmid, fts_main_pubmed.match_bm25(pmid, "
                          "'ketamine migraine 800017') s FROM pubmed) WHERE s IS NOT NULL "
                          "ORDER BY s DESC LIMIT 1").fetchone()
        assert hit is not None


def test_max_records_limits_the_fetch(ncbi, tmp_path: Path):
    with client_for(ncbi) as client:
        batches = list(client.iter_query("ketamine", max_records=5, batch_size=2))
    assert [start for start, _ in batches] == [0, 2, 4]
    assert batches[-1][1].count(b"<PubmedArticle>") == 1


def test_no_match_fetches_nothing(ncbi, tmp_path: Path):
    with client_for(ncbi) as client:
        assert fetch_to_files(client, "nothing at all", tmp_path) == []
        result = client.esearch("nothing at all")
    assert result.count == 0 and result.errors == ["PhraseNotFound: nothing"]
    assert [r[1] for r in ncbi.requests] == ["/esearch.fcgi", "/esearch.fcgi"]


def test_ncbi_error_bodies_are_errors(ncbi):
    with client_for(ncbi) as client:
        with pytest.raises(EutilsError, match="Invalid query"):
            client.esearch("bad[[query")
        with pytest.raises(EutilsError, match="Unable to obtain query #1.*search again"):
            client.efetch_history("MCID_expired", "1", 0, 10)
        assert client.efetch_ids([800003]).count(b"<PubmedArticle>") == 1


def test_retries_on_429_and_5xx_then_succeeds(ncbi):
    ncbi.faults = [(503, {}), (429, {"Retry-After": "0"}), (502, {})]
    with client_for(ncbi) as client:
        result = client.esearch("ketamine")
    assert result.count == 23
    assert len(ncbi.requests) == 4


def test_gives_up_after_max_attempts(ncbi):
    ncbi.faults = [(500, {})] * 10
    with client_for(ncbi, max_attempts=3) as client:
        with pytest.raises(EutilsError, match="HTTP 500; gave up after 3 attempts"):
            client.esearch("ketamine")
    assert len(ncbi.requests) == 3


def test_client_errors_are_not_retried(ncbi):
    with client_for(ncbi) as client:
        client.base_url = ncbi.base_url + "missing/"
        with pytest.raises(EutilsError, match="HTTP 404"):
            client.esearch("ketamine")
    assert len(ncbi.requests) == 0


def test_unreachable_server_is_a_clear_error():
    client = EutilsClient(base_url="http://127.0.0.1:9/", max_attempts=2, backoff_max=0.01,
                          api_key="")
    with pytest.raises(EutilsError, match="ConnectError.*gave up after 2 attempts"):
        client.esearch("ketamine")


@pytest.mark.parametrize("api_key, min_gap", [("", 1 / 3), ("KEY", 1 / 10)])
def test_rate_limits_of_ncbi(ncbi, api_key, min_gap):
    with client_for(ncbi, api_key=api_key) as client:
        for _ in range(4):
            client.esearch("ketamine")
    stamps = [t for t, _, _ in ncbi.requests]
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    # Stamped on arrival at the server: one request delayed on its way makes the next gap
    # look short by that delay, so each gap may fall short by scheduling jitter (up to 40 ms
    # on a busy machine: 20 ms failed under load) but no two requests come together, and the
    # calls as a whole keep NCBI's rate.
    assert min(gaps) >= min_gap - 0.04, gaps
    assert stamps[-1] - stamps[0] >= 3 * min_gap - 0.04, gaps


def test_rate_limiter_spaces_calls():
    limiter = RateLimiter(20.0)
    start = time.monotonic()
    for _ in range(5):
        limiter.wait()
    assert time.monotonic() - start >= 4 * 0.05 * 0.9


def test_parse_esearch_reads_ncbi_layout():
    result = parse_esearch((ESEARCH_HEAD + "<eSearchResult><Count>42249</Count><RetMax>2</RetMax>"
                            "<RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>MCID_x</WebEnv>"
                            "<IdList>\n<Id>41297076</Id>\n<Id>41297074</Id>\n</IdList>"
                            "<QueryTranslation>cancer[All Fields]</QueryTranslation>"
                            "</eSearchResult>").encode(), "cancer")
    assert (result.count, result.webenv, result.query_key) == (42249, "MCID_x", "1")
    assert result.ids == [41297076, 41297074]
    assert result.translation == "cancer[All Fields]"


def test_fetch_command_builds_a_topic_table(ncbi, tmp_path: Path, monkeypatch):
    """``pubmed fetch`` asks the mirror FACTCHECK_EUTILS_BASE names (as ``--fetch-evidence``
    does), under the same guard: a private address only where its network is allowed."""
    from factcheck.cli import cli

    db = tmp_path / "topic.duckdb"
    args = ["pubmed", "fetch", "--query", "ketamine", "--db", str(db), "--max", "7",
            "--batch-size", "5", "--api-key", "KEY"]
    monkeypatch.setenv("FACTCHECK_EUTILS_BASE", ncbi.base_url)
    monkeypatch.delenv("FACTCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)
    monkeypatch.delenv("FACTCHECK_ALLOWED_NETWORKS", raising=False)
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 2 and "refused" in refused.output and not ncbi.requests
    monkeypatch.setenv("FACTCHECK_ALLOWED_NETWORKS", "127.0.0.1/32")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    with connect_reference(tmp_path / "reference.duckdb", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM pubmed").fetchone()[0] == 7
        assert con.execute("SELECT count(*) FROM pubmed_files WHERE status = 'loaded'"
                           ).fetchone()[0] == 2
        assert con.execute("SELECT kind FROM reference_loads").fetchall() == [("fetch",)]


def test_an_efetch_answer_with_fewer_records_than_asked_is_not_taken_for_the_result(ncbi, caplog):
    """esearch counts 23 records; an efetch batch that brings none (an expired history, a
    server fault answering an empty set) is an error, not "0 records loaded"; one that brings
    fewer than asked (records withdrawn between search and fetch) is said in the log."""
    ncbi.served = 0
    with client_for(ncbi) as client:
        with pytest.raises(EutilsError, match="no record of the 5 asked for"):
            list(client.iter_query("ketamine", max_records=10, batch_size=5))
    ncbi.served = 3
    with client_for(ncbi) as client, caplog.at_level("WARNING", logger="factcheck.pubmed.eutils"):
        batches = list(client.iter_query("ketamine", max_records=10, batch_size=5))
    assert len(batches) == 2 and "3 of the 5 records asked for" in caplog.text


def test_an_unbounded_huge_query_is_refused(ncbi, monkeypatch):
    from factcheck.pubmed import eutils

    monkeypatch.setattr(eutils, "UNBOUNDED_LIMIT", 20)  # the fake PubMed holds 23 records
    with client_for(ncbi) as client:
        with pytest.raises(EutilsError, match="matches 23 records; narrow the query"):
            list(client.iter_query("ketamine"))
        assert len(list(client.iter_query("ketamine", max_records=3))) == 1
    assert [r[1] for r in ncbi.requests].count("/efetch.fcgi") == 1


def test_an_oversized_or_bomb_answer_is_refused_while_it_streams(serve, monkeypatch):
    """An answer past MAX_RESPONSE_BYTES (decompressed) is refused as it arrives: a plain one
    and a gzip-encoded one that expands past the cap from a few kilobytes."""
    import gzip as gzip_module

    from starlette.responses import StreamingResponse

    from factcheck.pubmed import eutils

    monkeypatch.setattr(eutils, "MAX_RESPONSE_BYTES", 2 * 2 ** 20)
    bomb = gzip_module.compress(b"<x/>" * (4 * 2 ** 20))

    async def plain(request):
        async def body():
            for _ in range(64):
                yield b" " * 2 ** 16
        return StreamingResponse(body(), media_type="text/xml")

    async def gzipped(request):
        return Response(bomb, media_type="text/xml", headers={"Content-Encoding": "gzip"})

    base = serve(Starlette(routes=[Route("/plain/esearch.fcgi", plain, methods=["POST"]),
                                   Route("/gz/esearch.fcgi", gzipped, methods=["POST"])]))
    assert len(bomb) < 200_000
    for prefix in ("plain/", "gz/"):
        client = EutilsClient(base_url=base + prefix, email="dev@example.org", api_key="",
                              max_attempts=1)
        with pytest.raises(EutilsError, match="esearch.fcgi: the answer passes 2 MB"):
            client.request("esearch.fcgi", {"db": "pubmed", "term": "x"})
