"""The negative space of the request body, enumerated from the spec's schema.

For every field of ``RemoteSessionEdit``: each JSON type it is not (booleans for numbers too),
``null``, both sides of every bound the schema states, letter-case and whitespace variants of
enum values, and repeated invite items. Whether a candidate is valid is decided by the spec's
own schema (with its format checks), never by a looser reading of the suite's.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from contract_tests.support.facts import facts
from contract_tests.support.probes import base_schedule
from prevail_contract.spec import Spec

#: One value of every JSON type (``integer`` and ``number`` both stand for numbers).
TYPE_SAMPLES: dict[str, Any] = {
    "null": None,
    "boolean": True,
    "integer": 7,
    "number": 1.5,
    "string": "x",
    "array": [],
    "object": {},
}
#: Enum values probed per enum (the time zone list has 151; a seeded sample is enough).
ENUM_SAMPLE = 3


@dataclass(frozen=True)
class Candidate:
    """One request body and what it probes."""

    purpose: str
    edit: dict[str, Any]

    @property
    def body(self) -> dict[str, Any]:
        """The whole request body."""
        return {"remote_session": self.edit}


def _props(spec: Spec) -> dict[str, dict[str, Any]]:
    raw = spec.document["components"]["schemas"]["RemoteSessionEdit"]["properties"]
    return {name: dict(spec.deref(node)) for name, node in raw.items()}


def _with(spec: Spec, name: str, value: Any) -> dict[str, Any]:
    """An edit setting ``name`` to ``value`` and nothing else wrong (a full schedule)."""
    if name in facts(spec).schedule:
        return {**base_schedule(facts(spec)), name: value}
    return {name: value}


def _wrong_types(kind: str | None) -> list[str]:
    allowed = {kind} if kind else set()
    if kind in ("number", "integer"):
        allowed = {"number", "integer"}
    return [t for t in TYPE_SAMPLES if t not in allowed]


def _enum_variants(value: str) -> list[str]:
    out = [value.upper(), value.lower(), value.swapcase(), f" {value}", f"{value} ", f"{value}\n"]
    return [v for v in dict.fromkeys(out) if v != value]


def candidates(spec: Spec, seed: int, *, addresses: Iterator[str]) -> Iterator[Candidate]:
    """Every probe of the body's negative space (and the valid side of each bound)."""
    rng = random.Random(seed)
    for name, schema in _props(spec).items():
        for kind in _wrong_types(schema.get("type")):
            yield Candidate(f"{name} as {kind}", _with(spec, name, TYPE_SAMPLES[kind]))
        yield from _bounds(spec, name, schema, addresses)
        enum = [str(v) for v in schema.get("enum") or []]
        for value in rng.sample(enum, min(ENUM_SAMPLE, len(enum))):
            for variant in _enum_variants(value):
                yield Candidate(
                    f"{name} {variant!r} (variant of {value!r})", _with(spec, name, variant)
                )
    access = spec.document["components"]["schemas"]["AccessLevel"]
    for value in access.get("enum") or []:
        for variant in _enum_variants(str(value)):
            item = {"email": next(addresses), "access_level": variant}
            yield Candidate(f"access_level {variant!r}", {"invites": [item]})
    for kind in _wrong_types(None):
        if kind not in ("string", "object"):
            yield Candidate(f"an invite item as {kind}", {"invites": [TYPE_SAMPLES[kind]]})


def _bounds(
    spec: Spec, name: str, schema: dict[str, Any], addresses: Iterator[str]
) -> Iterator[Candidate]:
    plain = not ({"pattern", "format", "enum"} & set(schema))
    if schema.get("type") == "string" and plain:
        for key, inside, outside in (("minLength", 0, -1), ("maxLength", 0, 1)):
            if key in schema:
                n: int = int(schema[key])
                yield Candidate(
                    f"{name} of {n + inside} characters", _with(spec, name, "a" * (n + inside))
                )
                if n + outside >= 0:
                    yield Candidate(
                        f"{name} of {n + outside} characters",
                        _with(spec, name, "a" * (n + outside)),
                    )
    if schema.get("type") in ("number", "integer"):
        step = float(schema.get("multipleOf", 1))
        edges: tuple[tuple[str, float, float], ...] = (
            ("minimum", 0.0, -step),
            ("exclusiveMinimum", step, 0.0),
            ("maximum", 0.0, step),
            ("exclusiveMaximum", -step, 0.0),
        )
        for bound, low, high in edges:
            if bound in schema:
                edge = float(schema[bound])
                yield Candidate(
                    f"{name} {edge + low:g} (at {bound})", _with(spec, name, edge + low)
                )
                yield Candidate(
                    f"{name} {edge + high:g} (past {bound})", _with(spec, name, edge + high)
                )
    if schema.get("type") == "array" and "maxItems" in schema:
        n = int(schema["maxItems"])
        yield Candidate(f"{name} of {n + 1} items", {name: [next(addresses) for _ in range(n + 1)]})


def repeated_invites(addresses: Iterator[str]) -> list[Candidate]:
    """One address twice in one request, as sent and in another letter case."""
    a, b = next(addresses), next(addresses)
    local, _, domain = b.partition("@")
    return [
        Candidate("the same invite twice in one request", {"invites": [a, a]}),
        Candidate(
            "one invite twice, other letter case", {"invites": [b, f"{local.upper()}@{domain}"]}
        ),
    ]
