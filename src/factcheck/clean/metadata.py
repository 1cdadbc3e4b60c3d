"""Title, author and publication date of an HTML page.

Composed from trafilatura's metadata readers (``<meta>`` tags, JSON-LD, title and byline
heuristics) and htmldate for the date, without the parts we do not store (site name,
categories, tags, licence), which cost about as much again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from lxml import etree

LOGGER = logging.getLogger(__name__)


@dataclass
class PageMetadata:
    title: str | None = None
    author: str | None = None
    published: str | None = None   # YYYY-MM-DD


def read_metadata(tree: etree._Element, url: str | None = None) -> PageMetadata:
    """Read the metadata of a parsed page (``tree`` is not modified). Never raises."""
    from htmldate import find_date
    from trafilatura.metadata import examine_meta, extract_author, extract_meta_json, extract_title

    try:
        meta = examine_meta(tree)
        if meta.author and " " not in meta.author:
            meta.author = None
        try:
            meta = extract_meta_json(tree, meta)
        except Exception as exc:  # JSON-LD in the wild is often broken
            LOGGER.debug("JSON-LD metadata unreadable: %s", exc)
        if not meta.title:
            meta.title = extract_title(tree)
        declared_author = jsonld_author(tree)
        if not meta.author and not declared_author:
            meta.author = extract_author(tree)  # a search of the page's bylines: slow, so last
        meta.date = find_date(tree, url=url or meta.url, extensive_search=False,
                              original_date=True, outputformat="%Y-%m-%d")
        meta.clean_and_trim()
    except Exception as exc:  # metadata is a bonus: a page with broken metadata keeps its body
        LOGGER.warning("metadata of %s unreadable: %s", url or "page", exc)
        return PageMetadata()
    author = declared_author or meta.author or None
    if author and "reviewed by" in author.lower():
        author = None  # a reviewer credit is not the author
    return PageMetadata(title=meta.title or None, author=author,
                        published=(meta.date or None) and meta.date[:10])


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


def jsonld_author(tree: etree._Element) -> str | None:
    """The ``author`` a page declares in its JSON-LD (schema.org), names joined by ', '.

    Read before trafilatura's heuristics because it is the publisher's own statement, and
    because those heuristics take a "Medically reviewed by" line for the byline on pages whose
    JSON-LD type they do not read (``MedicalWebPage``)."""
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
                names = _people(item.get("author"))
                if names:
                    return ", ".join(dict.fromkeys(n.strip() for n in names if n.strip())) or None
                stack.extend(v for k, v in item.items() if k in ("@graph", "mainEntity", "mainEntityOfPage"))
    return None
