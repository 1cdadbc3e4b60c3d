"""Run-time settings, from defaults overridden by ``FACTCHECK_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from . import __version__

PROJECT_URL = "https://github.com/factcheck-health/factcheck"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Settings:
    user_agent_name: str = "factcheck"
    contact_url: str = field(default_factory=lambda: os.environ.get(
        "FACTCHECK_CONTACT_URL", PROJECT_URL))
    # Refuse URLs that resolve to loopback/private/link-local/multicast addresses unless set.
    allow_private_networks: bool = field(default_factory=lambda: _env_bool(
        "FACTCHECK_ALLOW_PRIVATE_NETWORKS", False))
    evidence_top_k: int = 5

    @property
    def user_agent(self) -> str:
        return f"{self.user_agent_name}/{__version__} (+{self.contact_url})"


def get_settings() -> Settings:
    return Settings()
