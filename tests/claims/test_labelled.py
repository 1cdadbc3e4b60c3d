"""The labelled data set: every manifest entry is unique and loads with its labels."""

from __future__ import annotations

import json

from research.claims_labelled import DEFAULT_DIR, load_texts


def test_manifest_ids_and_files_are_unique_and_present():
    texts = json.loads((DEFAULT_DIR / "manifest.json").read_text(encoding="utf-8"))["texts"]
    ids = [t["id"] for t in texts]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for key in ("text", "labels"):
        paths = [t[key] for t in texts]
        assert len(paths) == len(set(paths)), key
        assert all((DEFAULT_DIR / p).is_file() for p in paths), key
    assert {t["split"] for t in texts} <= {"dev", "test"}


def test_every_labelled_text_loads_with_a_label_per_sentence():
    loaded = list(load_texts(DEFAULT_DIR, ("dev", "test")))
    assert len(loaded) >= 100
    assert all(t.rows and any(r.worthy for r in t.rows) for t in loaded)
