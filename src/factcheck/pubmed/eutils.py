"""NCBI E-utilities client for building or extending a topic-focused PubMed table.

``esearch`` runs the query once with ``usehistory=y`` so NCBI keeps the result set on its
History server (``WebEnv`` + ``query_key``); ``efetch`` then pages through it in batches of
PubMed XML, which :func:`factcheck.pubmed.load.load_files` loads like any NLM file.

NCBI's usage rules are enforced here, not left to callers: at most 3 requests per second
without an API key and 10 with one (https://www.ncbi.nlm.nih.gov/books/NBK25497/), a
``tool`` and ``email`` on every request, and retries with exponential backoff on network
errors, HTTP 429 and 5xx (honouring ``Retry-After``). Responses are parsed with the same
hardened lxml settings as PubMed files (no DTD, no entities, no network).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from lxml import etree
from tenacity import (RetryCallState, Retrying, retry_if_exception, stop_after_attempt,
                      wait_exponential)

from .. import __version__
from .parse import HostileXMLError, check_prolog
from ..settings import get_settings

log = logging.getLogger(__name__)

EUTILS_BASE = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
#: NCBI's limits, requests per second.
RATE_WITHOUT_KEY = 3.0
RATE_WITH_KEY = 10.0
#: NCBI serves at most 10,000 records per efetch request; 500 keeps responses a few MB.
DEFAULT_BATCH = 500
MAX_BATCH = 10_000
#: Largest answer read from E-utilities, decompressed.
MAX_RESPONSE_BYTES = 256 * 2 ** 20
#: A query matching more records than this is refused unless ``max_records`` says how many
#: to take: at 3 requests/s a careless "cancer" would mean hours of downloads (NLM's bulk
#: files are the way to get that much).
UNBOUNDED_LIMIT = 100_000
#: esearch caps retstart+retmax at 9,999 for PubMed without history; with history we page
#: efetch instead, so esearch itself only needs the count and the WebEnv.

class EutilsError(RuntimeError):
    """E-utilities answered with an error, or not at all after the retries."""


class RetryableHTTPError(EutilsError):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class SearchResult:
    """What esearch said about a query."""

    query: str
    count: int
    webenv: str | None
    query_key: str | None
    ids: list[int] = field(default_factory=list)
    translation: str | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class RateLimiter:
    """Spaces calls at least ``1/rate`` seconds apart (thread-safe, monotonic clock)."""

    def __init__(self, rate: float):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            if now < self._next:
                time.sleep(self._next - now)
                now = self._next
            self._next = now + self.interval


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, (httpx.TransportError, RetryableHTTPError))


def _parse_xml(content: bytes, what: str):
    try:
        check_prolog(content[:65536], what)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                 huge_tree=False, remove_comments=True)
        return etree.fromstring(content, parser)
    except HostileXMLError:
        raise
    except etree.XMLSyntaxError as exc:
        raise EutilsError(f"{what}: response is not well-formed XML ({exc})") from exc


class EutilsClient:
    """A polite E-utilities client. Use as a context manager or call :meth:`close`.

    ``api_key`` defaults to ``$NCBI_API_KEY``; ``email`` to ``$NCBI_EMAIL``. ``base_url``
    is NCBI's unless a test or a mirror gives another. ``rate`` overrides the per-second
    limit (never above NCBI's for the key situation).
    """

    def __init__(self, *, api_key: str | None = None, email: str | None = None,
                 tool: str = "factcheck", base_url: str = EUTILS_BASE, timeout: float = 60.0,
                 max_attempts: int = 5, backoff_max: float = 30.0, rate: float | None = None,
                 transport: httpx.BaseTransport | None = None):
        settings = get_settings()
        self.api_key = api_key if api_key is not None else settings.ncbi_api_key
        self.email = email if email is not None else settings.ncbi_email
        self.tool = tool
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        limit = RATE_WITH_KEY if self.api_key else RATE_WITHOUT_KEY
        self.limiter = RateLimiter(min(rate, limit) if rate else limit)
        self.max_attempts = max_attempts
        self.backoff_max = backoff_max
        self.n_requests = 0
        self._client = httpx.Client(
            timeout=timeout, transport=transport, follow_redirects=True,
            headers={"User-Agent": f"factcheck/{__version__} (PubMed E-utilities client)"})

    def __enter__(self) -> EutilsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # ------------------------------------------------------------------ HTTP

    def _params(self, params: dict[str, object]) -> dict[str, str]:
        out = {k: str(v) for k, v in params.items() if v is not None}
        out["tool"] = self.tool
        if self.email:
            out["email"] = self.email
        if self.api_key:
            out["api_key"] = self.api_key
        return out

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        backoff = wait_exponential(multiplier=0.5, max=self.backoff_max)(state)
        if isinstance(exc, RetryableHTTPError) and exc.retry_after is not None:
            return min(max(exc.retry_after, backoff), self.backoff_max)
        return backoff

    def request(self, utility: str, params: dict[str, object]) -> bytes:
        """POST ``params`` to ``utility`` (``esearch.fcgi``…), with rate limit and retries.

        POST rather than GET so long queries and id lists never hit URL length limits.
        """
        url = self.base_url + utility
        data = self._params(params)

        def once() -> bytes:
            self.limiter.wait()
            self.n_requests += 1
            with self._client.stream("POST", url, data=data) as response:
                if response.status_code == 429 or response.status_code >= 500:
                    retry_after = response.headers.get("Retry-After")
                    raise RetryableHTTPError(
                        f"{utility}: HTTP {response.status_code}",
                        float(retry_after) if retry_after and retry_after.isdigit() else None)
                body = self._read_capped(response, utility)
            if response.status_code >= 400:
                raise EutilsError(f"{utility}: HTTP {response.status_code}: "
                                  f"{body[:200].decode('utf-8', 'replace').strip()}")
            return body

        retrying = Retrying(retry=retry_if_exception(_is_retryable),
                            stop=stop_after_attempt(self.max_attempts), wait=self._wait,
                            reraise=True,
                            before_sleep=lambda s: log.warning(
                                "%s failed (%s); retry %d of %d", utility,
                                s.outcome.exception() if s.outcome else "?",
                                s.attempt_number, self.max_attempts - 1))
        try:
            return retrying(once)
        except RetryableHTTPError as exc:
            raise EutilsError(f"{exc}; gave up after {self.max_attempts} attempts") from exc
        except httpx.TransportError as exc:
            raise EutilsError(f"{utility}: {type(exc).__name__}: {exc}; gave up after "
                              f"{self.max_attempts} attempts") from exc

    @staticmethod
    def _read_capped(response: httpx.Response, utility: str) -> bytes:
        """The answer's body, decompressed, refused past :data:`MAX_RESPONSE_BYTES` while it
        streams (a mirror gone wrong, or a compression bomb, cannot fill the memory)."""
        chunks, total = [], 0
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > MAX_RESPONSE_BYTES:
                raise EutilsError(f"{utility}: the answer passes {MAX_RESPONSE_BYTES // 2 ** 20} MB "
                                  "(decompressed); refused. A batch of 10,000 records is some "
                                  "50 MB")
            chunks.append(chunk)
        return b"".join(chunks)

    # ------------------------------------------------------------------ utilities

    def esearch(self, query: str, *, retmax: int = 0, usehistory: bool = True,
                webenv: str | None = None, sort: str | None = None) -> SearchResult:
        """Run ``query`` on PubMed. With ``usehistory`` the result set stays on NCBI's
        History server for :meth:`efetch_history`; ``retmax`` ids are returned as well."""
        content = self.request("esearch.fcgi", {
            "db": "pubmed", "term": query, "retmax": retmax, "retmode": "xml",
            "usehistory": "y" if usehistory else None, "WebEnv": webenv, "sort": sort})
        return parse_esearch(content, query)

    def efetch_history(self, webenv: str, query_key: str, retstart: int, retmax: int) -> bytes:
        """One batch of PubMed XML from a History server result set."""
        content = self.request("efetch.fcgi", {
            "db": "pubmed", "WebEnv": webenv, "query_key": query_key, "retstart": retstart,
            "retmax": retmax, "retmode": "xml", "rettype": "abstract"})
        check_efetch(content, f"efetch retstart={retstart}")
        return content

    def efetch_ids(self, pmids: list[int]) -> bytes:
        """PubMed XML for these PMIDs (at most :data:`MAX_BATCH` per call)."""
        if len(pmids) > MAX_BATCH:
            raise ValueError(f"at most {MAX_BATCH} PMIDs per efetch, got {len(pmids)}")
        content = self.request("efetch.fcgi", {
            "db": "pubmed", "id": ",".join(str(p) for p in pmids), "retmode": "xml",
            "rettype": "abstract"})
        check_efetch(content, "efetch by id")
        return content

    def iter_query(self, query: str, *, max_records: int | None = None,
                   batch_size: int = DEFAULT_BATCH) -> Iterator[tuple[int, bytes]]:
        """Search once with history, then yield (retstart, PubMed XML) batch by batch.

        Without ``max_records`` a query matching more than :data:`UNBOUNDED_LIMIT` records
        is refused with :class:`EutilsError`.
        """
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be between 1 and {MAX_BATCH}")
        result = self.esearch(query)
        if result.errors:
            log.warning("esearch %r: %s", query, "; ".join(result.errors))
        if max_records is None and result.count > UNBOUNDED_LIMIT:
            raise EutilsError(
                f"esearch {query!r} matches {result.count:,} records; narrow the query or say "
                f"how many to fetch (--max); for that many, load NLM's baseline files instead")
        total = result.count if max_records is None else min(result.count, max_records)
        if total and (not result.webenv or not result.query_key):
            raise EutilsError(f"esearch {query!r}: no WebEnv/QueryKey in the answer; "
                              "cannot page through the results")
        for retstart in range(0, total, batch_size):
            asked = min(batch_size, total - retstart)
            content = self.efetch_history(result.webenv or "", result.query_key or "", retstart, asked)
            got = len(_RECORD_START.findall(content))
            if not got:
                raise EutilsError(
                    f"efetch {query!r}: no record of the {asked} asked for (records {retstart + 1}"
                    f"–{retstart + asked} of {total} the search counted); NCBI's history of the "
                    "search may have expired: run it again")
            if got < asked:
                log.warning("efetch %r: %d of the %d records asked for (records %d–%d); NCBI may "
                            "have withdrawn the others since the search", query, got, asked,
                            retstart + 1, retstart + asked)
            yield retstart, content


# ---------------------------------------------------------------------- response parsing

def parse_esearch(content: bytes, query: str = "") -> SearchResult:
    """A :class:`SearchResult` from an esearch XML answer; NCBI's ``<ERROR>`` raises."""
    root = _parse_xml(content, "esearch")
    if root.tag != "eSearchResult":
        raise EutilsError(f"esearch: unexpected answer <{root.tag}>")
    error = root.findtext("ERROR")
    if error:
        raise EutilsError(f"esearch {query!r}: {error.strip()}")
    count_text = root.findtext("Count")
    if count_text is None or not count_text.strip().isdigit():
        raise EutilsError(f"esearch {query!r}: no Count in the answer")
    ids = [int(i) for i in root.xpath("IdList/Id/text()") if i.strip().isdigit()]
    errors = [f"{child.tag}: {child.text}" for child in root.iterfind("ErrorList/*")]
    warnings = [f"{child.tag}: {child.text}" for child in root.iterfind("WarningList/*")]
    return SearchResult(query=query, count=int(count_text), webenv=root.findtext("WebEnv"),
                        query_key=root.findtext("QueryKey"), ids=ids,
                        translation=root.findtext("QueryTranslation"), errors=errors,
                        warnings=warnings)


_EFETCH_ERROR_RE = re.compile(rb"<ERROR>(.*?)</ERROR>", re.DOTALL)
#: The start of one record in an efetch answer (an article, a book, or a deletion notice).
_RECORD_START = re.compile(rb"<(?:PubmedArticle|PubmedBookArticle|DeleteCitation)[\s>]")


def check_efetch(content: bytes, what: str) -> None:
    """Raise :class:`EutilsError` when an efetch answer is an error, not a PubmedArticleSet.

    NCBI reports an expired WebEnv or a bad query_key with HTTP 200 and an
    ``<eFetchResult><ERROR>`` body, so the status code alone cannot be trusted.
    """
    head = content[:4096]
    if b"<PubmedArticleSet" in head:
        return
    match = _EFETCH_ERROR_RE.search(content[:65536])
    if match:
        message = match.group(1).decode("utf-8", "replace").strip()
        raise EutilsError(f"{what}: {message} (the WebEnv may have expired; search again)")
    raise EutilsError(f"{what}: the answer is not PubMed XML: {head[:120]!r}")


# ---------------------------------------------------------------------- files for the loader

def query_slug(query: str) -> str:
    """A short, file-name-safe name for a query: readable words plus a hash."""
    words = re.sub(r"[^A-Za-z0-9]+", "-", query).strip("-").lower()[:40] or "query"
    return f"{words}-{hashlib.sha1(query.encode()).hexdigest()[:8]}"


def fetch_to_files(client: EutilsClient, query: str, out_dir: str | os.PathLike[str], *,
                   max_records: int | None = None, batch_size: int = DEFAULT_BATCH) -> list[Path]:
    """Fetch a query's records into ``out_dir/<slug>/batch_NNNNNN.xml`` files; return them.

    Keeping NCBI's answers as files makes the load reproducible and lets
    :func:`~factcheck.pubmed.load.load_files` treat them like NLM's own files (same
    transactions, same idempotency by sha256).
    """
    target = Path(out_dir) / query_slug(query)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for retstart, content in client.iter_query(query, max_records=max_records,
                                               batch_size=batch_size):
        path = target / f"batch_{retstart:06d}.xml"
        tmp = path.with_suffix(".xml.part")
        tmp.write_bytes(content)
        os.replace(tmp, path)
        paths.append(path)
    return paths
