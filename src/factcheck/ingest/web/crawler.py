"""One crawl: discover article URLs from feeds and sitemaps, fetch the pages that changed,
store new article versions, and log what happened to every URL.

Storage rule (crash safety): each page's article version, its ``crawl_state`` row (ETag,
Last-Modified, content hash) and its ``fetch_log`` row are written in the SAME transaction.
A run killed at any point therefore never leaves an ETag without its article, and the next
run re-fetches exactly the pages whose transaction did not commit. For speed, the results
of pages that completed close together share a transaction (at most ``WRITE_BATCH`` pages
or ``FLUSH_INTERVAL`` seconds): a kill loses at most that much finished work, which the
next run fetches again. All database writes happen on the event-loop thread, between
awaits, so the single DuckDB connection is never used from two threads at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb

from ...settings import Settings, get_settings
from ...store import fetch as fetch_store
from ...store.articles import SavedVersion, article_id_for, save_documents
from ...store.db import transaction
from ...store.fetch import CrawlState, FetchLogRow
from ...store.runs import now, record_error
from ..decode import decode_bytes, looks_like_html
from ..document import Document, sha256_hex
from ..local import read_local
from .discover import Discovered, DiscoveryError, parse_feed, parse_sitemap, sniff_kind
from .fetcher import (ANY_TYPE, FEED_TYPES, PAGE_TYPES, SITEMAP_TYPES, Fetcher, FetchResult)
from .sources import SiteConfig, SourcesConfig, load_sources
from .urls import canonical_link, normalize_url

log = logging.getLogger(__name__)

WRITE_BATCH = 64              # page results per transaction, at most
FLUSH_INTERVAL = 0.25         # seconds a finished page may wait for its transaction
MAX_SITEMAP_DEPTH = 3          # index → index → urlset is the deepest seen in practice
MAX_SITEMAPS_PER_SITE = 200    # child sitemaps fetched per site per run
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Fetch errors that mean "this URL is not an article", not "something went wrong".
SKIP_KINDS = frozenset({"content_type", "too_large"})
# Last outcomes after which crawl_state.article_id holds this URL's stored content.
STORED_OUTCOMES = frozenset({"fetched", "unchanged", "not_modified", "lastmod_unchanged"})

Target = str | Path | SourcesConfig | SiteConfig
Progress = Callable[[int, int, str], None]


@dataclass
class CrawlSummary:
    """What one crawl did. ``new`` lists the (article_id, version) pairs stored by this run,
    which the pipeline cleans and extracts claims from."""

    fetched: int = 0            # pages downloaded in full (HTTP 200), and local files read as text
    not_modified: int = 0       # pages answered 304 Not Modified: nothing downloaded
    new_versions: int = 0       # new articles and changed articles
    unchanged: int = 0          # downloaded, but the content was already stored
    duplicates: int = 0         # same canonical URL or same content as another page
    skipped: int = 0            # not an article (content type) or over the size limit
    errors: int = 0             # network, HTTP, parse and decode errors
    robots_disallowed: int = 0
    excluded: int = 0           # discovered URLs dropped by include/exclude patterns
    deferred: int = 0           # over a site's max_pages: left for the next run
    feeds: int = 0              # feeds and sitemaps read
    bytes: int = 0              # body bytes received
    elapsed_s: float = 0.0
    new: list[tuple[str, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Job:
    url: str
    site: SiteConfig
    kind: str                   # page | feed | sitemap | auto
    depth: int = 0


@dataclass
class _Rows:
    """What the page results of one transaction add besides their articles."""

    states: list[CrawlState] = field(default_factory=list)
    logs: list[FetchLogRow] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)           # article ids answered 304
    on_commit: list[Callable[[], None]] = field(default_factory=list)


# Runs inside the transaction with the SavedVersion of the item's document (None when the
# item has no document) and adds the item's crawl state and log rows.
Prepare = Callable[[_Rows, SavedVersion | None], None]


def parse_lastmod(text: str) -> datetime | None:
    """A sitemap ``<lastmod>`` (W3C datetime) as naive UTC, or ``None`` when unreadable.

    A date without a time means "some time that day", so it is read as the END of the day:
    a page changed this afternoon with ``<lastmod>`` today must not look older than a check
    made this morning.
    """
    text = text.strip()
    try:
        if len(text) == 10:
            moment = datetime.fromisoformat(text) + timedelta(days=1) - timedelta(seconds=1)
            return moment
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def is_url(target: object) -> bool:
    """Whether a target is a web address (http or https, in any case)."""
    return isinstance(target, str) and target[:8].lower().startswith(("http://", "https://"))


def sites_from_targets(targets: Target | Iterable[Target], settings: Settings) -> list[SiteConfig]:
    """Turn ``crawl``'s targets into sites: sources configs as they are, a ``.toml`` path
    loaded as a sources file, bare URLs grouped by host (kind found by fetching them), and
    local files or folders gathered into one local site."""
    if isinstance(targets, (str, Path, SourcesConfig, SiteConfig)):
        targets = [targets]
    sites: list[SiteConfig] = []
    loose_urls: dict[str, list[str]] = defaultdict(list)
    loose_paths: list[Path] = []
    for target in targets:
        if isinstance(target, SourcesConfig):
            sites.extend(target.sites)
        elif isinstance(target, SiteConfig):
            sites.append(target)
        elif is_url(target):
            try:
                host = urlsplit(target).hostname or target
            except ValueError:  # malformed: recorded as an error when the crawl reaches it
                host = target
            loose_urls[host].append(target)
        elif str(target).endswith(".toml"):
            sites.extend(load_sources(target, settings).sites)
        else:
            loose_paths.append(Path(target))
    for host, urls in loose_urls.items():
        sites.append(SiteConfig(name=host, auto=urls, rate_limit=settings.crawl_rate_limit,
                                concurrency=settings.crawl_concurrency,
                                max_pages=settings.crawl_max_pages))
    if loose_paths:
        sites.append(SiteConfig(name="local", folders=loose_paths))
    return sites


class _ProgressReporter:
    """Adapts ``progress``: a ``rich.progress.Progress`` or a callable(done, total, url)."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.task = None
        self.done = 0
        self.total = 0

    def start(self, total: int) -> None:
        """``total`` pages are about to be fetched (pages met during discovery, such as a
        bare URL that turned out to be an article, are already counted in ``done``)."""
        self.total = self.done + total
        if self.progress is not None and hasattr(self.progress, "add_task"):
            self.task = self.progress.add_task("crawling", total=self.total,
                                               completed=self.done)

    def step(self, url: str) -> None:
        self.done += 1
        self.total = max(self.total, self.done)
        if self.progress is None:
            return
        if self.task is not None:
            self.progress.update(self.task, advance=1, description=f"crawling {url[-60:]}")
        else:
            self.progress(self.done, self.total, url)


class _Crawl:
    def __init__(self, con: duckdb.DuckDBPyConnection, run_id: str, settings: Settings,
                 progress: Any) -> None:
        self.con, self.run_id, self.settings = con, run_id, settings
        self.summary = CrawlSummary()
        self.progress = _ProgressReporter(progress)
        self.fetcher: Fetcher | None = None
        self.seen_urls: set[str] = set()        # every normalised URL queued in this run
        self.claimed_sources: set[str] = set()  # canonical URLs stored by this run
        self.pages: dict[str, list[str]] = defaultdict(list)   # site name → page URLs
        self.pages_done: dict[str, int] = defaultdict(int)     # site name → pages requested
        self.sitemaps_read: dict[str, int] = defaultdict(int)
        self._pending: list[tuple[str, Prepare, Document | None]] = []
        self.lastmod: dict[str, datetime] = {}  # page URL → its sitemap <lastmod> (UTC)
        self.site_names: dict[str, str] = {}    # host[:port] of a start URL → its site's name

    # -- writing -------------------------------------------------------------------------

    def _enqueue(self, url: str, prepare: Prepare, doc: Document | None = None) -> None:
        """Queue the writes of one URL: its document (stored with ``save_documents``), then
        ``prepare``, which adds the URL's crawl state and log rows, in the same transaction."""
        self._pending.append((url, prepare, doc))
        if len(self._pending) >= WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        """Commit the queued writes in one transaction. If it fails, each URL is retried in
        a transaction of its own, so one bad write cannot take the others with it."""
        items, self._pending = self._pending, []
        if not items:
            return
        try:
            self._commit(items)
            return
        except duckdb.Error as exc:
            if len(items) == 1:
                self._store_failed(items[0][0], exc)
                return
            log.warning("a batch of %d writes failed (%s); retrying one by one", len(items), exc)
        for item in items:
            try:
                self._commit([item])
            except duckdb.Error as exc:
                self._store_failed(item[0], exc)

    def save_documents(self, docs: list[Document]) -> list[SavedVersion | None]:
        """Store the documents of one transaction in a few batched statements."""
        return save_documents(self.con, docs, self.run_id)

    def _commit(self, items: list[tuple[str, Prepare, Document | None]]) -> None:
        rows = _Rows()
        with transaction(self.con):
            saved = iter(self.save_documents([doc for _, _, doc in items if doc is not None]))
            for _url, prepare, doc in items:
                prepare(rows, next(saved) if doc is not None else None)
            fetch_store.mark_articles_seen(self.con, rows.seen, self.run_id)
            fetch_store.save_states(self.con, rows.states)
            fetch_store.log_fetches(self.con, self.run_id, rows.logs)
        for callback in rows.on_commit:
            callback()

    def _store_failed(self, url: str, exc: Exception) -> None:
        log.error("store failed for %s: %s", url, exc)
        self.summary.errors += 1
        with transaction(self.con):
            record_error(self.con, self.run_id, url, "ingest", "store",
                         f"{url}: could not store the result ({exc}); it will be fetched "
                         "again next run")

    def _row(self, job: _Job, result: FetchResult | None, outcome: str, **extra: Any
             ) -> FetchLogRow:
        row = FetchLogRow(url=job.url, kind=job.kind, outcome=outcome, site=job.site.name)
        if result is not None:
            row.status, row.final_url = result.status, result.final_url
            row.elapsed_ms = int(result.elapsed * 1000)
            row.attempts, row.bytes = result.attempts, result.bytes
            row.error_kind, row.error = result.error_kind, result.error
        for key, value in extra.items():
            setattr(row, key, value)
        return row

    def _state(self, job: _Job, previous: CrawlState | None, result: FetchResult | None,
               outcome: str) -> CrawlState:
        state = previous or CrawlState(url=job.url, kind="page" if job.kind == "auto"
                                       else job.kind)
        state.site = job.site.name
        state.last_outcome = outcome
        state.last_checked_at = now()
        if result is not None:
            state.last_status = result.status
            state.last_error = result.error
            if outcome == "not_modified":
                # A 304 may carry updated validators (RFC 9110 §15.4.5): keep the newest.
                state.etag = result.etag or state.etag
                state.last_modified = result.last_modified or state.last_modified
        if outcome == "error":
            state.consecutive_errors += 1
        elif outcome != "robots_disallowed":
            state.consecutive_errors = 0
        return state

    def _record_failure(self, job: _Job, result: FetchResult, previous: CrawlState | None) -> None:
        """A URL that could not be used: error (or skipped) in all three tables."""
        if result.error_kind == "robots":
            outcome = "robots_disallowed"
            self.summary.robots_disallowed += 1
        elif result.error_kind in SKIP_KINDS:
            outcome = "skipped"
            self.summary.skipped += 1
        else:
            outcome = "error"
            self.summary.errors += 1
        message = result.error or f"{job.url}: failed"
        if job.kind in ("feed", "sitemap"):
            message = f"{job.kind} of site {job.site.name}: {message}"

        state = self._state(job, previous, result, outcome)
        row = self._row(job, result, outcome, error=message)

        def prepare_failure(rows: _Rows, _saved: SavedVersion | None) -> None:
            if outcome != "robots_disallowed":
                record_error(self.con, self.run_id, job.url, "ingest",
                             result.error_kind or "fetch", message)
            rows.states.append(state)
            rows.logs.append(row)
        self._enqueue(job.url, prepare_failure)

    def _enqueue_seen(self, url: str, article_id: str, state, row) -> None:
        """Queue the writes of a page whose stored version is still current (304 or same bytes)."""
        def prepare_seen(rows: _Rows, _saved: SavedVersion | None) -> None:
            rows.seen.append(article_id)
            rows.states.append(state)
            rows.logs.append(row)
        self._enqueue(url, prepare_seen)

    def log_robots(self, result: FetchResult) -> None:
        no_rules = result.status is not None and 400 <= result.status < 500
        outcome = "fetched" if result.ok or no_rules else "error"
        self.summary.bytes += result.bytes
        parts = urlsplit(result.url)
        # logged under the name its pages are logged under (a sources file's site name, else
        # the host), so that a site's rows group together
        name = self.site_names.get(parts.netloc.lower()) or parts.hostname or parts.netloc
        job = _Job(result.url, SiteConfig(name=name), "robots")
        if outcome != "error" or result.error_kind == "blocked_address":
            # (a blocked address is recorded against each page the guard refuses). A robots.txt
            # answering 4xx is read as "no rules" (RFC 9309): no failure, its status kept.
            row = self._row(job, result, outcome, **({"error_kind": None, "error": None}
                                                     if no_rules else {}))
            self._enqueue(result.url, lambda rows, _saved: rows.logs.append(row))
            return
        # An unreachable robots.txt stops the whole site for this run: say so where editors
        # and the run's error count look, not only in fetch_log.
        self.summary.errors += 1
        message = (f"robots.txt of {urlsplit(result.url).netloc} unavailable ({result.error}); "
                   "nothing is fetched from this site in this run")
        row = self._row(job, result, outcome, error=message)

        def prepare_robots_failure(rows: _Rows, _saved: SavedVersion | None) -> None:
            record_error(self.con, self.run_id, result.url, "ingest", result.error_kind or "robots", message)
            rows.logs.append(row)
        self._enqueue(result.url, prepare_robots_failure)

    # -- local folders ---------------------------------------------------------------------

    def read_folders(self, site: SiteConfig) -> None:
        if not site.folders:
            return
        for doc in read_local(site.folders):
            if doc.ok:   # a file that cannot be read is counted once, as an error, when saved
                self.summary.fetched += 1
            self.summary.bytes += doc.raw_bytes

            def prepare_file(rows: _Rows, saved: SavedVersion | None) -> None:
                rows.on_commit.append(lambda: self._count_saved(saved))
            self._enqueue(doc.source, prepare_file, doc)
        self.flush()

    @staticmethod
    def _saved_outcome(saved: SavedVersion | None) -> str:
        if saved is None:
            return "error"
        if saved.is_new:
            return "fetched"
        return "duplicate" if saved.duplicate_of else "unchanged"

    def _count_saved(self, saved: SavedVersion | None) -> None:
        outcome = self._saved_outcome(saved)
        if outcome == "error":
            self.summary.errors += 1
        elif outcome == "fetched" and saved is not None:
            self.summary.new_versions += 1
            self.summary.new.append((saved.article_id, saved.version))
        elif outcome == "duplicate":
            self.summary.duplicates += 1
        else:
            self.summary.unchanged += 1

    # -- discovery -------------------------------------------------------------------------

    async def discover(self, job: _Job) -> None:
        """Fetch a feed, a sitemap or a URL of unknown kind and queue the pages it lists."""
        assert self.fetcher is not None
        previous = fetch_store.get_state(self.con, job.url)
        conditional = previous is not None and (previous.links is not None
                                                or previous.article_id is not None)
        if job.kind == "sitemap" and job.site.trust_lastmod:
            conditional = False  # the <lastmod> dates are needed, so read the sitemap
        accept = {"feed": FEED_TYPES, "sitemap": SITEMAP_TYPES}.get(job.kind, ANY_TYPE)
        result = await self.fetcher.fetch(
            job.url, accept=accept,
            etag=previous.etag if conditional and previous else None,
            last_modified=previous.last_modified if conditional and previous else None)
        kind = job.kind
        if job.kind == "auto":
            if result.not_modified and previous is not None:
                kind = previous.kind
            elif result.ok and result.body is not None:
                kind = sniff_kind(result.body, result.content_type)
            else:
                kind = "page"
            if kind == "page":
                if result.ok and result.content_type not in PAGE_TYPES | {None}:
                    result.error_kind = "content_type"
                    result.error = (f"{job.url}: content type {result.content_type} is not "
                                    "an article, a feed or a sitemap; skipped")
                self.pages_done[job.site.name] += 1
                page = _Job(job.url, job.site, "page")
                self.store_page(page, result, previous)
                return
            job = _Job(job.url, job.site, kind, job.depth)
        if result.not_modified and previous is not None and previous.links is not None:
            found = Discovered(kind="sitemapindex" if previous.kind == "sitemapindex"
                               else "listed", urls=list(previous.links))
            self.summary.feeds += 1
            state = self._state(job, previous, result, "not_modified")
            row = self._row(job, result, "not_modified")

            def prepare_listed(rows: _Rows, _saved: SavedVersion | None) -> None:
                rows.states.append(state)
                rows.logs.append(row)
            self._enqueue(job.url, prepare_listed)
        elif result.ok and result.body is not None:
            try:
                if kind == "feed":
                    found = parse_feed(result.body, result.final_url, result.content_type)
                else:
                    found = parse_sitemap(result.body, result.final_url)
            except DiscoveryError as exc:
                result.error_kind, result.error = exc.kind, str(exc)
                self._record_failure(job, result, previous)
                return
            self.summary.feeds += 1
            self.summary.bytes += result.bytes
            state = self._state(job, previous, result, "fetched")
            state.kind = "sitemapindex" if found.kind == "sitemapindex" else kind
            state.etag, state.last_modified = result.etag, result.last_modified
            state.content_hash = sha256_hex(result.body)
            state.links = found.urls
            state.last_changed_at = now() if (previous is None or previous.content_hash
                                              != state.content_hash) else previous.last_changed_at

            row = self._row(job, result, "fetched")
            warning = found.warning

            def prepare_read(rows: _Rows, _saved: SavedVersion | None) -> None:
                if warning:
                    record_error(self.con, self.run_id, job.url, "ingest", "parse", warning,
                                 severity="warning")
                rows.states.append(state)
                rows.logs.append(row)
            self._enqueue(job.url, prepare_read)
        else:
            if result.not_modified:
                result.error_kind = "http"
                result.error = f"{job.url}: 304 Not Modified to an unconditional request"
            self._record_failure(job, result, previous)
            return
        if found.kind == "sitemapindex":
            children = []
            for child in found.urls:
                try:
                    child_url = normalize_url(child)
                except ValueError:
                    continue
                if child_url in self.seen_urls or job.depth + 1 > MAX_SITEMAP_DEPTH:
                    continue
                if self.sitemaps_read[job.site.name] >= MAX_SITEMAPS_PER_SITE:
                    break
                self.sitemaps_read[job.site.name] += 1
                self.seen_urls.add(child_url)
                self.fetcher.set_policy(child_url, job.site.rate_limit, job.site.concurrency)
                children.append(self.guarded(self.discover, _Job(
                    child_url, job.site, "sitemap", job.depth + 1)))
            await asyncio.gather(*children)
            return
        for url in found.urls:
            self.queue_page(job.site, url, discovered=True)
        if job.site.trust_lastmod:
            for url, text in found.lastmod.items():
                when = parse_lastmod(text)
                if when is not None:
                    try:
                        self.lastmod[normalize_url(url)] = when
                    except ValueError:
                        continue

    def queue_page(self, site: SiteConfig, url: str, *, discovered: bool) -> None:
        try:
            url = normalize_url(url)
        except ValueError:
            log.debug("site %s: ignoring malformed URL %r", site.name, url)
            return
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or url in self.seen_urls:
            return
        if discovered and not site.wants(url):
            self.summary.excluded += 1
            return
        self.seen_urls.add(url)
        self.pages[site.name].append(url)

    # -- pages -----------------------------------------------------------------------------

    def select_pages(self, sites: list[SiteConfig]) -> list[tuple[_Job, CrawlState | None]]:
        """Each site's pages for this run, new ones first, then those that failed last time,
        then the longest unchecked; at most ``max_pages`` per site. Sites are interleaved so
        one big site does not hold every worker while the others wait."""
        per_site: list[list[tuple[_Job, CrawlState | None]]] = []
        assert self.fetcher is not None
        for site in sites:
            urls = []
            for url in self.pages.get(site.name, []):
                rules = self.fetcher.known_robots(url)
                if rules is not None and not rules.allows(url, self.fetcher.agent_token):
                    # Refused without a request, so it does not use up the site's max_pages.
                    refused = FetchResult(url, url, error_kind="robots", error=(
                        f"{url}: disallowed by {rules.origin}/robots.txt"))
                    self._record_failure(_Job(url, site, "page"), refused,
                                         fetch_store.get_state(self.con, url))
                else:
                    urls.append(url)
            states = fetch_store.load_states(self.con, urls)
            if site.trust_lastmod:
                urls = [u for u in urls if not self._skip_on_lastmod(site, u, states.get(u))]

            def priority(item: tuple[int, str]) -> tuple:
                index, url = item
                state = states.get(url)
                if state is None or state.article_id is None and state.last_outcome is None:
                    return (0, datetime.min, index)
                tier = 1 if state.consecutive_errors else 2
                return (tier, state.last_checked_at or datetime.min, index)

            ordered = [url for _, url in sorted(enumerate(urls), key=priority)]
            room = max(0, site.max_pages - self.pages_done[site.name])
            deferred = max(0, len(ordered) - room)
            if deferred:
                self.summary.deferred += deferred
                record_error(self.con, self.run_id, site.name, "ingest", "deferred",
                             f"{deferred:,} pages of {site.name} over its max_pages "
                             f"({site.max_pages}) left for the next run (new pages first, then "
                             "those that failed, then the longest unchecked)", severity="warning")
            per_site.append([(_Job(url, site, "page"), states.get(url)) for url in ordered[:room]])
        jobs: list[tuple[_Job, CrawlState | None]] = []
        for round_ in range(max((len(p) for p in per_site), default=0)):
            jobs.extend(p[round_] for p in per_site if round_ < len(p))
        return jobs

    def _skip_on_lastmod(self, site: SiteConfig, url: str, state: CrawlState | None) -> bool:
        """True (and recorded) when the sitemap says the page has not changed since the last
        time its stored version was checked: no request is made."""
        when = self.lastmod.get(url)
        if (when is None or state is None or state.article_id is None
                or state.last_outcome not in STORED_OUTCOMES
                or state.last_checked_at is None or when > state.last_checked_at):
            return False
        self.summary.not_modified += 1
        job = _Job(url, site, "page")
        article_id = state.article_id
        state = self._state(job, state, None, "lastmod_unchanged")
        row = self._row(job, None, "lastmod_unchanged", article_id=article_id)

        def prepare_lastmod(rows: _Rows, _saved: SavedVersion | None) -> None:
            rows.seen.append(article_id)
            rows.states.append(state)
            rows.logs.append(row)
        self._enqueue(url, prepare_lastmod)
        return True

    async def fetch_page(self, job: _Job, previous: CrawlState | None) -> None:
        assert self.fetcher is not None
        stored = previous is not None and previous.article_id is not None
        result = await self.fetcher.fetch(
            job.url, accept=PAGE_TYPES,
            etag=previous.etag if stored and previous else None,
            last_modified=previous.last_modified if stored and previous else None)
        self.store_page(job, result, previous)

    def store_page(self, job: _Job, result: FetchResult, previous: CrawlState | None) -> None:
        """Store one page's result: article version + crawl state + log, one transaction."""
        self.progress.step(job.url)
        stored = previous is not None and previous.article_id is not None
        # What the last run stored for this URL, before ``_state`` updates ``previous``.
        known = (previous.content_hash, previous.canonical_url, previous.article_id) \
            if stored and previous is not None and previous.last_outcome in STORED_OUTCOMES \
            else None
        if result.not_modified and stored and previous is not None:
            self.summary.not_modified += 1
            state = self._state(job, previous, result, "not_modified")
            article_id = previous.article_id
            row = self._row(job, result, "not_modified", article_id=article_id)
            self._enqueue_seen(job.url, article_id, state, row)
            return
        if result.not_modified:
            result.error_kind = "http"
            result.error = f"{job.url}: 304 Not Modified to an unconditional request"
        if not result.ok or result.body is None:
            self._record_failure(job, result, previous)
            return
        self.summary.fetched += 1
        self.summary.bytes += result.bytes
        body = result.body
        final_url = normalize_url(result.final_url)
        is_html = result.content_type in HTML_TYPES or looks_like_html(body)
        source = (canonical_link(body, final_url) if is_html else None) or final_url
        state = self._state(job, previous, result, "fetched")
        state.canonical_url = source
        state.etag, state.last_modified = result.etag, result.last_modified
        state.content_hash = sha256_hex(body)
        duplicate = None
        if source in self.claimed_sources:
            duplicate = f"{job.url}: same canonical URL as a page already stored in this run " \
                        f"({source})"
        elif source != final_url and source != job.url and (
                source in self.seen_urls or fetch_store.get_state(self.con, source)):
            # An alias (print view, tracking URL) of a page that is crawled in its own right:
            # storing it would add a spurious version to the canonical article every run.
            duplicate = f"{job.url}: its canonical URL {source} is crawled itself; not stored"
        if duplicate:
            self.summary.duplicates += 1
            state.article_id = article_id_for(source)
            state.last_outcome = "duplicate"
            row = self._row(job, result, "duplicate", article_id=state.article_id,
                            error=duplicate)

            def prepare_duplicate(rows: _Rows, _saved: SavedVersion | None) -> None:
                rows.states.append(state)
                rows.logs.append(row)
            self._enqueue(job.url, prepare_duplicate)
            return
        self.claimed_sources.add(source)
        if known is not None and known[:2] == (state.content_hash, source):
            # A server without validators sent the very bytes stored last time: the article
            # version exists (the state was written with it), so skip save_document.
            self.summary.unchanged += 1
            state.last_outcome = "unchanged"
            article_id = known[2]
            row = self._row(job, result, "unchanged", article_id=article_id)
            self._enqueue_seen(job.url, article_id, state, row)
            return
        doc = self._document(source, result, is_html)
        errors_before = state.consecutive_errors
        validators = (state.etag, state.last_modified)

        def prepare_page(rows: _Rows, saved: SavedVersion | None) -> None:
            outcome = self._saved_outcome(saved)
            page_state = replace(state, last_outcome=outcome)
            if saved is None:
                # Not stored: keep no validators, so the next run downloads it again.
                page_state.etag = page_state.last_modified = None
                page_state.last_error = doc.error
                page_state.consecutive_errors = errors_before + 1
            else:
                page_state.etag, page_state.last_modified = validators
                page_state.article_id = saved.article_id
                if saved.is_new:
                    page_state.last_changed_at = now()
            rows.states.append(page_state)
            rows.logs.append(self._row(
                job, result, outcome,
                article_id=saved.article_id if saved else None,
                version=saved.version if saved else None,
                error_kind=doc.error_kind, error=doc.error))
            rows.on_commit.append(lambda: self._count_saved(saved))
        self._enqueue(job.url, prepare_page, doc)

    def _document(self, source: str, result: FetchResult, is_html: bool) -> Document:
        body = result.body or b""
        decoded = decode_bytes(body, declared=result.charset)
        doc = Document(source=source, source_kind="url", text=decoded.text,
                       content_type="text/html" if is_html else "text/plain",
                       encoding=decoded.encoding, raw_bytes=len(body),
                       content_hash=sha256_hex(body), final_url=result.final_url,
                       http_status=result.status, etag=result.etag,
                       last_modified=result.last_modified)
        if decoded.text is None:
            doc.error_kind = decoded.error_kind
            doc.error = f"{result.url}: {decoded.error}; skipped"
        if decoded.warning:
            doc.warnings.append(("encoding", f"{result.url}: {decoded.warning}"))
        return doc

    # -- the whole crawl -------------------------------------------------------------------

    async def guarded(self, step: Callable[..., Any], job: _Job, *args: Any) -> None:
        """Run one URL's ``step``; an unexpected exception (a bug, or a library failing on
        hostile input) is recorded against that URL and the crawl goes on."""
        try:
            await step(job, *args)
        except Exception as exc:  # noqa: BLE001 - one URL must not stop the crawl
            log.exception("crawling %s failed", job.url)
            failed = FetchResult(job.url, job.url, error_kind="internal", error=(
                f"{job.url}: unexpected {type(exc).__name__} while crawling: {exc}; "
                "please report it"))
            self._record_failure(job, failed, None)

    async def run(self, sites: list[SiteConfig]) -> CrawlSummary:
        started = time.monotonic()
        for site in sites:
            self.read_folders(site)
            for url in site.start_urls():
                try:
                    self.site_names.setdefault(urlsplit(url).netloc.lower(), site.name)
                except ValueError:
                    pass    # a malformed URL: recorded as an error when the crawl reaches it
        flusher = asyncio.create_task(self._flush_periodically())
        try:
            async with Fetcher(self.settings, on_robots=self.log_robots) as fetcher:
                self.fetcher = fetcher
                await self._discover_all(sites)
                jobs = self.select_pages(sites)
                self.progress.start(len(jobs))
                await self._fetch_all(jobs)
        finally:
            flusher.cancel()
            # Whatever finished is stored, even when the crawl itself was interrupted.
            self.flush()
        self.summary.elapsed_s = round(time.monotonic() - started, 3)
        return self.summary

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL)
            self.flush()

    async def _discover_all(self, sites: list[SiteConfig]) -> None:
        assert self.fetcher is not None
        discovery = []
        for site in sites:
            for url in site.start_urls():
                self.fetcher.set_policy(url, site.rate_limit, site.concurrency)
            for kind, urls in (("auto", site.auto), ("feed", site.feeds),
                               ("sitemap", site.sitemaps)):
                for raw in urls:
                    try:
                        url = normalize_url(raw)
                    except ValueError as exc:
                        bad = FetchResult(raw, raw, error_kind="url",
                                          error=f"{raw!r} is not a valid URL ({exc})")
                        self._record_failure(_Job(raw, site, kind), bad, None)
                        continue
                    if url not in self.seen_urls:
                        self.seen_urls.add(url)
                        discovery.append(self.guarded(self.discover, _Job(url, site, kind)))
        await asyncio.gather(*discovery)
        for site in sites:
            for url in site.urls:
                self.queue_page(site, url, discovered=False)
            for url in self.pages.get(site.name, []):
                self.fetcher.set_policy(url, site.rate_limit, site.concurrency)

    async def _fetch_all(self, jobs: list[tuple[_Job, CrawlState | None]]) -> None:
        """Fetch the pages with a bounded pool of workers (``crawl_max_connections``); the
        per-host gates inside the fetcher keep each host within its own limits."""
        queue: asyncio.Queue[tuple[_Job, CrawlState | None]] = asyncio.Queue()
        for item in jobs:
            queue.put_nowait(item)

        budget = self.settings.crawl_site_budget
        first: dict[str, float] = {}          # site → when its first page was started
        over: dict[str, int] = defaultdict(int)

        async def worker() -> None:
            while True:
                try:
                    job, previous = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = first.setdefault(job.site.name, time.monotonic())
                left = budget - (time.monotonic() - started) if budget else None
                try:
                    if left is not None and left <= 0:
                        raise asyncio.TimeoutError
                    # waiting for the host's turn counts too: a page not fetched and stored
                    # within the site's budget is dropped whole, its state untouched
                    await asyncio.wait_for(self.guarded(self.fetch_page, job, previous), left)
                except asyncio.TimeoutError:
                    over[job.site.name] += 1   # untouched: the longest unchecked next run
                    self.progress.step(job.url)

        n_workers = min(self.settings.crawl_max_connections, len(jobs))
        await asyncio.gather(*(worker() for _ in range(n_workers)))
        for site, n in over.items():
            self.summary.deferred += n
            record_error(self.con, self.run_id, site, "ingest", "deferred",
                         f"{n:,} pages of {site} left for the next run: the site's time budget "
                         f"for this run ({budget:g} s of fetching, crawl_site_budget) was spent",
                         severity="warning")


async def acrawl(con: duckdb.DuckDBPyConnection, targets: Target | Iterable[Target],
                 run_id: str, settings: Settings | None = None,
                 progress: Any = None) -> CrawlSummary:
    """The coroutine behind :func:`crawl`, for callers that already run an event loop."""
    settings = settings or get_settings()
    sites = sites_from_targets(targets, settings)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute("ROLLBACK")
    except duckdb.TransactionException as exc:
        raise RuntimeError("crawl() writes each batch of pages in its own transaction: "
                           "commit or roll back the connection's open transaction first"
                           ) from exc
    return await _Crawl(con, run_id, settings, progress).run(sites)


def crawl(con: duckdb.DuckDBPyConnection, targets: Target | Iterable[Target], run_id: str,
          settings: Settings | None = None, progress: Any = None) -> CrawlSummary:
    """Crawl ``targets`` into the database behind ``con`` for run ``run_id``.

    ``targets``: URLs (feed, sitemap or page: found out by fetching), a :class:`SourcesConfig`
    from :func:`load_sources`, a path to a ``.toml`` sources file, or local files/folders, in
    any mix. ``con`` must be in auto-commit mode: the crawl writes each page in its own
    transaction. ``progress`` is a ``rich.progress.Progress`` or a callable(done, total, url).
    Returns a :class:`CrawlSummary`; failures of single URLs never raise, they are recorded
    in ``pipeline_errors`` and ``fetch_log``.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(acrawl(con, targets, run_id, settings, progress))
    # Called from inside a running event loop (a notebook, an async task): run the crawl on
    # a helper thread with its own loop; this thread waits, so ``con`` is still used by one
    # thread at a time.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="factcheck-crawl") as pool:
        return pool.submit(asyncio.run, acrawl(con, targets, run_id, settings, progress)
                           ).result()
