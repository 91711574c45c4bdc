"""Stops a contract run at its bounds: once the deadline passes or the target broke, tests skip.

The reason given (deadline reached, target error) becomes the ``not_run`` reason of every rule
that had not been checked yet; the reports are still written by the ``check`` command.
"""

from __future__ import annotations

import os

import pytest

from contract_tests.plugins.profiles import profile_name
from prevail_contract.runtime.bounds import RUN, RunStoppedError, limits_from


def pytest_configure(config: pytest.Config) -> None:
    # the deadline counts from here: collection (imports, schema loading) is part of the run
    RUN.start(limits_from(os.environ, profile_name()))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    try:
        RUN.ensure_running()
    except RunStoppedError as exc:
        pytest.skip(str(exc))
