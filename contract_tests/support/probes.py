"""Edge-case request bodies built from the spec's schema keywords, so the edges follow the spec.

For each editable field, every keyword whose violation the spec files under ``field-limits``
(``x-violation-rules``) gives a pair of probes: the last value inside the bound, which must be
accepted, and the first one outside, which must be refused (``maxLength: 100`` gives a title of
100 and one of 101 characters). Each probe is checked against the spec's own reading
(:mod:`contract_tests.support.body_rules`) before it is used: an accepted edge breaks no rule, a
refused one breaks ``field-limits`` only.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from contract_tests.support.body_rules import body_rules
from contract_tests.support.facts import Facts, facts
from prevail_contract.runtime.safety import invite_names
from prevail_contract.spec import Spec, load_spec
from prevail_contract.spec.violation_rules import ANNOTATION

LIMITS = "field-limits"
#: A date far enough ahead that no server refuses it as past (not a contract fact).
FUTURE_DATE = "2031-03-14"
#: What the date format means beyond its pattern: real and impossible calendar dates.
FORMAT_EDGES: dict[str, tuple[list[str], list[str]]] = {
    "date": (["2032-02-29"], ["2031-02-30", "2031-13-01"]),
}


@dataclass(frozen=True)
class Probe:
    """One edge-case ``remote_session`` object and whether the contract accepts it."""

    purpose: str
    edit: dict[str, Any]
    accept: bool
    field: str

    @property
    def invites(self) -> int:
        """How many invite addresses the probe sends (they count against the run's cap)."""
        value = self.edit.get("invites")
        return len(value) if isinstance(value, list) else 0


def base_schedule(f: Facts) -> dict[str, Any]:
    """A valid value for each schedule field: its first example, a future date, the first zone."""
    values: dict[str, Any] = {}
    for name in f.schedule:
        schema = f.field(name)
        if schema.get("format") == "date":
            values[name] = FUTURE_DATE
        elif "enum" in schema:
            values[name] = schema["enum"][0]
        else:
            values[name] = f.examples(name)[0]
    return values


def future_dated(f: Facts, body: Any) -> Any:
    """``body`` (``{"remote_session": {...}}``) with each schedule date before today moved to
    :data:`FUTURE_DATE`: the documentation's own examples date from the past now, and whether a
    server takes a past schedule is not documented (a refusal of one is no documented breach)."""
    envelope = invite_names(f.spec).envelope
    edit = body.get(envelope) if isinstance(body, dict) else None
    if not isinstance(edit, dict):
        return body
    today = dt.date.today().isoformat()
    dates = [n for n in f.schedule if f.field(n).get("format") == "date"]
    moved = {n: FUTURE_DATE for n in dates if isinstance(edit.get(n), str) and edit[n] < today}
    return {**body, envelope: {**edit, **moved}} if moved else body


def edit_with(f: Facts, name: str, value: Any) -> dict[str, Any]:
    """An edit whose only change of interest is ``name`` (a schedule field brings the others)."""
    if name in f.schedule:
        return {**base_schedule(f), name: value}
    return {name: value}


def _limit_keywords(schema: Mapping[str, Any]) -> set[str]:
    out: set[str] = set()
    for keyword, entry in (schema.get(ANNOTATION) or {}).items():
        rules = [entry] if isinstance(entry, str) else [c.get("rule") for c in entry]
        if LIMITS in rules:
            out.add(keyword)
    return out


def _text(f: Facts, name: str, length: int) -> str:
    seed = next((e for e in f.examples(name) if isinstance(e, str) and e), "y")
    return "".join(itertools.islice(itertools.cycle(seed), length))


def _n(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _items(count: int) -> list[str]:
    return [f"limit.probe{i}@example.com" for i in range(count)]


def _string_edges(f: Facts, name: str, s: Mapping[str, Any], kw: set[str]) -> Iterator[Probe]:
    if "minLength" in kw:
        n = int(s["minLength"])
        if n >= 1:
            for size, accept in ((n, True), (n - 1, False)):
                text = _text(f, name, size)
                yield Probe(f"{name} of {_n(size, 'character')}", {name: text}, accept, name)
    if "maxLength" in kw:
        m = int(s["maxLength"])
        for size, accept in ((m, True), (m + 1, False)):
            text = _text(f, name, size)
            yield Probe(f"{name} of {_n(size, 'character')}", {name: text}, accept, name)


def _array_edges(name: str, s: Mapping[str, Any], kw: set[str]) -> Iterator[Probe]:
    if "maxItems" in kw:
        m = int(s["maxItems"])
        yield Probe(f"{name} of {_n(m, 'item')}", {name: _items(m)}, True, name)
        yield Probe(f"{name} of {_n(m + 1, 'item')}", {name: _items(m + 1)}, False, name)
    if "minItems" in kw and int(s["minItems"]) >= 1:
        n = int(s["minItems"])
        yield Probe(f"{name} of {_n(n, 'item')}", {name: _items(n)}, True, name)
        yield Probe(f"{name} of {_n(n - 1, 'item')}", {name: _items(n - 1)}, False, name)


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _number_edges(name: str, s: Mapping[str, Any], kw: set[str]) -> Iterator[Probe]:
    step = float(s.get("multipleOf") or 1)
    inside: float | None = None

    def probe(value: float, accept: bool) -> Probe:
        return Probe(f"{name} {_number(value)}", {name: _number(value)}, accept, name)

    if "exclusiveMinimum" in kw:
        low = float(s["exclusiveMinimum"])
        inside = low + step
        yield probe(low, False)
        yield probe(low + step, True)
    if "minimum" in kw:
        inside = float(s["minimum"])
        yield probe(inside, True)
        yield probe(inside - step, False)
    if "maximum" in kw:
        high = float(s["maximum"])
        inside = high if inside is None else inside
        yield probe(high, True)
        yield probe(high + step, False)
    if "exclusiveMaximum" in kw:
        high = float(s["exclusiveMaximum"])
        inside = high - step if inside is None else inside
        yield probe(high, False)
        yield probe(high - step, True)
    if "multipleOf" in kw:
        yield probe((inside if inside is not None else step) + 0.4 * step, False)


def _format_edges(f: Facts, name: str, s: Mapping[str, Any], kw: set[str]) -> Iterator[Probe]:
    if "format" not in kw:
        return
    good, bad = FORMAT_EDGES.get(str(s["format"]), ([], []))
    for value in good:
        yield Probe(f"{name} {value}", edit_with(f, name, value), True, name)
    for value in bad:
        yield Probe(f"{name} {value}", edit_with(f, name, value), False, name)


def _enum_edges(f: Facts, name: str, s: Mapping[str, Any], kw: set[str]) -> Iterator[Probe]:
    """Values the spec files under ``field-limits`` although they are not in the enum.

    Candidates are the strings of the schema's own ``x-`` maps (the IANA zone behind each Rails
    name) that a ``field-limits`` case's ``when`` schema matches.
    """
    if "enum" not in kw:
        return
    cases = [c for c in s[ANNOTATION]["enum"] if c.get("rule") == LIMITS and "when" in c]
    candidates = sorted(
        {
            str(v)
            for key, node in s.items()
            if key.startswith("x-") and isinstance(node, Mapping)
            for v in node.values()
            if isinstance(v, str) and v not in s["enum"]
        }
    )
    picked = [
        v
        for v in candidates
        if any(jsonschema.Draft202012Validator(c["when"]).is_valid(v) for c in cases)
    ]
    for value in picked[:2]:
        yield Probe(f"{name} as {value}", edit_with(f, name, value), False, name)


def _field_probes(f: Facts, name: str) -> Iterator[Probe]:
    s = f.field(name)
    kw = _limit_keywords(s)
    kind = s.get("type")
    if kind == "string":
        for p in _string_edges(f, name, s, kw):
            yield Probe(p.purpose, edit_with(f, name, p.edit[name]), p.accept, name)
    elif kind == "array":
        yield from _array_edges(name, s, kw)
    elif kind in ("number", "integer"):
        yield from _number_edges(name, s, kw)
    yield from _format_edges(f, name, s, kw)
    yield from _enum_edges(f, name, s, kw)


@functools.lru_cache(maxsize=4)
def _probes(spec: Spec) -> tuple[Probe, ...]:
    f = facts(spec)
    reading = body_rules(spec)
    kept: list[Probe] = []
    for name in f.editable:
        for probe in _field_probes(f, name):
            broken = reading.broken({"remote_session": probe.edit})
            if broken == (set() if probe.accept else {LIMITS}):
                kept.append(probe)
    return tuple(kept)


def limit_probes(spec: Spec | None = None) -> tuple[Probe, ...]:
    """Every ``field-limits`` edge of the spec, accepted and refused, in field order."""
    return _probes(spec if spec is not None else load_spec())


def enum_values(spec: Spec | None = None) -> list[tuple[str, dict[str, Any]]]:
    """One valid edit per enum value of the request (each zone name, each access level)."""
    f = facts(spec)
    out: list[tuple[str, dict[str, Any]]] = []
    for name in f.editable:
        schema = f.field(name)
        if "enum" in schema:
            out += [(f"{name} {v!r}", edit_with(f, name, v)) for v in schema["enum"]]
    for i, level in enumerate(f.access_levels):
        item = {f.invite_email: f"level.probe{i}@example.com", f.invite_level: level}
        out.append((f"{f.invite_level} {level!r}", {f.invite_field: [item]}))
    return out


def good_value(name: str, spec: Spec | None = None) -> Any:
    """A plain valid value of one field: its first valid example, else one built from its schema."""
    f = facts(spec)
    s = f.field(name)
    candidates: list[Any] = list(f.examples(name))
    if s.get("format") == "date":
        candidates.insert(0, FUTURE_DATE)
    candidates += list(s.get("enum") or [])
    if s.get("type") == "string":
        candidates.append(_text(f, name, max(1, min(int(s.get("maxLength", 20)), 20))))
    if s.get("type") == "array":
        item = {f.invite_email: "format.host@example.org", f.invite_level: f.access_levels[0]}
        candidates.append(["format.probe@example.com", item])
    reading = body_rules(f.spec)
    for value in candidates:
        if not reading.broken({"remote_session": edit_with(f, name, value)}):
            return value
    raise LookupError(f"no valid value of {name} could be built from the spec")
