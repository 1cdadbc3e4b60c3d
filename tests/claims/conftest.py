"""Claims tests measure the default model (``model.json``).

``FACTCHECK_CLAIMS_EMBED`` is off by default; a developer's environment that sets it would make
``extract_claims`` decide with ``model_embed.json``, and the expectations written for
``model.json`` (probabilities near its threshold) would test the other model. The embedding
path has its own tests (``test_embed.py``), which set the variable themselves.
"""

from __future__ import annotations

import pytest

from factcheck.claims import embed


@pytest.fixture(autouse=True)
def _default_install_model(request, monkeypatch):
    if request.module.__name__.rsplit(".", 1)[-1] != "test_embed":
        monkeypatch.setenv(embed.ENV, "off")
