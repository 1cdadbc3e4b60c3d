"""Title, author and publication date of an HTML page.

Our own readers of the publisher's statements, in this order: OpenGraph and other ``<meta>``
tags, schema.org JSON-LD, then the page itself (a lone ``<h1>``, the ``<title>``, a byline
element); the date by htmldate's public ``find_date``. No trafilatura internals: its byline
search alone cost more than the rest of the cleaner's metadata together.
"""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass

from lxml import etree

LOGGER = logging.getLogger(__name__)

#: ``<meta>`` names and properties that carry the title / the author, best first.
META_TITLE = ("og:title", "twitter:title", "citation_title", "dc.title", "dcterms.title",
              "parsely-title", "sailthru.title", "title", "headline")
META_AUTHOR = ("author", "article:author", "citation_author", "parsely-author", "sailthru.author",
               "dc.creator", "dcterms.creator", "byl")
#: Elements that name the author on the page, best first (the byline search of last resort).
BYLINE_XPATHS = (
    etree.XPath("//*[@rel='author' or @itemprop='author' or contains(@class, 'author-name')"
                " or contains(@class, 'author__name') or contains(@class, 'byline')"
                " or contains(@class, 'Byline') or contains(@class, 'ByLine')]"),
    etree.XPath("//*[contains(@class, 'author') or contains(@class, 'Author') or @id='author']"),
)
_MAX_TITLE = 300
_MAX_AUTHOR = 120
_BY = re.compile(r"^\s*(?:(?:written|posted|words|text|article|story)\s+)?(?:by|von|par|por)\s*:?\s*"
                 r"(?=\w)|^\s*author\s*:\s*", re.I)
_NOT_A_NAME = re.compile(
    r"https?://|@|\*|\d{2}|\b(?:reviewed|updated|published|posted|written|min read|says|wrote|"
    r"about|name|by|jan(?:uary)?|feb(?:ruary)?|march|april|june|july|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b", re.I)
#: A byline inside one of these is a commenter's name or a form label, not the author's.
_NOT_BYLINE_CONTEXT = etree.XPath("ancestor::*[self::form or contains(@class, 'comment')"
                                  " or contains(@id, 'comment')]")


@dataclass
class PageMetadata:
    title: str | None = None
    author: str | None = None
    published: str | None = None   # YYYY-MM-DD


def _clean(text: str | None, limit: int) -> str | None:
    text = " ".join(html.unescape(text or "").split())
    return text[:limit] if text else None


def _metas(tree: etree._Element) -> dict[str, str]:
    """The page's ``<meta>`` contents by lower-cased name or property (the first of each)."""
    found: dict[str, str] = {}
    for meta in tree.iterfind(".//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content", "").strip()
        if key and content:
            found.setdefault(key, content)
    return found


def _person(value: str | None) -> str | None:
    """A byline as a name: 'By Jane Roe, Health correspondent' -> 'Jane Roe'; None when it
    is not a person's name (a URL, a handle, a date, a reviewer credit, one word)."""
    text = _clean(value, _MAX_AUTHOR * 2)
    if not text:
        return None
    text = _BY.sub("", text)
    text = re.split(r"\s*(?:[|·•,]|\s[-–—]\s|\bon\b|\bupdated\b)\s*", text, maxsplit=1)[0].strip(" .:")
    if not text or _NOT_A_NAME.search(text) or " " not in text or len(text) > _MAX_AUTHOR \
            or len(text.split()) > 6:
        return None
    return text


_INVISIBLE = frozenset({"script", "style", "noscript", "template"})


def _visible_text(element: etree._Element) -> str:
    """An element's text without that of the scripts, styles and templates inside it (an
    ``<h1>`` holding a ``<script>`` must not put its code in the title)."""
    parts = [element.text or ""] if element.tag not in _INVISIBLE else []
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _INVISIBLE:
            parts.append(_visible_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _page_title(tree: etree._Element, metas: dict[str, str], declared: dict) -> str | None:
    for key in META_TITLE:
        if metas.get(key):
            return _clean(metas[key], _MAX_TITLE)
    if isinstance(declared.get("headline"), str) and declared["headline"].strip():
        return _clean(declared["headline"], _MAX_TITLE)
    headings = tree.findall(".//h1")
    if len(headings) == 1 and (text := _clean(_visible_text(headings[0]), _MAX_TITLE)):
        return text
    element = tree.find(".//head/title")
    if element is None:
        element = tree.find(".//title")
    if element is not None and (text := _clean(element.text_content(), _MAX_TITLE)):
        return text
    return _clean(_visible_text(headings[0]), _MAX_TITLE) if headings else None


def _byline(tree: etree._Element) -> str | None:
    for xpath in BYLINE_XPATHS:
        for element in xpath(tree)[:20]:
            if _NOT_BYLINE_CONTEXT(element):
                continue
            text = element.get("content") if element.tag == "meta" else " ".join(element.itertext())
            if name := _person(text):
                return name
    return None


def read_metadata(tree: etree._Element, url: str | None = None) -> PageMetadata:
    """Read the metadata of a parsed page (``tree`` is not modified). Never raises."""
    from htmldate import find_date

    try:
        metas = _metas(tree)
        items = list(_jsonld_items(tree))   # the page's JSON-LD, parsed once
        title = _page_title(tree, metas, jsonld_article(items))
        author = jsonld_author(items)
        if not author:
            author = next((name for key in META_AUTHOR if (name := _person(metas.get(key)))), None)
        if not author:
            author = _byline(tree)
        published = find_date(tree, url=url or metas.get("og:url"), extensive_search=False,
                              original_date=True, outputformat="%Y-%m-%d")
    except Exception as exc:  # metadata is a bonus: a page with broken metadata keeps its body
        LOGGER.warning("metadata of %s unreadable: %s", url or "page", exc)
        return PageMetadata()
    if author and "reviewed by" in author.lower():
        author = None  # a reviewer credit is not the author
    return PageMetadata(title=title, author=author, published=(published or None) and published[:10])


_JSONLD = "//script[contains(@type, 'ld+json')]"
_MAX_JSONLD_CHARS = 200_000


def _people(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [name for item in value for name in _people(item)]
    return []


def _jsonld_items(tree: etree._Element):
    """Every object of the page's JSON-LD, ``@graph`` and main entities included."""
    for script in tree.xpath(_JSONLD):
        text = script.text or ""
        if len(text) > _MAX_JSONLD_CHARS:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                stack.extend(v for k, v in item.items() if k in ("@graph", "mainEntity", "mainEntityOfPage"))


_ARTICLE_TYPES = re.compile(r"Article|Posting|Report|WebPage|Blog", re.I)


def jsonld_article(items: list[dict]) -> dict:
    """The first JSON-LD object (of ``_jsonld_items``) of an article or web-page type
    (``{}`` when none)."""
    for item in items:
        kinds = item.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds):
            return item
    return {}


def jsonld_author(items: list[dict]) -> str | None:
    """The ``author`` a page declares in its JSON-LD (schema.org; the objects of
    ``_jsonld_items``), names joined by ', '.

    Read before the page's bylines because it is the publisher's own statement, and because
    a "Medically reviewed by" line next to the byline is easily taken for it."""
    for item in items:
        names = _people(item.get("author"))
        if names:
            return ", ".join(dict.fromkeys(n.strip() for n in names if n.strip())) or None
    return None
