"""Operation modules of the tests' extra operations, and the fixture that makes them found.

``mock/<operationId>.py`` and ``suite/<operationId>.py`` are what a new operation brings
besides its spec entry; :func:`extra_operation_modules` adds the two directories to the
packages the registry looks in (``prevail_contract.mock.operations`` and
``contract_tests.operations``) for one test. These directories are not packages themselves:
their files are imported only as members of those two packages.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from prevail_contract.spec import operation_registry as registry

HERE = Path(__file__).parent
MOCK_DIR = HERE / "mock"
SUITE_DIR = HERE / "suite"


@pytest.fixture
def extra_operation_modules(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The tests' operation modules, found by the registry while the test runs."""
    added = {registry.MOCK_PACKAGE: MOCK_DIR, registry.SUITE_PACKAGE: SUITE_DIR}
    for package, directory in added.items():
        module = importlib.import_module(package)
        monkeypatch.setattr(module, "__path__", [*module.__path__, str(directory)])
    yield
    registry._module.cache_clear()
    for package, directory in added.items():
        for name in [f"{package}.{p.stem}" for p in directory.glob("*.py")]:
            sys.modules.pop(name, None)
