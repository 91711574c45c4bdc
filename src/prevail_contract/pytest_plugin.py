"""The kit's pytest plugin (entry point ``pytest11``): a ``prevail_mock`` fixture giving each test
a fresh mock with an authenticated generated client, configured by the ``prevail_mock`` marker
or an indirect parameter.

pytest loads it into every run of an environment where the kit is installed, so it only
declares: its marker, and fixtures that import the mock (``mock.harness``) when a test asks for
them. A run that does not use them imports nothing of the mock, the client or the suite.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from prevail_contract.mock.harness import PrevailMock

MARKER = "prevail_mock"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(served=False, sandbox=False, fixtures=None, bugs=(), faults=(), "
        "validate_responses=False, spec=None): how the prevail_mock fixture builds this "
        "test's mock (the Prevail Sessions contract kit)",
    )


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The marker's keywords (outermost first, the test's own last), then the parameter's."""
    values: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keywords only, e.g. served=True")
        values.update(marker.kwargs)
    param = getattr(request, "param", None)
    if param is not None:
        if not isinstance(param, dict):
            raise pytest.UsageError(f"an indirect {MARKER} parameter is a dict of its options")
        values.update(param)
    return values


@pytest.fixture
def prevail_mock(request: pytest.FixtureRequest) -> Iterator[PrevailMock]:
    """A fresh Prevail mock for this test: ``.client`` (the generated ``AuthenticatedClient``,
    token set), ``.env`` (its ``PREVAIL_*`` values), ``.fault(...)``, ``.outbox()``,
    ``.stored(id)``; in-process unless ``@pytest.mark.prevail_mock(served=True)``."""
    from prevail_contract.errors import ContractKitError
    from prevail_contract.mock.harness import options_from, start_mock

    with contextlib.ExitStack() as stack:
        problem = None
        try:
            options = options_from(_options(request), relative_to=request.path.parent)
            mock = stack.enter_context(start_mock(options))
        except ContractKitError as exc:
            problem = f"prevail_mock: {exc}"
        if problem is not None:  # outside the except: one line, no chained traceback
            pytest.fail(problem, pytrace=False)
        yield mock


@pytest.fixture
def prevail_env(prevail_mock: PrevailMock, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """``prevail_mock``'s ``PREVAIL_*`` values, also set in ``os.environ`` for this test."""
    for name, value in prevail_mock.env.items():
        monkeypatch.setenv(name, value)
    return dict(prevail_mock.env)
