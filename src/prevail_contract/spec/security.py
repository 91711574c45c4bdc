"""What the spec says about authentication: the token carriers and the assumed ``exp`` leeway.

Read from ``components/securitySchemes`` and the top-level ``security`` requirement, so that
the mock and the suite both take the carriers and the clock-skew leeway from the spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from prevail_contract.errors import SpecError
from prevail_contract.spec.model import Spec
from prevail_contract.spec.operation_registry import EDIT_ROLE, operation_registry

#: Extension on a security scheme: seconds past ``exp`` a token may still be accepted.
LEEWAY_KEY = "x-exp-leeway-seconds"


@dataclass(frozen=True)
class Carrier:
    """One way the spec lets a request carry the token."""

    scheme: str
    #: ``header`` or ``query``.
    location: Literal["header", "query"]
    #: The header or query parameter name.
    name: str
    #: For ``Authorization`` header schemes, the auth scheme word (``Bearer``).
    prefix: str | None = None


def _schemes(spec: Spec) -> dict[str, dict[str, object]]:
    raw = (spec.document.get("components") or {}).get("securitySchemes") or {}
    return {str(k): dict(v) for k, v in raw.items() if isinstance(v, dict)}


def carriers(spec: Spec) -> list[Carrier]:
    """Every carrier of the edit's security requirements, in the spec's order."""
    schemes = _schemes(spec)
    edit = operation_registry(spec).role(EDIT_ROLE).operation
    required = edit.node.get("security", spec.document.get("security")) or []
    out: list[Carrier] = []
    for requirement in required:
        for name in requirement:
            scheme = schemes.get(str(name))
            if scheme is None:
                raise SpecError(f"security names {name!r}, which securitySchemes lacks")
            kind = scheme.get("type")
            if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
                out.append(Carrier(str(name), "header", "Authorization", "Bearer"))
            elif kind == "apiKey" and scheme.get("in") in ("header", "query"):
                if scheme["in"] == "header":
                    out.append(Carrier(str(name), "header", str(scheme["name"])))
                else:
                    out.append(Carrier(str(name), "query", str(scheme["name"])))
            else:
                raise SpecError(f"securitySchemes.{name}: type {kind!r} is not supported")
    return out


def exp_leeway_seconds(spec: Spec) -> int:
    """The largest ``x-exp-leeway-seconds`` any scheme states (0 when none does)."""
    values = [s.get(LEEWAY_KEY) for s in _schemes(spec).values()]
    numbers = [int(v) for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return max(numbers, default=0)
