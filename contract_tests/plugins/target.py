"""The ``target`` fixture: the server under test, built once per run from ``PREVAIL_*``.

The target is made when the first test asks for it and closed when the session ends; nothing is
built at import, so the suite can run several times in one process (``check``'s ``run_suite``).
It writes into the run's rule recorder (exchange log, notes, facts, masker).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contract_tests.plugins.profiles import run_seed
from contract_tests.support.build import build_target
from contract_tests.support.target import Target
from prevail_contract.runtime.recorder import find_recorder


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Iterator[Target]:
    """The server under test."""
    recorder = find_recorder(pytestconfig)
    if recorder is None:
        raise pytest.UsageError("the contract suite needs its rule recorder (plugins.rules)")
    built = build_target(seed=run_seed(), record=recorder.run, masker=recorder.masker)
    try:
        yield built
    finally:
        built.close()
