"""Test configuration: fixtures live in plugin modules under tests/plugins/."""

import pytest

from prevail_contract.runtime.bounds import RUN, RunBounds

pytest_plugins = [
    "tests.plugins.spec",
    "tests.plugins.diff",
    "tests.plugins.mock",
    "tests.plugins.check",
    "tests.plugins.docs",
    "tests.plugins.redis_server",
    "tests.plugins.operations",
    "tests.plugins.order",
]


@pytest.fixture(autouse=True)
def _fresh_run_bounds() -> None:
    """Each test starts with fresh run bounds: ``RUN`` lives as long as its process, and an
    xdist worker outlives a run's default deadline."""
    RUN.start(RunBounds().limits)
