"""Claims tests measure the default install's model (``model.json``).

Where the optional ``embed`` extra is installed, ``extract_claims`` would decide with
``model_embed.json`` instead, and the expectations written for ``model.json`` (probabilities near
its threshold) would test the other model. The embedding path has its own tests
(``test_embed.py``), which set ``FACTCHECK_CLAIMS_EMBED`` themselves.
"""

from __future__ import annotations

import pytest

from factcheck.claims import embed


@pytest.fixture(autouse=True)
def _default_install_model(request, monkeypatch):
    if request.module.__name__.rsplit(".", 1)[-1] != "test_embed":
        monkeypatch.setenv(embed.ENV, "off")
