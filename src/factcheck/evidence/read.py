"""Reading retrieved records against a claim: which sentences bear on it, and how.

Each record is split into its title and abstract sentences (``sentences.split_abstract``); the
stance model scores every (claim, sentence) pair that may decide the claim, for all records of
a claim in one batch. For a claim about an outcome in people, only the title, results,
conclusions and unlabelled sentences may decide: background sentences report what others found
and methods sentences decide nothing. For a mechanism claim every sentence may (pharmacology is
stated in backgrounds). At most :data:`MAX_SENTENCES` sentences of a record are read: those
sharing most words with the claim, and the last two (the conclusions). A record off the
claim's topic is not read at all: it can never count, so reading it could only reorder the
records that do not count (see :func:`sentences_to_read`).

A record's stance is that of its most decided sentence, which is quoted; a record off the
claim's topic (``assess.judge_topic``) never supports or refutes it. The sentence
probability is turned into a record-level probability by the calibration fitted with the model
(``stance.json``, ``record_calibration``): a logistic map of the sentence probability and of
where retrieval ranked the record (a record that retrieval ranks first and whose best sentence
is moderately probable is more often right than one ranked tenth), fitted on SciFact training
claims held aside from training; the record supports (refutes) the claim when that probability
reaches one half (it more probably does than not).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .grading import HUMAN_OUTCOME_TYPES, grade
from .retrieve import Hit, Query, _content_words, lexical_ratio
from .sentences import split_abstract
from .stance import NEUTRAL, REFUTE, SUPPORT, StanceModel, default_model
from .verdict import ReadRecord

#: Sections whose sentences cannot decide a claim about an outcome.
NON_DECIDING = frozenset({"background", "objective", "methods"})
#: At most this many sentences of one record are read (the title included).
MAX_SENTENCES = 12


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


#: A record supports (refutes) a claim in a verdict when it more probably does than not.
DECISION_THRESHOLD = 0.5


@dataclass
class Calibration:
    """P(the record really says what its best sentence says) from that sentence's probability,
    the record's retrieval rank (1 = first) and its BM25 score relative to the first's (``retrieve.lexical_ratio``).

    ``threshold`` is where a record starts to count as supporting or refuting: "more likely
    than not" (:data:`DECISION_THRESHOLD`) for verdicts an editor reads. The threshold that
    maximises SciFact's F1 (where missing evidence costs as much as wrong evidence) is lower;
    it is kept in ``stance.json`` as ``f1_threshold`` for the benchmark to report."""

    w_p: float = 1.0
    w_rank: float = 0.0
    w_score: float = 0.0
    bias: float = 0.0
    threshold: float = DECISION_THRESHOLD

    def features(self, p: float, rank: int, score_ratio: float) -> tuple[float, float, float]:
        return _logit(p), math.log(max(rank, 1)), min(max(score_ratio, 0.0), 1.0)

    def __call__(self, p: float, rank: int = 1, score_ratio: float = 1.0) -> float:
        x_p, x_rank, x_score = self.features(p, rank, score_ratio)
        z = self.w_p * x_p + self.w_rank * x_rank + self.w_score * x_score + self.bias
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def from_meta(cls, meta: dict) -> Calibration:
        c = meta.get("record_calibration") or {}
        return cls(float(c.get("w_p", 1.0)), float(c.get("w_rank", 0.0)),
                   float(c.get("w_score", 0.0)), float(c.get("bias", 0.0)),
                   float(c.get("threshold", DECISION_THRESHOLD)))


_TOKEN = re.compile(r"[a-z0-9]+")


def _overlap(words: set[str], text: str) -> int:
    return len(words & set(_TOKEN.findall(text.lower())))


def candidate_sentences(hit: Hit, claim_type: str, query_words: set[str], speaks=None
                        ) -> list[tuple[str, str | None]]:
    """(sentence, section) pairs of a record that may decide a claim of ``claim_type``
    (``speaks``: only those it accepts, see :func:`sentences_to_read`)."""
    out: list[tuple[str, str | None]] = []
    if hit.title and hit.title.strip() and (speaks is None or speaks(hit.title.strip())):
        out.append((hit.title.strip(), "title"))
    outcome_claim = claim_type in HUMAN_OUTCOME_TYPES
    sentences = [s for s in split_abstract(hit.abstract) if s.section != "other"
                 and not (outcome_claim and s.section in NON_DECIDING)
                 and (speaks is None or speaks(s.text))]
    if len(sentences) > MAX_SENTENCES - 1:
        keep = set(sorted(range(len(sentences)),
                          key=lambda i: (-_overlap(query_words, sentences[i].text), -i))
                   [:MAX_SENTENCES - 3])
        keep |= {len(sentences) - 1, len(sentences) - 2}
        sentences = [s for i, s in enumerate(sentences) if i in keep]
    out += [(s.text, s.section) for s in sentences]
    return out


def sentences_to_read(claim_text: str, claim_type: str, hits: Sequence[Hit],
                      query: Query | None = None, on_topic: Sequence[bool] | None = None,
                      speaks=None) -> list[list[tuple[str, str | None]]]:
    """Per hit, the (sentence, section) pairs the stance model reads against the claim: a
    record on the claim's topic (or every record, without ``on_topic``) read in full, one off
    it not at all (none).

    ``speaks(sentence) -> bool`` (``assess.speaks_to``): only the sentences it accepts, those
    that name what the claim is about, are read; the others could never decide the claim.
    Leaving them unread: on SciFact's training claims (552, default install, same run) pairs
    read 20,585 -> 9,289, evidence time per claim p50 394 -> 202 ms, the labels unchanged (F1
    0.475) and nDCG@10 0.6816 -> 0.6813 (a neutral record's relevance comes from the sentences
    that speak).

    A record off the topic never supports or refutes the claim, and since migration 0011 its
    closest sentence is not stored; reading it served only to order it among the records that
    do not count. Not reading it: on SciFact's training claims (552, default install, two
    cores, same run) evidence time per claim p50 386 -> 251 ms with nDCG@10 0.6863 -> 0.6822
    and the labels unchanged (F1 0.474). On the demo database, where four records in five
    retrieved are off the topic, it was 42% of the pairs read (2,919 -> 1,690 for 96 claims)."""
    words = set(_content_words(query.text if query else claim_text))
    return [candidate_sentences(h, claim_type, words, speaks) if on_topic is None or on_topic[i]
            else [] for i, h in enumerate(hits)]


def read_records(claim_text: str, claim_type: str, hits: Sequence[Hit], query: Query | None = None,
                 model: StanceModel | None = None, on_topic: Sequence[bool] | None = None,
                 calibration: Calibration | None = None, speaks=None) -> list[ReadRecord]:
    """Read each hit (in retrieval order) against the claim: grade, stance, calibrated
    probabilities, deciding sentence (``speaks``: as in :func:`sentences_to_read`)."""
    model = model or default_model()
    per_hit = sentences_to_read(claim_text, claim_type, hits, query, on_topic, speaks)
    probs = model.probabilities([(claim_text, s) for sentences in per_hit for s, _ in sentences])
    return records_from(probs, per_hit, claim_type, hits, on_topic,
                        calibration or Calibration.from_meta(model.meta))


def records_from(probs, per_hit: Sequence[Sequence[tuple[str, str | None]]], claim_type: str,
                 hits: Sequence[Hit], on_topic: Sequence[bool] | None, calibrate: Calibration
                 ) -> list[ReadRecord]:
    """The read records of a claim from the stance model's probabilities for its pairs
    (``sentences_to_read``'s order, one row per pair)."""
    records: list[ReadRecord] = []
    row = 0
    for i, (hit, sentences) in enumerate(zip(hits, per_hit)):
        block = probs[row:row + len(sentences)]
        row += len(sentences)
        g = grade(study_design=hit.study_design, claim_type=claim_type, title=hit.title,
                  abstract=hit.abstract, is_retracted=hit.is_retracted, mesh_terms=hit.mesh_terms,
                  publication_types=hit.publication_types)
        record = ReadRecord(hit=hit, rank=i + 1, on_topic=bool(on_topic[i]) if on_topic else False,
                            grade=g)
        if len(block):
            ratio = lexical_ratio(hit, hits)
            s_best = int(block[:, SUPPORT].argmax())
            r_best = int(block[:, REFUTE].argmax())
            record.p_support = calibrate(float(block[s_best, SUPPORT]), i + 1, ratio)
            record.p_refute = calibrate(float(block[r_best, REFUTE]), i + 1, ratio)
            record.p_relevant = float((1.0 - block[:, NEUTRAL]).max())
            # a record off the claim's topic does not support or refute it, whatever a sentence
            # of it seems to say ("Ketamine improved cognition" is no evidence that ketamine
            # cures tinnitus)
            if record.p_bearing >= calibrate.threshold and (on_topic is None or record.on_topic):
                if record.p_support >= record.p_refute:
                    record.stance, best = "supports", s_best
                else:
                    record.stance, best = "refutes", r_best
            else:
                best = int((1.0 - block[:, NEUTRAL]).argmax())
            record.quote, record.quote_section = sentences[best]
        records.append(record)
    return records
