"""The run's profile and seed, as the ``check`` command passes them (``PREVAIL_PROFILE``,
``PREVAIL_SEED``); the Hypothesis profiles themselves are registered by ``plugins/profiles.py``."""

from __future__ import annotations

import os

from prevail_contract.runtime.config import PROFILE_VAR, PROFILES, SEED_VAR


def profile_name() -> str:
    """The profile this run uses."""
    name = os.environ.get(PROFILE_VAR, "fast")
    return name if name in PROFILES else "fast"


def run_seed() -> int:
    """The run's seed (``PREVAIL_SEED``, default 0)."""
    try:
        return int(os.environ.get(SEED_VAR, "0"))
    except ValueError:
        return 0
