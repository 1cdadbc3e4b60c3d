"""The sources file: which sites to crawl and how politely (TOML, see docs/sources.md).

```toml
[defaults]                 # optional; applies to every site
rate_limit = 1.0           # requests per second per host (0 = no limit)
concurrency = 2            # requests in flight per host
max_pages = 500            # pages requested per site per run

[[sites]]
name = "example-health"
feeds = ["https://health.example.org/feed.xml"]
sitemaps = ["https://health.example.org/sitemap_index.xml"]
urls = ["https://health.example.org/articles/ketamine-and-depression"]
folders = ["articles/offline"]        # relative to the sources file
include = ['^https://health\\.example\\.org/articles/']   # regular expressions (re.search)
exclude = ['/tag/', '/author/']
```
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from ...settings import Settings

SITE_LIST_KEYS = ("feeds", "sitemaps", "urls", "folders", "include", "exclude")
POLICY_KEYS = ("rate_limit", "concurrency", "max_pages", "trust_lastmod")
SITE_KEYS = ("name", *SITE_LIST_KEYS, *POLICY_KEYS)
DEFAULT_KEYS = ("include", "exclude", *POLICY_KEYS)


class SourcesError(ValueError):
    """The sources file cannot be used; the message names the file, the site and the key."""


@dataclass
class SiteConfig:
    """One site of the sources file (or the URLs given on the command line).

    ``auto`` holds URLs of unknown kind (given on the command line): they are fetched first
    and handled as a feed, a sitemap or a page according to what they turn out to be.
    """

    name: str
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    rate_limit: float = 1.0
    concurrency: int = 2
    max_pages: int = 500
    # Skip pages whose sitemap <lastmod> is older than the last check, without a request.
    trust_lastmod: bool = False
    auto: list[str] = field(default_factory=list)

    @cached_property
    def _include(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.include]

    @cached_property
    def _exclude(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.exclude]

    def wants(self, url: str) -> bool:
        """True when ``url`` matches an include pattern (or there are none) and no exclude."""
        if self._include and not any(p.search(url) for p in self._include):
            return False
        return not any(p.search(url) for p in self._exclude)

    def start_urls(self) -> list[str]:
        return [*self.auto, *self.feeds, *self.sitemaps, *self.urls]


@dataclass
class SourcesConfig:
    sites: list[SiteConfig]
    path: Path | None = None

    def __iter__(self):
        return iter(self.sites)


def _policy_defaults(settings: Settings) -> dict[str, object]:
    return {"rate_limit": settings.crawl_rate_limit, "concurrency": settings.crawl_concurrency,
            "max_pages": settings.crawl_max_pages, "trust_lastmod": False,
            "include": [], "exclude": []}


def _check_url(url: object, where: str) -> str:
    if not isinstance(url, str):
        raise SourcesError(f"{where}: {url!r} is not a string")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourcesError(f"{where}: {url!r} is not an http(s) URL")
    return url.strip()


def _check_value(key: str, value: object, where: str) -> object:
    if key in SITE_LIST_KEYS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SourcesError(f"{where}: '{key}' must be a list of strings")
        if key in ("include", "exclude"):
            for pattern in value:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise SourcesError(
                        f"{where}: '{key}' pattern {pattern!r} is not a valid regular "
                        f"expression ({exc})") from exc
        return list(value)
    if key == "rate_limit":
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise SourcesError(f"{where}: 'rate_limit' must be a number of requests per second "
                               "(0 for no limit)")
        return float(value)
    if key == "trust_lastmod":
        if not isinstance(value, bool):
            raise SourcesError(f"{where}: 'trust_lastmod' must be true or false")
        return value
    if key in ("concurrency", "max_pages"):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SourcesError(f"{where}: '{key}' must be a whole number of at least 1")
        return value
    if key == "name":
        if not isinstance(value, str) or not value.strip():
            raise SourcesError(f"{where}: 'name' must be a non-empty string")
        return value.strip()
    raise SourcesError(f"{where}: unknown key '{key}'")


def parse_sources(data: dict, *, base_dir: Path, where: str = "sources",
                  settings: Settings | None = None) -> SourcesConfig:
    """Validate the parsed TOML ``data`` into a :class:`SourcesConfig`.

    Unknown keys are errors (a typo such as ``max_page`` must not be silently ignored);
    relative folders are resolved against ``base_dir``.
    """
    settings = settings or Settings()
    unknown = set(data) - {"defaults", "sites"}
    if unknown:
        raise SourcesError(f"{where}: unknown top-level key(s) {sorted(unknown)}; "
                           "expected [defaults] and [[sites]]")
    defaults = _policy_defaults(settings)
    raw_defaults = data.get("defaults", {})
    if not isinstance(raw_defaults, dict):
        raise SourcesError(f"{where}: [defaults] must be a table")
    for key, value in raw_defaults.items():
        if key not in DEFAULT_KEYS:
            raise SourcesError(f"{where} [defaults]: unknown key '{key}' "
                               f"(allowed: {', '.join(DEFAULT_KEYS)})")
        defaults[key] = _check_value(key, value, f"{where} [defaults]")
    raw_sites = data.get("sites", [])
    if not isinstance(raw_sites, list) or not raw_sites:
        raise SourcesError(f"{where}: no [[sites]] listed; add at least one site")
    sites: list[SiteConfig] = []
    for index, raw in enumerate(raw_sites, start=1):
        site_where = f"{where} site {index}"
        if not isinstance(raw, dict):
            raise SourcesError(f"{site_where}: must be a table")
        if isinstance(raw.get("name"), str):
            site_where = f"{where} site {index} ({raw['name']})"
        values: dict[str, object] = {k: (list(v) if isinstance(v, list) else v)
                                     for k, v in defaults.items()}
        for key, value in raw.items():
            if key not in SITE_KEYS:
                raise SourcesError(f"{site_where}: unknown key '{key}' "
                                   f"(allowed: {', '.join(SITE_KEYS)})")
            values[key] = _check_value(key, value, site_where)
        for key in ("feeds", "sitemaps", "urls"):
            values[key] = [_check_url(u, f"{site_where} '{key}'") for u in values.get(key, [])]
        folders = [Path(f).expanduser() for f in values.pop("folders", [])]
        folders = [f if f.is_absolute() else (base_dir / f).resolve() for f in folders]
        start = [*values.get("feeds", []), *values.get("sitemaps", []), *values.get("urls", [])]
        if not start and not folders:
            raise SourcesError(f"{site_where}: lists no feeds, sitemaps, urls or folders")
        if "name" not in values:
            values["name"] = urlsplit(start[0]).hostname if start else folders[0].name
        sites.append(SiteConfig(folders=folders, **values))  # type: ignore[arg-type]
    names = [s.name for s in sites]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SourcesError(f"{where}: site names must be unique; repeated: {duplicates}")
    return SourcesConfig(sites=sites)


def load_sources(path: str | Path, settings: Settings | None = None) -> SourcesConfig:
    """Read and validate a TOML sources file; raise :class:`SourcesError` naming what is wrong."""
    path = Path(path).expanduser()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourcesError(f"sources file {path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"sources file {path}: not valid TOML: {exc}") from exc
    config = parse_sources(data, base_dir=path.resolve().parent, where=f"sources file {path}",
                           settings=settings)
    config.path = path
    return config
