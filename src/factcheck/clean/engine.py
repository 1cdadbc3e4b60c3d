"""Applying the health-site rules of :mod:`factcheck.clean.rules` to a sequence of blocks.

Both cleaners (plain text and HTML) reduce an article to an ordered list of :class:`Block`
(a paragraph, heading or list item, as one line of text) and hand it to :func:`apply_rules`,
which keeps the body blocks and returns every removed block with the rule that removed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import rules
from .dates import parse_date
from .result import RemovedBlock

_WS = re.compile(r"\s+")
# Sentence boundary good enough to isolate a call to action: end punctuation, space, and an
# upper-case letter or opening quote. Abbreviations such as "Dr. Smith" may split wrongly;
# that only makes the removed CTA sentence shorter, never removes body text.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9ÄÖÜÉÈÀ])")
_ABBREVIATION = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Prof|St|vs|e\.g|i\.e|etc|approx|No|Fig)\.$", re.I)
_TERMINAL = re.compile(r"[.!:;]['\"”’)]*$")   # a question mark ends many teaser titles


@dataclass
class Block:
    """One paragraph-level unit of an article: ``role`` is 'p', 'h' (heading), 'li' (list
    item), 'quote' or 'table'."""

    text: str
    role: str = "p"


@dataclass
class RuleOutcome:
    blocks: list[Block] = field(default_factory=list)
    removed: list[RemovedBlock] = field(default_factory=list)
    author: str | None = None
    published: str | None = None


def normalise(text: str) -> str:
    """Collapse runs of white space (and non-breaking spaces) into one space."""
    return _WS.sub(" ", text.replace("\u00a0", " ").replace("\u200b", "")).strip()


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences with a light rule (no model): enough to find a
    call to action inside an otherwise useful paragraph."""
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start:match.start()].rstrip()
        if _ABBREVIATION.search(candidate):
            continue
        parts.append(text[start:match.end()])
        start = match.end()
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


def _is_title_like(text: str) -> bool:
    """A teaser title: short, no full stop, colon or exclamation mark at the end."""
    return len(text) <= 160 and not _TERMINAL.search(text) and len(text.split()) <= 22


def _line_rule(text: str) -> rules.Rule | None:
    if len(text) > rules.MAX_LINE_RULE_CHARS:
        return None
    lowered = text.lower()
    for rule in rules.LINE_RULES:
        if rule.matches(text, lowered):
            return rule
    return None


def _paragraph_rule(text: str) -> rules.Rule | None:
    lowered = text.lower()
    for rule in rules.PARAGRAPH_RULES:
        if rule.matches(text, lowered):
            return rule
    return None


def _reason(rule: rules.Rule) -> str:
    return f"{rule.name}: {rule.description}"


def apply_rules(blocks: list[Block], remove_cta: bool = True) -> RuleOutcome:
    """Drop boilerplate blocks and call-to-action sentences; keep everything else in order.

    ``remove_cta=False`` keeps calls to action and clinic promos (used by the benchmark to
    report the figure both ways: its ground truth keeps in-body calls to action).
    Related-post teasers (lines cut off with an ellipsis) are removed only in a run of two or
    more, after a related-posts heading, or at the very end of the article, so a single body
    sentence that trails off with "..." survives.
    """
    out = RuleOutcome()
    decisions: list[tuple[rules.Rule | None, Block]] = []
    in_related = False
    for block in blocks:
        text = normalise(block.text)
        if not text:
            continue
        block = Block(text, block.role)
        rule = _line_rule(text)
        if rule is None and in_related and _is_title_like(text):
            rule = rules.RELATED_HEADING
        if rule is None:
            rule = _paragraph_rule(text)
        in_related = rule is rules.RELATED_HEADING or (in_related and rule is not None
                                                       and rule.kind == "related_posts")
        decisions.append((rule, block))

    # teasers and menu entries: keep a lone one in the middle of the body
    n = len(decisions)
    kept = [i for i, (rule, _) in enumerate(decisions) if rule is None]
    first_kept, last_kept = (kept[0], kept[-1]) if kept else (n, -1)
    for i, (rule, block) in enumerate(decisions):
        if rule not in rules.CONTEXT_RULES:
            continue
        neighbours = [decisions[j][0] for j in (i - 1, i + 1) if 0 <= j < n]
        in_company = any(r is not None and r.kind == rule.kind for r in neighbours)
        at_start, at_end = i < first_kept, i > last_kept
        if not (in_company or (at_end if rule is rules.RELATED_TEASER else at_start)):
            decisions[i] = (None, block)

    for rule, block in decisions:
        if rule is not None and not remove_cta and rule.kind in ("cta", "clinic_promo"):
            rule = None
        if rule is rules.CLINIC_PROMO:
            out.removed.extend(_split_promo(block, rule))
            continue
        if rule is not None:
            out.removed.append(RemovedBlock(rule.kind, block.text, _reason(rule)))
            if rule in (rules.DATE_LINE, rules.BYLINE) and out.published is None:
                out.published = parse_date(block.text)
            if rule is rules.BYLINE and out.author is None and re.match(
                    r"^\s*(?:written\s+|posted\s+)?by\b|^\s*(?:author|autor|auteur)\s*:",
                    block.text, re.I):
                out.author = _author_from_byline(block.text)
            continue
        if block.role != "h":
            kept = _strip_cta_sentences(block, out.removed, remove_cta)
            if kept is None:
                continue
            block = kept
        out.blocks.append(block)
    return out


def _split_promo(block: Block, rule: rules.Rule) -> list[RemovedBlock]:
    """A promo paragraph as removed blocks: its call-to-action sentences as ``cta``, the rest
    under the promo's own kind (analysts count calls to action separately)."""
    sentences = [s.strip() for s in split_sentences(block.text)]
    cta = [s for s in sentences if rules.CTA_SENTENCE.matches(s)]
    rest = " ".join(s for s in sentences if s not in cta)
    blocks = [RemovedBlock(rule.kind, rest, _reason(rule))] if rest else []
    return blocks + [RemovedBlock("cta", s, _reason(rules.CTA_SENTENCE)) for s in cta]


def _author_from_byline(text: str) -> str | None:
    name = re.sub(r"^\s*(?:written\s+|posted\s+)?by\s*:?\s*|^\s*(?:author|autor|auteur)\s*:\s*",
                  "", text, flags=re.I)
    name = re.split(rf"\s*(?:[|·•]|\s-\s|\bon\b|{rules.DATE_PATTERN})", name, maxsplit=1,
                    flags=re.I)[0]
    name = name.strip(" ,.")
    return name or None


def _strip_cta_sentences(block: Block, removed: list[RemovedBlock],
                         remove_cta: bool = True) -> Block | None:
    """Remove call-to-action, social-follow and author-contact sentences from a paragraph;
    a practitioner's promo paragraph that ends in a call to action goes as a whole."""
    lowered = block.text.lower()
    active = [r for r in rules.SENTENCE_RULES
              if (remove_cta or r not in rules.CTA_RULES) and r.may_match(lowered)]
    if not active:
        return block
    sentences = split_sentences(block.text)
    hits: dict[int, rules.Rule] = {}
    for i, sentence in enumerate(sentences):
        for rule in active:
            if rule.matches(sentence.strip()):
                hits[i] = rule
                break
    if not hits:
        return block
    for i in sorted(hits):
        previous = sentences[i - 1].strip() if i > 0 else ""
        if (hits[i] in rules.CTA_RULES and i - 1 not in hits and previous.endswith("?")
                and len(previous) <= 160):
            hits[i - 1] = hits[i]  # the question that leads into a call to action
    if (remove_cta and rules.CTA_SENTENCE in hits.values()
            and rules.SELF_PROMO_OPENERS.matches(block.text, lowered)):
        removed.append(RemovedBlock("author_promo", block.text, _reason(rules.SELF_PROMO_OPENERS)
                                    + "; it ends in a call to action"))
        return None
    for i, rule in sorted(hits.items()):
        removed.append(RemovedBlock(rule.kind, sentences[i].strip(), _reason(rule)))
    keep = [s.strip() for i, s in enumerate(sentences) if i not in hits]
    if not keep:
        return None
    return Block(" ".join(keep), block.role)
