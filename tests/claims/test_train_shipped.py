"""The shipped ``model.json``: chosen by leave-one-round-out validation, and it decides with and
without the pipeline's MeSH vocabulary."""

from __future__ import annotations

import json

from factcheck.claims import extract_claims
from factcheck.claims import model as claim_model
from research import claims_train as train


def test_shipped_model_records_its_leave_one_round_out_choice():
    meta = json.loads(claim_model.MODEL_PATH.read_text(encoding="utf-8"))
    assert meta["cross_validation"]["method"] == "leave-one-round-out"
    rounds = train.validation_rounds(train.DEFAULT_DIR)
    assert meta["validation"]["rounds"] == rounds
    chosen = f"threshold {meta['threshold']:.2f}"
    for mode in ("default", "mesh"):
        assert set(meta["validation"][mode][chosen]["per_round"]) == \
            {str(r) for r in rounds}
    assert "leave-one-round-out" in meta["threshold_chosen_by"]
    assert meta["retrain_command"].startswith("python -m research.claims_train --cv rounds")
    # it decides with and without the pipeline's vocabulary
    sentence = "Common side effects of ibuprofen include headache and nausea."
    for vocab in (None, ["Ibuprofen", "Headache", "Nausea"]):
        (claim,) = extract_claims(sentence, mesh_vocabulary=vocab)
        assert claim.claim_type == "safety"
        assert claim.score >= meta["threshold"]
