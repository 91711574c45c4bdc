"""Contract kit for the Prevail API's Edit Sessions operation.

The public surface: the spec loader with its rule catalogue, and the error hierarchy. The
mock server, the contract checks, the docs builder and the diff gate live in their own
modules and are reached through the ``prevail-contract`` command. The spec loader is imported
on first use: the kit's pytest plugin loads this package into every pytest run of an
environment that has the kit, and must cost that run nothing it does not use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prevail_contract.errors import (
    CheckFailed,
    ConfigError,
    ContractKitError,
    SpecError,
    ToolError,
)

if TYPE_CHECKING:
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

_FROM_SPEC = frozenset({"Rule", "Spec", "load_spec"})


def __getattr__(name: str) -> Any:
    if name in _FROM_SPEC:
        from prevail_contract import spec

        return getattr(spec, name)
    raise AttributeError(f"module 'prevail_contract' has no attribute {name!r}")
