"""Health-site boilerplate rules, as named data.

Every rule belongs to a *group*: a vocabulary of regular expressions with one ``kind`` (what
the removed block is, see :data:`KINDS`), one ``scope`` (how much text a match removes) and
a sentence saying what the group catches. To teach the cleaner a new site's pattern, add a
pattern to the right group below; each group has its own test in ``tests/clean/test_rules.py``.

Scopes:

* ``line``      the whole line/paragraph must match (anchored): short widgets such as
                "Back to Blog", "Share with friends!", "Get Started".
* ``paragraph`` a match anywhere removes the whole paragraph: footers and banners whose
                wording varies around a fixed core ("This article is in the category ...").
* ``sentence``  a match removes only the sentence it occurs in; the rest of the paragraph
                stays (a clinic's "Contact us today ..." at the end of a real paragraph).

HTML pages are also pruned by *class/id tokens* (:data:`BOILERPLATE_CLASS_TOKENS`) before the
main-content extractor runs, and by landmark tags (:data:`BOILERPLATE_TAGS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..rulegroups import alternatives

#: Kinds of removed blocks, with what each means. Stored in the ``removed_blocks`` table.
KINDS: dict[str, str] = {
    "related_posts": "teasers and links to other articles of the site",
    "cta": "a call to action: book, call, contact, get started",
    "clinic_promo": "a clinic or practice advertising its own services",
    "author_promo": "an author or practitioner bio that promotes their services",
    "share": "social sharing prompts and buttons",
    "newsletter": "newsletter / mailing-list sign-up boxes",
    "category_footer": "category, tag and 'filed under' footers",
    "navigation": "menus, breadcrumbs, 'Back to Blog', pagination, icon labels",
    "comments": "comment sections and comment forms",
    "cookie_banner": "cookie and consent banners",
    "date": "a publication or update date line",
    "byline": "author bylines, reviewer credits and reading-time labels",
    "disclaimer": "medical, legal, affiliate and editorial-policy notes repeated on every page",
    "sidebar": "sidebars, widgets, advertisements",
    "header_footer": "site header and footer",
    "boilerplate": "markup debris (timestamps, lone symbols, ad labels) and cuts at size limits",
    "hidden": "elements the page hides from readers (display:none, hidden, aria-hidden)",
    "title": "the headline, moved to the title field instead of repeated in the body",
}


@dataclass(frozen=True)
class Rule:
    """One named group of patterns."""

    name: str
    kind: str
    scope: str           # 'line' | 'paragraph' | 'sentence'
    description: str
    pattern: re.Pattern
    hints: tuple[str, ...] = ()   # lower-case substrings one of which any match contains

    def may_match(self, lowered: str) -> bool:
        """Cheap pre-test on the lower-cased text: False when no match is possible."""
        if not self.hints:
            return True
        for hint in self.hints:   # a plain loop: no generator to set up on every block
            if hint in lowered:
                return True
        return False

    def matches(self, text: str, lowered: str | None = None) -> bool:
        """Whether ``text`` matches (wholly, for line rules); pass ``lowered`` when the
        caller already has the lower-cased text."""
        if not self.may_match(text.lower() if lowered is None else lowered):
            return False
        if self.scope == "line":
            return self.pattern.fullmatch(text) is not None
        return self.pattern.search(text) is not None


def _group(name: str, kind: str, scope: str, description: str, patterns: tuple[str, ...],
           hints: tuple[str, ...] = ()) -> Rule:
    """Compose a group's patterns into one case-insensitive regex; refuse an empty group.

    ``hints`` (optional) are lower-case substrings of which every match contains at least
    one: the regex runs only on text that has one (a large saving on long paragraphs)."""
    body = alternatives(name, patterns)
    if kind not in KINDS:
        raise ValueError(f"rule group {name}: unknown kind {kind}")
    if scope not in ("line", "paragraph", "sentence"):
        raise ValueError(f"rule group {name}: unknown scope {scope}")
    if scope == "line":
        # trailing punctuation, arrows and icon glyphs around short widgets do not matter
        body = rf"[\s\W_]*(?:{body})[\s\W_]*"
    return Rule(name, kind, scope, description, re.compile(body, re.I | re.U), tuple(hints))


_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|"
           r"januar|februar|märz|mai|juni|juli|oktober|dezember|"
           r"janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|"
           r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)")
#: An optional weekday before a date ("Sunday, March 10, 2024").
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
#: A calendar date in the common English, European and ISO spellings.
DATE_PATTERN = (rf"(?:{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
                rf"|\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:de\s+)?{_MONTHS}\.?,?\s+(?:de\s+)?\d{{4}}"
                rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}})")

# --- line rules: the whole line is the widget -------------------------------------------

NAVIGATION = _group(
    "navigation", "navigation", "line",
    "site navigation left in the text: back links, pagination, breadcrumbs, icon alt-texts",
    (
        r"(?:go\s+)?back\s+to\s+(?:the\s+)?(?:blog|articles?|news|all\s+(?:posts|articles)|"
        r"resources|top|home|homepage|overview)",
        r"(?:previous|next|older|newer)\s+(?:post|article|story|entry|page)s?(?:\s*:.*)?",
        r"(?:read|see|view|load)\s+(?:more|all)(?:\s+(?:posts|articles|stories|news))?",
        r"continue\s+reading.{0,80}",
        r"skip\s+to\s+(?:main\s+)?(?:content|navigation)",
        r"(?:home|start)\s*[›»>/|]\s*.{0,150}",                 # breadcrumbs
        r"[\w .&-]{0,40}\b(?:arrow|chevron|caret)[\s_-]+(?:right|left|up|down)"
        r"(?:[\s_-]+(?:button|icon|link))?",                    # icon alt-texts
        r"page\s+\d+\s+of\s+\d+",
        r"(?:menu|search|close|toggle\s+navigation|open\s+menu)",
        r"zurück\s+zum\s+blog|retour\s+au\s+blog|volver\s+al\s+blog",
    ),
)

SHARE = _group(
    "share", "share", "line",
    "social sharing prompts and lists of network names",
    (
        r"share(?:\s+(?:this|it|with\s+(?:your\s+)?friends|on\s+\w+|via\s+\w+|the\s+love))?"
        r"(?:\s+(?:article|post|story|page))?",
        r"(?:tweet|pin|email|print|copy\s+link)(?:\s+(?:it|this))?",
        r"(?:(?:facebook|twitter|x|linkedin|pinterest|whatsapp|reddit|email|e-mail|print|"
        r"telegram|copy\s+link)[\s,|·•/]*){2,}",
        r"(?:teilen|partager|compartir|condividi)(?:\s+\w+){0,3}",
        r"(?:if\s+you\s+(?:liked|enjoyed)\s+this.{0,60},\s*)?please\s+share.{0,80}",
    ),
)

CTA_LINE = _group(
    "cta_line", "cta", "line",
    "short call-to-action buttons and banners standing on their own line",
    (
        r"get\s+started(?:\s+(?:today|now|here))?",
        r"start\s+(?:the|your)\s+journey(?:\s+(?:today|now))?",
        r"take\s+the\s+first\s+step.{0,80}",
        r"(?:book|schedule|request|make)\s+(?:an?\s+|your\s+)?(?:free\s+|online\s+)?"
        r"(?:appointment|consultation|consult|visit|session|call)(?:\s+(?:today|now|online))?",
        r"book\s+(?:now|online|today)",
        r"(?:call|contact)\s+(?:us\s+)?(?:today|now)",
        r"contact\s+us",
        r"learn\s+more",
        r"find\s+(?:a|your)\s+(?:doctor|provider|location|clinic)",
        r"(?:call|phone|tel)\s*[:.]?\s*\+?[\d(][\d ().-]{6,}",
        r"termin\s+(?:vereinbaren|buchen)|prendre\s+rendez-vous|pedir\s+cita|reservar\s+cita",
    ),
)

DATE_LINE = _group(
    "date_line", "date", "line",
    "a line holding only a publication or update date",
    (
        rf"(?:(?:published|posted|updated|last\s+updated|last\s+reviewed|date|"
        rf"veröffentlicht|publié\s+le|publicado)\s*(?:on|:)?\s*)?{_WEEKDAY}{DATE_PATTERN}"
        r"(?:\s*(?:[|·•,-]\s*)?(?:\d+\s+min(?:ute)?s?\s+read))?",
    ),
)

# A person's name as bylines print it: capitalised words (case-sensitive even inside the
# case-insensitive groups), with particles, and professional credentials after a comma.
_NAME = r"(?-i:[A-ZÀ-ÝĀ-ŽА-Я])[\w.'’-]*"
_FULL_NAME = rf"{_NAME}(?:\s+(?:{_NAME}|and|&|de|van|von|da|del|le|la)){{0,6}}"
_CREDENTIALS = (r"(?:,?\s+(?-i:MD|PhD|RN|RD|MS|DO|PharmD|MPH|NP|PA-C|MSc|BSc|FRCP|MBBS|LCSW|PsyD|"
                r"DPT|DC|CPT|CSCS)\.?)*")

BYLINE = _group(
    "byline", "byline", "line",
    "author bylines, medical-reviewer credits and reading-time labels",
    (
        rf"(?:written\s+|posted\s+|words\s+)?by\s*:?\s+{_FULL_NAME}{_CREDENTIALS}"
        rf"(?:\s*(?:[|·•,-]|on)?\s*{DATE_PATTERN})?(?:\s*[|·•,-]\s*\d+\s+min(?:ute)?s?\s+read)?",
        r"(?:author|autor|auteur)\s*:\s*.{2,80}",
        rf"(?:posted|published|written|updated)\s+(?:on\s+)?{DATE_PATTERN}\s+(?:by|in)\s+.{{1,80}}",
        rf"(?:medically|clinically|expertly)?\s*(?:reviewed|fact[\s-]checked)\s+by\s*:?\s+{_NAME}.{{0,150}}",
        r"\d+\s+min(?:ute)?s?\s+(?:read|reading\s+time)",
        r"(?:reading\s+time|lesezeit|temps\s+de\s+lecture)\s*:?\s*\d+\s*min.*",
        rf"(?:von|par|por|автор)\s+{_FULL_NAME}",
    ),
)

COMMENTS = _group(
    "comments", "comments", "line",
    "comment section headers and comment-form labels",
    (
        r"(?:leave|post|add|write|submit)\s+(?:a\s+)?(?:comment|reply|response)",
        r"\d+\s+(?:comments?|responses?|replies|thoughts\s+on.*)",
        r"(?:comments?|responses?|replies|discussion)(?:\s*\(\d+\))?",
        r"(?:reply|cancel\s+reply|log\s+in\s+to\s+(?:reply|comment))",
        r"(?:name|email|website|comment)\s*\*",
        r"your\s+e-?mail\s+address\s+will\s+not\s+be\s+published\b.{0,120}",
    ),
)

RELATED_HEADING = _group(
    "related_heading", "related_posts", "line",
    "the heading that opens a related-posts block; the short titles after it go with it",
    (
        r"(?:related|similar)\s+(?:posts?|articles?|stories|reading|content|topics)",
        r"you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy|be\s+interested\s+in)",
        r"recommended(?:\s+(?:for\s+you|reading|articles|posts))?",
        r"(?:more|other)\s+(?:posts|articles|stories)(?:\s+(?:from|on|in|about)\s+.{1,60})?",
        r"read\s+(?:next|also|more\s+articles)",
        r"(?:popular|recent|latest|trending|featured)\s+(?:posts|articles|stories|news)",
        r"keep\s+reading|further\s+reading|more\s+to\s+explore|don['’]t\s+miss|must\s+reads?",
        r"(?:related|see\s+more|read\s+more|also\s+read|read\s+also|more|watch|listen|"
        r"recommended|trending|lesen\s+sie\s+auch|à\s+lire\s+aussi|lee\s+también)\s*:\s*.{3,200}",
        r"ähnliche\s+artikel|das\s+könnte\s+sie\s+auch\s+interessieren|articles?\s+similaires|"
        r"vous\s+aimerez\s+aussi|artículos\s+relacionados|te\s+puede\s+interesar",
    ),
)

RELATED_TEASER = _group(
    "related_teaser", "related_posts", "line",
    "a teaser of another article: a sentence cut short with an ellipsis",
    (
        r"[^\n]{20,320}?(?:…|\.\.\.|\[…\]|\[\.\.\.\])(?:\s*(?:read\s+more|continue\s+reading))?",
    ),
)

# --- paragraph rules: a match anywhere drops the whole paragraph --------------------------

CATEGORY_FOOTER = _group(
    "category_footer", "category_footer", "paragraph",
    "category, tag and 'created by' footers that CMS templates append to posts",
    (
        r"^this\s+(?:article|post|entry)\s+(?:is|was)\s+(?:in|filed\s+under|posted\s+in)\s+"
        r"(?:the\s+)?categor(?:y|ies)\b",
        r"^(?:posted|filed|published)\s+(?:in|under)\s*:?\s+[\w ,&-]{1,100}$",
        r"^(?:categor(?:y|ies)|tags?|tagged(?:\s+with)?|topics?|schlagwörter|kategorie)\s*:\s*.{1,200}$",
        r"^this\s+(?:entry|post)\s+was\s+posted\s+in\b",
    ),
    hints=("categor", "filed", "posted", "published", "tag", "topic", "schlagw", "kategorie"),
)

NEWSLETTER = _group(
    "newsletter", "newsletter", "paragraph",
    "newsletter and mailing-list sign-up boxes",
    (
        r"\bsubscribe\s+(?:to\s+)?(?:our|the)\s+(?:newsletter|mailing\s+list|blog|podcast)",
        r"\bsign\s+up\s+(?:for|to)\s+(?:our|the)\s+(?:\w+\s+){0,3}(?:newsletter|emails?|updates|list)",
        r"^join\s+(?:the\s+)?(?:thousands|\d[\d,.]*\+?|our\s+(?:community|mailing\s+list|newsletter))\b",
        r"\b(?:delivered|straight|right)\s+to\s+your\s+inbox\b",
        r"^(?:enter\s+your\s+e-?mail|your\s+e-?mail\s+address)\b",
        r"\bunsubscribe\s+at\s+any\s+time\b",
        r"^thank\s+you!?\s*please\s+check\s+your\s+(?:inbox|e-?mail)\b",
        r"^(?:get|receive)\s+(?:the\s+latest|our\s+(?:latest|weekly|monthly))\b.{0,120}"
        r"(?:newsletter|inbox|e-?mail)",
        r"newsletter\s+(?:abonnieren|anmelden)|abonnez-vous\s+à\s+(?:notre|la)\s+newsletter|"
        r"suscríbete\s+a\s+(?:nuestro|nuestra)",
    ),
    hints=("subscri", "sign up", "join", "inbox", "mail", "newsletter", "abonn", "suscr", "get ", "receive "),
)

COOKIE_BANNER = _group(
    "cookie_banner", "cookie_banner", "paragraph",
    "cookie and consent banners",
    (
        r"\bwe\s+use\s+cookies\b",
        r"\b(?:this|our)\s+(?:web)?site\s+uses\s+cookies\b",
        r"^(?:accept|allow|reject|decline)\s+(?:all\s+)?(?:cookies)?\s*$",
        r"\bcookie\s+(?:policy|settings|preferences|consent)\b.{0,80}$",
        r"\bby\s+(?:continuing\s+to\s+(?:use|browse)|using)\s+(?:this|our)\s+(?:web)?site\b.{0,60}cookies",
        r"\bwir\s+verwenden\s+cookies\b|\bnous\s+utilisons\s+des\s+cookies\b|"
        r"\butilizamos\s+cookies\b|\bthis\s+website\s+stores\s+cookies\b",
    ),
    hints=("cookie", "accept", "allow", "reject", "decline"),
)

DISCLAIMER = _group(
    "disclaimer", "disclaimer", "paragraph",
    "medical and legal disclaimers that site templates repeat under every article",
    (
        r"\bfor\s+(?:general\s+)?(?:informational|information|educational)\s+(?:and\s+\w+\s+)?"
        r"purposes\s+only\b",
        r"\b(?:is|are|does|do)\s+not\s+(?:intended\s+(?:to\s+be|as)\s+|meant\s+to\s+be\s+|"
        r"constitute\s+|a\s+substitute\s+for\s+)(?:a\s+substitute\s+for\s+)?(?:professional\s+)?"
        r"medical\s+(?:advice|diagnosis|treatment)",
        r"\bnot\s+(?:be\s+)?(?:a\s+)?substitute\s+for\s+professional\s+medical\b",
        r"^(?:medical\s+)?disclaimer\s*:",
        # affiliate disclosures of supplement and product articles
        r"\b(?:we|i)\s+(?:may\s+|might\s+)?(?:earn|receive|get)\s+(?:a\s+)?(?:small\s+)?"
        r"(?:commission|compensation)\b",
        r"\b(?:contains|includes|uses)\s+affiliate\s+links\b|\bbuy\s+through\s+(?:our\s+)?affiliate\s+links\b",
        # editorial-policy boxes
        r"^how\s+we\s+(?:reviewed|vetted|tested|chose|selected|researched)\s+this\b",
        r"\bour\s+experts\s+continually\s+monitor\b|\bwe\s+update\s+our\s+articles\s+when\s+new\b",
        r"\bersetzt\s+keine\s+(?:ärztliche|medizinische)\b|\bne\s+remplace\s+pas\s+(?:un|une|l[ea']?)\s*"
        r"(?:avis|consultation)\b|\bno\s+sustituye\s+(?:el|la)\s+(?:consejo|consulta)\b",
    ),
    hints=("purposes", "medical", "substitute", "disclaimer", "ärztlich", "medizinisch", "remplace",
           "sustituye", "commission", "compensation", "affiliate", "how we", "our experts", "update our"),
)

AUTHOR_BOX = _group(
    "author_box", "author_promo", "paragraph",
    "'about the author' boxes",
    (
        r"^about\s+the\s+(?:author|writer|doctor|reviewer)\b",
        r"^(?:über\s+den\s+autor|à\s+propos\s+de\s+l'auteur|sobre\s+el\s+autor)\b",
    ),
    hints=("about", "über", "propos", "sobre"),
)

# --- sentence rules: only the sentence goes -----------------------------------------------

CTA_SENTENCE = _group(
    "cta_sentence", "cta", "sentence",
    "clinic calls to action inside a paragraph: contact us, book, call, free consultation",
    (
        r"\b(?:contact|call|text|email|e-mail|message|phone)\s+(?:us|our\s+(?:office|clinic|team))\b",
        r"\breach\s+out\s+(?:to\s+(?:us|our\s+\w+)|and\s+(?:schedule|book|contact|call))",
        r"\b(?:schedule|book|request|arrange|make)\s+(?:a|an|your)\s+(?:\w+\s+){0,2}"
        r"(?:consultation|appointment|consult|evaluation|assessment|visit)\b",
        r"\bfree\s+(?:consultation|consult|assessment|evaluation|discovery\s+call)\b",
        r"\b(?:click|tap)\s+(?:here|below|the\s+button)\s+to\s+(?:book|schedule|contact|call|learn|get|start|find)",
        r"\bdon['’]t\s+hesitate\s+to\s+(?:contact|call|reach|get\s+in\s+touch|book)",
        r"\bget\s+in\s+touch\s+with\s+(?:us|our)\b",
        r"\b(?:visit|stop\s+by)\s+(?:us|our\s+(?:clinic|office|center|centre|practice))\b",
        r"\bcall\s+(?:us\s+)?(?:now\s+|today\s+)?(?:at\s+|on\s+)?\+?[\d(][\d ().-]{6,}\d",
        r"\b(?:kontaktieren\s+sie\s+uns|contactez-nous|contáctenos|contáctanos)\b",
        r"\bvereinbaren\s+sie\s+(?:\w+\s+){0,2}(?:einen|ihren)\s+(?:\w+)?termin",
        r"\b(?:prenez|prendre|réservez|réserver)\s+(?:un\s+|votre\s+)?rendez-vous\b",
        r"\b(?:pide|pida|solicita|solicite|reserva|reserve)\s+(?:ya\s+|hoy\s+)?(?:tu|su|una)\s+cita\b",
        r"^(?:ready|want|looking)\s+to\s+[^.?!]{3,80}\?$",          # the lead-in question of a CTA
        r"^(?:are\s+you\s+)?interested\s+in\s+[^.?!]{3,80}\?$",
    ),
    hints=("contact", "call", "text", "mail", "message", "phone", "reach", "consult", "appointment", "evaluation", "assessment", "visit", "click", "tap ", "hesitate", "touch", "stop by", "kontakt", "termin", "rendez", "cita", "ready", "want", "looking", "interested", "contá"),
)

#: A paragraph that opens like this and carries a call to action is a promo as a whole.
SELF_PROMO_OPENERS = _group(
    "self_promo_opener", "author_promo", "paragraph",
    "a practitioner introducing their own practice ('Dr. Jane Roe works with ...')",
    (
        r"^(?:dr\.?|doctor)\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3},?\s+"
        r"(?:\w+\s+){0,3}(?:works|is|specializes|specialises|practices|has|offers|treats|provides|leads)\b",
        r"^(?:I\s+am|I['’]m)\s+(?:dr\.?|a\s+(?:board|licensed|certified|registered))",
    ),
    hints=("dr", "doctor", "i am", "i'm", "i’m"),
)

CLINIC_PROMO = _group(
    "clinic_promo", "clinic_promo", "paragraph",
    "a clinic advertising its own services ('At X, we offer consultations ...')",
    (
        r"^(?:at|here\s+at)\s+[A-Z][^,.]{2,80},\s+(?:we|our\s+(?:team|clinic|providers|doctors|"
        r"specialists|staff))\s+(?:\w+\s+){0,2}(?:offer|provide|specialize|specialise|are\s+"
        r"(?:proud|committed|dedicated|here)|help|can\s+help|treat|have)\b",
        r"^our\s+(?:\w+\s+){0,2}(?:team|clinic|practice|providers|doctors|specialists|staff|"
        r"therapists|physiotherapists|chiropractors|nurses|clinicians|practitioners|experts|dentists)"
        r"\s+(?:\w+\s+){0,2}(?:will|can|is|are|offers?|provides?)\b"
        r".{0,300}\b(?:consultation|appointment|assessment|evaluation|visit|contact|call|book|schedule)",
    ),
    hints=("at ", "our "),
)

DEBRIS = _group(
    "debris", "boilerplate", "line",
    "markup debris that is not prose: a machine timestamp, a lone symbol, 'Advertisement' "
    "(a bare URL stays: in a health article it is usually a cited source)",
    (
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?",
        r"[^\w\s]{0,5}",
        r"\d{1,3}(?:[.,]\d)?\s?[kKmM]",            # a lone like or clap count ('1.2K')
        r"(?:advertisement|anzeige|publicité|publicidad|sponsored(?:\s+content)?|ad)",
        r"\[(\w+)[^\]]*\].{0,200}?\[/\1\]",      # a WordPress shortcode left unrendered
    ),
)

MENU_ITEM = _group(
    "menu_item", "navigation", "line",
    "a site-menu entry left in scraped text ('Home', 'About Us', 'Contact'); removed only "
    "in a run of menu lines or at the start of the text",
    (
        r"home|homepage|about(?:\s+us)?|contact(?:\s+us)?|blog|news|services|our\s+services|team|"
        r"our\s+team|faqs?|shop|store|locations?|resources|careers|log\s*in|sign\s+in|"
        r"patient\s+portal|book\s+online|conditions(?:\s+we\s+treat)?|treatments|pricing|"
        r"startseite|kontakt|accueil|inicio|contacto",
    ),
)

LINE_RULES: tuple[Rule, ...] = (DEBRIS, NAVIGATION, MENU_ITEM, SHARE, CTA_LINE, DATE_LINE, BYLINE, COMMENTS,
                                RELATED_HEADING, RELATED_TEASER)
PARAGRAPH_RULES: tuple[Rule, ...] = (CATEGORY_FOOTER, NEWSLETTER, COOKIE_BANNER, DISCLAIMER,
                                     AUTHOR_BOX, CLINIC_PROMO)
SOCIAL_FOLLOW = _group(
    "social_follow", "share", "sentence",
    "invitations to follow the site or the author on social networks",
    (
        r"\bfollow\s+(?:us|me|him|her|them|[A-Z][\w.-]+(?:\s+[A-Z][\w.-]+){0,3})\s+(?:on|at)\s+"
        r"(?:twitter|x|facebook|instagram|linkedin|youtube|tiktok|pinterest|threads|bluesky|"
        r"medium|substack|mastodon)\b",
        r"\b(?:like|find|join)\s+us\s+on\s+(?:facebook|instagram|twitter|linkedin|youtube)\b",
        r"\bfolgen\s+sie\s+uns\b|\bsuivez-nous\b|\bsíguenos\b",
    ),
    hints=("follow", " us on", "folgen", "suivez", "síguenos"),
)

AUTHOR_CONTACT = _group(
    "author_contact", "author_promo", "sentence",
    "how to reach the author or send the newsroom a tip",
    (
        r"\b(?:may|can)\s+be\s+(?:reached|contacted|emailed)\s+(?:at|on|via)\b",
        r"^have\s+a\s+(?:news\s+)?tip\?",
        r"\b(?:send|email)\s+(?:us\s+)?(?:your\s+)?(?:news\s+)?tips?\s+(?:to|at)\b",
    ),
    hints=("reached", "contacted", "emailed", "tip"),
)

ENGAGEMENT = _group(
    "engagement", "comments", "sentence",
    "sign-offs that ask readers to comment or thank them for reading",
    (
        r"^thanks?\s+(?:you\s+)?for\s+reading\b",
        r"\bleave\s+(?:me\s+|us\s+)?a\s+comment\b",
        r"\blet\s+(?:me|us)\s+know\s+(?:what\s+you\s+think|your\s+thoughts|in\s+the\s+comments)\b",
        r"\b(?:share|tell\s+us)\s+your\s+(?:thoughts|experiences?|story)\s+in\s+the\s+comments\b",
    ),
    hints=("reading", "comment", "let me know", "let us know", "thoughts", "experience", "story"),
)

SENTENCE_RULES: tuple[Rule, ...] = (CTA_SENTENCE, SOCIAL_FOLLOW, AUTHOR_CONTACT, ENGAGEMENT)
ALL_RULES: tuple[Rule, ...] = LINE_RULES + PARAGRAPH_RULES + SENTENCE_RULES + (SELF_PROMO_OPENERS,)
#: Sentence rules that are calls to action (kept when the caller asks to keep CTAs).
CTA_RULES: tuple[Rule, ...] = (CTA_SENTENCE,)

#: Line rules whose match is removed only in company: next to other removed blocks, or where
#: no body text stands before (menu) or after (teasers) it. Alone in the body they stay.
CONTEXT_RULES: tuple[Rule, ...] = (RELATED_TEASER, MENU_ITEM)

#: Line rules only trusted on short lines (a long line that happens to start like a
#: byline or end with "..." is more likely prose).
MAX_LINE_RULE_CHARS = 320

# --- HTML: class/id tokens and tags of page furniture ---------------------------------------

#: Tokens found in class or id attributes of boilerplate containers, per kind. Matched as
#: whole hyphen/underscore-separated words of the attribute value, case-insensitively.
BOILERPLATE_CLASS_TOKENS: dict[str, tuple[str, ...]] = {
    # WordPress related-posts plugins (YARPP, Jetpack, Contextual Related Posts), theme blocks
    "related_posts": ("related", "relatedposts", "related-posts", "yarpp", "jp-relatedposts",
                      "crp_related", "more-stories", "read-next", "recommended", "you-may-like",
                      "post-navigation", "nav-links", "similar-posts", "more-articles",
                      "latest-news", "most-popular", "most-read", "recirc", "taboola",
                      "outbrain", "trending", "more-from", "dont-miss", "also-read", "read-more",
                      "widget-posts", "post-grid"),
    "share": ("share", "sharing", "sharedaddy", "social-share", "share-buttons", "addtoany",
              "a2a_kit", "shareaholic", "sharethis", "social-icons", "social-links", "social"),
    "newsletter": ("newsletter", "subscribe", "subscription", "signup", "sign-up", "mailchimp",
                   "mc4wp", "optin", "opt-in", "email-capture", "convertkit"),
    "cta": ("cta", "call-to-action", "booking", "book-now", "appointment", "schedule-widget",
            "consultation", "promo-banner", "banner-cta", "contact-form", "wpcf7",
            "wp-block-buttons", "button-block", "sqs-block-button", "book-online"),
    # bylines, reviewer credits and dates above or below the article (metadata is read first)
    "byline": ("byline", "entry-meta", "post-meta", "article-meta", "author-meta",
               "medically-reviewed", "reviewed-by", "medical-reviewer", "fact-checked",
               "post-author", "author-name", "meta-author", "blogitem-meta", "post-info",
               "article-info", "createdby"),
    "date": ("posted-on", "entry-date", "post-date", "publish-date", "article-date", "dateline"),
    "author_promo": ("author-box", "author-bio", "about-author", "authorbox", "author-info",
                     "author-card", "post-author-bio", "bio-box"),
    "comments": ("comments", "comment-respond", "comment-list", "commentlist", "disqus_thread",
                 "respond", "comment-form"),
    "cookie_banner": ("cookie", "cookies", "cookie-banner", "cookie-notice", "consent", "gdpr",
                      "cc-window", "onetrust-banner-sdk", "cmplz"),
    "navigation": ("breadcrumb", "breadcrumbs", "pagination", "pager", "skip-link", "menu",
                   "navbar", "nav-menu", "site-nav", "back-to-blog", "toc-toggle", "pagenav",
                   "toc", "ez-toc", "table-of-contents", "lwptoc", "rank-math-toc",
                   "post-nav", "prev-next", "feed-links", "post-feeds", "kicker", "eyebrow"),
    "category_footer": ("post-categories", "cat-links", "tags-links", "entry-footer",
                        "post-tags", "tag-list", "entry-meta-footer"),
    "sidebar": ("sidebar", "widget-area", "widget", "advert", "advertisement", "ad-slot",
                "ads", "sponsored", "promo", "product-card", "shop-widget", "widget-button"),
    "disclaimer": ("affiliate-disclosure", "disclosure", "disclaimer", "medical-disclaimer"),
    "header_footer": ("site-header", "site-footer", "masthead", "colophon", "footer-widgets"),
    # hover cards and pop-ups: hidden until the reader points at a name or a link
    "hidden": ("tooltip", "popover", "rollover", "hovercard", "modal", "popup", "lightbox"),
}

#: Class tokens of boxes that belong to the article although main-content extractors often
#: leave them out (they sit beside the body container): summaries a reader sees first.
#: (Styling-prone names such as 'bottom-line' are left out: themes use 'has-bottom-line'.)
CONTENT_BOX_TOKENS: tuple[str, ...] = ("key-takeaways", "takeaways", "key-points", "tldr",
                                       "article-summary", "summary-box")

#: Class words so general that a more specific token on the same element says more
#: ('elementor-widget elementor-widget-share-buttons' is a share bar, not a sidebar widget).
GENERIC_CLASS_WORDS: frozenset[str] = frozenset({"widget", "social", "promo", "ads", "menu"})

#: Kinds of furniture found by a class or id that are not pruned when the element holds
#: :data:`PROSE_GUARD_CHARS` or more of running text (paragraphs of at least
#: :data:`PROSE_MIN_PARAGRAPH` characters, few of them in links). Page builders and themes
#: put 'widget', 'sidebar' or 'toc' in the class names of the wrappers of the article itself
#: ('elementor-widget-wrap', 'widget-span', 'sidebar-enabled-false'); a real sidebar, menu or
#: related-posts list holds links and short teasers, not paragraphs of prose. Comments, author
#: boxes, disclaimers and calls to action are prose and stay pruned.
PROSE_GUARDED_KINDS: frozenset[str] = frozenset({"sidebar", "navigation", "related_posts",
                                                 "header_footer", "hidden"})
PROSE_GUARD_CHARS = 400
PROSE_MIN_PARAGRAPH = 80

#: When trafilatura's first (recall) pass finds fewer than RESCUE_MIN_CHARS characters, less
#: than RESCUE_PROSE_SHARE of the page's running text (after pruning) or less than
#: RESCUE_DECLARED_SHARE of its schema.org ``articleBody``, its full pass (with readability and
#: jusText) runs too, and wins when it finds RESCUE_GAIN times as much text.
RESCUE_MIN_CHARS = 200
RESCUE_PROSE_SHARE = 0.4
RESCUE_DECLARED_SHARE = 0.6
RESCUE_GAIN = 1.3
#: The full pass costs seconds on a pathological page; it is not tried on pages of more
#: elements than this (real articles on the WCXB pages have at most some 5,000).
RESCUE_MAX_ELEMENTS = 20_000

#: Page builders name every box of a page 'widget' (Elementor's 'elementor-widget-wrap',
#: HubSpot's 'widget-span' and 'widget-type-rich_text', Divi's 'et_pb_widget'): in a class name
#: with one of these prefixes the bare word 'widget' says nothing; a specific token in the same
#: name ('elementor-widget-share-buttons') still counts. Names are lower-cased, '_' read as '-'.
BUILDER_PREFIX = re.compile(r"^(?:elementor-|widget-span|widget-type-|et-pb-|fl-|vc-|wpb-|"
                            r"wp-block-|brxe-|kb-|uagb-|hs-)")
BUILDER_LAYOUT_WORDS: frozenset[str] = frozenset({"widget"})

#: Tags that hold page furniture wherever they appear.
BOILERPLATE_TAGS: dict[str, str] = {
    "nav": "navigation",
    "amp-sidebar": "navigation",
    "amp-user-notification": "cookie_banner",
    "amp-consent": "cookie_banner",
    "aside": "sidebar",
    "form": "cta",
    "footer": "header_footer",
}


#: Gap filling (``html._fill_gaps``): a paragraph trafilatura skipped inside the article (or in
#: its lead) is put back when it has at least GAP_MIN_WORDS words; a page block of at least
#: GAP_ANCHOR_CHARS characters (white space aside) found in trafilatura's output anchors the
#: article's span; a block with GAP_DUPLICATE_SHARE or more of its quarters in the kept text is
#: a kept block in another form (an inline part dropped), not a gap; pages of more leaf
#: blocks than GAP_MAX_LEAVES, or whose kept text passes GAP_MAX_CHARS characters, are not
#: filled (the bound of the work; of the 753 benchmark pages, the largest keeps 57,000
#: characters and has 1,333 leaf blocks).
GAP_MIN_WORDS = 8
GAP_ANCHOR_CHARS = 40
GAP_DUPLICATE_SHARE = 0.5
GAP_MAX_LEAVES = 3_000
GAP_MAX_CHARS = 150_000
#: A skipped block ending in a photo credit is a photo caption ("… Photo: Getty Images",
#: "…treatmentCredit: EPA", "… Kathrin Ziegler/Getty"): not put back. A caption without one
#: ("Figure 1: pain scores fell …") is. The credit stands at the end, after a sentence, a
#: bracket or a bar (or glued to the caption's last word), and is short.
PHOTO_CREDIT = re.compile(
    r"(?:^|[.(|;:]\s*|(?-i:(?<=[a-z])(?=[A-Z])))"
    r"(?:photo(?:graph)?s?|images?|pictures?|illustrations?|credits?)\s*(?:by\b|:|©)\s*"
    r"(?-i:[A-Z0-9©])(?:[^.!?]|(?<=\b[A-Z])\.){0,60}\.?\)?\s*$|"
    r"©[^.!?]{0,60}\.?$|^(?:image|photo|video) caption\b|\((?:AP|AFP|Reuters|Getty(?: Images)?)\)\s*$|"
    r"\b(?:getty images(?: plus)?|shutterstock|istock(?:photo)?|alamy|unsplash|pexels|"
    r"ap photo|adobe stock|dreamstime)(?:\s*/[^.!?]{0,30})?\.?\s*$|"
    r"(?:/\s*|(?-i:(?<=[a-z]))\.?)(?:getty|reuters|bloomberg|(?-i:AP|AFP|EPA))\s*$|"
    r"(?-i:\b[A-Z][a-z]+)\s(?-i:AP|AFP)\s*$", re.IGNORECASE)
#: A skipped block that is a time stamp line is not put back ("Published Wed, Nov 20 2019
#: 4:29 AM EST", "Updated on: November 19, 2019 / 10:07 AM"): it starts with the stamp word and
#: holds a date or a time of day, or holds a time of day (with AM/PM or a time zone) after one,
#: and has at most STAMP_MAX_PROSE_WORDS words of three letters or more besides STAMP_WORDS
#: (the stamp's own words, months, weekdays, time zones). Prose that mentions a publication
#: ("Published in JAMA on March 3, 2020, the trial followed 5,000 adults ...") has more.
STAMP_MAX_PROSE_WORDS = 3
STAMP_WORDS = frozenset(
    "published updated posted last reviewed modified ago hour hours minutes min mins day days "
    "the and jan january feb february mar march apr april may jun june jul july aug august sep "
    "sept september oct october nov november dec december mon monday tue tues tuesday wed "
    "wednesday thu thur thurs thursday fri friday sat saturday sun sunday est edt cst cdt mst "
    "mdt pst pdt gmt utc bst cet cest ist".split())
STAMP_LINE = re.compile(
    rf"^(?:published|updated|posted|last\s+(?:updated|modified|reviewed))\b.{{0,40}}"
    rf"(?:{DATE_PATTERN}|\b\d{{1,2}}:\d{{2}}(?!\d)|\b(?:{_MONTHS})\.?\s+\d{{4}}\b)|"
    r"\b(?:published|updated|posted)\b.{0,60}\b\d{1,2}:\d{2}\s*(?:[ap]\.?m\b|[ecmpg][sd]?t\b|utc\b|gmt\b)",
    re.IGNORECASE)
#: A skipped block inside an element (itself or one of its four nearest ancestors) whose class
#: or id holds one of these words is media furniture: a photo or video caption, a gallery, a
#: promotion of another story. Not put back. State classes (``has-post-thumbnail``, ``is-…``,
#: ``format-…``) do not count.
GAP_MEDIA_WORDS: tuple[str, ...] = ("caption", "gallery", "slideshow", "video", "promo",
                                    "image", "photo", "thumbnail", "teaser")
GAP_STATE_CLASS_PREFIXES: tuple[str, ...] = ("has-", "is-", "format-", "post-format-", "with-")
#: The article's lead is what stands between its headline (the ``<h1>`` before the first block
#: trafilatura kept, unless that is the site's logo: ``html._is_headline``) and that block. A
#: skipped heading there is not put back (there, headings are teasers of other stories), nor a
#: block inside the page's header (a ``<header>``, or an element within GAP_HEADER_DEPTH levels whose class or
#: id holds one of GAP_HEADER_WORDS): the dek there restates the article, whose headline is
#: kept; news ground truths leave it out.
GAP_HEADER_WORDS: tuple[str, ...] = ("header", "heading", "hero", "masthead", "title")
GAP_HEADER_DEPTH = 6
