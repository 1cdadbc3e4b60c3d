"""``extract_claims``: the check-worthy health claims of one cleaned article body."""

from __future__ import annotations

from typing import Iterable, Iterator

from . import embed, facts, rules
from . import model as claim_model
from .classify import Judgement, judge
from .mesh import EntityMatcher, Mention, matcher_for
from .claim import Claim
from .segment import Span, segment_sentences


def _whole_line(body: str, span: Span) -> bool:
    line_start = body.rfind("\n", 0, span.start) + 1
    line_end = body.find("\n", span.end)
    line_end = len(body) if line_end == -1 else line_end
    return body[line_start:span.start].strip() == "" and body[span.end:line_end].strip() == ""


def _subject_first(interventions: list[Mention], sentence: str) -> list[Mention]:
    """The intervention mentions of ``sentence`` with those of a leading contrast clause
    (``rules.CONTRAST_OPENER``) last."""
    m = rules.CONTRAST_OPENER.match(sentence)
    # (mentions carried from an earlier sentence than ``sentence`` are left in their order)
    if not m or any(sentence[x.start:x.end] != x.text for x in interventions):
        return interventions
    return ([x for x in interventions if x.start >= m.end()]
            + [x for x in interventions if x.start < m.end()])


def _is_heading(body: str, span: Span, verdict: Judgement) -> bool:
    """A heading line, including a question standing alone as a section title."""
    if verdict.heading:
        return True
    return (not verdict.worthy and span.text.rstrip().endswith("?")
            and len(span.text.split()) <= 14 and _whole_line(body, span))


def _structure(sentence: str, mentions: list[Mention]) -> tuple[str | None, str | None,
                                                                 str | None, list[str]]:
    """(intervention, condition, outcome, mesh_terms) of a sentence from its mentions."""
    by_role: dict[str, list[Mention]] = {"intervention": [], "condition": [], "outcome": [],
                                         "vocabulary": []}
    for m in mentions:
        by_role[m.role].append(m)
    subjects = _subject_first(by_role["intervention"], sentence)
    intervention = subjects[0] if subjects else None
    intervention_text = intervention.text if intervention else None
    if intervention_text is None:
        generic = rules.GENERIC_INTERVENTION.search(sentence)
        intervention_text = generic.group(0) if generic else None
    condition = by_role["condition"][0] if by_role["condition"] else None
    outcome = by_role["outcome"][0] if by_role["outcome"] else None
    if outcome is None and len(by_role["condition"]) > 1:
        outcome = by_role["condition"][1]
    ordered = [m for m in (intervention, condition, outcome) if m is not None]
    ordered += [m for m in mentions if m not in ordered]
    mesh_terms: list[str] = []
    for m in ordered:
        if m.descriptor and m.descriptor not in mesh_terms:
            mesh_terms.append(m.descriptor)
    return (intervention_text, condition.text if condition else None,
            outcome.text if outcome else None, mesh_terms)


def _judged(body_text: str, matcher: EntityMatcher, use_model: bool = True,
            models: claim_model.Models | None = None
            ) -> Iterator[tuple[Span, list[Mention], list[Mention], Judgement]]:
    """(span, mentions, mentions carried from the previous sentence, judgement) per sentence.

    Mentions carry over from one sentence to the next (across a paragraph break too, since
    "He also said…" may open a paragraph) but not past a heading. The section context is the
    interventions named since the last heading, the heading's own included; when a section has
    named none yet, those named earlier in the document stand in (a leaflet about sertraline
    keeps being about sertraline under "When will I feel better?").
    """
    previous: Span | None = None
    previous_mentions: list[Mention] = []
    section: list[Mention] = []
    document: list[Mention] = []
    spans = segment_sentences(body_text)
    if models is None:   # once per text: the settings' choice, or the rules alone
        models = claim_model.in_force() if use_model else claim_model.RULES_ALONE
    model = models.model
    if model is not None and model.embedding:
        embed.prime(span.text for span in spans)   # one batch for the whole body
    # a text of one line (a claim sent for checking, a social post) is no heading: a heading
    # needs a body under it
    single_line = "\n" not in body_text.strip()
    # A sentence's mentions depend on its words alone, and its judgement on its words, whether
    # it stands on a line of its own and what ``judge`` reads of its context (the mentions
    # carried, whether the section names an intervention and the last one it names): a page that
    # repeats its sentences has each distinct case judged once.
    found_in: dict[str, list[Mention]] = {}
    judged: dict[tuple, Judgement] = {}
    for span in spans:
        mentions = found_in.get(span.text)
        if mentions is None:
            mentions = found_in[span.text] = matcher.mentions(span.text)
        carried = previous_mentions if previous is not None else []
        whole_line = not single_line and _whole_line(body_text, span)
        context = section or document
        last = next((m for m in reversed(context) if m.role == "intervention"), None)
        key = (span.text, whole_line, tuple(carried), bool(context), last)
        verdict = judged.get(key)
        if verdict is None:
            verdict = judged[key] = judge(span.text, mentions, whole_line, carried, context,
                                          models=models)
        yield span, mentions, carried, verdict
        found = [m for m in mentions if m.role == "intervention"]
        document = document + found
        if _is_heading(body_text, span, verdict):
            # a heading starts a new subject: its own interventions become the section's
            previous, previous_mentions, section = None, [], found
        else:
            previous, previous_mentions = span, mentions or carried
            section = section + found


def judge_sentences(body_text: str, mesh_vocabulary: Iterable[str] | None = None,
                    use_model: bool = True, models: claim_model.Models | None = None
                    ) -> list[tuple[Span, Judgement]]:
    """Every sentence of ``body_text`` with its judgement (check-worthy or not).

    For evaluation, training and debugging; ``extract_claims`` keeps the check-worthy ones.
    ``use_model=False`` decides by the rule score alone; ``models`` gives the models explicitly.
    """
    matcher = matcher_for(mesh_vocabulary)
    return [(span, verdict) for span, _, _, verdict in _judged(body_text, matcher, use_model, models)]


def extract_claims(body_text: str, mesh_vocabulary: Iterable[str] | None = None,
                   models: claim_model.Models | None = None) -> list[Claim]:
    """The check-worthy health claims of ``body_text``, in text order.

    ``mesh_vocabulary`` is the set of MeSH descriptor names present in the PubMed table; without
    it concepts come from the built-in synonym list only. ``models`` are the claim models to
    decide with (``claim_model.Models``; ``claim_model.RULES_ALONE`` for the rules alone); by default
    those the settings choose (``claim_model.in_force``: ``FACTCHECK_CLAIMS_MODEL``, recorded in
    ``runs.claims_model``). Every claim satisfies
    ``body_text[claim.start:claim.end] == claim.sentence``.
    """
    if not body_text or not body_text.strip():
        return []
    matcher = matcher_for(mesh_vocabulary)
    claims: list[Claim] = []
    judged = list(_judged(body_text, matcher, models=models))
    for i, (span, mentions, carried, verdict) in enumerate(judged):
        if not verdict.worthy or verdict.claim_type is None:
            continue
        resolved = None
        # "The drug can cause nausea" after a sentence on sertraline: "the drug" is a reference
        # to resolve, not the intervention (the matcher takes a generic word for one when the
        # sentence names none)
        own = [m for m in mentions if m.role == "intervention"]
        generic_only = bool(own) and all(not m.descriptor and rules.GENERIC_REFERENCE.fullmatch(m.text)
                                         for m in own)
        refers = bool(rules.ANAPHORIC_OPENER.search(span.text)) or (
            generic_only and facts.refers_back(span.text))
        if carried and (not own or generic_only) and refers and \
                any(m.role == "intervention" for m in carried):
            previous = judged[i - 1][0].text if i > 0 else ""
            carried_intervention = _subject_first(
                [m for m in carried if m.role == "intervention"], previous)[:1]
            if generic_only:
                mentions = [m for m in mentions if m not in own]
            mentions = carried_intervention + mentions
            if carried_intervention:
                resolved = facts.resolve_reference(span.text, carried_intervention[0].text)
        intervention, condition, outcome, mesh_terms = _structure(span.text, mentions)
        following = judged[i + 1][0].text if i + 1 < len(judged) else None
        attribution, attributed_to = facts.attribution(span.text, following)
        cited = facts.citation(span.text)
        claims.append(Claim(
            sentence=span.text, start=span.start, end=span.end,
            claim_type=verdict.claim_type, certainty=verdict.certainty,
            polarity=verdict.polarity, score=verdict.score, reason=verdict.reason,
            intervention=intervention, condition=condition, outcome=outcome,
            mesh_terms=mesh_terms,
            query_text=resolved if resolved and resolved != span.text else None,
            attribution=attribution, attributed_to=attributed_to,
            figures=facts.figures(span.text), cited=cited.text if cited else None,
        ))
    return claims
