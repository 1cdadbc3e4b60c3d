"""Title, author and publication date of an HTML page.

Composed from trafilatura's metadata readers (``<meta>`` tags, JSON-LD, title and byline
heuristics) and htmldate for the date, without the parts we do not store (site name,
categories, tags, licence), which cost about as much again.
"""

from __future__ import annotations

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
        if not meta.author:
            meta.author = extract_author(tree)
        meta.date = find_date(tree, url=url or meta.url, extensive_search=False,
                              original_date=True, outputformat="%Y-%m-%d")
        meta.clean_and_trim()
    except Exception as exc:  # metadata is a bonus: a page with broken metadata keeps its body
        LOGGER.warning("metadata of %s unreadable: %s", url or "page", exc)
        return PageMetadata()
    return PageMetadata(title=meta.title or None, author=meta.author or None,
                        published=(meta.date or None) and meta.date[:10])
