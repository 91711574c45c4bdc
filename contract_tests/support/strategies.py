"""Hypothesis strategies for the contract's request values, valid and deliberately invalid.

Valid values are kept conservative (plain titles, real dates, reserved-domain emails) so that a
refusal of one is unambiguously the server's fault; the wild inputs come from schemathesis.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from prevail_contract.spec import load_spec

SCHEDULE_FIELDS = ("start_date", "start_time", "time_zone")
#: Reserved domains only: nobody is ever emailed by a contract run. (Not ``*.test``: some email
#: validators refuse special-use TLDs, which would make a valid invite look refused.)
INVITE_DOMAINS = ("example.com", "example.org", "example.net", "people.example.com")

titles = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ,.'()&-]{0,58}[A-Za-z0-9.)]", fullmatch=True)
#: Future dates only, so that a server refusing past schedules is not mistaken for a broken rule.
dates = st.dates(dt.date(2030, 1, 1), dt.date(2099, 12, 31)).map(dt.date.isoformat)
times = st.builds(
    lambda h, m, half: f"{h:02d}:{m:02d} {half}",
    st.integers(1, 12),
    st.integers(0, 59),
    st.sampled_from(["AM", "PM"]),
)
zones = st.sampled_from(sorted(load_spec().time_zones()))
durations = st.integers(1, 96).map(lambda quarters: quarters / 4)
schedules = st.fixed_dictionaries({"start_date": dates, "start_time": times, "time_zone": zones})

local_parts = st.from_regex(r"[a-z][a-z0-9]{2,10}(\.[a-z0-9]{1,6})?", fullmatch=True)
emails = st.builds(
    lambda local, domain: f"{local}@{domain}", local_parts, st.sampled_from(INVITE_DOMAINS)
)


def _invite_item(email: str) -> st.SearchStrategy[Any]:
    return st.sampled_from(
        [
            email,
            {"email": email},
            {"email": email, "access_level": "participant"},
            {"email": email, "access_level": "host"},
        ]
    )


invite_lists = st.lists(emails, min_size=1, max_size=4, unique_by=str.lower).flatmap(
    lambda addresses: st.tuples(*[_invite_item(a) for a in addresses]).map(list)
)


@st.composite
def valid_edits(draw: st.DrawFn, *, with_invites: bool = True) -> dict[str, Any]:
    """A non-empty valid ``remote_session`` object: any mix of the editable fields."""
    edit: dict[str, Any] = {}
    if draw(st.booleans()):
        edit["title"] = draw(titles)
    if draw(st.booleans()):
        edit.update(draw(schedules))
    if draw(st.booleans()):
        edit["estimated_duration"] = draw(durations)
    if with_invites and draw(st.booleans()):
        edit["invites"] = draw(invite_lists)
    if not edit:
        edit["title"] = draw(titles)
    return edit


@st.composite
def partial_schedules(draw: st.DrawFn) -> dict[str, Any]:
    """A valid edit keeping one or two of the three schedule fields (all values well formed)."""
    full = draw(schedules)
    kept = draw(st.lists(st.sampled_from(SCHEDULE_FIELDS), min_size=1, max_size=2, unique=True))
    edit: dict[str, Any] = {name: full[name] for name in kept}
    if draw(st.booleans()):
        edit["title"] = draw(titles)
    if draw(st.booleans()):
        edit["estimated_duration"] = draw(durations)
    return edit


#: Values that break a field's documented form (not merely an assumed limit), per field.
BAD_FORMATS: dict[str, list[Any]] = {
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


def bad_format_edit(field: str, value: Any, schedule: dict[str, str]) -> dict[str, Any]:
    """An edit whose only fault is ``field`` = ``value`` (the schedule triple stays complete)."""
    if field in SCHEDULE_FIELDS:
        return {**schedule, field: value}
    return {field: value}
