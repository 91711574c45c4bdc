"""The kit's one error hierarchy: every exception class of ``prevail_contract`` derives from one.

:class:`ContractKitError` is the root; ``SpecError``, ``ConfigError``, ``ToolError`` and
``CheckFailed`` reach the user as one line and an exit code. :class:`MockError` and
:class:`RunError` are the mock's and the contract run's own signals, caught where they are
raised (an answer of the mock, a verdict or ``not_run`` of the run); some keep a second base
(``ValueError``, ``AssertionError``, ...) that code catches them by. ``tests/test_errors.py``
fails on an exception class outside the hierarchy.
"""

from __future__ import annotations


class ContractKitError(Exception):
    """Base class of every error the contract kit raises on purpose."""

    #: Process exit code the command-line entry point uses for this error.
    exit_code: int = 2


class SpecError(ContractKitError, ValueError):
    """The OpenAPI document is missing, unreadable or breaks a convention the kit relies on."""


class ConfigError(ContractKitError, ValueError):
    """A command-line flag or environment variable is missing or has an unusable value."""


class ToolError(ContractKitError, RuntimeError):
    """An external tool (generator, linter, renderer) is missing or failed."""


class CheckFailed(ContractKitError, AssertionError):
    """A check ran to completion and found problems (drift, lint errors, broken rules)."""

    exit_code = 1


class MockError(ContractKitError):
    """Raised inside the mock while it serves: an API error answer, a refused or dropped
    connection, an unusable store or sandbox; the mock turns each into its answer."""


class RunError(ContractKitError):
    """Raised inside a contract run: a request its bounds, guard or invite cap refuse, or a rule
    broken; the suite files each as a finding or a ``not_run`` reason."""
