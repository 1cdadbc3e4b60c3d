"""HTML pages → :class:`CleanResult`.

Three stages:

1. *Prune* page furniture that health-site templates mark up recognisably (related-posts
   plugins, share bars, newsletter boxes, booking widgets, author boxes, cookie banners;
   :data:`factcheck.clean.rules.BOILERPLATE_CLASS_TOKENS`), recording each removed block.
2. *Extract* the main content with trafilatura (a proven generic extractor) from the pruned
   tree, with its metadata (title, author, date via htmldate).
3. *Apply the text rules* of :mod:`factcheck.clean.engine` to the extracted paragraphs:
   calls to action, teasers, date and byline lines, disclaimers that sit inside the content.
"""

from __future__ import annotations

import logging
import re

import lxml.html
from lxml import etree

from . import rules
from .engine import Block, apply_rules, normalise
from .language import detect_language
from .limits import MAX_ELEMENTS, MAX_HTML_CHARS, binary_reason
from .result import CleanResult, RemovedBlock

LOGGER = logging.getLogger(__name__)

_SPLIT_CLASS = re.compile(r"[-_]")
_CLASS_NAMES: dict[str, str] = {}
_CLASS_WORDS: dict[str, str] = {}
for _kind, _tokens in rules.BOILERPLATE_CLASS_TOKENS.items():
    for _token in _tokens:
        (_CLASS_WORDS if not _SPLIT_CLASS.search(_token) else _CLASS_NAMES)[_token] = _kind
        _CLASS_NAMES.setdefault(_token, _kind)

# Containers of the article itself: never pruned, whatever their class says.
_CONTENT_MARKERS = re.compile(r"(?:^|[-_\s])(?:entry-content|post-content|article-body|"
                              r"articlebody|post-body|blog-post|main-content|content)(?:$|[-_\s])", re.I)
_MAX_PRUNE_SHARE = 0.4

_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=False,
                               no_network=True)


def _classify_element(element: etree._Element) -> tuple[str, str] | None:
    """(kind, reason) when the element is page furniture by its tag, class or id."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in rules.BOILERPLATE_TAGS:
        return rules.BOILERPLATE_TAGS[tag], f"<{tag}> element"
    attrs = f"{element.get('class', '')} {element.get('id', '')}".lower()
    if not attrs.strip():
        return None
    if element.get("role") in ("navigation", "complementary", "banner", "contentinfo"):
        return "navigation", f"role={element.get('role')}"
    for name in attrs.split():
        if _CONTENT_MARKERS.search(name):
            return None
    for name in attrs.split():
        kind = _CLASS_NAMES.get(name)
        if kind:
            return kind, f"class/id '{name}' ({kind} widget)"
        for word in _SPLIT_CLASS.split(name):
            kind = _CLASS_WORDS.get(word)
            if kind:
                return kind, f"class/id '{name}' contains '{word}' ({kind} widget)"
    return None


def prune_furniture(tree: etree._Element) -> list[RemovedBlock]:
    """Remove recognisable page furniture from ``tree`` in place; return what was removed.

    An element that holds a large share of the page's text, or the ``<article>``/``<main>``,
    is never removed: themes put tokens such as 'content-sidebar' on the main wrapper.
    """
    body = tree.find(".//body")
    root = body if body is not None else tree
    total = len(normalise(root.text_content())) or 1
    removed: list[RemovedBlock] = []
    candidates: list[tuple[etree._Element, str, str]] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        verdict = _classify_element(element)
        if verdict is not None:
            candidates.append((element, *verdict))
    seen: set[etree._Element] = set()
    for element, kind, reason in candidates:
        if any(ancestor in seen for ancestor in element.iterancestors()):
            continue
        if element.find(".//article") is not None or element.find(".//main") is not None \
                or element.tag in ("html", "body", "article", "main"):
            continue
        if element.find(".//h1") is not None:
            continue
        text = normalise(element.text_content())
        if len(text) / total > _MAX_PRUNE_SHARE:
            continue
        seen.add(element)
        if text:
            removed.append(RemovedBlock(kind, text[:2000], f"html: {reason}"))
    for element in seen:
        parent = element.getparent()
        if parent is not None:
            tail = element.tail
            parent.remove(element)
            if tail and tail.strip():
                previous = parent[-1] if len(parent) else None
                if previous is not None:
                    previous.tail = (previous.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
    return removed


def _parse(html: str) -> etree._Element | None:
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError):
        try:
            return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=_PARSER)
        except (etree.ParserError, ValueError):
            return None


def _body_to_blocks(body: etree._Element) -> list[Block]:
    """trafilatura's XML body → blocks: headings, paragraphs, each list item, table rows."""
    from trafilatura.xml import xmltotxt

    blocks: list[Block] = []
    for child in body:
        tag = child.tag
        if tag == "list":
            for item in child.iter("item"):
                text = xmltotxt(item, False)
                for line in text.split("\n"):
                    if line.strip():
                        blocks.append(Block(line.lstrip("-•* ").strip(), "li"))
                item.clear()
            continue
        role = {"head": "h", "quote": "quote", "table": "table"}.get(tag, "p")
        text = xmltotxt(child, False)
        for line in text.split("\n"):
            if line.strip():
                blocks.append(Block(line, role))
    return blocks


def clean_html(html: str, url: str | None = None, remove_cta: bool = True) -> CleanResult:
    """Clean one HTML page: main content, metadata and the audit trail of removed blocks.

    Never raises: empty, binary, unparseable and script-only pages return an empty body with
    ``error`` saying why. Pages over :data:`MAX_HTML_CHARS` are cut there (recorded).
    """
    if html is None or not html.strip():
        return CleanResult(error="the page is empty")
    if reason := binary_reason(html):
        return CleanResult(error=f"the page looks binary ({reason}), not HTML")
    removed: list[RemovedBlock] = []
    if len(html) > MAX_HTML_CHARS:
        removed.append(RemovedBlock("boilerplate", f"[{len(html) - MAX_HTML_CHARS} characters]",
                                    f"page longer than {MAX_HTML_CHARS} characters cut there"))
        html = html[:MAX_HTML_CHARS]
    tree = _parse(html)
    if tree is None:
        return CleanResult(error="the page could not be parsed as HTML", removed=removed)
    n_elements = sum(1 for _ in tree.iter())
    if n_elements > MAX_ELEMENTS:
        return CleanResult(error=f"the page has {n_elements} elements (more than {MAX_ELEMENTS}); "
                                 "refused as pathological", removed=removed)
    lang_hint = tree.get("lang") or tree.get("xml:lang")
    removed.extend(prune_furniture(tree))

    try:
        import trafilatura

        document = trafilatura.bare_extraction(tree, url=url, with_metadata=True,
                                               include_comments=False, include_tables=True)
    except Exception as exc:  # trafilatura raises assorted errors on broken trees
        LOGGER.warning("main-content extraction failed for %s: %s", url or "page", exc)
        document = None
    if document is None or document.body is None:
        text = normalise(tree.text_content()) if tree is not None else ""
        why = ("the page has no visible text (script-only or empty body)" if not text
               else "no main content found on the page")
        return CleanResult(error=why, removed=removed)

    outcome = apply_rules(_body_to_blocks(document.body), remove_cta=remove_cta)
    removed.extend(outcome.removed)
    body = "\n\n".join(block.text for block in outcome.blocks)
    published = document.date[:10] if document.date else outcome.published
    result = CleanResult(
        title=normalise(document.title) if document.title else None,
        author=document.author or outcome.author,
        published=published,
        language=detect_language(body, hint=lang_hint),
        body_text=body,
        removed=removed,
    )
    if not body:
        result.error = "every block of the page is boilerplate; nothing left to check"
    return result


def extract_for_benchmark(html: str) -> str:
    """Body text with every rule on (the product's behaviour): the benchmark's callable."""
    return clean_html(html).body_text


def extract_for_benchmark_keep_cta(html: str) -> str:
    """Body text keeping calls to action (the benchmark's ground truth keeps them)."""
    return clean_html(html, remove_cta=False).body_text
