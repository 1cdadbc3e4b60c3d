"""The check-worthiness model: shipped file, features, fallback to rules, training."""

from __future__ import annotations

import json

import pytest

from factcheck.claims import extract_claims, judge_sentences
from factcheck.claims import model as claim_model
from factcheck.claims.claim import CLAIM_TYPES
from research.claims_train import fit, fit_types


def test_shipped_model_loads_and_records_how_it_was_trained():
    model = claim_model.load_model()
    assert model is not None and 0.0 < model.threshold < 1.0 and model.weights
    meta = json.loads(claim_model.MODEL_PATH.read_text(encoding="utf-8"))
    assert meta["trained_on"]["split"] == "dev"
    assert meta["retrain"] == "python -m research.claims_train"


def test_features_are_deterministic_and_named():
    args = ("Ketamine blocks NMDA receptors.", ["mechanism"], {"intervention", "outcome"},
            False, "assertive", "positive", 0.75, True)
    first, second = claim_model.features(*args), claim_model.features(*args)
    assert first == second
    assert first["t:mechanism"] == 1.0 and first["w:ketamine"] == 1.0
    assert first["b:blocks nmda"] == 1.0 and first["g:mechanism"] == 1.0
    assert claim_model.bucket("w:ketamine", 1024) == claim_model.bucket("w:ketamine", 1024)


def test_model_scores_are_probabilities_and_exclusions_stay_excluded():
    body = ("Ketamine works primarily as an NMDA receptor antagonist.\n\n"
            "Contact us today to schedule a consultation.\n")
    (claim, cta) = judge_sentences(body)
    assert claim[1].worthy and 0.5 <= claim[1].score <= 1.0
    assert "model probability" in claim[1].reason
    assert not cta[1].worthy and cta[1].reason.startswith("not a claim: ")


def test_switching_the_model_off_leaves_the_rules(monkeypatch):
    body = "Ketamine works primarily as an NMDA receptor antagonist."
    monkeypatch.setenv(claim_model.MODEL_ENV, "off")
    assert claim_model.load_model() is None
    (only,) = extract_claims(body)
    assert "model probability" not in only.reason


def test_an_unreadable_model_file_falls_back_to_the_rules(tmp_path, monkeypatch, caplog):
    broken = tmp_path / "model.json"
    broken.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv(claim_model.MODEL_ENV, str(broken))
    assert claim_model.load_model() is None
    assert "unreadable" in caplog.text


def test_fit_learns_a_separable_signal():
    pytest.importorskip("numpy")
    pos = [claim_model.features(f"Ketamine relieves pain in trial {i}.", ["efficacy"],
                                {"intervention"}, False, "assertive", "positive", 0.7, True)
           for i in range(20)]
    neg = [claim_model.features(f"Free shipping on order {i}.", [], set(), False, "assertive",
                                "positive", 0.0, False) for i in range(20)]
    weights, bias = fit(pos + neg, [1] * 20 + [0] * 20)
    model = claim_model.Model(2 ** 14, bias, weights, 0.5)
    assert all(model.probability(f) > 0.5 for f in pos)
    assert all(model.probability(f) < 0.5 for f in neg)


def test_shipped_type_model_gives_one_of_the_claim_types():
    typer = claim_model.load_type_model()
    assert typer is not None and typer.classes == CLAIM_TYPES
    (claim,) = extract_claims("Common side effects of ibuprofen include headache and nausea.")
    assert claim.claim_type == "safety"
    meta = json.loads(claim_model.MODEL_PATH.read_text(encoding="utf-8"))
    assert 0.0 < meta["cross_validation"]["type_accuracy_model"] <= 1.0


def test_type_model_round_trips_and_rejects_a_malformed_file(tmp_path, monkeypatch):
    typer = claim_model.load_type_model()
    again = claim_model.TypeModel.from_dict(json.loads(json.dumps(typer.to_dict())))
    feats = claim_model.features("Ketamine blocks NMDA receptors.", ["mechanism"],
                                 {"intervention"}, False, "assertive", "positive", 0.7, True)
    assert again.predict(feats) == typer.predict(feats)
    bad = tmp_path / "model.json"
    data = json.loads(claim_model.MODEL_PATH.read_text(encoding="utf-8"))
    data["types"]["biases"] = [0.0]
    bad.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv(claim_model.MODEL_ENV, str(bad))
    assert claim_model.load_model() is not None and claim_model.load_type_model() is None


def test_fit_types_learns_separable_types():
    pytest.importorskip("numpy")
    safety = [claim_model.features(f"Ketamine causes nausea in case {i}.", ["safety"],
                                   {"intervention"}, False, "assertive", "positive", 0.7, True)
              for i in range(15)]
    mechanism = [claim_model.features(f"Ketamine blocks NMDA receptors in model {i}.", ["mechanism"],
                                      {"intervention"}, False, "assertive", "positive", 0.7, True)
                 for i in range(15)]
    typer = fit_types(safety + mechanism, ["safety"] * 15 + ["mechanism"] * 15)
    assert all(typer.predict(f) == "safety" for f in safety)
    assert all(typer.predict(f) == "mechanism" for f in mechanism)
