"""What the evidence stage needs to know of a claim beyond its type and structure, as rules:

- :func:`figures`: the figures it states (a duration "over three months", a percentage
  "87%", a fold change "twice as", a count "1 in 5") that a study would have to report;
- :func:`citation`: the source it cites (a year, a journal, a body or institution, a kind of
  study), to be matched against the reference table;
- :func:`attribution`: whether the article asserts the claim itself, reports it as someone
  else's, or reports it and rejects it ("influencers claim X, a claim the researchers say is
  not supported"): a rejected claim is not the article's assertion and is never flagged;
- :func:`resolve_reference`: the sentence with an opening "it", "this treatment" or "the
  drug" replaced by the intervention it refers to, so that retrieval and the stance model
  read "Ketamine relieves pain", not "It relieves pain".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "a hundred": 100, "half": 0.5, "a few": 3,
    "several": 3, "a couple of": 2, "an": 1, "a": 1,
}
_NUM = (r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
        r"fifteen|twenty|thirty|forty|fifty|a hundred|half|a few|several|a couple of|an|a)")
_UNIT_DAYS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 30.4,
              "year": 365.0}

DURATION = re.compile(
    rf"\b(?:(?:over|more than|up to|at least|about|around|nearly|almost|for|within|after|"
    rf"beyond|lasting|lasts?)\s+)?(?P<n>{_NUM})(?:\s*(?:to|-|–|or)\s*(?P<m>{_NUM}))?[\s-]+"
    r"(?P<unit>minute|hour|day|week|month|year)s?\b", re.IGNORECASE)
PERCENT = re.compile(r"\b(?:(?P<lo>\d+(?:[.,]\d+)?)\s*%?\s*(?:to|-|–)\s*)?(?P<n>\d+(?:[.,]\d+)?)\s*"
                     r"(?:%|per ?cent\b)", re.IGNORECASE)
FOLD = re.compile(r"\b(?:(?P<lo>\d+(?:\.\d+)?)\s*(?:to|-|–)\s*)?(?P<n>\d+(?:\.\d+)?|two|three|four|"
                  r"five|ten)[- ]?(?:fold|times)\b"
                  r"|\b(?P<w>twice|double[sd]?|halve[sd]?|triple[sd]?)\b", re.IGNORECASE)
RATIO = re.compile(r"\b(?P<n>\d+|one)\s+in\s+(?P<m>\d[\d,]*|two|three|four|five|six|seven|eight|"
                   r"nine|ten|a hundred|a thousand)\b", re.IGNORECASE)
#: A year, not a dose or a count that looks like one ("2000 IU", "1500 mg", "2000 patients").
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b(?![.,]\d)(?!\s*(?:-\s*)?(?:IU|mg|mcg|µg|g|kg|ml|mL|"
                  r"units?|patients|people|participants|adults|children|women|men|subjects|"
                  r"volunteers|cases|calories|kcal|steps|deaths|respondents)\b)")
# A year that dates something other than a study ("since 2010", "in the 1960s") is not a figure.
_DECADE = re.compile(r"\b(?:19|20)\d0s\b")


def _value(word: str) -> float | None:
    w = word.lower().replace(",", "")
    if w in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[w])
    try:
        return float(w)
    except ValueError:
        return None


@dataclass(frozen=True)
class Figure:
    text: str          # as written in the claim
    kind: str          # duration | percent | fold | ratio
    low: float         # value (days for durations), or range bounds
    high: float


# A duration without a number ("within hours", "for months"): the span such words cover.
VAGUE_DURATION = re.compile(r"\b(?:within|for|after|over|lasting|lasts?|takes?)\s+(?:a few\s+|"
                            r"several\s+|many\s+)?(?P<unit>hours|days|weeks|months|years)\b",
                            re.IGNORECASE)
_VAGUE_SPAN = {"hours": (1 / 24, 1.0), "days": (1.0, 7.0), "weeks": (7.0, 60.0),
               "months": (30.0, 365.0), "years": (365.0, 3650.0)}


def figure_values(text: str) -> list[Figure]:
    """Every figure of ``text`` with its normalised value."""
    out: list[Figure] = []
    for m in VAGUE_DURATION.finditer(text):
        lo, hi = _VAGUE_SPAN[m.group("unit").lower()]
        out.append(Figure(m.group(0).strip(), "duration", lo, hi))
    for m in DURATION.finditer(text):
        n = _value(m.group("n"))
        if n is None or (m.group("n").lower() in ("a", "an") and not m.group(0).lower().startswith(
                ("over", "more", "up", "at", "for", "within", "after", "beyond", "last"))):
            continue
        hi = _value(m.group("m")) if m.group("m") else n
        unit = _UNIT_DAYS[m.group("unit").lower()]
        out.append(Figure(m.group(0).strip(), "duration", n * unit, (hi or n) * unit))
    for m in PERCENT.finditer(text):   # "15-30%", "15 to 30 percent": a range
        v = _value(m.group("n"))
        lo = _value(m.group("lo")) if m.group("lo") else v
        if v is not None:
            out.append(Figure(m.group(0).strip(), "percent", min(lo, v), max(lo, v)))
    for m in FOLD.finditer(text):
        lo = None
        if m.group("n"):
            v = _value(m.group("n"))
            lo = _value(m.group("lo")) if m.group("lo") else None
        else:
            v = {"twice": 2, "double": 2, "doubles": 2, "doubled": 2, "halve": 0.5, "halves": 0.5,
                 "halved": 0.5, "triple": 3, "triples": 3, "tripled": 3}[m.group("w").lower()]
        if v is not None:
            low = float(lo) if lo is not None else float(v)
            out.append(Figure(m.group(0).strip(), "fold", min(low, float(v)), max(low, float(v))))
    for m in RATIO.finditer(text):
        n, d = _value(m.group("n")), _value(m.group("m").replace(" ", "") if m.group("m")[0].isdigit()
                                             else m.group("m"))
        if n and d:
            out.append(Figure(m.group(0).strip(), "percent", 100 * n / d, 100 * n / d))
    return out


def figures(sentence: str) -> list[str]:
    """The figures a claim states, as written (durations, percentages, folds, ratios), each once."""
    out: list[str] = []
    for f in figure_values(sentence):
        if not any(f.text in seen or seen in f.text for seen in out):
            out.append(f.text)
    return out


def figure_reported(figure: Figure, text: str, tolerance: float = 0.2) -> bool:
    """Whether ``text`` (a record's abstract or quote) reports a figure matching ``figure``:
    the same kind, its value within ``tolerance`` (relative) of the claim's range, durations
    compared in days whatever their unit ("three months" matches "12 weeks")."""
    for other in figure_values(text):
        if other.kind != figure.kind:
            continue
        lo, hi = figure.low * (1 - tolerance), figure.high * (1 + tolerance)
        if figure.kind == "percent":
            lo, hi = figure.low - 2, figure.high + 2
        if other.high >= lo and other.low <= hi:
            return True
    return False


# --- citations ---------------------------------------------------------------------------

VENUES = re.compile(
    r"\b(?:the\s+)?(?P<venue>(?:Journal of [A-Z][\w&-]*(?: (?:of |and |& )?[A-Z][\w&-]*){0,5})|"
    r"(?:The )?Lancet(?: [A-Z]\w+)?|JAMA(?: [A-Z]\w+)?|BMJ(?: [A-Z]\w+)?|NEJM|"
    r"New England Journal of Medicine|British Medical Journal|Nature(?: [A-Z]\w+)?|Science|Cochrane(?: Database| Library)?|"
    r"PLOS ONE|Pain|Anesthesiology|Neurology|Headache|Cephalalgia|Pediatrics|Circulation)\b")
_VENUE_CUE = re.compile(r"\b(?:published|appeared|appearing|reported) in\b|\bjournal\b|"
                        r"\b(?:study|trial|review|meta-analysis|analysis|paper|report|research)"
                        r"\s+in\s+(?:the\s+)?[A-Z]", re.IGNORECASE)
BODIES = re.compile(
    r"(?-i:\b(?:National|American|European|British|World|Canadian|Royal)\s+(?:[A-Z][\w-]+\s+)"
    r"{0,4}(?:Institutes?|Library|Association|Organi[sz]ation|Society|College|Academy|Agency|"
    r"Foundation|Service|Centers?)(?: (?:of|for) (?:[A-Z][\w-]+ ?){1,4})?)"
    r"|(?-i:\b(?:(?:U\.?S\.? )?Food and Drug Administration|Centers for Disease Control(?: and "
    r"Prevention)?|National Institutes? of Health)\b)"
    r"|(?-i:\b(?:FDA|EMA|NIH|NICE|CDC|WHO|NHS|MHRA|Mayo Clinic|Cleveland Clinic|Harvard|Yale|"
    r"Stanford|Johns Hopkins|Oxford|Cambridge|Cochrane)\b)")
STUDY_KIND = re.compile(r"\b(?P<kind>meta-analys[ie]s|systematic review|review|randomi[sz]ed (?:controlled )?trial|"
                        r"trial|study|survey)\b", re.IGNORECASE)
_CITE_FRAME = re.compile(
    r"\b(?:(?:a|an|one|the|this|that)\s+(?:(?:19|20)\d\d\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:study|trial|review|meta-analysis|analysis|survey|report|paper)"
    r"|according to|published in|researchers (?:at|from)"
    r"|(?:in|from) (?:19|20)\d\d,? (?:when )?(?:researchers|scientists|investigators|a study|a trial))\b",
    re.IGNORECASE)


@dataclass
class Citation:
    text: str
    years: list[int] = field(default_factory=list)
    venues: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    kind: str | None = None


def citation(sentence: str) -> Citation | None:
    """The specific source a claim cites, or ``None`` when it cites none (a vague "studies
    show" is an appeal to evidence, not a citation)."""
    years = [int(y) for y in YEAR.findall(_DECADE.sub(" ", sentence))]
    venues = [m.group("venue") for m in VENUES.finditer(sentence)] if _VENUE_CUE.search(sentence) else []
    bodies = [m.group(0) for m in BODIES.finditer(sentence)]
    framed = bool(_CITE_FRAME.search(sentence))
    if not (venues or bodies or (years and framed)):
        return None
    kind = None
    if framed:
        m = STUDY_KIND.search(sentence)
        kind = m.group("kind").lower() if m else None
    venues = [v.strip() for v in venues]
    bodies = [b.strip() for b in bodies]
    parts = [str(y) for y in years] + venues + bodies
    return Citation(", ".join(dict.fromkeys(parts)), years, venues, bodies, kind)


# --- attribution -------------------------------------------------------------------------

# "X claim(s) that …", "according to X", "X says …": the claim is someone else's.
_ATTRIBUTOR = (r"(?P<who>(?:some |many |several |certain |online |social media |wellness |alternative |"
               r"the )?(?:influencers?|proponents|advocates|supporters|marketers|sellers|companies|"
               r"manufacturers|clinics|practitioners|celebrities|bloggers|websites|posts?|videos?|"
               r"ads?|advertisements?|people|fans|critics|believers|users|enthusiasts|promoters|"
               r"vendors|brands?|retailers|naturopaths|the (?:company|manufacturer|clinic|brand|"
               r"seller|makers?))|(?-i:[A-Z][\w.-]+(?: [A-Z][\w.-]+){0,2}))")
ATTRIBUTED = re.compile(
    _ATTRIBUTOR + r"\s+(?:have |has |often |widely |repeatedly )?(?:claim(?:s|ed)?|say|says|said|"
    r"insist(?:s|ed)?|promis(?:e|es|ed)|tout(?:s|ed)?|advertis(?:e|es|ed)|market(?:s|ed)?|"
    r"suggest(?:s|ed)?|assert(?:s|ed)?|argu(?:e|es|ed)|believe(?:s|d)?|maintain(?:s|ed)?|"
    r"boast(?:s|ed)?|allege(?:s|d)?)\b"
    r"|\b(?:it is|it's|it has been) (?:often |widely |commonly |popularly )?(?:claimed|said|believed|"
    r"rumou?red|suggested|touted|alleged)\b"
    r"|\b(?:popular|common|widespread) (?:belief|claim|myth|idea|notion)\b"
    r"|\bthe (?:idea|notion|belief|claim) that\b"
    r"|\b(?:it is|it's|there is|there's) (?:a |an )?(?:\w+ )?(?:myth|misconception)\b"
    r"|^(?:myth|claim|rumou?r)\s*[:\-–]", re.IGNORECASE)
REJECTED = re.compile(
    r"\b(?:(?:is|are|was|were|remains?) )?(?:not |un|poorly |in)supported\b|\bno (?:good |real |"
    r"solid |convincing |scientific |reliable |clinical )?(?:evidence|proof|data|support)\b"
    r"|\b(?:a |the )?myths?\b|\bfalse(?:ly)?\b|\bunproven\b|\bdebunked\b|\bmisleading\b|"
    r"\bunfounded\b|\bbaseless\b|\bnot (?:true|the case|backed|borne out|proven|shown)\b|"
    r"\b(?:isn't|aren't|wasn't) (?:true|the case|backed|supported)\b|\bno basis\b|"
    r"\b(?:there is|there's) (?:little|no) (?:evidence|reason|basis)\b|\bdisputed\b|"
    r"\b(?:the )?evidence (?:for (?:it|this|that) )?(?:is|remains|was) (?:weak|thin|scant|lacking|poor|"
    r"limited|inconclusive|mixed)\b|"
    r"\bcontrary to\b|\bdo(?:es)? not (?:hold up|stand up)\b|\bwithout (?:any )?evidence\b|"
    r"\b(?:researchers|scientists|experts|doctors|studies|the evidence|the data|trials) "
    r"(?:say|says|said|show|showed|found|find|have found) (?:it |this |that )?(?:is |was |are )?"
    r"(?:not|no|otherwise|nothing)\b|\b(?:dismiss(?:ed|es)?|reject(?:ed|s)?|question(?:ed|s)?|"
    r"doubt(?:ed|s)?|cast doubt on|warn(?:ed|s)? against)\b", re.IGNORECASE)
_SELF = re.compile(r"^(?:we|i|our|my|studies|research|researchers|scientists|experts|doctors|"
                   r"trials|evidence|data|findings|results|analyses|analysis|"
                   r"the (?:study|trial|review|research|evidence|data|findings|results|analysis))$",
                   re.IGNORECASE)
#: "Contrary to popular belief, X …": the article asserts X against a belief it rejects.
_CONTRARY_OPENER = re.compile(
    r"^\s*contrary to (?:(?:the |a )?(?:popular|common|widespread|conventional) (?:belief|opinion|"
    r"wisdom|thinking|myth)|what (?:\w+ ){0,3}(?:say|says|think|thinks|believe|believes|claim|claims))\s*,",
    re.IGNORECASE)
#: "…, says Dr. Smith.": the claim is someone else's, as "Dr. Smith says …" is.
_TRAILING = re.compile(r",\s*(?:says|said|claims|claimed|according to)\s+(?P<who>(?:(?:Dr|Prof|Mr|Mrs|Ms)\.?\s+)?"
                       r"(?-i:[A-Z][\w.-]+(?: [A-Z][\w.-]+){0,2}))[\s.!\"”']*$", re.IGNORECASE)
_IDEA_FRAME = re.compile(r"the (?:idea|notion|belief|claim) that$", re.IGNORECASE)
_NAME = re.compile(r"[A-Z][\w.-]+(?: [A-Z][\w.-]+){0,2}")
#: Capitalised words that open a sentence without naming anyone ("Despite claims online, …").
_NOT_WHO = re.compile(r"^(?:despite|some|these|those|this|that|many|most|such|other|in|on|at|"
                      r"while|although|though|however|but|and|yet|for|with|as|if|when)\b",
                      re.IGNORECASE)


def attribution(sentence: str, next_sentence: str | None = None) -> tuple[str, str | None]:
    """(``own`` | ``reported`` | ``rejected``, who) for a claim sentence.

    ``rejected``: the sentence (or the next one) reports the claim as someone else's and
    rejects or questions it; ``reported``: it is someone else's, not rejected; ``own``: the
    article asserts it. Studies and experts are not "someone else" here: "researchers say"
    is the article's appeal to evidence."""
    if _CONTRARY_OPENER.match(sentence):
        return "own", None      # "Contrary to popular belief, X": the article asserts X
    m = ATTRIBUTED.search(sentence) or _TRAILING.search(sentence)
    if not m:
        return "own", None
    who = (m.groupdict().get("who") or "").strip().rstrip(".!") or None
    if who and (_SELF.match(who) or (_NAME.fullmatch(who) and _NOT_WHO.match(who))):
        return "own", None
    if who and any(b.start() < m.end("who") and m.start("who") < b.end()
                   for b in BODIES.finditer(sentence)):
        return "own", None      # "the CDC says": an appeal to an authority, as "experts say"
    rest = sentence[m.end():]
    # "It is a myth that …", "a common myth": the frame itself rejects the claim
    rejected = REJECTED.search(m.group(0)) or REJECTED.search(rest) or REJECTED.search(
        sentence[:m.start()]) or (next_sentence and REJECTED.search(next_sentence[:160]))
    if not rejected and _IDEA_FRAME.match(m.group(0)):
        return "own", None      # "The idea that X is well established": the article's own
    if rejected:
        return "rejected", who
    return "reported", who


# --- reference resolution ----------------------------------------------------------------

_ANAPHOR = re.compile(
    r"^(?P<pre>(?:[^,]{0,30},\s*|\w+ly\s+)?(?:also,?\s+|but\s+|and\s+)?)"
    r"(?P<ref>it|this (?:drug|medicine|medication|treatment|therapy|supplement|product|procedure)|"
    r"the (?:drug|medicine|medication|treatment|therapy|supplement|product|procedure|spray|"
    r"injection|infusion)s?|these (?:drugs|medicines|medications|treatments|therapies|"
    r"supplements|products|infusions|injections))\b", re.IGNORECASE)
_MID_REFERENCE = re.compile(r"\b(?:the|this) (?:drug|medication|medicine)\b", re.IGNORECASE)


def refers_back(sentence: str) -> bool:
    """Whether the sentence refers to an intervention named before with "the drug", "this
    medication" … (``resolve_reference`` spells it out)."""
    return bool(_ANAPHOR.match(sentence) or _MID_REFERENCE.search(sentence))


def resolve_reference(sentence: str, intervention: str | None) -> str:
    """``sentence`` with its opening reference to the intervention spelled out."""
    if not intervention:
        return sentence
    if intervention.lower() in sentence.lower():
        return sentence
    m = _ANAPHOR.match(sentence)
    name = intervention.strip()
    proper = len(name) > 1 and (name[1].isupper() or name[1].isdigit())   # an acronym: keep it
    if m and not m.group("pre") and m.start("ref") == 0:
        name = name[0].upper() + name[1:]
    elif not proper:
        name = name[0].lower() + name[1:]
    if m:
        return sentence[:m.start("ref")] + name + sentence[m.end("ref"):]
    m = _MID_REFERENCE.search(sentence)
    if m:
        return sentence[:m.start()] + name + sentence[m.end():]
    return sentence
