"""The ``target`` fixture: the server under test, built once per run from ``PREVAIL_*``."""

from __future__ import annotations

import pytest

from contract_tests.plugins.profiles import run_seed
from contract_tests.support.target import Target, build_target
from prevail_contract.check.recorder import find_recorder

_TARGET: list[Target] = []


def get_target() -> Target:
    """The run's target (built on first use; module-level so schemathesis tests can reach it)."""
    if not _TARGET:
        _TARGET.append(build_target(seed=run_seed()))
    return _TARGET[0]


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Target:
    """The server under test."""
    built = get_target()
    recorder = find_recorder(pytestconfig)
    if recorder is not None:
        recorder.masker.add(*built.config.secrets)
        built.masker = recorder.masker
    return built


def pytest_unconfigure(config: pytest.Config) -> None:
    while _TARGET:
        _TARGET.pop().close()
