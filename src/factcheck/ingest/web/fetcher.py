"""The polite HTTP fetcher: per-host gates, robots.txt, retries, redirects, size limits.

One :class:`Fetcher` serves a whole crawl. Each request goes through, in order: the SSRF
guard (at connection time, see :mod:`.guard`), robots.txt of the URL's origin, the host's
gate (concurrency and minimum interval between requests), the request itself with connect
and read timeouts and an overall deadline, and then retries with exponential backoff for
connection errors, timeouts, 429 and 5xx, waiting at least what ``Retry-After`` asks.
Redirects are followed by hand, so every hop is checked against robots.txt and the loop
and hop limits. Bodies are streamed and abandoned as soon as they pass the size limit.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timezone
from urllib.parse import urlsplit

import httpx
from protego import Protego
from tenacity import (AsyncRetrying, RetryCallState, retry_if_exception_type,
                      wait_random_exponential)

from ...settings import Settings
from .guard import BlockedAddressError, GuardedTransport, parse_networks
from .urls import host_key, normalize_url, origin

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Statuses worth retrying: rate limiting and server-side trouble that is usually brief.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
# Statuses whose Retry-After slows the whole host down, not just the one URL.
HOST_PAUSE_STATUSES = frozenset({429, 503})
MAX_ROBOTS_BYTES = 512 * 1024

# Content types the crawler accepts, by what it is fetching.
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
XML_TYPES = frozenset({"application/xml", "text/xml", "application/rss+xml",
                       "application/atom+xml", "application/rdf+xml", "application/feed+json",
                       "application/x-rss+xml", "application/rss", "text/rss+xml"})
SITEMAP_TYPES = XML_TYPES | frozenset({"application/gzip", "application/x-gzip",
                                       "application/octet-stream", "text/plain"})
FEED_TYPES = XML_TYPES | frozenset({"text/plain", "text/html"})  # many servers mislabel feeds
ANY_TYPE: frozenset[str] = frozenset()


@dataclass
class FetchResult:
    """The outcome of fetching one URL (after redirects and retries)."""

    url: str
    final_url: str
    status: int | None = None
    body: bytes | None = None
    content_type: str | None = None    # media type, lower case, no parameters
    charset: str | None = None         # charset parameter of Content-Type
    etag: str | None = None
    last_modified: str | None = None
    error_kind: str | None = None      # robots | blocked_address | timeout | connect | http |
                                       # redirect | too_large | content_type | retry_after
    error: str | None = None
    attempts: int = 0
    elapsed: float = 0.0
    redirects: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_kind is None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.error_kind is None and self.status == 304

    @property
    def bytes(self) -> int:
        return len(self.body) if self.body else 0


class _Transient(Exception):
    """A failed attempt worth retrying."""

    def __init__(self, kind: str, message: str, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind, self.status, self.retry_after = kind, status, retry_after


class _Final(Exception):
    def __init__(self, kind: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind, self.status = kind, status


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def media_type(header: str | None) -> tuple[str | None, str | None]:
    """(media type, charset) of a Content-Type header value."""
    if not header:
        return None, None
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for param in parts[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value:
            charset = value.strip().strip("\"'") or None
    return parts[0].lower() or None, charset


class HostGate:
    """Per-host politeness: at most ``concurrency`` requests in flight and request starts
    at least ``interval`` seconds apart; a 429/503 with Retry-After pauses the whole host."""

    def __init__(self, concurrency: int, interval: float) -> None:
        self.concurrency = concurrency
        self.interval = interval
        self._semaphore = asyncio.Semaphore(concurrency)
        self._next_start = 0.0

    def tighten(self, concurrency: int, interval: float) -> None:
        """Apply the stricter of the current and the given policy (two sites, one host)."""
        if concurrency < self.concurrency:
            self._semaphore = asyncio.Semaphore(concurrency)
            self.concurrency = concurrency
        self.interval = max(self.interval, interval)

    def pause_until(self, monotonic_time: float) -> None:
        self._next_start = max(self._next_start, monotonic_time)

    @asynccontextmanager
    async def slot(self):
        async with self._semaphore:
            loop_now = time.monotonic()
            start = max(loop_now, self._next_start)
            self._next_start = start + self.interval
            if start > loop_now:
                await asyncio.sleep(start - loop_now)
            # The loop may wake late (database commits run on it): space the next request
            # from when this one really starts, not from when it was booked.
            self._next_start = max(self._next_start, time.monotonic() + self.interval)
            yield


@dataclass
class RobotsRules:
    """What robots.txt of one origin allows, for this crawl."""

    origin: str
    parser: Protego | None          # None: allow everything
    disallow_all: bool = False
    note: str | None = None
    blocked: str | None = None      # the SSRF guard refused the origin: why

    def allows(self, url: str, agent: str) -> bool:
        if self.disallow_all:
            return False
        return self.parser is None or self.parser.can_fetch(url, agent)


class Fetcher:
    """Fetch URLs politely for one crawl. Use as ``async with Fetcher(settings) as f``.

    ``on_robots`` is called with the :class:`FetchResult` of every robots.txt request, so the
    crawler can log it (the fetcher itself never touches the database).
    """

    def __init__(self, settings: Settings,
                 on_robots: Callable[[FetchResult], None] | None = None) -> None:
        self.settings = settings
        self.on_robots = on_robots
        self._gates: dict[str, HostGate] = {}
        self._robots: dict[str, asyncio.Future[RobotsRules]] = {}
        self._client: httpx.AsyncClient | None = None
        self.agent_token = settings.user_agent_name

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        limits = httpx.Limits(max_connections=s.crawl_max_connections,
                              max_keepalive_connections=s.crawl_max_connections)
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(allow_private_networks=s.allow_private_networks,
                                       allowed_networks=parse_networks(s.allowed_networks),
                                       limits=limits),
            headers={"User-Agent": s.user_agent,
                     "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,"
                               "text/plain;q=0.8,*/*;q=0.5",
                     "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(s.crawl_read_timeout, connect=s.crawl_connect_timeout),
            follow_redirects=False, trust_env=False)
        return self

    async def __aexit__(self, *exc) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- politeness ------------------------------------------------------------------------

    def set_policy(self, url: str, rate_limit: float, concurrency: int) -> None:
        """Register the politeness of a site for the host of ``url`` (stricter one wins)."""
        interval = 1.0 / rate_limit if rate_limit > 0 else 0.0
        key = host_key(url)
        gate = self._gates.get(key)
        if gate is None:
            self._gates[key] = HostGate(concurrency, interval)
        else:
            gate.tighten(concurrency, interval)

    def gate(self, url: str) -> HostGate:
        key = host_key(url)
        if key not in self._gates:
            self.set_policy(url, self.settings.crawl_rate_limit, self.settings.crawl_concurrency)
        return self._gates[key]

    async def robots(self, url: str) -> RobotsRules:
        """The robots.txt rules of ``url``'s origin, fetched once per crawl.

        As RFC 9309 says: a 4xx robots.txt means no rules (crawl everything); a 5xx or an
        unreachable server means crawl nothing from that origin in this run.
        """
        key = origin(url)
        task = self._robots.get(key)
        if task is None:
            task = self._robots[key] = asyncio.ensure_future(self._fetch_robots(key))
        return await asyncio.shield(task)

    def known_robots(self, url: str) -> RobotsRules | None:
        """The robots.txt rules of ``url``'s origin if already fetched in this crawl."""
        task = self._robots.get(origin(url))
        if task is None or not task.done() or task.cancelled() or task.exception():
            return None
        return task.result()

    async def _fetch_robots(self, base: str) -> RobotsRules:
        robots_url = f"{base}/robots.txt"
        result = await self.fetch(robots_url, accept=ANY_TYPE, check_robots=False,
                                  max_bytes=MAX_ROBOTS_BYTES)
        if self.on_robots is not None:
            self.on_robots(result)
        if result.ok and result.body is not None:
            rules = RobotsRules(base, Protego.parse(result.body.decode("utf-8", "replace")))
            assert rules.parser is not None
            delay = rules.parser.crawl_delay(self.agent_token)
            rate = rules.parser.request_rate(self.agent_token)
            if rate is not None and rate.requests:
                delay = max(float(delay or 0), rate.seconds / rate.requests)
            if delay:
                capped = min(float(delay), self.settings.crawl_max_crawl_delay)
                gate = self.gate(base)
                gate.interval = max(gate.interval, capped)
            return rules
        if result.status is not None and 400 <= result.status < 500:
            return RobotsRules(base, None, note=f"robots.txt answered {result.status}: no rules")
        if result.error_kind == "blocked_address":
            reason = (result.error or "").split(": ", 1)[-1]
            return RobotsRules(base, None, disallow_all=True, blocked=reason)
        if result.error_kind == "too_large":
            return RobotsRules(base, None, note="robots.txt too large: ignored")
        return RobotsRules(base, None, disallow_all=True,
                           note=f"robots.txt unavailable ({result.error}); "
                                "nothing is fetched from this site in this run")

    # -- fetching --------------------------------------------------------------------------

    async def fetch(self, url: str, *, accept: frozenset[str] = PAGE_TYPES,
                    etag: str | None = None, last_modified: str | None = None,
                    check_robots: bool = True, max_bytes: int | None = None) -> FetchResult:
        """GET ``url`` and return a :class:`FetchResult`; never raises for network or HTTP
        trouble. ``accept`` lists the media types wanted (empty: any); ``etag`` and
        ``last_modified`` make the request conditional."""
        assert self._client is not None, "use Fetcher as an async context manager"
        started = time.monotonic()
        result = FetchResult(url=url, final_url=url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        seen = [url]
        try:
            for _hop in range(self.settings.crawl_max_redirects + 1):
                try:
                    parts = urlsplit(current)
                    valid = parts.scheme in ("http", "https") and bool(parts.hostname) \
                        and (parts.port is None or parts.port > 0)
                except ValueError:  # a port out of range, a malformed IPv6 address
                    valid = False
                if not valid:
                    raise _Final("url", f"not a valid http(s) URL: {current}", result.status)
                if check_robots:
                    rules = await self.robots(current)
                    if rules.blocked:
                        raise _Final("blocked_address", rules.blocked)
                    if not rules.allows(current, self.agent_token):
                        result.error_kind = "robots"
                        result.error = (f"{current}: disallowed by {rules.origin}/robots.txt"
                                        + (f" ({rules.note})" if rules.note else ""))
                        return result
                response = await self._get_with_retries(current, headers, accept, max_bytes,
                                                        result, started + self.settings
                                                        .crawl_request_deadline)
                status, response_headers, body = response
                result.status, result.final_url = status, current
                if status in REDIRECT_STATUSES and response_headers.get("location"):
                    try:
                        target = normalize_url(response_headers["location"], base=current)
                    except ValueError as exc:
                        raise _Final("redirect", f"invalid redirect target "
                                     f"{response_headers['location']!r} ({exc})", status) from exc
                    if target in seen:
                        raise _Final("redirect", "redirect loop: " + " → ".join([*seen, target]),
                                     status)
                    seen.append(target)
                    result.redirects.append(target)
                    current = target
                    continue
                self._finish(result, status, response_headers, body, accept)
                return result
            raise _Final("redirect", f"more than {self.settings.crawl_max_redirects} "
                                     f"redirects: {' → '.join(seen)}", result.status)
        except _Final as exc:
            result.error_kind, result.error = exc.kind, f"{url}: {exc}"
            result.status = exc.status if exc.status is not None else result.status
            return result
        except _Transient as exc:
            result.error_kind = exc.kind
            result.error = (f"{url}: {exc} (gave up after {result.attempts} attempts)"
                            if result.attempts > 1 else f"{url}: {exc}")
            result.status = exc.status
            return result
        finally:
            result.elapsed = time.monotonic() - started

    def _finish(self, result: FetchResult, status: int, headers: httpx.Headers,
                body: bytes | None, accept: frozenset[str]) -> None:
        result.content_type, result.charset = media_type(headers.get("content-type"))
        result.etag = headers.get("etag")
        result.last_modified = headers.get("last-modified")
        if status == 304:
            return
        if not 200 <= status < 300:
            result.error_kind = "http"
            result.error = f"{result.url}: HTTP {status}" + (
                f" at {result.final_url}" if result.final_url != result.url else "")
            return
        result.body = body

    async def _get_with_retries(self, url: str, headers: dict[str, str],
                                accept: frozenset[str], max_bytes: int | None,
                                result: FetchResult, deadline_at: float
                                ) -> tuple[int, httpx.Headers, bytes | None]:
        """GET with retries, all inside ``deadline_at`` (``time.monotonic()``): the URL's total
        budget (``crawl_request_deadline``) bounds the attempts, the waits between them and the
        redirect hops together, so a server that trickles its answer or keeps failing holds a
        URL for that long at most."""
        s = self.settings
        gate = self.gate(url)

        def left() -> float:
            return deadline_at - time.monotonic()

        def wait(state: RetryCallState) -> float:
            backoff = wait_random_exponential(multiplier=s.crawl_backoff, max=60)(state)
            exc = state.outcome.exception() if state.outcome else None
            retry_after = getattr(exc, "retry_after", None)
            if retry_after is None:
                return min(backoff, max(left(), 0.0))
            if getattr(exc, "status", None) in HOST_PAUSE_STATUSES:
                gate.pause_until(time.monotonic() + retry_after)
            return max(retry_after, 0.0)

        def stop(state: RetryCallState) -> bool:
            return state.attempt_number > s.crawl_max_retries or left() <= 0

        retrying = AsyncRetrying(stop=stop, wait=wait,
                                 retry=retry_if_exception_type(_Transient), reraise=True)
        async for attempt in retrying:
            with attempt:
                if left() <= 0:
                    raise _Transient("timeout", f"the {s.crawl_request_deadline:.0f} s deadline "
                                     "for this URL is spent")
                result.attempts += 1
                async with gate.slot():
                    return await self._attempt(url, headers, accept, max_bytes, left())
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(self, url: str, headers: dict[str, str], accept: frozenset[str],
                       max_bytes: int | None, budget: float | None = None
                       ) -> tuple[int, httpx.Headers, bytes | None]:
        s = self.settings
        limit = max_bytes or s.crawl_max_body_bytes
        deadline = s.crawl_connect_timeout + 4 * s.crawl_read_timeout
        if budget is not None and budget < deadline:
            deadline = max(budget, 0.001)
        assert self._client is not None
        try:
            async with asyncio.timeout(deadline):
                async with self._client.stream("GET", url, headers=headers) as response:
                    status = response.status_code
                    if status in RETRY_STATUSES:
                        retry_after = parse_retry_after(response.headers.get("retry-after"))
                        if retry_after is not None and retry_after > s.crawl_max_retry_after:
                            raise _Final("retry_after", f"HTTP {status} asking to retry after "
                                         f"{retry_after:.0f} s, over the "
                                         f"{s.crawl_max_retry_after:.0f} s limit", status)
                        raise _Transient("http", f"HTTP {status}", status, retry_after)
                    if not 200 <= status < 300:
                        return status, response.headers, None
                    ctype, _ = media_type(response.headers.get("content-type"))
                    if accept and ctype not in accept:
                        raise _Final("content_type", f"content type {ctype or 'missing'} is not "
                                     f"one of {', '.join(sorted(accept))}; skipped", status)
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > limit:
                        raise _Final("too_large", f"body of {int(declared):,} bytes (declared) "
                                     f"is over the {limit:,}-byte limit; not downloaded", status)
                    chunks, size = [], 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > limit:
                            raise _Final("too_large", f"body is over the {limit:,}-byte limit; "
                                         f"download stopped at {size:,} bytes", status)
                        chunks.append(chunk)
                    return status, response.headers, b"".join(chunks)
        except BlockedAddressError as exc:
            raise _Final("blocked_address", str(exc)) from exc
        except TimeoutError as exc:
            raise _Transient("timeout", f"no complete response within {deadline:.1f} s (the "
                             f"URL's deadline is {s.crawl_request_deadline:.0f} s in all)") from exc
        except httpx.TimeoutException as exc:
            what = "connect" if isinstance(exc, httpx.ConnectTimeout) else "read"
            raise _Transient("timeout", f"{what} timeout ({type(exc).__name__})") from exc
        except httpx.DecodingError as exc:
            raise _Final("decoding", f"cannot decode the response body ({exc})") from exc
        except httpx.RemoteProtocolError as exc:
            text = str(exc).lower()
            if "location header" in text:  # httpx refuses a malformed redirect
                raise _Final("redirect", f"invalid redirect ({exc})") from exc
            if "without sending a response" in text:
                # the server dropped the connection before answering (a kept-alive connection
                # closed under us, a restart): worth another try
                raise _Transient("connect", f"{type(exc).__name__}: {exc}") from exc
            # the server answered in broken HTTP (a body shorter than its Content-Length,
            # bad chunked encoding, oversized headers): it will do the same again
            raise _Final("protocol", f"broken HTTP from the server ({exc})") from exc
        except (httpx.ConnectError, httpx.ReadError, httpx.WriteError) as exc:
            raise _Transient("connect", f"{type(exc).__name__}: {exc or 'connection failed'}") \
                from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise _Final("url", f"invalid URL ({exc})") from exc
        except httpx.HTTPError as exc:
            raise _Transient("network", f"{type(exc).__name__}: {exc}") from exc

