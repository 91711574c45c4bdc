"""The kit's one error hierarchy: every failure a user can cause or meet is one of these."""

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
