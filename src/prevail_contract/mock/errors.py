"""Refusals the mock answers: an exception carrying status, code and the spec's ``Error`` body."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from prevail_contract.spec import Spec

#: Limits of the spec's ``Error``/``ErrorDetail`` schemas; bodies are cut to fit them.
MAX_MESSAGES = 2000
MAX_DETAILS = 200
MAX_FIELD = 255


@dataclass(frozen=True)
class Detail:
    """One offending field: its dotted path and what is wrong with it."""

    field: str
    message: str


@dataclass
class ApiError(Exception):
    """A refusal: raised anywhere in a request's handling, rendered as an ``Error`` body."""

    status: int
    code: str
    messages: str
    details: Sequence[Detail] = ()
    headers: Mapping[str, str] = field(default_factory=dict)

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
    ) -> ApiError:
        """The refusal that rule ``rule_id`` of the spec's catalogue prescribes (status, code)."""
        rule = spec.rule(rule_id)
        status = int(rule.status)
        code = rule.code or rule_id.replace("-", "_")
        return cls(status, code, messages, tuple(details), dict(headers or {}))

    def body(self) -> dict[str, Any]:
        """The ``Error`` body, cut to the schema's length limits."""
        out: dict[str, Any] = {"code": self.code, "messages": _cut(self.messages, MAX_MESSAGES)}
        if self.details:
            out["details"] = [
                {"field": _cut(d.field, MAX_FIELD), "message": _cut(d.message, MAX_MESSAGES)}
                for d in self.details[:MAX_DETAILS]
            ]
        return out


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dump_json(body: Any) -> bytes:
    """Serialise a response body compactly (ASCII-escaped, so any stored text can be sent)."""
    return json.dumps(body, separators=(",", ":")).encode("ascii")
