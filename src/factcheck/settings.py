"""Run-time settings, from defaults overridden by ``FACTCHECK_*`` environment variables.

The one module that reads factcheck's environment variables: every other module asks
:func:`get_settings` (a fresh read each call, so a test or a notebook that sets a variable
sees it at once). The names are the constants below; ``docs/settings.md`` lists them all.
At the bottom of the import layers: it imports nothing of factcheck but its version.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from . import __version__

PROJECT_URL = "https://github.com/factcheck-health/factcheck"
#: Where a run publishes by default: the analyst database and, beside it, the report.
DEFAULT_OUT_DIR = "out"
DB_FILENAME = "factcheck.duckdb"
DEFAULT_DB = f"{DEFAULT_OUT_DIR}/{DB_FILENAME}"


# The environment variables, by name (their meaning: the fields of Settings below).
DB_ENV = "FACTCHECK_DB"
DATA_DIR_ENV = "FACTCHECK_DATA_DIR"
REFERENCE_DB_ENV = "FACTCHECK_REFERENCE_DB"
RAW_DIR_ENV = "FACTCHECK_RAW_DIR"
TRIAGE_DB_ENV = "FACTCHECK_TRIAGE_DB"
CLAIMS_MODEL_ENV = "FACTCHECK_CLAIMS_MODEL"
CLAIMS_EMBED_ENV = "FACTCHECK_CLAIMS_EMBED"
EVIDENCE_EMBED_ENV = "FACTCHECK_EVIDENCE_EMBED"
STANCE_THREADS_ENV = "FACTCHECK_STANCE_THREADS"
PUBMED_MEMORY_LIMIT_ENV = "FACTCHECK_PUBMED_MEMORY_LIMIT"
EUTILS_BASE_ENV = "FACTCHECK_EUTILS_BASE"
DQ_SCOPE_ENV = "FACTCHECK_DQ_SCOPE"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value.strip() if value and value.strip() else default


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

    # Files and folders (None: beside the analyst database; see docs/schema.md).
    db: str = field(default_factory=lambda: _env(DB_ENV, DEFAULT_DB))     # the dashboard's database
    data_dir: str | None = field(default_factory=lambda: _env(DATA_DIR_ENV))   # bundled samples
    reference_db: str | None = field(default_factory=lambda: _env(REFERENCE_DB_ENV))
    raw_dir: str | None = field(default_factory=lambda: _env(RAW_DIR_ENV))
    triage_db: str | None = field(default_factory=lambda: _env(TRIAGE_DB_ENV))
    # Models. claims_model: a model file, "off" (rules alone) or "" (model.json, or
    # model_embed.json when claims_embed chooses it). claims_embed / evidence_embed: on | auto | off.
    claims_model: str = field(default_factory=lambda: _env(CLAIMS_MODEL_ENV, ""))
    # (claims_embed defaults to off: which claim model runs is a choice, never a side effect of
    # an installed extra; the run row records it)
    claims_embed: str = field(default_factory=lambda: (_env(CLAIMS_EMBED_ENV, "off") or "").lower())
    evidence_embed: str = field(default_factory=lambda: (_env(EVIDENCE_EMBED_ENV, "auto") or "").lower())
    # threads of the stance model, "0": every core (parsed where the model loads, so a typo
    # fails only what needs the model)
    stance_threads: str = field(default_factory=lambda: _env(STANCE_THREADS_ENV, "0"))
    # What a run's data-quality checks read: "run" (the rows the run wrote) or "all" (every row;
    # costs grow with the stored history). Parsed where the checks run.
    dq_scope: str = field(default_factory=lambda: (_env(DQ_SCOPE_ENV, "run") or "").strip().lower())
    # PubMed: the loader's DuckDB memory cap; E-utilities' address and credentials.
    pubmed_memory_limit: str = field(default_factory=lambda: _env(PUBMED_MEMORY_LIMIT_ENV, "128MB"))
    eutils_base: str | None = field(default_factory=lambda: _env(EUTILS_BASE_ENV))
    ncbi_api_key: str | None = field(default_factory=lambda: _env("NCBI_API_KEY"))
    ncbi_email: str | None = field(default_factory=lambda: _env("NCBI_EMAIL"))

    @property
    def user_agent(self) -> str:
        return f"{self.user_agent_name}/{__version__} (+{self.contact_url})"


def get_settings() -> Settings:
    """The settings as the environment says now."""
    return Settings()


def switch(value: str | None, name: str) -> str:
    """An on/auto/off setting's value, its usual spellings read (1/true/yes: on; 0/false/no/
    none: off); anything else is a ValueError naming the variable, raised where the setting is
    used (a typo must not fall back silently to another behaviour)."""
    v = (value or "").strip().lower()
    if v in ("on", "1", "true", "yes"):
        return "on"
    if v in ("off", "0", "false", "no", "none"):
        return "off"
    if v == "auto":
        return "auto"
    raise ValueError(f"{name}={value!r}: expected on, auto or off")


def switched_off(value: str | None) -> bool:
    """Whether a setting's value means "off"."""
    return (value or "").strip().lower() in ("off", "none", "0", "false")
