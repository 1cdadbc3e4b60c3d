"""URL normalisation and canonical URLs.

Two spellings of one page (``HTTP://Example.org:80/a?utm_source=x#top`` and
``http://example.org/a``) must become one article, so every URL the crawler meets goes
through :func:`normalize_url` (courlan: lower-case scheme and host, default port dropped,
query sorted, tracking parameters removed), and the fragment is dropped.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

import courlan
from lxml import html as lxml_html

_CANONICAL_HINT = re.compile(rb"rel\s*=\s*[\"']?\s*canonical", re.I)


def normalize_url(url: str, base: str | None = None) -> str:
    """The normal form of ``url`` (resolved against ``base`` when relative)."""
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    path = parts.path or "/"
    if "/." in path:
        path = urlsplit(urljoin(f"{parts.scheme}://host/", path)).path
    url = urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
    normal = courlan.normalize_url(url, strict=False)
    return urlunsplit(urlsplit(normal)._replace(fragment=""))


def host_key(url: str) -> str:
    """The per-host politeness key: host and port (``example.org``, ``127.0.0.1:8000``)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return f"{host}:{parts.port}" if parts.port else host
    except ValueError:  # malformed (bad port, bad IPv6): its own key; fetching it fails anyway
        return url


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _bare_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def canonical_link(html_bytes: bytes, page_url: str) -> str | None:
    """The ``<link rel="canonical">`` of an HTML page, normalised, or ``None``.

    Only a canonical URL on the page's own host (``www.`` ignored) is trusted: a page that
    names another site's URL as its canonical would otherwise be stored as that site's
    article (and could overwrite it). A canonical pointing at the home page from a deeper
    page is ignored too: misconfigured sites put it on every article, which would fold all
    their articles into one.
    """
    head = html_bytes[:262_144]
    if not _CANONICAL_HINT.search(head):
        return None
    try:
        tree = lxml_html.fromstring(head)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rel and href:
            try:
                candidate = normalize_url(href, base=page_url)
            except ValueError:
                return None
            if urlsplit(candidate).scheme not in ("http", "https") or \
                    _bare_host(candidate) != _bare_host(page_url):
                return None
            if urlsplit(candidate).path in ("", "/") and urlsplit(page_url).path not in ("", "/"):
                return None
            return candidate
    return None
