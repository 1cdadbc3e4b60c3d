"""The stance model at run time: for (claim, sentence) pairs, the calibrated probabilities
that the sentence is NEUTRAL to the claim, SUPPORTs it or REFUTEs it.

The model is a cross-encoder (all-MiniLM-L6-v2 fine-tuned by ``research.stance_train``)
shipped as int8 ONNX in ``model/`` with its tokenizer; it runs with onnxruntime and
tokenizers, so the default install needs no torch and nothing is downloaded. Probabilities
are ``softmax(logits / temperature)``, the temperature fitted on held-aside validation data
(``model/MODEL_CARD.md`` says how well calibrated they are on unseen data).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..settings import STANCE_THREADS_ENV, get_settings

MODEL_DIR = Path(__file__).resolve().parent / "model"
LABELS = ("NEUTRAL", "SUPPORT", "REFUTE")
NEUTRAL, SUPPORT, REFUTE = range(3)
#: Each pair is read on its own (a batch of one), never padded beside others. The int8 model
#: quantizes its input as a whole, so in a batch a pair's probabilities depended a little on
#: its batch mates (up to about 0.04) and their padding; read alone they depend on the claim
#: and the sentence only. It is also cheaper: padding to the longest pair of a batch of 32 was
#: a third of the tokens read (the demo's largest article: 12.8 s of CPU batched, 9.6 s
#: alone, the same 1,131 pairs). Pairs are read on ``threads`` cores at once.


class StanceModelMissing(RuntimeError):
    """The model files are not where they should be (a broken install)."""


def _threads_setting() -> int:
    value = get_settings().stance_threads
    try:
        threads = int(value)
    except ValueError:
        threads = -1
    if threads < 0:
        raise ValueError(f"{STANCE_THREADS_ENV}={value!r}: expected a whole number of threads "
                         "(0: every core)")
    return threads


def _cores() -> int:
    """The cores this process may run on (its affinity, which a container's CPU set limits)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class StanceModel:
    def __init__(self, model_dir: str | os.PathLike[str] = MODEL_DIR, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        onnx_path, tok_path, meta_path = (model_dir / "stance.onnx", model_dir / "tokenizer.json",
                                          model_dir / "stance.json")
        for p in (onnx_path, tok_path, meta_path):
            if not p.exists():
                raise StanceModelMissing(f"stance model file {p} is missing; reinstall factcheck")
        self.meta = json.loads(meta_path.read_text(encoding="utf-8"))
        self.labels = tuple(self.meta["labels"])
        if self.labels != LABELS:
            raise StanceModelMissing(f"{meta_path} has labels {self.labels}, expected {LABELS}")
        self.max_length = int(self.meta["max_length"])
        self.temperature = float(self.meta.get("temperature", 1.0))
        self.version = _version(self.meta)
        self.tokenizer = Tokenizer.from_file(str(tok_path))
        self.tokenizer.enable_truncation(self.max_length, strategy="longest_first")
        self.tokenizer.no_padding()
        self.threads = threads or _threads_setting() or _cores()
        options = ort.SessionOptions()
        # one core per pair: pairs are read side by side (``threads`` at once), which keeps both
        # cores busy where one pair's small matrices would leave a second intra-op thread idle
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0
        self._pool_lock = threading.Lock()

    def _read(self, encoding) -> np.ndarray:
        ids = np.asarray([encoding.ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids),
                "token_type_ids": np.asarray([encoding.type_ids], dtype=np.int64)}
        return self.session.run(["logits"], {k: v for k, v in feed.items() if k in self._inputs})[0][0]

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            # a pool is not inherited by a forked process: its threads stay in the parent
            if self._pool is None or self._pool_pid != os.getpid():
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="stance")
                self._pool_pid = os.getpid()
            return self._pool

    def submit(self, pairs: Sequence[tuple[str, str]]) -> Reading:
        """Start reading ``pairs`` on the pool and return at once: the caller goes on (with the
        next claim's retrieval, say) while the cores read, and collects the rows with
        :meth:`Reading.probabilities`. Read in the calling thread when there is no pool."""
        if not pairs:
            return Reading(self, [])
        encodings = self.tokenizer.encode_batch([(a, b) for a, b in pairs])
        if self.threads > 1 and len(encodings) > 1:
            # onnxruntime releases the GIL while it runs, and one session serves concurrent runs
            try:
                executor = self._executor()
                return Reading(self, [executor.submit(self._read, e) for e in encodings])
            except RuntimeError:
                pass    # the interpreter is shutting down: no new pool work, read them here
        return Reading(self, [self._read(e) for e in encodings])

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Rows of calibrated (NEUTRAL, SUPPORT, REFUTE) probabilities, one per pair."""
        return self.submit(pairs).probabilities()


class Reading:
    """Pairs being read by a :class:`StanceModel` (:meth:`StanceModel.submit`): each row is a
    future of the pool, or the logits already read."""

    def __init__(self, model: StanceModel, rows: list) -> None:
        self.model, self.rows = model, rows

    def logits(self) -> np.ndarray:
        try:
            rows = [r.result() if isinstance(r, Future) else r for r in self.rows]
        except BaseException:
            self.cancel()   # a failed or interrupted read: the rest of it is not wanted
            raise
        return np.asarray(rows, dtype=np.float32).reshape(len(rows), len(self.model.labels))

    def cancel(self) -> None:
        """Drop the pairs the pool has not started reading (an error or an interrupt means
        no one will collect them)."""
        for r in self.rows:
            if isinstance(r, Future):
                r.cancel()

    def probabilities(self) -> np.ndarray:
        """Rows of calibrated (NEUTRAL, SUPPORT, REFUTE) probabilities, one per pair (waits
        for the pool to read them)."""
        z = self.logits() / self.model.temperature
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


#: The record-level calibration's parameters that change a verdict, with the defaults
#: ``read.Calibration.from_meta`` gives them (its other keys, the F1 threshold and the fit's
#: figures, are for the benchmark and the model card).
_DECIDING = {"w_p": 1.0, "w_rank": 0.0, "w_score": 0.0, "bias": 0.0, "threshold": 0.5}


def _version(meta: dict) -> str:
    """The first 12 hex digits of the weights' sha256, then 6 of a digest of what turns their
    output into a verdict's probabilities (the input length, the temperature and the
    record-level calibration): retruncating or refitting the calibration alone makes a new
    version, so the evidence stage judges every stored verdict again with it."""
    calibration = meta.get("record_calibration") or {}
    deciding = {"max_length": int(meta.get("max_length", 0)),
                "temperature": float(meta.get("temperature", 1.0)),
                **{k: float(calibration.get(k, default)) for k, default in _DECIDING.items()}}
    digest = hashlib.sha256(json.dumps(deciding, sort_keys=True).encode()).hexdigest()[:6]
    return f"{meta.get('onnx_sha256', '')[:12]}.{digest}"


def shipped_version(model_dir: str | os.PathLike[str] = MODEL_DIR) -> str:
    """The version :class:`StanceModel` reports for the model in ``model_dir``, read from its
    metadata without loading it (:func:`_version`)."""
    try:
        meta = json.loads((Path(model_dir) / "stance.json").read_text(encoding="utf-8"))
        return _version(meta)
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise StanceModelMissing(f"stance model metadata unreadable in {model_dir}: {exc}") from exc


@lru_cache(maxsize=1)
def default_model() -> StanceModel:
    """The shipped model, loaded once per process."""
    return StanceModel()


def judge_passage(model: StanceModel, claim: str, evidence: str) -> tuple[str, float]:
    """(label, probability) for a claim against a passage (a sentence, a snippet or a whole
    abstract): NEUTRAL, SUPPORT or REFUTE. A passage that fits the model's window is read
    whole; a longer one sentence by sentence, and its label is that of its most decided
    sentence."""
    from .sentences import split_abstract

    enc = model.tokenizer.encode(claim, evidence)
    if len(enc.ids) < model.max_length:
        probs = model.probabilities([(claim, evidence)])[0]
    else:
        sentences = [s.text for s in split_abstract(evidence)] or [evidence]
        block = model.probabilities([(claim, s) for s in sentences])
        probs = block[int((1.0 - block[:, NEUTRAL]).argmax())]
    k = int(probs[:3].argmax())
    return LABELS[k], float(probs[k])
