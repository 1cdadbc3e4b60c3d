"""Web ingestion: a polite, incremental crawler of feeds, sitemaps and URL lists.

``crawl(con, targets, run_id)`` is the entry point the pipeline calls; ``load_sources(path)``
reads a TOML sources file (format in docs/sources.md).
"""

from .crawler import CrawlSummary, acrawl, crawl, is_url, sites_from_targets
from .fetcher import Fetcher, FetchResult, parse_retry_after
from .guard import BlockedAddressError, blocked_category
from .sources import SiteConfig, SourcesConfig, SourcesError, load_sources, parse_sources
from .urls import canonical_link, normalize_url

__all__ = ["BlockedAddressError", "CrawlSummary", "is_url", "FetchResult", "Fetcher", "SiteConfig",
           "SourcesConfig", "SourcesError", "acrawl", "blocked_category", "canonical_link",
           "crawl", "load_sources", "normalize_url", "parse_retry_after", "parse_sources",
           "sites_from_targets"]
