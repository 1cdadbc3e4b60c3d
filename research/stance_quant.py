"""Make the stance model's integer products exact on every x86 CPU, without changing a weight.

    python -m research.stance_quant [--model src/factcheck/evidence/model/stance.onnx]

onnxruntime multiplies a dynamically quantized model's uint8 activations by its int8 weights.
On CPUs with AVX-512 VNNI (or AVX-VNNI) the products are summed exactly in 32 bits. On CPUs
with AVX2 only, each two products of neighbouring rows of the weight matrix (k = 2j and
2j + 1) are first summed into 16 bits with saturation (``vpmaddubsw``): where two weights of
the same sign add up to more than 128 and meet activations near 255, the sum is clipped. The
shipped model had such pairs in 31 of its 38 weight matrices, so a pair read on an AVX2 machine
got probabilities up to 0.034 away from those of a VNNI machine, and the editors' gate moved
(precision@3 0.250 -> 0.200 and one flag).

onnxruntime's own remedy (``reduce_range``: weights in 7 bits) changes every weight: halving
the shipped 8-bit weights moved the probabilities by 0.10 on average. Instead, this reorders
each weight matrix's rows so that no two neighbouring rows can saturate (every row with a
weight beyond ±64 is paired with a row whose weights, where its own are large, are small or of
the other sign) and gathers the activations' features in the same order before the product
(one ``Gather`` per activation, shared by the matrices that read it: a few hundred bytes a
token). The sums are the same integers in another order, so on a VNNI machine the model's
output does not change at all, and every CPU now computes exactly that.
``tests/evidence/test_stance.py`` checks the pairs of the shipped file and the exactness on
the machine the tests run on. ``stance_train`` applies this after its own export.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

from factcheck.evidence.stance import MODEL_DIR

#: What ``stance.json`` says of the weights' order (``integer_products``).
INTEGER_PRODUCTS = ("rows of each int8 weight reordered so that no 16-bit pair sum can saturate "
                    "(research.stance_quant): the same output on every x86 CPU")

#: Two weights of one sign whose magnitudes sum beyond this saturate a 16-bit pair sum with an
#: activation of 255 on both: 255 * 128 = 32,640 <= 32,767 < 255 * 129.
PAIR_LIMIT = 128


def risky_pairs(w: np.ndarray) -> int:
    """How many (neighbouring rows 2j, 2j + 1; column) pairs of an int8 weight matrix can
    saturate a 16-bit sum with uint8 activations."""
    w = w.astype(np.int32)
    a, b = w[0:len(w) - len(w) % 2:2], w[1:len(w) - len(w) % 2:2]
    both = np.where((a > 0) & (b > 0), a + b, 0) - np.where((a < 0) & (b < 0), a + b, 0)
    return int((both > PAIR_LIMIT).sum())


def compatible(w: np.ndarray) -> np.ndarray:
    """K x K: whether rows i and j of ``w`` may be neighbours (no column where their weights
    share a sign and their magnitudes sum beyond :data:`PAIR_LIMIT`). Only rows holding a
    weight beyond ±64 can fail, so only theirs are computed."""
    w = w.astype(np.int32)
    k = len(w)
    ok = np.ones((k, k), dtype=bool)
    for h in np.flatnonzero(np.abs(w).max(axis=1) > PAIR_LIMIT // 2):
        same = ((w[h] > 0) & (w > 0)) | ((w[h] < 0) & (w < 0))
        bad = (same & (np.abs(w[h] + w) > PAIR_LIMIT)).any(axis=1)
        ok[h] &= ~bad
        ok[:, h] &= ~bad
    np.fill_diagonal(ok, False)
    return ok


def safe_order(w: np.ndarray) -> np.ndarray:
    """An order of the rows of ``w`` (K x N, int8) in which no neighbouring pair can saturate:
    a perfect matching of the rows' compatibility graph, found greedily (the free row with the
    fewest free partners first, paired with its partner that has the fewest), else by a
    maximum matching (networkx, a dependency of the ``train`` extra's torch). With K odd, the
    row left over goes last: onnxruntime pads K with a zero row, beside which nothing
    saturates."""
    k = len(w)
    ok = compatible(w)
    pairs = _greedy_pairs(ok)
    if pairs is None:
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(range(k))
        graph.add_edges_from(zip(*np.nonzero(np.triu(ok, 1))))
        pairs = [tuple(sorted(p)) for p in nx.max_weight_matching(graph, maxcardinality=True)]
        if len(pairs) < k // 2:
            raise ValueError(f"no order of these {k} rows keeps every neighbouring pair safe")
    paired = {i for p in pairs for i in p}
    order = np.array([i for p in pairs for i in p] + [i for i in range(k) if i not in paired],
                     dtype=np.int64)
    assert sorted(order.tolist()) == list(range(k))
    return order


def _greedy_pairs(ok: np.ndarray) -> list[tuple[int, int]] | None:
    k = len(ok)
    free = np.ones(k, dtype=bool)
    degree = ok.sum(axis=1)
    pairs: list[tuple[int, int]] = []
    for _ in range(k // 2):
        idx = np.flatnonzero(free)
        row = idx[np.argmin(degree[idx])]
        partners = idx[ok[row, idx]]
        if not len(partners):
            return None
        mate = partners[np.argmin(degree[partners])]
        for r in (row, mate):
            free[r] = False
            degree -= ok[:, r]
        pairs.append((int(row), int(mate)))
    return pairs


def reorder(src: Path, dst: Path) -> dict:
    """Rewrite ``src`` so that no MatMulInteger weight can saturate a 16-bit pair sum (rows
    reordered, activations gathered in the same order); save to ``dst``. Returns counts."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(src))
    inits = {i.name: i for i in model.graph.initializer}
    groups: dict[str, list] = {}
    for node in model.graph.node:
        if node.op_type == "MatMulInteger" and node.input[1] in inits:
            groups.setdefault(node.input[0], []).append(node)
    inferred = onnx.shape_inference.infer_shapes(model)
    ranks = {v.name: len(v.type.tensor_type.shape.dim)
             for v in list(inferred.graph.value_info) + list(inferred.graph.input)
             if v.type.tensor_type.HasField("shape")}
    producers = {out: n for n in model.graph.node for out in n.output}
    users: dict[str, list] = {}
    for n in model.graph.node:
        for i in n.input:
            users.setdefault(i, []).append(n)
    before = after = 0
    reordered = 0
    for act, nodes in groups.items():
        weights = [numpy_helper.to_array(inits[n.input[1]]) for n in nodes]
        if any(w.dtype != np.int8 for w in weights):
            raise ValueError(f"{src}: a weight read by {act} is not int8")
        before += sum(risky_pairs(w) for w in weights)
        if not any(risky_pairs(w) for w in weights):
            continue
        quantize = producers.get(act)
        if quantize is None or quantize.op_type != "DynamicQuantizeLinear" or any(
                u.op_type != "MatMulInteger" for u in users[act]):
            raise ValueError(f"{src}: {act} is not a DynamicQuantizeLinear output read by "
                             "MatMulInteger alone")
        order = safe_order(np.hstack(weights))
        # the float activation is gathered before it is quantized: its scale and zero point
        # (its minimum and maximum) do not depend on the order, and the quantize step still
        # feeds the products directly, which onnxruntime fuses
        name = f"{act}_safe_order"
        model.graph.initializer.append(numpy_helper.from_array(order, name))
        source = quantize.input[0]
        if ranks.get(source) == 3:
            # (batch, tokens, features): onnxruntime gathers whole rows far faster than single
            # elements, so the features are gathered as rows of the transposed activation
            # (about 30 us a token sequence instead of 250)
            steps = [helper.make_node("Transpose", [source], [f"{source}_t"], perm=[0, 2, 1],
                                      name=f"{act}_reorder_t"),
                     helper.make_node("Gather", [f"{source}_t", name], [f"{source}_tr"], axis=1,
                                      name=f"{act}_reorder"),
                     helper.make_node("Transpose", [f"{source}_tr"], [f"{source}_reordered"],
                                      perm=[0, 2, 1], name=f"{act}_reorder_back")]
        else:
            steps = [helper.make_node("Gather", [source, name], [f"{source}_reordered"], axis=-1,
                                      name=f"{act}_reorder")]
        quantize.input[0] = f"{source}_reordered"
        at = next(i for i, n in enumerate(model.graph.node) if n.name == quantize.name
                  and list(n.output) == list(quantize.output))
        for step in reversed(steps):
            model.graph.node.insert(at, step)
        for n, w in zip(nodes, weights):
            inits[n.input[1]].CopyFrom(numpy_helper.from_array(w[order], n.input[1]))
        after += sum(risky_pairs(w[order]) for w in weights)
        reordered += 1
    onnx.checker.check_model(model)
    onnx.save(model, str(dst))
    return {"activations": reordered, "risky_before": before, "risky_after": after}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=MODEL_DIR / "stance.onnx")
    args = ap.parse_args(argv)
    done = reorder(args.model, args.model)
    meta_path = args.model.with_name("stance.json")
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta.update(onnx_bytes=args.model.stat().st_size,
                    onnx_sha256=hashlib.sha256(args.model.read_bytes()).hexdigest(),
                    integer_products=INTEGER_PRODUCTS)
        meta_path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"{args.model}: {done['activations']} activations reordered; pairs that could saturate "
          f"{done['risky_before']} -> {done['risky_after']}")


if __name__ == "__main__":
    main()
