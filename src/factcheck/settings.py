"""Run-time settings, from defaults overridden by ``FACTCHECK_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from . import __version__

PROJECT_URL = "https://github.com/factcheck-health/factcheck"
#: Where a run publishes by default: the analyst database and, beside it, the report.
DEFAULT_OUT_DIR = "out"
DB_FILENAME = "factcheck.duckdb"
DEFAULT_DB = f"{DEFAULT_OUT_DIR}/{DB_FILENAME}"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Settings:
    user_agent_name: str = "factcheck"
    contact_url: str = field(default_factory=lambda: os.environ.get(
        "FACTCHECK_CONTACT_URL", PROJECT_URL))
    # Refuse URLs that resolve to loopback/private/link-local/multicast addresses unless set.
    allow_private_networks: bool = field(default_factory=lambda: _env_bool(
        "FACTCHECK_ALLOW_PRIVATE_NETWORKS", False))
    # Non-public addresses or CIDR networks that may be fetched all the same (an intranet, a
    # local mirror, a test server): FACTCHECK_ALLOWED_NETWORKS="10.20.0.0/16,127.0.0.1".
    # Link-local and cloud-metadata addresses stay refused whatever is listed.
    allowed_networks: tuple[str, ...] = field(default_factory=lambda: tuple(
        part for part in os.environ.get("FACTCHECK_ALLOWED_NETWORKS", "").replace(",", " ").split()
        if part))
    evidence_top_k: int = 10                  # records read (stance model) and kept per claim
    # Web crawling (factcheck.ingest.web); a sources file may override the per-site ones.
    crawl_connect_timeout: float = 10.0       # seconds to open a connection
    crawl_read_timeout: float = 30.0          # seconds of silence while reading a response
    crawl_request_deadline: float = 90.0      # seconds for one URL in all: attempts, waits, redirects
    crawl_max_retries: int = 3                # retries after a connection error, 429 or 5xx
    crawl_backoff: float = 1.0                # first backoff in seconds, doubled each retry
    crawl_max_retry_after: float = 120.0      # a longer Retry-After gives the URL up
    crawl_max_redirects: int = 5
    crawl_max_body_bytes: int = 10 * 1024 * 1024
    crawl_rate_limit: float = 1.0             # per site: requests per second per host (0: no limit)
    crawl_concurrency: int = 2                # per site: concurrent requests per host
    crawl_max_pages: int = 500                # per site: pages requested per run
    crawl_site_budget: float = 1800.0         # per site: seconds of page fetching per run
    crawl_max_connections: int = 64           # concurrent requests overall
    crawl_max_crawl_delay: float = 30.0       # robots.txt Crawl-delay is capped at this

    @property
    def user_agent(self) -> str:
        return f"{self.user_agent_name}/{__version__} (+{self.contact_url})"


def get_settings() -> Settings:
    return Settings()
