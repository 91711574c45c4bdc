"""One error hierarchy: each exception class of ``prevail_contract`` is a ContractKitError."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import prevail_contract
from prevail_contract.errors import ContractKitError, MockError, RunError


def _modules() -> Iterator[str]:
    yield prevail_contract.__name__
    for info in pkgutil.walk_packages(prevail_contract.__path__, prefix="prevail_contract."):
        if info.name != "prevail_contract.__main__":  # runs the command line when imported
            yield info.name


def _exception_classes() -> Iterator[type[BaseException]]:
    """Every exception class defined in a module of the package, nested ones included."""
    for name in _modules():
        module = importlib.import_module(name)
        stack: list[object] = [module]
        while stack:
            owner = stack.pop()
            for value in vars(owner).values():
                if inspect.isclass(value) and value.__module__ == name:
                    if issubclass(value, BaseException):
                        yield value
                    if value is not owner:
                        stack.append(value)


def test_every_exception_class_of_the_package_is_a_contract_kit_error() -> None:
    found = set(_exception_classes())
    outside = sorted(
        f"{c.__module__}.{c.__qualname__}" for c in found if not issubclass(c, ContractKitError)
    )
    assert outside == [], f"exception classes outside prevail_contract.errors' hierarchy: {outside}"
    # the walk sees the package: the mock's and the run's own signals are among what it checked
    names = {c.__qualname__ for c in found}
    assert {"ApiError", "ConnectionDropped", "RunStoppedError", "RuleViolationError"} <= names


def test_exceptions_keep_the_second_base_code_catches_them_by() -> None:
    from prevail_contract.mock.faults import ConnectionDropped, FaultRequestError
    from prevail_contract.mock.fixture_document import DocumentError
    from prevail_contract.runtime.guard import UnsafeRequestError
    from prevail_contract.runtime.safety import InviteCapReachedError
    from prevail_contract.runtime.verdict import RuleViolationError

    assert issubclass(FaultRequestError, MockError)
    assert issubclass(FaultRequestError, ValueError)
    assert issubclass(DocumentError, MockError)
    assert issubclass(DocumentError, ValueError)
    assert issubclass(ConnectionDropped, MockError)
    assert issubclass(UnsafeRequestError, RunError)
    assert issubclass(UnsafeRequestError, RuntimeError)
    assert issubclass(InviteCapReachedError, RunError)
    assert issubclass(InviteCapReachedError, RuntimeError)
    assert issubclass(RuleViolationError, RunError)
    assert issubclass(RuleViolationError, AssertionError)
