"""Finding article URLs in RSS/Atom feeds (feedparser) and XML sitemaps (lxml).

Every XML document is parsed with entity expansion, DTD loading and network access off,
and any document that declares entities is refused outright: feeds and sitemaps never need
them, and an entity declaration is how an entity-expansion ("billion laughs") or external
entity attack starts. Gzipped sitemaps are decompressed with a size cap, so a small
compressed file cannot expand into gigabytes.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree

GZIP_MAGIC = b"\x1f\x8b"
# The sitemap protocol caps a sitemap at 50,000 URLs and 50 MB uncompressed.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
MAX_SITEMAP_URLS = 50_000

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.I)
_FIRST_ELEMENT = re.compile(rb"<\s*([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_COMMENT_OR_PI = re.compile(rb"<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", re.S | re.I)

# Root elements that tell what an XML document is.
FEED_ROOTS = frozenset({"rss", "feed", "RDF", "channel"})
SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})


class DiscoveryError(ValueError):
    """A feed or sitemap could not be used. ``kind`` goes to the error tables."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class Discovered:
    """What a feed or sitemap listed: article URLs, or (sitemap index) more sitemaps."""

    kind: str                                   # feed | urlset | sitemapindex
    urls: list[str] = field(default_factory=list)
    lastmod: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    warning: str | None = None


def refuse_entities(data: bytes, what: str) -> None:
    """Raise ``DiscoveryError('hostile_xml')`` when ``data`` declares XML entities anywhere.

    The whole document is scanned (a regular expression over at most the body cap, a few
    milliseconds), not its head: a long comment can push a DOCTYPE with an entity bomb past
    any fixed prefix, and a malformed document would then reach feedparser's lenient parser,
    which expands it."""
    head = data
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "replace").encode("utf-8")
    if _ENTITY_DECLARATION.search(head):
        raise DiscoveryError("hostile_xml", f"{what}: declares XML entities (an entity-"
                             "expansion attack or a malformed feed); refused, not parsed")


def safe_xml_root(data: bytes, what: str) -> etree._Element:
    """Parse ``data`` with every dangerous libxml2 feature off; refuse entity declarations."""
    refuse_entities(data, what)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_comments=True,
                             remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError("parse", f"{what}: not well-formed XML ({exc})") from exc
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise DiscoveryError("hostile_xml", f"{what}: declares XML entities; refused")
    return root


def root_name(data: bytes) -> str | None:
    """The local name of the first element of an XML or HTML document (cheap sniffing)."""
    head = _COMMENT_OR_PI.sub(b"", data[:8192].lstrip(b"\xef\xbb\xbf \t\r\n"))
    match = _FIRST_ELEMENT.search(head)
    return match.group(2).decode("ascii", "replace") if match else None


def sniff_kind(data: bytes, content_type: str | None) -> str:
    """'feed', 'sitemap' or 'page' for a document whose kind is not known in advance."""
    if data.startswith(GZIP_MAGIC):
        return "sitemap"
    if content_type in ("text/html", "application/xhtml+xml"):
        return "page"
    name = root_name(data)
    if name in SITEMAP_ROOTS:
        return "sitemap"
    if name in FEED_ROOTS:
        return "feed"
    return "page"


def gunzip_capped(data: bytes, what: str, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise DiscoveryError("parse", f"{what}: broken gzip data ({exc})") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise DiscoveryError("too_large", f"{what}: decompresses to more than {limit:,} bytes "
                             "(the sitemap protocol's limit); refused")
    return out


def _http_urls(candidates, base: str) -> list[str]:
    found = []
    for raw in candidates:
        if not raw:
            continue
        url = urljoin(base, raw.strip())
        if urlsplit(url).scheme in ("http", "https"):
            found.append(url)
    return list(dict.fromkeys(found))


def parse_feed(data: bytes, url: str, content_type: str | None = None) -> Discovered:
    """The article links of an RSS or Atom feed, in feed order (newest first, usually).

    The feed is first parsed by the hardened lxml parser, which refuses entity declarations
    in any encoding; a feed that is not well-formed is still handed to feedparser, whose
    lenient mode reads the malformed feeds that are common in the wild.
    """
    what = f"feed {url}"
    try:
        safe_xml_root(data, what)
    except DiscoveryError as exc:
        if exc.kind != "parse":
            raise
    if root_name(data) in SITEMAP_ROOTS:
        raise DiscoveryError("parse", f"{what}: is a sitemap, not a feed; list it under "
                             "'sitemaps'")
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(data, response_headers=headers)
    if not parsed.entries and not parsed.get("version"):
        reason = parsed.get("bozo_exception") or "no RSS, Atom or RDF feed found"
        raise DiscoveryError("parse", f"{what}: not a feed ({reason})")
    links = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            link = next((item.get("href") for item in entry.get("links", [])
                         if item.get("rel", "alternate") == "alternate"), None)
        links.append(link)
    result = Discovered("feed", _http_urls(links, url), title=parsed.feed.get("title"))
    if parsed.get("bozo") and parsed.entries:
        result.warning = f"{what}: malformed, read leniently ({parsed.get('bozo_exception')})"
    return result


def parse_sitemap(data: bytes, url: str) -> Discovered:
    """The ``<loc>`` URLs of a sitemap index or urlset (gzipped or not), or of a text sitemap
    (one URL per line)."""
    what = f"sitemap {url}"
    if data.startswith(GZIP_MAGIC):
        data = gunzip_capped(data, what)
    elif len(data) > MAX_SITEMAP_BYTES:
        raise DiscoveryError("too_large", f"{what}: over {MAX_SITEMAP_BYTES:,} bytes; refused")
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise DiscoveryError("empty", f"{what}: is empty")
    if not stripped.startswith(b"<"):
        lines = stripped.decode("utf-8", "replace").splitlines()
        urls = _http_urls((line for line in lines if line.strip().startswith("http")), url)
        if not urls:
            raise DiscoveryError("parse", f"{what}: neither XML nor a list of URLs")
        return Discovered("urlset", urls[:MAX_SITEMAP_URLS])
    name = root_name(stripped)
    if name in FEED_ROOTS:
        # The sitemap protocol accepts RSS and Atom feeds as sitemaps.
        return parse_feed(stripped, url)
    root = safe_xml_root(stripped, what)
    local = etree.QName(root).localname
    if local == "sitemapindex":
        locs = [el.text for el in root.iterfind("{*}sitemap/{*}loc")]
        return Discovered("sitemapindex", _http_urls(locs, url)[:MAX_SITEMAP_URLS])
    if local == "urlset":
        result = Discovered("urlset")
        for entry in root.iterfind("{*}url"):
            loc = entry.findtext("{*}loc")
            found = _http_urls([loc], url)
            if not found:
                continue
            result.urls.append(found[0])
            lastmod = entry.findtext("{*}lastmod")
            if lastmod:
                result.lastmod[found[0]] = lastmod.strip()
            if len(result.urls) >= MAX_SITEMAP_URLS:
                result.warning = f"{what}: lists more than {MAX_SITEMAP_URLS:,} URLs; " \
                                 "the rest are ignored"
                break
        result.urls = list(dict.fromkeys(result.urls))
        return result
    raise DiscoveryError("parse", f"{what}: root element <{local}> is neither <urlset> nor "
                         "<sitemapindex>")
