"""Contract kit for the Prevail API's Edit Sessions operation.

The public surface: the spec loader with its rule catalogue, and the error hierarchy. The
mock server, the contract checks, the docs builder and the diff gate live in their own
modules and are reached through the ``prevail-contract`` command.
"""

from __future__ import annotations

from prevail_contract.errors import (
    CheckFailed,
    ConfigError,
    ContractKitError,
    SpecError,
    ToolError,
)
from prevail_contract.spec import Rule, Spec, load_spec

__all__ = [
    "CheckFailed",
    "ConfigError",
    "ContractKitError",
    "Rule",
    "Spec",
    "SpecError",
    "ToolError",
    "load_spec",
]

__version__ = "0.1.0"
