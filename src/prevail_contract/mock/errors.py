"""Refusals the mock answers: an exception carrying status, code and the spec's ``Error`` body."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from prevail_contract.errors import MockError
from prevail_contract.spec import Spec


@dataclass(frozen=True)
class ErrorLimits:
    """The length limits of the spec's ``Error`` and ``ErrorDetail``; bodies are cut to fit."""

    messages: int | None
    details: int | None
    field: int | None
    message: int | None


@functools.lru_cache(maxsize=8)
def error_limits(spec: Spec) -> ErrorLimits:
    """The ``maxLength``/``maxItems`` of ``Error``'s and ``ErrorDetail``'s members."""
    schemas = spec.document.get("components", {}).get("schemas", {})
    error = (schemas.get("Error") or {}).get("properties") or {}
    detail = (schemas.get("ErrorDetail") or {}).get("properties") or {}
    return ErrorLimits(
        messages=(error.get("messages") or {}).get("maxLength"),
        details=(error.get("details") or {}).get("maxItems"),
        field=(detail.get("field") or {}).get("maxLength"),
        message=(detail.get("message") or {}).get("maxLength"),
    )


@dataclass(frozen=True)
class Detail:
    """One offending field: its dotted path and what is wrong with it."""

    field: str
    message: str


@dataclass
class ApiError(MockError):
    """A refusal: raised anywhere in a request's handling, rendered as an ``Error`` body."""

    status: int
    code: str
    messages: str
    details: Sequence[Detail] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    #: What the body is cut to (the spec's limits; None: not cut).
    limits: ErrorLimits | None = None
    #: The catalogue rule the refusal is for (empty for the mock's own limits).
    rule: str = ""
    #: Which case of the rule refused, where a presentation may tell cases apart (``foreign``:
    #: another Organization's Session, which the contract answers like an unknown id).
    variant: str = ""

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.messages}"

    @classmethod
    def for_rule(
        cls,
        spec: Spec,
        rule_id: str,
        messages: str,
        details: Sequence[Detail] = (),
        headers: Mapping[str, str] | None = None,
        *,
        variant: str = "",
    ) -> ApiError:
        """The refusal that rule ``rule_id`` of the spec's catalogue prescribes (status, code)."""
        rule = spec.rule(rule_id)
        status = int(rule.status)
        code = rule.code or rule_id.replace("-", "_")
        limits = error_limits(spec)
        return cls(
            status, code, messages, tuple(details), dict(headers or {}), limits, rule_id, variant
        )

    def body(self) -> dict[str, Any]:
        """The ``Error`` body, cut to the schema's length limits."""
        limits = self.limits or ErrorLimits(None, None, None, None)
        out: dict[str, Any] = {"code": self.code, "messages": _cut(self.messages, limits.messages)}
        if self.details:
            out["details"] = [
                {"field": _cut(d.field, limits.field), "message": _cut(d.message, limits.message)}
                for d in self.details[: limits.details]
            ]
        return out


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def dump_json(body: Any) -> bytes:
    """Serialise a response body compactly (ASCII-escaped, so any stored text can be sent)."""
    return json.dumps(body, separators=(",", ":")).encode("ascii")
