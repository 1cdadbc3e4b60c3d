"""HTML pages → :class:`CleanResult`.

1. *Metadata* (title, author, date) is read from the untouched page (:mod:`.metadata`).
2. *Summary boxes* ("Key takeaways") are lifted out, to be put back around the body.
3. *Page furniture* that health-site templates mark up recognisably (related-posts plugins,
   share bars, newsletter boxes, booking widgets, author boxes, cookie banners, hidden
   elements; :data:`factcheck.clean.rules.BOILERPLATE_CLASS_TOKENS`) is pruned and recorded.
4. The *main content* is extracted by trafilatura (a proven generic extractor): its recall
   pass, and its full pass (with readability and jusText) where the first finds far less than
   the page's running text; headings and lists it drops are recovered.
5. *Gaps are filled* (:func:`_fill_gaps`): paragraphs of the page that trafilatura skipped inside
   the article or in its lead, in markup its rules do not recognise, are put back.
6. The *text rules* of :mod:`factcheck.clean.engine` run on the extracted paragraphs: calls
   to action, teasers, date and byline lines, disclaimers that sit inside the content.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import re
from functools import lru_cache

import lxml.html
from lxml import etree

from . import rules
from .engine import Block, apply_rules, normalise
from .language import detect_language
from .metadata import read_metadata
from .limits import (MAX_BLOCKS, MAX_ELEMENTS, MAX_EXTRACTED_ELEMENTS, MAX_HTML_CHARS, binary_reason,
                     drop_scripts)
from .result import CleanResult, RemovedBlock

LOGGER = logging.getLogger(__name__)

_SPLIT_CLASS = re.compile(r"[-_]+")
_CLASS_NAMES: dict[str, str] = {}   # compound tokens ('related-posts'): match whole or as a run of parts
_CLASS_WORDS: dict[str, str] = {}   # single words ('share'): match one part of a class name
for _kind, _tokens in rules.BOILERPLATE_CLASS_TOKENS.items():
    for _token in _tokens:
        _token = _SPLIT_CLASS.sub("-", _token)   # 'crp_related' and 'crp-related' alike
        (_CLASS_NAMES if "-" in _token else _CLASS_WORDS).setdefault(_token, _kind)

# Containers of the article itself (a class name ending in one of these): never pruned,
# whatever else their class says. 'blog-post__tags' is a part of the post, not the post.
_CONTENT_MARKERS = re.compile(r"(?:^|-)(?:entry-content|post-content|article-body|articlebody|"
                              r"post-body|blog-post|main-content|story-body|article-content)$")
_MAX_PRUNE_SHARE = 0.4

_BOX_TOKENS = frozenset(rules.CONTENT_BOX_TOKENS)
# Cheap pre-test: the first part of some token must stand as a part of a class name.
_FIRST_PARTS = frozenset(token.split("-")[0] for token in
                         set(_CLASS_NAMES) | set(_CLASS_WORDS) | _BOX_TOKENS)
_PARTS = re.compile(r"[\s-]+")
_BOX_FIRST_PARTS = frozenset(token.split("-")[0] for token in _BOX_TOKENS)

_MAX_TOKEN_PARTS = max(len(token.split("-")) for token in
                       set(_CLASS_NAMES) | set(_CLASS_WORDS) | _BOX_TOKENS)
_CANDIDATES = etree.XPath(   # one walk of the tree (a union of paths walks it once per path)
    "//*[@class or @id or @role or @hidden or @aria-hidden or @style or "
    + " or ".join(f"self::{tag}" for tag in rules.BOILERPLATE_TAGS) + "]")


_CONTAINS_CONTENT = etree.XPath(".//main | .//h1")
_COUNT_ARTICLES = etree.XPath("count(.//article)")


def _text_length(element: etree._Element) -> int:
    """Characters of text in an element, white space excluded (scripts and styles are
    stripped from the tree beforehand)."""
    text = etree.tostring(element, method="text", encoding=str, with_tail=False)
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\r")


def _prose_chars(element: etree._Element) -> int:
    """Characters (white space excluded) of the element's running-text paragraphs: ``<p>``
    of at least :data:`rules.PROSE_MIN_PARAGRAPH` characters, less than a third of them in
    links. Teasers, menus and link lists have little of it; article text has most of its
    words there."""
    total = 0
    for paragraph in element.iter("p"):
        size = _text_length(paragraph)
        if size >= rules.PROSE_MIN_PARAGRAPH and \
                3 * sum(_text_length(link) for link in paragraph.iter("a")) < size:
            total += size
    return total


def _visible_text(element: etree._Element) -> str:
    return normalise(etree.tostring(element, method="text", encoding=str, with_tail=False))


@lru_cache(maxsize=65536)
def _classify_name(name: str) -> tuple | None:
    """What one class or id token (lower-cased, ``_`` as ``-``) says, cached per token (pages
    share tokens far more than whole class strings): (box reason or None, exact kind or None,
    best (rank, kind, reason) of its runs or None, whether a run matched); None when it says
    nothing."""
    parts = name.split("-")
    if _FIRST_PARTS.isdisjoint(parts):
        return None
    box = None
    if not _BOX_FIRST_PARTS.isdisjoint(parts) and any(run in _BOX_TOKENS for run in _runs(parts)):
        box = f"class '{name}' marks a summary box of the article"
    if name in _CLASS_NAMES or name in _CLASS_WORDS:
        return box, _CLASS_NAMES.get(name) or _CLASS_WORDS[name], None, False
    best: tuple[int, str, str] | None = None   # (rank, kind, reason); lower rank wins
    matched = False
    for run in _runs(parts):
        if run in _CLASS_NAMES:
            matched = True
            candidate = (0, _CLASS_NAMES[run], f"class/id '{name}' contains '{run}'")
            best = min(best or candidate, candidate)
        elif run in _CLASS_WORDS:
            matched = True
            if run in rules.BUILDER_LAYOUT_WORDS and rules.BUILDER_PREFIX.match(name):
                continue   # a page builder's layout box, not a sidebar widget
            rank = 2 if run in rules.GENERIC_CLASS_WORDS else 1
            candidate = (rank, _CLASS_WORDS[run], f"class/id '{name}' contains '{run}'")
            best = min(best or candidate, candidate)
    return box, None, best, matched


@lru_cache(maxsize=8192)
def _classify_names(attrs: str) -> tuple[str, str] | None:
    """(kind, reason) for a class-and-id string; ('content', ...) for the article's own
    container and ('content_box', ...) for a summary box that belongs to it; None when no
    token matches. Cached: templates repeat the same class strings."""
    lowered = _SPLIT_CLASS.sub("-", attrs.lower())
    if _FIRST_PARTS.isdisjoint(_PARTS.split(lowered)):
        return None
    names = lowered.split()
    said = [_classify_name(name) for name in names]
    for verdict in said:
        if verdict is not None and verdict[0] is not None:
            return "content_box", verdict[0]
    exact: tuple[str, str] | None = None
    best: tuple[int, str, str] | None = None
    matched = False
    for name, verdict in zip(names, said):
        if verdict is None:
            continue
        _box, kind, candidate, hit = verdict
        if kind is not None:
            exact = exact or (kind, f"class/id '{name}' ({kind} widget)")
            continue
        matched = matched or hit
        if candidate is not None:
            best = min(best or candidate, candidate)
    if (exact or matched) and any(_CONTENT_MARKERS.search(name) for name in names):
        return "content", "article container"
    if exact:
        return exact
    if best is None:
        return None
    return best[1], f"{best[2]} ({best[1]} widget)"


def _runs(parts: list[str]):
    """Every run of one to :data:`_MAX_TOKEN_PARTS` consecutive parts of a class name, joined,
    that starts with the first part of some token (no other run can be a token)."""
    n = len(parts)
    for i, part in enumerate(parts):
        if part not in _FIRST_PARTS:
            continue
        yield part
        for j in range(i + 2, min(i + _MAX_TOKEN_PARTS, n) + 1):
            yield "-".join(parts[i:j])


def _classify_element(element: etree._Element) -> tuple[str, str] | None:
    """(kind, reason) when the element is page furniture by its class or id, its tag, its
    ARIA role, or because the page hides it. Class and id come first: they say more
    ('entry-footer' is a category footer, not the site footer)."""
    get = element.get
    verdict = _classify_names(f"{get('class', '')} {get('id', '')}")
    if verdict is not None:
        return None if verdict[0] == "content" else verdict
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in rules.BOILERPLATE_TAGS:
        return rules.BOILERPLATE_TAGS[tag], f"<{tag}> element"
    role = get("role")
    if role in ("navigation", "complementary", "contentinfo"):
        return ("navigation" if role == "navigation" else "sidebar"), f"role={role}"
    style = (get("style") or "").replace(" ", "").lower()
    if get("hidden") is not None or get("aria-hidden") == "true" \
            or "display:none" in style or "visibility:hidden" in style:
        return "hidden", "hidden from readers (display:none, hidden or aria-hidden)"
    return None


def _audit_text(element: etree._Element) -> str:
    """The removed element's text for the audit trail, words kept apart."""
    return normalise(" ".join(element.itertext()))[:2000]


def _main_paragraph_block(root: etree._Element) -> etree._Element | None:
    """The element whose child paragraphs hold the most text: the article body on almost
    every page, and so never pruned, nor any of its ancestors."""
    weights: dict[etree._Element, int] = {}
    for paragraph in root.iter("p"):
        parent = paragraph.getparent()
        if parent is not None:
            weights[parent] = weights.get(parent, 0) + len(paragraph.text or "")
    if not weights:
        return None
    best = max(weights, key=weights.__getitem__)
    return best if weights[best] >= 200 else None


_NOT_A_BOX = frozenset({"html", "body", "header", "footer", "nav", "aside", "main", "article", "form"})
_MAX_BOX_CHARS = 2000
_BOX_PARTS = etree.XPath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6|.//li|.//p[not(ancestor::li)]")


def _lift_boxes(boxes: list[etree._Element], main: etree._Element | None,
                tree: etree._Element) -> tuple[list[Block], list[Block]]:
    """Take 'key takeaways' style summary boxes (:data:`rules.CONTENT_BOX_TOKENS`) out of the
    tree and return their blocks, split into those that stand before and after the article's
    main paragraph block. Extractors often drop these boxes because they sit beside the body
    container, yet they carry the article's main claims."""
    before: list[Block] = []
    after: list[Block] = []
    for box in boxes:
        if box.tag in _NOT_A_BOX or _text_length(box) > _MAX_BOX_CHARS:
            continue  # a summary box is short; a long one is a layout wrapper with a stray name
        if main is not None and (box in main.iterancestors() or main in box.iterancestors()):
            continue
        parts = _BOX_PARTS(box)
        blocks = [Block(normalise(part.text_content()),
                        "h" if part.tag.startswith("h") else "li" if part.tag == "li" else "p")
                  for part in parts] or [Block(normalise(box.text_content()))]
        (before if main is not None and _precedes(box, main, tree) else after).extend(
            b for b in blocks if b.text)
        parent = box.getparent()
        if parent is not None:
            parent.remove(box)
    return before, after


def _precedes(first: etree._Element, second: etree._Element, tree: etree._Element) -> bool:
    """Whether ``first`` comes before ``second`` in document order (source lines first; a walk
    of the tree only when both stand on one line)."""
    a, b = first.sourceline or 0, second.sourceline or 0
    if a != b:
        return a < b
    for element in tree.iter():
        if element is first:
            return True
        if element is second:
            return False
    return False


def _prune(tree: etree._Element) -> tuple[list[tuple[int, RemovedBlock]],
                                          tuple[list[Block], list[Block]]]:
    """Remove page furniture from ``tree`` in place and lift its summary boxes out; return
    the (source line, removed block) pairs and the boxes' blocks before and after the body.

    Guards against removing the article: the block holding most of the page's paragraph
    text and its ancestors stay, and so does an element holding the ``<main>``, the ``<h1>``,
    a single ``<article>``, or more than 40 % of the page's text (themes put tokens such as
    'content-sidebar' on the main wrapper, and ASP.NET wraps whole pages in a ``<form>``).
    """
    body = tree.find(".//body")
    root = body if body is not None else tree
    total = _text_length(root) or 1
    main_block = _main_paragraph_block(root)
    protected = set(main_block.iterancestors()) | {main_block} if main_block is not None else set()
    removed: list[tuple[int, RemovedBlock]] = []
    boxes: list[etree._Element] = []
    chosen: list[etree._Element] = []
    chosen_set: set[etree._Element] = set()
    for element in _CANDIDATES(root):
        if element.tag in ("html", "body", "article", "main") or element in protected:
            continue
        verdict = _classify_element(element)
        if verdict is None:
            continue
        if any(ancestor in chosen_set for ancestor in element.iterancestors()):
            continue
        if verdict[0] == "content_box":
            boxes.append(element)
            continue
        if _CONTAINS_CONTENT(element) or _COUNT_ARTICLES(element) == 1:
            continue  # wraps the article (a list of several <article> cards is a teaser list)
        length = _text_length(element)
        if length / total > _MAX_PRUNE_SHARE:
            continue
        if verdict[0] in rules.PROSE_GUARDED_KINDS and _prose_chars(element) >= rules.PROSE_GUARD_CHARS:
            continue  # paragraphs of running text: article prose in a wrapper with a stray name
        chosen.append(element)
        chosen_set.add(element)
        text = _audit_text(element) if length else ""
        if _WORD.search(text):
            kind, reason = verdict
            removed.append((element.sourceline or 0, RemovedBlock(kind, text, f"html: {reason}")))
    lifted = _lift_boxes([b for b in boxes if not any(a in chosen_set for a in b.iterancestors())],
                         main_block, root)
    for element in chosen:
        parent = element.getparent()
        if parent is None:
            continue
        tail = element.tail
        previous = element.getprevious()
        parent.remove(element)
        if tail and tail.strip():
            if previous is not None:
                previous.tail = (previous.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
    return removed, lifted


def _parse(html: str) -> tuple[etree._Element | None, str | None]:
    """Parse with libxml2's HTML parser (forgiving, and bounded: it stops descending at 256
    levels of nesting). Returns the tree and a note when libxml2 gave up on part of the page."""
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=False,
                                  no_network=True)
    tree = None
    for data in (html, html.encode("utf-8", "replace")):
        try:
            tree = lxml.html.document_fromstring(data, parser=parser)
            break
        except (etree.ParserError, ValueError) as exc:
            note = str(exc) or type(exc).__name__
    else:
        return None, note
    depth = [e for e in parser.error_log if "depth" in e.message.lower()]
    note = (f"elements nested deeper than libxml2's limit; the parser stopped at line "
            f"{depth[0].line}") if depth else None
    return tree, note


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


def _drop_title(blocks: list[Block], title: str | None) -> tuple[list[Block], list[RemovedBlock]]:
    """Take the headline out of the body when it repeats the page title (it is kept in
    ``CleanResult.title``); only the first few blocks are looked at."""
    if not title:
        return blocks, []
    wanted = {_key(title)}
    for separator in (" | ", " - ", " – ", " — ", " :: "):
        if separator in title:
            wanted.add(_key(title.split(separator)[0]))
    for i, block in enumerate(blocks[:4]):
        if _key(block.text) in wanted:
            return blocks[:i] + blocks[i + 1:], [
                RemovedBlock("title", block.text, "title: the headline repeats the page title, "
                                                  "which is kept in the title field")]
    return blocks, []


def _in_page_order(html: str, pruned: list[tuple[int, RemovedBlock]],
                   from_text: list[RemovedBlock]) -> list[RemovedBlock]:
    """Merge the pruned elements (with their source lines) and the blocks the text rules
    removed into the order they stand in the page: each text block is placed at the line
    where its opening words occur in the HTML (or after the previous one when not found)."""
    located: list[tuple[int, int, RemovedBlock]] = [(line, i, b) for i, (line, b) in enumerate(pruned)]
    body_at = max(html.find("<body"), html.find("<BODY"), 0)
    line, start = html.count("\n", 0, body_at) + 1, body_at
    for i, block in enumerate(from_text, start=len(pruned)):
        for probe in (block.text[:40], block.text[:15]):
            at = html.find(probe, start) if probe else -1
            if at >= 0:   # further down: count only the new lines in between
                line, start = line + html.count("\n", start, at), at
                break
            at = html.find(probe, body_at) if probe else -1
            if at >= 0:
                line, start = html.count("\n", 0, at) + 1, at
                break
        located.append((line, i, block))
    return [block for _line, _i, block in sorted(located, key=lambda t: (t[0], t[1]))]


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


_DECLARED_BODY = etree.XPath("//*[@itemprop='articleBody']")


def _chars(text: str | None) -> int:
    """Characters other than white space."""
    return len("".join((text or "").split()))


def _declared_body_chars(tree: etree._Element) -> int:
    """Text size of the page's schema.org ``articleBody``, when it declares one: a cue that
    the first pass missed part of the article when it extracted much less than that."""
    bodies = _DECLARED_BODY(tree)
    return max((_text_length(body) for body in bodies), default=0)


def _extract(tree: etree._Element, url: str | None, mode: str):
    """One trafilatura pass over the pruned tree: ``recall`` (its recall-oriented rules, no
    fallback extractors: the first pass) or ``full`` (its balanced rules compared with its
    fallback extractors, readability and jusText: slower, and the one that finds articles in
    markup its own rules miss)."""
    import trafilatura

    options = {"recall": {"favor_recall": True, "fast": True}, "full": {"fast": False}}[mode]
    return trafilatura.bare_extraction(tree, url=url, include_comments=False,
                                       include_tables=True, **options)


_WORD = re.compile(r"\w")
_HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_LIST_TAGS = frozenset({"ul", "ol"})


def _lost_structure(document, tree: etree._Element) -> etree._Element | None:
    """When the extraction holds no heading (or no list) but the page's main paragraph block
    has headings (lists) as children, return that block, to be marked as the article body and
    extracted again: on markup it does not recognise (Webflow rich text, for one) trafilatura
    recovers bare paragraphs only."""
    if document is None or document.body is None:
        return None
    has_head = document.body.find(".//head") is not None
    has_list = document.body.find(".//list") is not None
    if has_head and has_list:
        return None
    if tree.find(".//*[@itemprop='articleBody']") is not None:
        return None
    main = _main_paragraph_block(tree)
    if main is None:
        return None
    tags = {child.tag for child in main}
    if (not has_head and tags & _HEADING_TAGS) or (not has_list and tags & _LIST_TAGS):
        return main
    return None


_BLOCKS_IN_HEADINGS = etree.XPath("(//h1|//h2|//h3|//h4|//h5|//h6)[.//div or .//p]")


def _unwrap_blocks_in_headings(tree: etree._Element) -> None:
    """Unwrap ``<div>``/``<p>`` inside headings (invalid HTML that page builders emit, such as
    spacer divs in ``<h2>``): trafilatura drops such headings whole."""
    for heading in _BLOCKS_IN_HEADINGS(tree):
        etree.strip_tags(heading, "div", "p")


def _extract_main(tree: etree._Element, url: str | None, n_elements: int = 0):
    """trafilatura's recall pass, then its full pass (with its fallback extractors) where the
    first finds almost nothing, much less than the page's running text, or much less than
    the page's declared ``articleBody``; None when every pass fails."""
    try:
        mode = "recall"
        document = _extract(tree, url, mode)
        found = _chars(document.text) if document is not None else 0
        body = tree.find(".//body")
        body = body if body is not None else tree
        declared = _declared_body_chars(tree)
        # the page's text bounds its running text: count the latter only when it could matter
        short = found < rules.RESCUE_PROSE_SHARE * _text_length(body) \
            and found < rules.RESCUE_PROSE_SHARE * _prose_chars(body)
        wanted = found < rules.RESCUE_MIN_CHARS or short \
            or (declared and found < rules.RESCUE_DECLARED_SHARE * declared)
        if wanted and n_elements <= rules.RESCUE_MAX_ELEMENTS:
            fallback = _extract(tree, url, "full")
            if fallback is not None and _chars(fallback.text) > rules.RESCUE_GAIN * found:
                document, mode, found = fallback, "full", _chars(fallback.text)
        container = _lost_structure(document, tree)
        if container is not None:
            container.set("itemprop", "articleBody")
            again = _extract(tree, url, mode)
            if again is not None and _chars(again.text) >= 0.9 * found:
                document = again
        return document
    except Exception as exc:  # trafilatura raises assorted errors on broken trees
        LOGGER.warning("main-content extraction failed for %s: %s", url or "page", exc)
        return None


_GAP_BLOCK_TAGS = ("p", "li", "h2", "h3", "h4", "h5", "h6", "figcaption", "td", "th", "dd",
                   "dt", "blockquote", "div", "section")
_GAP_ROLES = {"h2": "h", "h3": "h", "h4": "h", "h5": "h", "h6": "h", "li": "li", "td": "table",
              "th": "table", "blockquote": "quote"}
_GAP_BLOCKS = frozenset(_GAP_BLOCK_TAGS) | {"ul", "ol", "table", "h1"}


def _leaf_blocks(tree: etree._Element) -> tuple[list[etree._Element], list[int], list[etree._Element]]:
    """Block-level elements of the body holding no other block-level element (an ``<h1>``
    included), in document order: the page's paragraphs, whatever their markup (a ``<div>``
    of bare text is one); for each, the number of ``<h1>`` before it; and the ``<h1>``s."""
    body = tree.find(".//body")
    if body is None:
        return [], [], []
    blocks, inner, headings, h1s = [], set(), [], []
    for element in body.iter(*_GAP_BLOCKS):
        if element.tag == "h1":
            h1s.append(element)
        else:
            blocks.append(element)
            headings.append(len(h1s))
        for ancestor in element.iterancestors():
            if ancestor in inner:
                break
            inner.add(ancestor)
    keep = [i for i, b in enumerate(blocks) if b not in inner and b.tag in _GAP_BLOCK_TAGS]
    return [blocks[i] for i in keep], [headings[i] for i in keep], h1s


#: Characters that one copy of a text has and another lacks: soft hyphens, zero-width spaces
#: and joiners, byte-order marks.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def _visible(text: str) -> str:
    return text if text.isascii() else _INVISIBLE.sub("", text)


def _squash(text: str) -> str:
    """Text without white space and invisible characters, lower-cased: how a page block is
    found in trafilatura's output, whose line breaks and spacing differ from the page's."""
    return "".join(_visible(text).lower().split())


_LETTERS = re.compile(r"[^\W\d_]{3,}")


def _kept_in_part(key: str, kept: str) -> bool:
    """Whether a page block (squashed) is one trafilatura kept in another form (an inline
    part, such as a button, dropped): :data:`rules.GAP_DUPLICATE_SHARE` of its quarters or
    more are in the kept text; a block too short for quarters of 12 characters, only when
    it is there whole."""
    if len(key) < 48:
        return key in kept
    quarter = len(key) // 4
    parts = [key[i:i + quarter] for i in range(0, quarter * 4, quarter)]
    return sum(1 for part in parts if part in kept) >= rules.GAP_DUPLICATE_SHARE * len(parts)


def _class_tokens(node: etree._Element) -> str:
    """The element's class and id tokens, state classes (``has-post-thumbnail``) left out."""
    tokens = f"{node.get('class') or ''} {node.get('id') or ''}".lower().split()
    return " ".join(t for t in tokens if not t.startswith(rules.GAP_STATE_CLASS_PREFIXES))


_MEDIA_WORDS = re.compile("|".join(rules.GAP_MEDIA_WORDS))


def _in_media(element: etree._Element) -> bool:
    """Whether a page block is a caption or sits in a figure, a link, or an element named for
    media furniture (:data:`rules.GAP_MEDIA_WORDS`) at most four levels up."""
    for depth, node in enumerate((element, *element.iterancestors())):
        if node.tag in ("figure", "figcaption", "a"):
            return True
        if depth <= 4 and _MEDIA_WORDS.search(_class_tokens(node)):
            return True
    return False


_HEADER_WORDS = re.compile("|".join(rules.GAP_HEADER_WORDS))


def _in_page_header(element: etree._Element) -> bool:
    """Whether a page block sits in the page's header: a ``<header>``, or an element at most
    :data:`rules.GAP_HEADER_DEPTH` levels up (``<body>`` aside) whose class or id holds one of
    :data:`rules.GAP_HEADER_WORDS`."""
    for depth, node in enumerate(element.iterancestors()):
        if node.tag in ("body", "html"):
            return False
        if node.tag == "header" or (depth < rules.GAP_HEADER_DEPTH
                                    and _HEADER_WORDS.search(_class_tokens(node))):
            return True
    return False


def _is_stamp(text: str) -> bool:
    """A time stamp line (:data:`rules.STAMP_LINE`), not prose that mentions a date."""
    if not rules.STAMP_LINE.search(text):
        return False
    prose = [w for w in _LETTERS.findall(text) if w.lower() not in rules.STAMP_WORDS]
    return len(prose) <= rules.STAMP_MAX_PROSE_WORDS


_SITE_NAMES = etree.XPath("//meta[@property='og:site_name' or @name='application-name']/@content")
_HOME = re.compile(r"(?:https?:)?//[^/]+/?")


def _is_headline(h1: etree._Element, tree: etree._Element) -> bool:
    """Whether an ``<h1>`` is the article's headline, not the site's logo: a logo is a link to
    the site's home page (``/`` or the bare host), an image without text, or the site's name
    (``og:site_name``)."""
    text = " ".join(h1.text_content().split()).lower()
    if not text and h1.find(".//img") is not None:
        return False
    for link in (*h1.iter("a"), *(a for a in h1.iterancestors() if a.tag == "a")):
        href = (link.get("href") or "").strip()     # <a name="top"> has none: not a logo
        if href == "/" or _HOME.fullmatch(href):
            return False
    return text not in {" ".join(str(n).split()).lower() for n in _SITE_NAMES(tree)}


#: Characters after the point reached in trafilatura's output within which a short page block
#: (a heading, a list item) is looked for, as a whole kept block: it is found there or not at all.
_NEAR = 200
_ELSEWHERE = -2


def _fill_gaps(tree: etree._Element, blocks: list[Block]) -> tuple[list[Block], int]:
    """Put back the paragraphs that trafilatura skipped inside the article and in its lead;
    returns the blocks and how many were put back.

    trafilatura drops running text in markup its rules do not recognise (a ``<div>`` of bare
    text, an alert box, a product card, a table cell, an intro outside the body container).
    The page's leaf blocks (:func:`_leaf_blocks`, after pruning: widgets pruned are gone) are
    found, in page order, in its output (white space aside), each only where it stands: the
    next kept text, or whole kept blocks further on (a pull quote moves nothing); those of
    :data:`rules.GAP_ANCHOR_CHARS` or more anchor the article's span. A leaf it did not keep is
    put back, after the kept block that holds the end of the last leaf found before it, when it
    lies between the first and the last anchor, or in the lead (after the ``<h1>`` before the
    first anchor, when that is the headline: :func:`_is_headline`; there not a heading, nor
    inside the page header: :func:`_in_page_header`), and it reads as article text:
    :data:`rules.GAP_MIN_WORDS` words or more, under a third of it in links, not a time stamp
    (:func:`_is_stamp`), no photo credit (:data:`rules.PHOTO_CREDIT`), not in a figure, a link
    or media furniture (:func:`_in_media`), not a kept block in another form (an inline part
    dropped: :func:`_kept_in_part`), and not a repeat of a block put back. What comes back is
    judged by the text rules like any other paragraph. Pages of more than
    :data:`rules.GAP_MAX_LEAVES` leaf blocks or :data:`rules.GAP_MAX_CHARS` characters kept are
    left as they are (the bound of the work)."""
    if len(blocks) < 2:
        return blocks, 0
    squashed = [_squash(b.text) for b in blocks]
    kept = "".join(squashed)
    if len(kept) > rules.GAP_MAX_CHARS:
        return blocks, 0
    ends = list(itertools.accumulate(len(part) for part in squashed))   # block i ends at ends[i]
    leaves, headings, h1s = _leaf_blocks(tree)
    if len(leaves) > rules.GAP_MAX_LEAVES:
        return blocks, 0
    # per leaf: the kept block holding its end (None: not kept; _ELSEWHERE: kept, but not here),
    # whether it anchors, and where it starts in the kept text
    starts, block_ends = {0, *ends[:-1]}, set(ends)
    owner: list[int | None] = []
    anchor: list[bool] = []
    where: list[int] = []
    texts: list[str] = []
    cursor = 0
    for leaf in leaves:
        text = etree.tostring(leaf, method="text", encoding=str, with_tail=False)
        texts.append(text)
        key = _squash(text)
        long = len(key) >= rules.GAP_ANCHOR_CHARS
        if long:    # the next kept text, or whole kept blocks further on (one skipped between)
            at = kept.find(key, cursor)
            here = at >= 0 and (at == cursor or (at in starts and at + len(key) in block_ends))
        else:       # a short block only as a whole kept block just after the point reached
            at = kept.find(key, cursor, cursor + len(key) + _NEAR) if key else -1
            here = at >= 0 and at in starts and at + len(key) in block_ends
        if here:
            cursor = at + len(key)
            owner.append(bisect.bisect_right(ends, cursor - 1))
        else:       # kept elsewhere (a pull quote of a kept paragraph, out of page order)
            owner.append(_ELSEWHERE if long and key in kept else None)
        anchor.append(here and long)
        where.append(at)
    anchors = [i for i, a in enumerate(anchor) if a]
    if len(anchors) < 2:
        return blocks, 0
    first = anchors[0]
    start = first
    if headings[first] and _is_headline(h1s[headings[first] - 1], tree):
        while start > 0 and headings[start - 1] == headings[first]:
            start -= 1
    inserts: dict[int, list[Block]] = {}
    seen: set[str] = set()
    # the lead goes before the block where the first anchor starts
    last = bisect.bisect_right(ends, where[first]) - 1
    for i in range(start, anchors[-1]):
        if owner[i] is not None:
            last = max(last, owner[i])     # _ELSEWHERE (-2) moves nothing
            continue
        text, leaf = normalise(texts[i]), leaves[i]
        if len(text.split()) < rules.GAP_MIN_WORDS or _is_stamp(text) or \
                (i < first and (_GAP_ROLES.get(leaf.tag) == "h" or _in_page_header(leaf))):
            continue
        links = sum(len(normalise(a.text_content())) for a in leaf.iter("a"))
        key = _squash(text)
        if 3 * links >= len(text) or key in seen or rules.PHOTO_CREDIT.search(text) \
                or _in_media(leaf):
            continue
        if _kept_in_part(key, kept):
            continue
        seen.add(key)
        inserts.setdefault(last, []).append(Block(text, _GAP_ROLES.get(leaf.tag, "p")))
    if not inserts:
        return blocks, 0
    out: list[Block] = list(inserts.get(-1, ()))
    for i, b in enumerate(blocks):
        out.append(b)
        out.extend(inserts.get(i, ()))
    return out, sum(len(v) for v in inserts.values())


#: The elements of a page's body that count towards :data:`MAX_EXTRACTED_ELEMENTS`: an SVG
#: drawing (an icon sprite can hold thousands of paths) is one element, not its parts.
_COUNTED = ".//*[not(ancestor::*[local-name()='svg'])]"


def _cut_body(tree: etree._Element, n: int) -> int:
    """Cut the page's body (the whole tree without one) after its ``n``-th counted element
    (:data:`_COUNTED`, in document order) with :func:`_cut_after`; returns how many counted
    elements were over ``n`` (0: nothing cut). Scripts and styles are stripped before, and
    the head is not counted, so padding there cannot push the article out."""
    body = tree.find(".//body")
    body = body if body is not None else tree
    counted = int(body.xpath(f"count({_COUNTED})"))     # counted in C
    if counted <= n:
        return 0
    _cut_after(body.xpath(f"({_COUNTED})[{int(n)}]")[0])
    return counted - n


def _cut_after(last: etree._Element) -> None:
    """Remove everything after ``last`` in document order: its children, then the following
    siblings of it and of each of its ancestors (with their tails). The text and tail of
    ``last`` and the tails of its ancestors stay."""
    for child in list(last):
        last.remove(child)
    node = last
    while node is not None:
        parent = node.getparent()
        if parent is None:
            break
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node = parent


def clean_html(html: str, url: str | None = None, remove_cta: bool = True) -> CleanResult:
    """Clean one HTML page: main content, metadata and the audit trail of removed blocks.

    Recall first (a sentence lost here is a claim never checked): trafilatura runs its
    recall-oriented rules without its fallback extractors, and its full pass (balanced rules
    compared with readability and jusText) where that finds almost nothing, less than
    :data:`rules.RESCUE_PROSE_SHARE` of the page's running text, or much less than the
    page's schema.org ``articleBody``; paragraphs it skipped inside the article and in its
    lead are put back (:func:`_fill_gaps`); our own pruning and text rules then take out what
    the recall pass lets through.

    Never raises: empty, binary, unparseable and script-only pages return an empty body with
    ``error`` saying why. Pages over :data:`MAX_HTML_CHARS` are cut there, bodies of over
    :data:`MAX_EXTRACTED_ELEMENTS` elements after that many, and pages of over
    :data:`MAX_ELEMENTS` elements refused (each recorded).
    """
    if isinstance(html, bytes):  # callers should decode (factcheck.ingest.decode); be lenient
        html = html.decode("utf-8", errors="replace")
    if html is None or not html.strip():
        return CleanResult(error="the page is empty")
    if reason := binary_reason(html):
        return CleanResult(error=f"the page looks binary ({reason}), not HTML")
    removed: list[RemovedBlock] = []
    if len(html) > MAX_HTML_CHARS:
        html = drop_scripts(html)
    if len(html) > MAX_HTML_CHARS:
        removed.append(RemovedBlock("boilerplate", f"[{len(html) - MAX_HTML_CHARS} characters]",
                                    f"limit: page longer than {MAX_HTML_CHARS} characters "
                                    "(without scripts) cut there"))
        html = html[:MAX_HTML_CHARS]
    tree, parse_warning = _parse(html)
    if tree is None:
        return CleanResult(error=f"the page could not be parsed as HTML ({parse_warning})",
                           removed=removed)
    n_elements = int(tree.xpath("count(//*)"))   # counted in C, without an element proxy each
    if n_elements > MAX_ELEMENTS:
        return CleanResult(error=f"the page has {n_elements} elements (more than {MAX_ELEMENTS}); "
                                 "refused as pathological", removed=removed)
    if parse_warning:
        removed.append(RemovedBlock("boilerplate", "[deeply nested markup]", f"limit: {parse_warning}"))
    lang_hint = tree.get("lang") or tree.get("xml:lang")

    meta = read_metadata(tree, url)     # from the whole page: JSON-LD often closes the body
    etree.strip_elements(tree, "script", "style", "noscript", "template", with_tail=False)
    if n_elements > MAX_EXTRACTED_ELEMENTS:
        over = _cut_body(tree, MAX_EXTRACTED_ELEMENTS)
        if over:
            removed.append(RemovedBlock(
                "boilerplate", f"[{over} elements]",
                f"limit: more than {MAX_EXTRACTED_ELEMENTS} elements in the page's body; it is cut "
                f"after its {MAX_EXTRACTED_ELEMENTS}th (SVG drawings not counted)"))
    pruned, (boxes_before, boxes_after) = _prune(tree)
    _unwrap_blocks_in_headings(tree)
    # the count before any cut: a page cut here (over rules.RESCUE_MAX_ELEMENTS, the same
    # 20,000) never gets trafilatura's slow full pass
    document = _extract_main(tree, url, n_elements)
    if document is None or document.body is None:
        text = _visible_text(tree)
        if parse_warning and not text:
            why = f"no text could be read from the page: {parse_warning}"
        elif not text:
            why = "the page has no visible text (script-only or empty body)"
        else:
            why = "no main content found on the page"
        return CleanResult(error=why, removed=[b for _line, b in pruned] + removed)

    title = normalise(meta.title) if meta.title else None
    blocks = _body_to_blocks(document.body)
    blocks, filled = _fill_gaps(tree, blocks)
    if filled:
        LOGGER.debug("%s: %d paragraphs trafilatura skipped put back", url or "page", filled)
    if boxes_before or boxes_after:
        extracted = {block.text for block in blocks}
        blocks = ([b for b in boxes_before if b.text not in extracted] + blocks
                  + [b for b in boxes_after if b.text not in extracted])
    if len(blocks) > MAX_BLOCKS:
        removed.append(RemovedBlock("boilerplate", f"[{len(blocks) - MAX_BLOCKS} paragraphs]",
                                    f"limit: more than {MAX_BLOCKS} paragraphs; the rest is cut"))
        blocks = blocks[:MAX_BLOCKS]
    blocks, dropped = _drop_title(blocks, title)
    outcome = apply_rules(blocks, remove_cta=remove_cta)
    removed = _in_page_order(html, pruned, dropped + outcome.removed) + removed
    body = "\n\n".join(block.text for block in outcome.blocks)
    published = meta.published or outcome.published
    author = meta.author or outcome.author
    result = CleanResult(
        title=title,
        author=author,
        published=published,
        language=detect_language(body, hint=lang_hint),
        body_text=body,
        removed=removed,
    )
    if not body:
        result.error = "every block of the page is boilerplate; nothing left to check"
    return result
