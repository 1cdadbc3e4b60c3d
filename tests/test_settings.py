"""The settings: one module reads factcheck's environment variables, docs/settings.md lists
every one of them, and a bad value fails only what needs it."""

from __future__ import annotations

import re
from contextlib import closing
from pathlib import Path

import pytest

from factcheck import settings
from factcheck.store.db import connect

ROOT = Path(__file__).resolve().parents[1]


def test_every_variable_read_is_documented_and_every_documented_one_is_read():
    documented = set(re.findall(r"`((?:FACTCHECK|NCBI)_[A-Z_]+)`", (ROOT / "docs" / "settings.md").read_text()))
    source = (ROOT / "src" / "factcheck" / "settings.py").read_text()
    read = set(re.findall(r'"((?:FACTCHECK|NCBI)_[A-Z_]+)"', source))
    cli = set(re.findall(r'envvar="(FACTCHECK_[A-Z_]+)"',
                         (ROOT / "src" / "factcheck" / "cli" / "pipeline_cmd.py").read_text()))
    assert read | cli == documented
    # no other module of the package reads a FACTCHECK_ variable itself
    for path in (ROOT / "src" / "factcheck").rglob("*.py"):
        if path.name == "settings.py" or "cli" in path.parts:
            continue
        text = path.read_text()
        assert not re.search(r'environ(?:\.get)?\(\s*"FACTCHECK_|environ\["FACTCHECK_', text), path


def test_a_bad_thread_count_fails_the_stance_model_only(monkeypatch, tmp_path):
    from factcheck.evidence.stance import StanceModel

    monkeypatch.setenv(settings.STANCE_THREADS_ENV, "two")
    with closing(connect(tmp_path / "f.duckdb")) as con:       # everything else still works
        assert con.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(ValueError, match="FACTCHECK_STANCE_THREADS='two'"):
        StanceModel()


def test_values_are_read_at_each_call(monkeypatch):
    monkeypatch.setenv(settings.REFERENCE_DB_ENV, "/data/ref.duckdb")
    assert settings.get_settings().reference_db == "/data/ref.duckdb"
    monkeypatch.setenv(settings.REFERENCE_DB_ENV, "  ")                 # blank: the default
    assert settings.get_settings().reference_db is None
    monkeypatch.setenv(settings.CLAIMS_EMBED_ENV, " OFF ")
    assert settings.get_settings().claims_embed == "off" and settings.switched_off("off")


def test_on_auto_off_settings_read_their_usual_spellings_and_refuse_others(monkeypatch):
    from factcheck.claims import embed

    for value, meant in (("ON", "on"), ("1", "on"), ("yes", "on"), (" auto ", "auto"),
                         ("off", "off"), ("false", "off"), ("", "off")):
        monkeypatch.setenv(settings.CLAIMS_EMBED_ENV, value)
        assert embed.setting() == meant, value
    monkeypatch.setenv(settings.CLAIMS_EMBED_ENV, "onn")
    with pytest.raises(ValueError, match="FACTCHECK_CLAIMS_EMBED='onn'"):
        embed.setting()
