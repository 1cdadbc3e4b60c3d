"""The shipped stance model as the pipeline and the stance benchmark use it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from factcheck.evidence.stance import LABELS, StanceModel

ROOT = Path(__file__).resolve().parents[2]

CLAIM = "Ketamine infusions reduce chronic pain."
SENTENCES = [
    "Ketamine infusions reduced pain scores in patients with complex regional pain syndrome.",
    "Ketamine had no effect on pain at 12 weeks.",
    "We enrolled 120 adults with chronic low back pain, randomised to ketamine or saline "
    "infusions over five days, and followed them for three months with validated pain scales, "
    "sleep diaries, opioid use records and adverse event reports at every visit.",
    "Dry eye disease is common.",
]


@pytest.fixture(scope="module")
def models():
    return StanceModel(threads=1), StanceModel(threads=2)


def test_a_pairs_probabilities_depend_on_the_pair_only(models):
    """A verdict must not change with the sentences read beside its own: each pair is read on
    its own, so reading it alone, among others or on more cores gives the same numbers."""
    one, two = models
    pairs = [(CLAIM, s) for s in SENTENCES]
    together = one.probabilities(pairs)
    alone = np.vstack([one.probabilities([p]) for p in pairs])
    assert np.array_equal(together, alone)
    assert np.array_equal(two.probabilities(pairs), together)
    assert np.array_equal(one.probabilities(pairs[::-1]), together[::-1])
    assert together.shape == (4, 3) and np.allclose(together.sum(axis=1), 1.0, atol=1e-5)
    # and it reads: the supporting result beats the off-topic sentence on SUPPORT
    support = LABELS.index("SUPPORT")
    assert together[0, support] > together[3, support]


def test_readings_started_together_are_collected_apart(models):
    """The evidence stage starts reading a claim's pairs and retrieves the next claim's records
    while the cores read (``submit``): readings in flight at once each return their own pairs'
    rows, in order, as if read one after the other."""
    one, two = models
    pairs = [(CLAIM, s) for s in SENTENCES]
    first, second = two.submit(pairs), two.submit(pairs[::-1][:3])
    assert np.array_equal(second.probabilities(), one.probabilities(pairs[::-1][:3]))
    assert np.array_equal(first.probabilities(), one.probabilities(pairs))
    assert two.submit([]).probabilities().shape == (0, 3)


def test_a_reading_no_one_collects_is_cancelled(models):
    """An error while a claim is judged (or an interrupt) must not leave the pool reading
    pairs whose rows no one will collect: what has not started is cancelled."""
    two = models[1]
    pairs = [(CLAIM, s) for s in SENTENCES] * 50
    reading = two.submit(pairs)
    reading.cancel()
    cancelled = sum(1 for r in reading.rows if r.cancelled())
    assert cancelled > 0     # two threads cannot have started 200 pairs yet
    assert all(r.cancelled() or r.done() or r.running() for r in reading.rows)


def test_no_pairs_no_rows(models):
    assert models[0].probabilities([]).shape == (0, 3)


def test_the_stance_benchmark_exports_and_scores_check_covid(tmp_path):
    """``benchmarks/stance.py`` end to end on a Check-COVID-shaped folder: export the pairs,
    then label them with the shipped model and print macro-F1."""
    bench = tmp_path / "bench"
    (bench / "check_covid" / "dev").mkdir(parents=True)
    (bench / "check_covid" / "corpus.json").write_text(json.dumps(
        {"cord_id": "c1", "title": "Ketamine and pain",
         "abstract": SENTENCES[:2]}) + "\n", encoding="utf-8")
    claims = [{"id": "k_1", "cord_id": "c1", "claim": CLAIM, "label": "SUPPORT",
               "evidence_set": [{"sent_index": 0}]},
              {"id": "k_2", "cord_id": "c1", "claim": "Ketamine relieves pain for months.",
               "label": "REFUTE", "evidence_set": [{"sent_index": 1}]},
              {"id": "k_3", "cord_id": "missing", "claim": CLAIM, "label": "SUPPORT",
               "evidence_set": [{"sent_index": 0}]}]
    (bench / "check_covid" / "dev" / "covidCheck_dev_composed+extracted.json").write_text(
        "".join(json.dumps(c) + "\n" for c in claims), encoding="utf-8")
    pairs, preds = tmp_path / "cc.jsonl", tmp_path / "pred.jsonl"
    script = str(ROOT / "benchmarks" / "stance.py")
    out = subprocess.run([sys.executable, script, "--export", "check_covid", "--bench", str(bench),
                          "--in", str(pairs)], capture_output=True, text=True, check=True).stdout
    assert "wrote 2 pairs" in out
    rows = [json.loads(line) for line in pairs.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["label"], r["evidence"]) for r in rows] == [
        ("k_1", "SUPPORT", SENTENCES[0]), ("k_2", "REFUTE", SENTENCES[1])]
    out = subprocess.run([sys.executable, script, "--in", str(pairs), "--out", str(preds)],
                         capture_output=True, text=True, check=True).stdout
    assert "macro-F1" in out
    labelled = [json.loads(line) for line in preds.read_text(encoding="utf-8").splitlines()]
    assert [p["id"] for p in labelled] == ["k_1", "k_2"]
    assert all(p["label"] in LABELS and 0 < p["score"] <= 1 for p in labelled)


def test_the_version_names_the_weights_and_the_calibration_that_decides(tmp_path):
    """Stored verdicts are judged again when ``verdicts.model_version`` changes: refitting the
    calibration alone (same weights) must change it; the benchmark's F1 threshold and the
    fit's figures must not."""
    from factcheck.evidence.stance import MODEL_DIR, shipped_version

    meta = json.loads((MODEL_DIR / "stance.json").read_text(encoding="utf-8"))
    shipped = shipped_version()
    assert shipped.startswith(meta["onnx_sha256"][:12] + ".")

    def version_with(top: dict | None = None, drop: str | None = None, **changes) -> str:
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        folder.mkdir()
        changed = json.loads(json.dumps(meta))
        changed.update(top or {})
        changed["record_calibration"].update(changes)
        changed["record_calibration"].pop(drop, None)
        (folder / "stance.json").write_text(json.dumps(changed), encoding="utf-8")
        return shipped_version(folder)

    assert version_with() == shipped
    assert version_with(f1_threshold=0.3, fitted_on="another fit") == shipped
    assert meta["record_calibration"]["threshold"] == 0.5
    assert version_with(drop="threshold") == shipped          # absent: its default, 0.5
    assert version_with(w_p=meta["record_calibration"]["w_p"] + 0.01) != shipped
    assert version_with(threshold=0.6) != shipped
    assert version_with({"temperature": meta["temperature"] * 1.1}) != shipped
    assert version_with({"max_length": meta["max_length"] - 32}) != shipped
    from factcheck.evidence.stance import StanceModelMissing

    with pytest.raises(StanceModelMissing, match="unreadable"):   # a broken install, said so
        version_with({"temperature": "warm"})


# --- the same numbers on every CPU -----------------------------------------------------------
# On x86 CPUs without VNNI, onnxruntime sums each two neighbouring uint8 x int8 products in 16
# bits with saturation: two large weights of one sign meeting large activations were clipped,
# and a pair read on such a machine got other probabilities (up to 0.034) than on a VNNI one.
# The shipped weights' rows are ordered so that no neighbouring pair can saturate
# (research.stance_quant); these tests fail on the weights as first exported.

def _graph():
    onnx = pytest.importorskip("onnx")
    from factcheck.evidence.stance import MODEL_DIR

    return onnx.load(str(MODEL_DIR / "stance.onnx"))


def _weights(model):
    from onnx import numpy_helper

    inits = {i.name: i for i in model.graph.initializer}
    return [(n.input[1], numpy_helper.to_array(inits[n.input[1]]))
            for n in model.graph.node if n.op_type == "MatMulInteger"]


def test_no_neighbouring_weights_of_the_shipped_model_can_saturate():
    from research.stance_quant import risky_pairs

    weights = _weights(_graph())
    assert len(weights) == 38
    assert {name: risky_pairs(w) for name, w in weights if risky_pairs(w)} == {}


def test_every_integer_product_of_the_shipped_weights_is_exact_on_this_cpu():
    """Each weight matrix multiplied by onnxruntime on this machine, by the worst activations
    (255 everywhere) and by random ones, gives numpy's exact integers."""
    import onnxruntime as ort

    model = _graph()        # skips without onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(7)
    for name, w in _weights(model):
        x = rng.integers(0, 256, size=(16, w.shape[0]), dtype=np.uint8)
        x[:4] = 255
        graph = helper.make_graph(
            [helper.make_node("MatMulInteger", ["x", "w"], ["y"])], "product",
            [helper.make_tensor_value_info("x", TensorProto.UINT8, list(x.shape))],
            [helper.make_tensor_value_info("y", TensorProto.INT32, None)],
            [numpy_helper.from_array(w, "w")])
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString(), options,
            providers=["CPUExecutionProvider"])
        got = session.run(None, {"x": x})[0]
        assert np.array_equal(got, x.astype(np.int64) @ w.astype(np.int64)), name


def test_the_shipped_model_reads_as_its_exact_integer_arithmetic_would(tmp_path):
    """The whole model on this machine against the same graph with every integer product
    computed in float64 (exact): the same probabilities."""
    model = _graph()        # skips without onnx
    import onnx
    from onnx import TensorProto, helper

    nodes = []
    for n in model.graph.node:
        if n.op_type != "MatMulInteger":
            nodes.append(n)
            continue
        a, b, a_zero, _ = n.input
        p = n.output[0]
        nodes += [helper.make_node("Cast", [a], [p + "_a"], to=TensorProto.DOUBLE),
                  helper.make_node("Cast", [a_zero], [p + "_z"], to=TensorProto.DOUBLE),
                  helper.make_node("Sub", [p + "_a", p + "_z"], [p + "_s"]),
                  helper.make_node("Cast", [b], [p + "_b"], to=TensorProto.DOUBLE),
                  helper.make_node("MatMul", [p + "_s", p + "_b"], [p + "_y"]),
                  helper.make_node("Cast", [p + "_y"], [p], to=TensorProto.INT32)]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    from factcheck.evidence.stance import MODEL_DIR

    for f in ("tokenizer.json", "stance.json"):
        (tmp_path / f).write_bytes((MODEL_DIR / f).read_bytes())
    onnx.save(model, str(tmp_path / "stance.onnx"))
    pairs = [(CLAIM, s) for s in SENTENCES] + [
        ("Vitamin D cures depression.", "Vitamin D supplementation did not improve depressive "
         "symptoms compared with placebo in 2,000 older adults."),
        ("Ketamine is an NMDA receptor antagonist.", "Ketamine blocks NMDA receptors.")]
    exact = StanceModel(tmp_path, threads=1).probabilities(pairs)
    assert np.abs(StanceModel(threads=1).probabilities(pairs) - exact).max() < 1e-5


@pytest.mark.parametrize("shape", [(1, 5, 8), (5, 8)], ids=["tokens", "pooled"])
def test_reordering_rows_keeps_the_products_and_makes_them_exact(tmp_path, shape):
    """research.stance_quant on a small quantized product whose weights saturate in 16 bits:
    afterwards no neighbouring pair can, and the product equals the exact integers of the
    activations as quantized before (the order of the features is undone by the gather)."""
    onnx = pytest.importorskip("onnx")
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    from research.stance_quant import reorder, risky_pairs

    w = np.random.default_rng(3).integers(-20, 21, size=(8, 4)).astype(np.int8)
    w[0, 0] = w[1, 0] = 100              # rows 0 and 1: 255 * 200 overflows 16 bits
    w[2, 1], w[3, 1] = -90, -80
    graph = helper.make_graph(
        [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
         helper.make_node("MatMulInteger", ["xq", "w", "xz"], ["p"])], "product",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
        [helper.make_tensor_value_info("p", TensorProto.INT32, [*shape[:-1], 4])],
        [numpy_helper.from_array(w, "w")])
    src, dst = tmp_path / "a.onnx", tmp_path / "b.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(src))
    done = reorder(src, dst)
    assert done["risky_before"] == 2 and done["risky_after"] == 0 and done["activations"] == 1
    x = np.random.default_rng(4).normal(size=shape).astype(np.float32)
    x[..., 0] = x[..., 1] = x.max() + 1.0       # quantized to 255
    x[..., 2] = x[..., 3] = x.max()

    def run(model_bytes, names):
        return ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"]).run(names, {"x": x})

    quantize = helper.make_model(helper.make_graph(
        [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"])], "q",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
        [helper.make_tensor_value_info("xq", TensorProto.UINT8, list(shape)),
         helper.make_tensor_value_info("xz", TensorProto.UINT8, [])]),
        opset_imports=[helper.make_opsetid("", 17)])
    xq, xz = run(quantize.SerializeToString(), ["xq", "xz"])
    exact = (xq.astype(np.int64) - int(xz)) @ w.astype(np.int64)
    assert np.array_equal(run(dst.read_bytes(), ["p"])[0], exact)
    assert risky_pairs(w) == 2
