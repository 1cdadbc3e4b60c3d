"""A small logistic-regression model over the rule signals and the words of a sentence.

The rules (``rules.py``) decide what is never a claim (teasers, advice, promotion, headings…) and
say why; for every other sentence this model turns the rule signals plus word unigrams and
bigrams into a check-worthiness probability. It was added because the vocabularies alone missed
claims worded in ways they had not seen (recall 0.52–0.86 over the held-out rounds,
``docs/claims.md``); weighting the words of the labelled dev sentences recovers part of that.

The weights ship as ``model.json`` beside this module (feature hashing into ``dims`` buckets with
CRC-32, so no vocabulary file is needed); ``python -m research.claims_train`` rebuilds it from
``data/labelled/`` (the exact command, and the leave-one-round-out validation that chose the L2
strength, the features and the threshold, are recorded in the file). The shipped model is
trained on every sentence judged both without and with the pipeline's MeSH vocabulary, so it
decides with either ``mesh_vocabulary=None`` or a vocabulary. Pure Python at run time: a sparse
dot product per sentence.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from ..settings import CLAIMS_MODEL_ENV, get_settings, switched_off
from . import rules


log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).with_name("model.json")
#: The same model trained with sentence embeddings as extra features (``embed.py``): used
#: instead of MODEL_PATH when ``FACTCHECK_CLAIMS_EMBED`` is ``on`` (or ``auto`` with the extra).
MODEL_EMBED_PATH = Path(__file__).with_name("model_embed.json")
# FACTCHECK_CLAIMS_MODEL=off decides by the rules alone; =PATH uses another model file.
MODEL_ENV = CLAIMS_MODEL_ENV
_WORD = re.compile(r"[a-z][a-z'’-]+")


def features(sentence: str, types: Iterable[str], roles: Iterable[str], carried: bool,
             certainty: str, polarity: str, rule_score: float,
             rule_worthy: bool, embedding: bool = False) -> dict[str, float]:
    """Named features of one sentence (the same function at training and at run time);
    ``embedding`` adds the sentence embedding's dimensions (``embed.features``)."""
    out: dict[str, float] = {}
    for group in rules.ALL_GROUPS:
        if group in rules.RULE_ONLY_GROUPS:
            continue
        if rules.pattern(group).search(sentence):
            out[f"g:{group}"] = 1.0
    for claim_type in types:
        out[f"t:{claim_type}"] = 1.0
    for role in roles:
        out[f"r:{role}"] = 1.0
    if carried:
        out["carried"] = 1.0
    out[f"cert:{certainty}"] = 1.0
    out[f"pol:{polarity}"] = 1.0
    out["rule_score"] = rule_score
    out["rule_worthy"] = 1.0 if rule_worthy else 0.0
    words = _WORD.findall(sentence.lower())
    for word in words:
        out[f"w:{word}"] = 1.0
    for first, second in zip(words, words[1:]):
        out[f"b:{first} {second}"] = 1.0
    if words:
        out[f"first:{words[0]}"] = 1.0
    out["length"] = min(len(words), 40) / 40
    if embedding:
        from . import embed

        out.update(embed.features(sentence))
    return out


def bucket(name: str, dims: int) -> int:
    return zlib.crc32(name.encode("utf-8")) % dims


@dataclass(frozen=True)
class Model:
    """Hashed logistic regression: ``probability(features)`` in 0..1."""

    dims: int
    bias: float
    weights: Mapping[int, float]
    threshold: float
    embedding: str | None = None   # the sentence embedding its features include, if any

    def probability(self, feats: Mapping[str, float]) -> float:
        z = self.bias
        for name, value in feats.items():
            z += self.weights.get(bucket(name, self.dims), 0.0) * value
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def from_dict(cls, data: Mapping) -> "Model":
        """The model as :meth:`to_json` wrote it (metadata keys are ignored)."""
        return cls(int(data["dims"]), float(data["bias"]),
                   {int(k): float(v) for k, v in data["weights"].items()},
                   float(data["threshold"]), data.get("embedding") or None)

    def to_json(self, **meta: object) -> str:
        extra = {"embedding": self.embedding} if self.embedding else {}
        return json.dumps({"dims": self.dims, "bias": round(self.bias, 6),
                           "threshold": self.threshold, **extra, **meta,
                           "weights": {str(k): round(v, 5) for k, v in sorted(self.weights.items())
                                       if abs(v) >= 1e-4}}, separators=(",", ":"))


@dataclass(frozen=True)
class TypeModel:
    """Hashed multinomial logistic regression over the same features: ``predict(features)``
    gives the claim type of a check-worthy sentence (classes as in ``claim.CLAIM_TYPES``).

    Added because the fixed priority of the type vocabularies (``cited_source > safety > …``)
    generalised poorly to unseen texts (type accuracy 0.59–0.80 on held-out rounds 12 and 13),
    and a claim that no type vocabulary matched had to default to ``efficacy``. Trained on
    rounds 1–12 only, the model typed round 13's claims right 0.59 of the time where the
    vocabulary priority managed 0.51 (``docs/claims.md``).
    """

    dims: int
    classes: tuple[str, ...]
    biases: tuple[float, ...]
    weights: Mapping[int, tuple[float, ...]]

    def scores(self, feats: Mapping[str, float]) -> list[float]:
        z = list(self.biases)
        for name, value in feats.items():
            row = self.weights.get(bucket(name, self.dims))
            if row is not None:
                for k, w in enumerate(row):
                    z[k] += w * value
        top = max(z)
        exp = [math.exp(v - top) for v in z]
        total = sum(exp)
        return [v / total for v in exp]

    def predict(self, feats: Mapping[str, float]) -> str:
        probabilities = self.scores(feats)
        return self.classes[max(range(len(probabilities)), key=probabilities.__getitem__)]

    def to_dict(self) -> dict:
        """Per class, the buckets whose weight is at least 0.02 in size (smaller ones change no
        prediction on the dev texts and would make the file several times larger)."""
        per_class = {c: {} for c in self.classes}
        for k, row in sorted(self.weights.items()):
            for c, w in zip(self.classes, row):
                if abs(w) >= 0.02:
                    per_class[c][str(k)] = round(w, 3)
        return {"dims": self.dims, "classes": list(self.classes),
                "biases": [round(b, 5) for b in self.biases], "weights": per_class}

    @classmethod
    def from_dict(cls, data: Mapping) -> "TypeModel":
        classes = tuple(str(c) for c in data["classes"])
        if len(data["biases"]) != len(classes) or set(data["weights"]) - set(classes):
            raise ValueError("type model: biases or weights do not match the classes")
        rows: dict[int, list[float]] = {}
        for k, c in enumerate(classes):
            for bucket_id, w in data["weights"].get(c, {}).items():
                rows.setdefault(int(bucket_id), [0.0] * len(classes))[k] = float(w)
        return cls(int(data["dims"]), classes, tuple(float(b) for b in data["biases"]),
                   {b: tuple(row) for b, row in rows.items()})


@dataclass(frozen=True)
class Models:
    """The models a claim extraction runs with, passed explicitly (``extract_claims(...,
    models=)``): the check-worthiness model (None: the rules alone) and the claim-type model
    (None: the type vocabularies' priority order)."""

    model: Model | None = None
    types: TypeModel | None = None


#: The rules alone decide.
RULES_ALONE = Models()


def models_from(path: Path) -> Models:
    """The models stored in one model file (``model.json`` holds both)."""
    return Models(_load(path), _load_types(path))


def in_force() -> Models:
    """The models the settings choose (:func:`model_path`): what the pipeline runs with."""
    path = model_path()
    return RULES_ALONE if path is None else models_from(path)


def load_type_model() -> TypeModel | None:
    """The claim-type model stored with the check-worthiness model, or None (the type
    vocabularies' priority order decides) when the model is off, absent or unreadable."""
    path = model_path()
    return None if path is None else _load_types(path)


@lru_cache(maxsize=4)
def _read(path: Path) -> dict:
    """A model file's JSON, read once for both models it holds (errors are not cached: the
    callers report them)."""
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def _load_types(path: Path) -> TypeModel | None:
    try:
        data = _read(path)
        return TypeModel.from_dict(data["types"]) if "types" in data else None
    except FileNotFoundError:
        return None  # already reported by load_model
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("claims type model in %s unusable (%s): types from the vocabularies alone",
                    path, exc)
    return None


def clear_cache() -> None:
    """Forget the model files read so far (after one was written or the setting changed)."""
    _read.cache_clear()
    _load.cache_clear()
    _load_types.cache_clear()


def model_path(load: bool = True) -> Path | None:
    """The model file in force: the one named by ``$FACTCHECK_CLAIMS_MODEL``, else the
    embedding model when ``$FACTCHECK_CLAIMS_EMBED`` chooses it (``on``, or ``auto`` with the
    ``embed`` extra installed: ``embed.available``), else the shipped ``model.json``; None when
    ``$FACTCHECK_CLAIMS_MODEL`` is ``off``. ``load=False`` decides from the installed packages
    without loading the encoder (``auto`` with an extra that fails to load then names the
    embedding model, which extraction would not use)."""
    setting = get_settings().claims_model
    if switched_off(setting):
        return None
    if setting:
        return Path(setting)
    from . import embed

    if embed.available(load):   # raises when FACTCHECK_CLAIMS_EMBED=on and the extra is missing
        if MODEL_EMBED_PATH.exists():
            return MODEL_EMBED_PATH
        if embed.setting() == "on":
            raise embed.EmbeddingUnavailable(f"{MODEL_EMBED_PATH} is missing")
    return MODEL_PATH


def model_name(load: bool = True) -> str:
    """The claim model in force as a run records it (``runs.claims_model``): its file name and
    the first 12 hex digits of its sha256, ``off`` (the rules alone), or why it is unusable
    (``load``: as :func:`model_path`)."""
    try:
        path = model_path(load)
    except Exception as exc:   # FACTCHECK_CLAIMS_EMBED=on without the extra: the stage says so
        return f"unavailable: {exc}"[:200]
    if path is None:
        return "off"
    try:
        return f"{path.name}@{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"
    except OSError:
        return f"{path.name} (unreadable)"


def load_model() -> Model | None:
    """The model to use (:func:`model_path`), or None (the rules alone decide) when
    ``$FACTCHECK_CLAIMS_MODEL`` is ``off`` or the file is unusable."""
    path = model_path()
    return None if path is None else _load(path)


@lru_cache(maxsize=4)
def _load(path: Path) -> Model | None:
    try:
        return Model.from_dict(_read(path))
    except FileNotFoundError:
        log.warning("claims model %s not found: check-worthiness from the rules alone", path)
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("claims model %s unreadable (%s): check-worthiness from the rules alone",
                    path, exc)
    return None
