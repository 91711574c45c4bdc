"""Hypothesis strategies for the contract's request values, valid and deliberately invalid.

Every bound, pattern, enum and field name comes from the spec (through
:mod:`contract_tests.support.facts`). Valid values are kept conservative within those bounds
(plain titles, real future dates, reserved-domain emails) so that a refusal of one is
unambiguously the server's fault; the wild inputs come from schemathesis.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from hypothesis import strategies as st

from contract_tests.support.body_rules import body_rules
from contract_tests.support.facts import Facts, facts
from contract_tests.support.probes import edit_with
from prevail_contract.spec.violation_rules import ANNOTATION

_T = TypeVar("_T")
#: Reserved domains only: nobody is ever emailed by a contract run. (Not ``*.test``: some email
#: validators refuse special-use TLDs, which would make a valid invite look refused.)
INVITE_DOMAINS = ("example.com", "example.org", "example.net", "people.example.com")
#: The longest free text drawn (a conservative choice, kept within the spec's bounds).
TEXT_CAP = 60


#: What each strategy was built from: the facts of the spec in use, and the strategy.
_BUILT: dict[str, tuple[Facts, Any]] = {}


def _for_spec(key: str, build: Callable[[Facts], _T]) -> _T:
    """``build(facts)`` for the spec in use, made again when another spec is in use (never at
    import: one process may run the suite on two specs)."""
    current = facts()
    built = _BUILT.get(key)
    if built is None or built[0] is not current:
        built = (current, build(current))
        _BUILT[key] = built
    value: _T = built[1]
    return value


def schedule_fields() -> tuple[str, ...]:
    """The schedule group's fields (all sent together)."""
    return tuple(facts().schedule)


def _valid_alone(f: Facts, name: str) -> Any:
    """A predicate: the value is valid for ``name`` by the spec's own reading."""
    reading = body_rules(f.spec)
    return lambda value: not reading.broken({"remote_session": edit_with(f, name, value)})


def _text(schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
    low = max(int(schema.get("minLength", 1)), 1)
    high = min(int(schema.get("maxLength", TEXT_CAP)), TEXT_CAP)
    if high < 2:
        return st.from_regex(r"[A-Za-z0-9]", fullmatch=True)
    middle = f"{{{max(low - 2, 0)},{high - 2}}}"
    return st.from_regex(rf"[A-Za-z0-9][A-Za-z0-9 ,.'()&-]{middle}[A-Za-z0-9.)]", fullmatch=True)


def _number(schema: Mapping[str, Any]) -> st.SearchStrategy[float]:
    """Whole multiples of the step (``multipleOf``, else 1) inside the bounds."""
    step = float(schema.get("multipleOf") or 1)
    if "exclusiveMinimum" in schema:
        first = math.floor(float(schema["exclusiveMinimum"]) / step) + 1
    elif "minimum" in schema:
        first = math.ceil(float(schema["minimum"]) / step)
    else:
        first = 1
    if "maximum" in schema:
        last = math.floor(float(schema["maximum"]) / step)
    elif "exclusiveMaximum" in schema:
        last = math.ceil(float(schema["exclusiveMaximum"]) / step) - 1
    else:
        last = first + 96
    return st.integers(first, last).map(lambda n: n * step)


def _formats_pattern(schema: Mapping[str, Any]) -> bool:
    return (schema.get(ANNOTATION) or {}).get("pattern") == "field-formats"


def field_values(name: str) -> st.SearchStrategy[Any]:
    """Valid values of one editable scalar field, drawn from its schema."""
    return _for_spec(f"field:{name}", lambda f: _field_values(f, name))


def _field_values(f: Facts, name: str) -> st.SearchStrategy[Any]:
    schema = f.field(name)
    strategy: st.SearchStrategy[Any]
    if "enum" in schema:
        strategy = st.sampled_from(list(schema["enum"]))
    elif schema.get("format") == "date":
        # future dates only, so that a server refusing past schedules is not mistaken for a bug
        strategy = st.dates(dt.date(2030, 1, 1), dt.date(2099, 12, 31)).map(dt.date.isoformat)
    elif schema.get("type") == "string" and _formats_pattern(schema):
        strategy = st.from_regex(str(schema["pattern"]), fullmatch=True)
    elif schema.get("type") == "string":
        strategy = _text(schema)
    elif schema.get("type") in ("number", "integer"):
        strategy = _number(schema)
    else:
        raise LookupError(f"no strategy for the field {name!r} of type {schema.get('type')!r}")
    return strategy.filter(_valid_alone(f, name))


def _scalars(f: Facts) -> tuple[str, ...]:
    return tuple(n for n in f.editable if n != f.invite_field and n not in f.schedule)


@st.composite
def _schedules(draw: st.DrawFn) -> dict[str, Any]:
    group = _for_spec(
        "schedules",
        lambda f: st.fixed_dictionaries({name: field_values(name) for name in f.schedule}),
    )
    return draw(group)


#: The schedule group (every field together).
schedules = _schedules()

local_parts = st.from_regex(r"[a-z][a-z0-9]{2,10}(\.[a-z0-9]{1,6})?", fullmatch=True)
emails = st.builds(
    lambda local, domain: f"{local}@{domain}", local_parts, st.sampled_from(INVITE_DOMAINS)
)


def _invite_item(f: Facts, email: str) -> st.SearchStrategy[Any]:
    objects: list[Any] = [{f.invite_email: email}]
    objects += [{f.invite_email: email, f.invite_level: level} for level in f.access_levels]
    return st.sampled_from([email, *objects])


def _invite_lists(f: Facts) -> st.SearchStrategy[list[Any]]:
    most = min(4, int(f.field(f.invite_field).get("maxItems", 4)))
    return st.lists(emails, min_size=1, max_size=most, unique_by=str.lower).flatmap(
        lambda addresses: st.tuples(*[_invite_item(f, a) for a in addresses]).map(list)
    )


@st.composite
def _drawn_invite_lists(draw: st.DrawFn) -> list[Any]:
    drawn: list[Any] = draw(_for_spec("invite_lists", _invite_lists))
    return drawn


invite_lists = _drawn_invite_lists()


@st.composite
def valid_edits(draw: st.DrawFn, *, with_invites: bool = True) -> dict[str, Any]:
    """A non-empty valid ``remote_session`` object: any mix of the editable fields."""
    f = facts()
    scalars = _scalars(f)
    edit: dict[str, Any] = {}
    for name in scalars:
        if draw(st.booleans()):
            edit[name] = draw(field_values(name))
    if len(f.schedule) > 0 and bool(draw(st.booleans())):
        edit.update(draw(schedules))
    if with_invites and draw(st.booleans()):
        edit[f.invite_field] = draw(invite_lists)
    if not edit:
        first = scalars[0]
        edit[first] = draw(field_values(first))
    return edit


@st.composite
def partial_schedules(draw: st.DrawFn) -> dict[str, Any]:
    """A valid edit keeping some but not all of the schedule fields (all values well formed)."""
    f = facts()
    full = draw(schedules)
    most = len(f.schedule) - 1
    kept = draw(st.lists(st.sampled_from(f.schedule), min_size=1, max_size=most, unique=True))
    edit: dict[str, Any] = {name: full[name] for name in kept}
    for name in _scalars(f):
        if draw(st.booleans()):
            edit[name] = draw(field_values(name))
    return edit


#: Values that break a field's documented form (not merely an assumed limit), per field; only
#: those the spec's own reading files under ``field-formats`` are used (see ``bad_formats``).
CANDIDATE_BAD_FORMATS: dict[str, list[Any]] = {
    "start_time": [
        "14:30",
        "2:30 PM",
        "02:30PM",
        "02:30",
        "13:30 PM",
        "00:15 AM",
        "02:61 PM",
        "02:30 pm",
        " 02:30 PM",
        "half past two",
        1430,
    ],
    "start_date": [
        "30/01/2025",
        "2025-1-30",
        "20250130",
        "January 30, 2025",
        "2025-01-30T14:30:00",
        20250130,
    ],
    "time_zone": ["Pacific Standard Time", "Mars/Olympus_Mons", "GMT+25", "", 8],
    # (only addresses every email validator refuses: "jade@" passes some lax checkers)
    "invites": [
        ["not-an-email"],
        ["jade.example.com"],
        [42],
        [{"email": "jade@example.com", "access_level": "owner"}],
        [{"access_level": "host"}],
        "jade@example.com",
    ],
    "estimated_duration": ["1.5", "two hours", [1.5], {"hours": 1}],
    "title": [42, ["a title"], {"text": "a title"}, None],
}


def bad_formats() -> dict[str, list[Any]]:
    """The candidate bad values the spec in use agrees break ``field-formats``, per field."""
    return _for_spec("bad_formats", _bad_formats)


def _bad_formats(f: Facts) -> dict[str, list[Any]]:
    reading = body_rules(f.spec)
    out: dict[str, list[Any]] = {}
    for name, values in CANDIDATE_BAD_FORMATS.items():
        if name not in f.editable:
            continue
        kept = [
            v
            for v in values
            if "field-formats" in reading.broken({"remote_session": edit_with(f, name, v)})
        ]
        if kept:
            out[name] = kept
    return out


def bad_format_edit(field: str, value: Any, schedule: dict[str, str]) -> dict[str, Any]:
    """An edit whose only fault is ``field`` = ``value`` (the schedule group stays complete)."""
    if field in schedule_fields():
        return {**schedule, field: value}
    return {field: value}
