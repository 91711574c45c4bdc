"""Stops a contract run at its bounds: once the deadline passes or the target broke, tests skip.

The reason given (deadline reached, target error) becomes the ``not_run`` reason of every rule
that had not been checked yet; the reports are still written by the ``check`` command. A
transport error raised past the run's sender (which files its own), by the mock's admin API or
a library's client, is a target error too, never a rule's failure.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import httpx
import pytest

from contract_tests.plugins.profiles import profile_name
from prevail_contract.runtime.bounds import RUN, RunStoppedError, limits_from
from prevail_contract.runtime.sender import broken_exchange
from prevail_contract.runtime.verdict import leaf_exceptions


def pytest_configure(config: pytest.Config) -> None:
    # the deadline counts from here: collection (imports, schema loading) is part of the run
    RUN.start(limits_from(os.environ, profile_name()))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    try:
        RUN.ensure_running()
    except RunStoppedError as exc:
        pytest.skip(str(exc))


@pytest.hookimpl(wrapper=True, specname="pytest_runtest_setup")
def pytest_runtest_setup_stopping_on_transport_errors(
    item: pytest.Item,
) -> Generator[None, None, None]:
    return (yield from _stopping_on_transport_errors())


@pytest.hookimpl(wrapper=True, specname="pytest_runtest_call")
def pytest_runtest_call_stopping_on_transport_errors(
    item: pytest.Item,
) -> Generator[None, None, None]:
    return (yield from _stopping_on_transport_errors())


def _stopping_on_transport_errors() -> Generator[None, None, None]:
    """Run the phase; a connection refused or reset, or a timeout, that reaches it stops the run
    on a target error and skips the test (findings raised beside it are kept)."""
    try:
        return (yield)
    except BaseException as exc:
        broke = next(
            (e for e in leaf_exceptions(exc) if isinstance(e, httpx.TransportError)),
            None,
        )
        if broke is None:
            raise
        RUN.target_failed(_describe(broke))
        if isinstance(exc, BaseExceptionGroup):
            _, rest = exc.split(httpx.TransportError)
            if rest is not None:
                raise rest from None
        pytest.skip(str(RUN.stop_reason))


def _describe(error: httpx.TransportError) -> str:
    """What broke, told as the sender tells its own target errors (when httpx kept the
    request)."""
    try:
        request = error.request
    except RuntimeError:  # raised without a request
        return f"{type(error).__name__}: {error}"[:400]
    return broken_exchange(request.method, request.url, error)[:400]
