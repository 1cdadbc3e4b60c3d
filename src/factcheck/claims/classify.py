"""Check-worthiness, claim type, certainty and polarity of one sentence.

Input: a sentence (and whether it stands alone on its line, as headings and list items do) plus
the entity mentions found in it. Output: a ``Judgement`` with a 0..1 score, the decision, the
claim type and the words of the reason. All vocabularies live in ``rules.py``; this module only
weighs them. The weights were set on the development texts (``data/labelled/dev``) and are
documented in ``docs/claims.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import model as claim_model
from . import rules
from .facts import attribution
from .mesh import Mention

# Score threshold for "check-worthy".
THRESHOLD = 0.45

# Weights of the evidence that a sentence is a testable health claim.
W_TYPE_CUE = 0.35         # at least one claim-type vocabulary fires
W_EXTRA_TYPE = 0.05       # each further claim type that fires (max two)
W_INTERVENTION = 0.2      # names an intervention (synonym list or "… therapy")
W_CONTEXT = 0.1           # names none, but its section (heading or earlier sentence) does
W_TARGET = 0.15           # names a condition or an outcome/biological target
W_EVIDENCE = 0.1          # appeals to research or cites a source
W_QUANTITY = 0.05         # contains a number or time quantity
W_ABSOLUTE = 0.05         # absolute wording: editors want these checked first
W_NO_ANCHOR = -0.3        # no health word at all
W_FALLBACK = 0.2          # no claim wording, but names an intervention and what it acts on

_PERSONAL = re.compile(r"\b(?:i|my|me|i['’](?:ve|m|d|ll))\b", re.IGNORECASE)

# Sentence-final punctuation, possibly inside closing quotes or brackets. A closing bracket alone
# is not: "Norovirus (vomiting bug)" is a title. A social post's closing emoji ends a sentence.
_TERMINAL = re.compile(r"(?:[.!?…:;][\"”’)\]]*|[\"”’]|[\u2600-\u27bf\U0001f300-\U0001faff]\ufe0f?)\s*$")
_WORDS = re.compile(r"[A-Za-z0-9][\w’'-]*")


@dataclass(slots=True)
class Judgement:
    """The classification of one sentence."""

    worthy: bool
    score: float
    claim_type: str | None
    certainty: str
    polarity: str
    reason: str
    types_matched: list[str] = field(default_factory=list)
    rule_worthy: bool = False
    features: dict[str, float] | None = None
    #: ruled out by its shape as a heading or navigation line (the section structure of
    #: ``extract`` reads this, never the words of ``reason``)
    heading: bool = False


def _first(group: str, text: str) -> str | None:
    m = rules.pattern(group).search(text)
    return m.group(0) if m else None


_QUESTION_OPENER = re.compile(r"^(?:what|why|how|when|where|which|who|can|does|do|is|are|should)\b",
                              re.IGNORECASE)
_SELF_OR_READER = re.compile(r"\bi\b(?!-)|\b(?:we|you|your|our|us|my|me)\b|\b(?:i|we|you)['’]"
                             r"|\b(?:recommends?|advises?|should|aim(?:s|ing)? for|will be)\b"
                             # a product's contents are not a finding
                             r"|\beach (?:sachet|gummy|capsule|tablet|serving|scoop|dose|bottle)\b"
                             r"|\b\d[\d,.]* ?(?:mg|mcg|µg|iu|g) of\b", re.IGNORECASE)


def scientific_assertion(sentence: str, anchored: bool = False) -> str | None:
    """The relation cue of a plainly worded scientific assertion ("Activation of PPM1D enhances
    p53 function"), or None: a relation between biomedical things, stated impersonally, by a
    sentence that is not a question. Such sentences are check-worthy whatever the claim model
    learned from blog texts (fact-checking data sets are written this way). ``anchored``: the
    sentence names a health concept the vocabulary knows (enough for a statistical finding)."""
    words = _WORDS.findall(sentence)
    if len(words) < 3 or _SELF_OR_READER.search(sentence) or _QUESTION_OPENER.search(sentence):
        return None
    if sentence.rstrip().endswith("?"):
        return None
    relation = rules.pattern("scientific relation").search(sentence)
    if relation is not None and rules.pattern("biomedical anchor").search(sentence) is not None:
        return relation.group(0)
    return statistical_finding(sentence, anchored)


def statistical_finding(sentence: str, anchored: bool = False) -> str | None:
    """The cue of a statistical finding about health ("Women with a lower birth weight are
    more likely to develop breast cancer"; "Obesity decreases life quality"), or None.
    ``anchored``: the sentence names a health concept the vocabulary knows."""
    statistical = rules.pattern("statistical relation").search(sentence)
    if statistical is not None and (anchored or rules.pattern("health anchor").search(sentence)
                                    or rules.pattern("biomedical anchor").search(sentence)):
        return statistical.group(0)
    return None


def looks_like_heading(sentence: str, whole_line: bool) -> bool:
    """A heading, title, byline or menu item: no closing punctuation and short or Title Case."""
    if _TERMINAL.search(sentence):
        return False
    words = _WORDS.findall(sentence)
    if not words:
        return True
    if whole_line and len(words) <= 24:
        return True
    capitalised = sum(1 for w in words if w[0].isupper() or w[0].isdigit()
                      or w.lower() in rules.HEADING_SMALL_WORDS)
    return capitalised / len(words) >= 0.8


#: :func:`shape_exclusion`'s reason for a heading (a section title, a menu line).
HEADING = "a heading or navigation line"


def shape_exclusion(sentence: str, whole_line: bool) -> str | None:
    """Why the sentence's shape rules it out (teaser, question, heading, fragment), or None."""
    if rules.TEASER_END.search(sentence):
        return "truncated teaser ending in an ellipsis"
    if rules.NAVIGATION_LINE.search(sentence):
        return "a breadcrumb or menu line"
    stripped = sentence.rstrip("\"”’' )")
    if stripped.endswith("?"):
        return "a question, not an assertion"
    if looks_like_heading(sentence, whole_line):
        return HEADING
    words = len(_WORDS.findall(sentence))
    if words < 3:
        return "too short to assert anything"
    if sentence.rstrip().endswith(":") and words <= 8:
        return "a lead-in to a list that is not there"
    return None


def claim_clause(sentence: str) -> str | None:
    """The type cue of a reason clause in an advice sentence ("…, as too much of it could harm
    your baby"; "…can upset your thyroid, so talk to your doctor first"), or None. Efficacy
    wording alone does not count: advice is full of "helps"."""
    clauses = []
    before = rules.CLAIM_BEFORE_ADVICE.search(sentence)
    if before:
        clauses.append(before.group("claim"))
    m = rules.MIXED_CLAIM_CLAUSE.search(sentence)
    if m is not None:
        clauses.append(m.group("a") or m.group("b") or "")
    for clause in clauses:
        for claim_type in rules.CLAIM_TYPE_GROUPS:
            if claim_type != "efficacy" and rules.pattern(claim_type).search(clause):
                return claim_type
    return None


# a negation governs the words after it up to a clause break ("are not bruises and are completely
# harmless" is absolute)
_NEGATED_BEFORE = re.compile(r"(?:\bnot|n[’']t|\bnever|\bno)\b(?:(?!\b(?:and|but|or)\b)[^,.;:]){0,40}$",
                             re.IGNORECASE)


# "It's not clear whether X can …", "No one knows if X can …": the negation is of the knowing,
# and the "can" still hedges
_OPEN_QUESTION = re.compile(r"\b(?:whether|if|clear|sure|known|knows|certain)\b", re.IGNORECASE)


def certainty_of(sentence: str) -> tuple[str, str | None]:
    """(certainty, the cue that decided it). Strong absolute > hedge > weak absolute > assertive.

    A negated absolute ("not always", "not for everyone") is a hedge, not an absolute.
    """
    for m in rules.pattern("absolute strong").finditer(sentence):
        if not _NEGATED_BEFORE.search(sentence[max(0, m.start() - 45):m.start()]):
            return "absolute", m.group(0)
    for m in rules.pattern("hedge").finditer(sentence):
        # "isn't something you can get rid of": a negated "can" asserts, it does not hedge
        before = sentence[max(0, m.start() - 45):m.start()]
        if m.group(0).lower() in ("can", "could") and _NEGATED_BEFORE.search(before) and \
                not _OPEN_QUESTION.search(before):
            continue
        return "hedged", m.group(0)
    cue = _first("absolute weak", sentence)
    if cue:
        return "absolute", cue
    return "assertive", None


def polarity_of(sentence: str) -> tuple[str, str | None]:
    """("negative", cue) when the claim itself is negated, else ("positive", None)."""
    for m in rules.pattern("negation").finditer(sentence):
        before = sentence[max(0, m.start() - 25):m.start()].lower()
        if re.search(r"\b(?:who|that|which|those)\s+(?:\w+\s+)?$", before):
            continue  # negation inside a relative clause: "patients who have not responded"
        return "negative", m.group(0)
    return "positive", None


def judge(sentence: str, mentions: list[Mention], whole_line: bool = False,
          carried: list[Mention] | None = None,
          context: list[Mention] | None = None, use_model: bool = True,
          models: claim_model.Models | None = None) -> Judgement:
    """Classify one sentence; see the module docstring.

    ``carried`` are the mentions of the previous sentence of the same paragraph; they stand in
    for the subject when the sentence opens with a pronoun or "the drug" ("They reduce the risk
    of heart attacks…" after a sentence about statins). ``context`` are the intervention mentions
    of the current section (its heading and the sentences before this one): a sentence that names
    no intervention but sits in a section about one ("Side effects are usually mild." under "Is
    Botox safe?") gets a smaller weight and counts as being about health.

    A sentence the rules exclude (shape, non-claim vocabularies, condition descriptions) is never
    a claim. For the others, the shipped model (``model.py``) turns the rule signals and the
    words into the check-worthiness ``score`` and decides; ``use_model=False`` (or a missing
    model file) leaves the decision to the rule score, as when the model is trained.
    """
    label = rules.SPEAKER_LABEL.match(sentence)
    if label and len(sentence) - label.end() > 15:
        sentence = sentence[label.end():]
    marker = rules.LIST_MARKER.match(sentence)
    if marker:
        sentence = sentence[marker.end():]
    anaphoric = bool(carried or context) and rules.ANAPHORIC_OPENER.search(sentence) is not None
    certainty, certainty_cue = certainty_of(sentence)
    polarity, polarity_cue = polarity_of(sentence)

    excluded = shape_exclusion(sentence, whole_line)
    if excluded is None:
        for group in rules.NON_CLAIM_GROUPS:
            cue = _first(group, sentence)
            # "Many people believe X, but studies have found no such effect": the belief is
            # reported to be rejected, which the article asserts (kept; attribution: rejected)
            if cue and group == "vague outlook" and attribution(sentence)[0] == "rejected":
                continue
            if cue and not (group in rules.ADVICE_GROUPS and claim_clause(sentence)):
                excluded = f"{group} ({cue.strip()!r})"
                break
    if excluded is not None:
        return Judgement(False, 0.05, None, certainty, polarity, f"not a claim: {excluded}",
                         heading=excluded == HEADING)

    types: list[tuple[str, str]] = []
    for claim_type in rules.CLAIM_TYPE_GROUPS:
        cue = _first(claim_type, sentence)
        if cue:
            types.append((claim_type, cue.strip()))
    fallback = False

    interventions = [m for m in mentions if m.role == "intervention"]
    targets = [m for m in mentions if m.role in ("condition", "outcome", "vocabulary")]
    if anaphoric and not interventions:
        interventions = ([m for m in carried or [] if m.role == "intervention"]
                         or [m for m in context or [] if m.role == "intervention"][-1:])
    if anaphoric and not targets and carried:
        targets = [m for m in carried if m.role in ("condition", "outcome", "vocabulary")]
    appeal = _first("evidence appeal", sentence)
    has_intervention = bool(interventions)
    in_context = not has_intervention and bool(context)
    anchor = (bool(mentions) or _first("health anchor", sentence) is not None
              or (anaphoric and bool(carried or interventions)) or in_context
              or any(t in ("safety", "mechanism", "cited_source") for t, _ in types))

    description = _first("condition description", sentence)
    if description and not has_intervention and not statistical_finding(sentence, bool(mentions)):
        # (a statistical finding is a claim even without an intervention: "Women with a lower
        # birth weight are more likely to develop breast cancer")
        return Judgement(False, 0.1, None, certainty, polarity,
                         f"not a claim: describes a condition ({description!r}) without naming "
                         "an intervention")
    status = _first("evidence status", sentence)
    if status:
        types.append(("efficacy", status.strip()))
    if in_context and (rules.SUBJECTLESS_CLAIM.search(sentence) or status):
        has_intervention, in_context = True, False
        interventions = [m for m in (context or []) if m.role == "intervention"][-1:]
    if not has_intervention:
        # an efficacy claim needs something that is effective
        types = [(t, c) for t, c in types if t != "efficacy"]

    own_targets = [m for m in mentions if m.role in ("condition", "outcome", "vocabulary")]
    if not types and interventions and own_targets and not _PERSONAL.search(sentence):
        # Claim wording varies without end ("Grounding thins your blood"); a sentence that names
        # an intervention (or borrows one through a pronoun) and what it acts on, and that no
        # non-claim rule caught, is most often an efficacy claim. Weighted below a cue.
        types = [("efficacy", f"{interventions[0].text} … {own_targets[0].text}")]
        fallback = True

    score = 0.0
    if fallback:
        score += W_FALLBACK
    elif types:
        score += W_TYPE_CUE + W_EXTRA_TYPE * min(2, len(types) - 1)
    if has_intervention:
        score += W_INTERVENTION
    elif in_context:
        score += W_CONTEXT
    if targets:
        score += W_TARGET
    if appeal or any(t == "cited_source" for t, _ in types):
        score += W_EVIDENCE
    if rules.QUANTITY.search(sentence):
        score += W_QUANTITY
    if certainty == "absolute":
        score += W_ABSOLUTE
    if not anchor:
        score += W_NO_ANCHOR
    score = round(max(0.0, min(1.0, score)), 3)

    rule_worthy = bool(types) and anchor and score >= THRESHOLD
    worthy = rule_worthy
    claim_type = types[0][0] if types else None
    if models is None:
        models = claim_model.in_force() if use_model else claim_model.RULES_ALONE
    model = models.model
    feats = claim_model.features(sentence, [t for t, _ in types],
                                 {m.role for m in mentions}, bool(carried), certainty, polarity,
                                 score, rule_worthy,
                                 embedding=model is not None and model.embedding is not None)
    typed_by_model = None
    if model is not None:
        probability = model.probability(feats)
        worthy = anchor and probability >= model.threshold
        score = round(probability, 3)
        typer = models.types
        if worthy and typer is not None and claim_type != "cited_source":
            # a named source decides the type whatever else the sentence says (the labelling
            # guidelines' first rule), and its vocabulary is the most precise one
            typed_by_model = typer.predict(feats)
            claim_type = typed_by_model
        elif worthy and claim_type is None:
            claim_type = "efficacy"
    science = None if worthy else scientific_assertion(sentence, anchored=bool(mentions))
    if science:
        # a plainly worded scientific assertion: check-worthy, typed by its cues (a relation
        # between molecules, cells or organisms is a mechanism)
        worthy = True
        if claim_type is None or (typed_by_model is None and not types):
            claim_type = "mechanism"
        score = max(score, THRESHOLD)
    if science:
        reason = (f"{claim_type.replace('_', ' ')} claim: a scientific assertion ({science!r}, "
                  "about research vocabulary)")
        if certainty != "assertive" and certainty_cue:
            reason += f"; {certainty} wording ({certainty_cue!r})"
    else:
        reason = _reason(worthy, types, fallback, interventions, targets, appeal, certainty,
                         certainty_cue, polarity, polarity_cue, anchor)
    if typed_by_model is not None and (not types or typed_by_model != types[0][0]):
        reason += f"; typed {typed_by_model.replace('_', ' ')} by the type model"
    if model is not None:
        reason += f"; model probability {score:.2f}"
    return Judgement(worthy, score, claim_type, certainty, polarity, reason,
                     [t for t, _ in types], rule_worthy, feats)


def _reason(worthy: bool, types: list[tuple[str, str]], fallback: bool,
            interventions: list[Mention], targets: list[Mention], appeal: str | None,
            certainty: str, certainty_cue: str | None, polarity: str,
            polarity_cue: str | None, anchor: bool) -> str:
    if not anchor:
        return "not a claim: nothing in it is about health"
    if not types:
        if worthy:
            return ("efficacy claim (no claim wording recognised; the model weighs its words as "
                    "a claim)")
        return "not a claim: no effect, mechanism, risk, time course, size, frequency or source"
    parts: list[str] = []
    main, cue = types[0]
    subject = interventions[0].text if interventions else None
    about = f" about {subject}" if subject else ""
    if targets:
        about += f" and {targets[0].text}"
    if fallback:
        parts.append(f"efficacy claim{about} (names an intervention and what it acts on; "
                     "no claim wording recognised)")
    else:
        parts.append(f"{main.replace('_', ' ')} claim{about} ({cue!r})")
    for other, other_cue in types[1:3]:
        parts.append(f"also {other.replace('_', ' ')} ({other_cue!r})")
    if appeal and main != "cited_source":
        parts.append(f"appeals to evidence ({appeal!r})")
    if certainty != "assertive" and certainty_cue:
        parts.append(f"{certainty} wording ({certainty_cue!r})")
    if polarity == "negative" and polarity_cue:
        parts.append(f"negated ({polarity_cue!r})")
    text = "; ".join(parts)
    return text if worthy else f"weak: {text}"
