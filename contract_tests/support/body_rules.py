"""Our own reading of which catalogue rule a request body breaks (``None`` when it breaks none).

Used to file a schemathesis "accepted invalid data" finding under the rule that data broke, so
that a server accepting a partial schedule fails ``schedule-all-three`` and one accepting an
over-long title fails the assumed ``field-limits``. Written from the rule catalogue, not from the
mock, and deliberately no stricter than JSON Schema's own checks (an address needs an ``@``).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from prevail_contract.spec import load_spec

EDITABLE = ("title", "start_date", "start_time", "time_zone", "invites", "estimated_duration")
SCHEDULE = ("start_date", "start_time", "time_zone")
#: Which rule wins when a body breaks several: documented rules first.
PRIORITY = (
    "request-envelope",
    "schedule-all-three",
    "field-formats",
    "unknown-fields-rejected",
    "field-limits",
)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TIME = re.compile(r"^(0[1-9]|1[0-2]):[0-5][0-9] (AM|PM)$")
_ZONES = frozenset(load_spec().time_zones())
_IANA = frozenset(zoneinfo.available_timezones())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _invite_rules(value: Any) -> set[str]:
    if not isinstance(value, list):
        return {"field-formats"}
    broken: set[str] = set()
    if len(value) > 100:
        broken.add("field-limits")
    for item in value:
        email = item
        if isinstance(item, dict):
            if set(item) - {"email", "access_level"}:
                broken.add("unknown-fields-rejected")
            if "access_level" in item and item["access_level"] not in ("host", "participant"):
                broken.add("field-formats")
            email = item.get("email")
        if not isinstance(email, str) or "@" not in email:
            broken.add("field-formats")
        elif len(email) > 254:
            broken.add("field-limits")
    return broken


def _field_rules(name: str, value: Any) -> set[str]:
    if name == "title":
        if not isinstance(value, str):
            return {"field-formats"}
        return {"field-limits"} if not 1 <= len(value) <= 255 else set()
    if name == "start_date":
        if not isinstance(value, str) or not _DATE.match(value):
            return {"field-formats"}
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return {"field-limits"}
        return set()
    if name == "start_time":
        return set() if isinstance(value, str) and _TIME.match(value) else {"field-formats"}
    if name == "time_zone":
        if isinstance(value, str) and value in _ZONES:
            return set()
        # an IANA id is a zone all the same: refusing it is our assumption, not the docs'
        return {"field-limits"} if isinstance(value, str) and value in _IANA else {"field-formats"}
    if name == "invites":
        return _invite_rules(value)
    if name == "estimated_duration":
        if not _is_number(value):
            return {"field-formats"}
        ok = 0 < value <= 24 and abs(value * 4 - round(value * 4)) < 1e-9
        return set() if ok else {"field-limits"}
    return {"unknown-fields-rejected"}


def broken_rules(body: Any) -> set[str]:
    """Every rule the body breaks, by our reading of the catalogue."""
    if not isinstance(body, dict) or "remote_session" not in body:
        return {"request-envelope"}
    edit = body["remote_session"]
    if not isinstance(edit, dict) or not edit:
        return {"request-envelope"}
    broken: set[str] = set()
    if set(body) != {"remote_session"}:
        broken.add("unknown-fields-rejected")  # "in the body or in remote_session"
    present = [f for f in SCHEDULE if f in edit]
    if 0 < len(present) < 3:
        broken.add("schedule-all-three")
    for name, value in edit.items():
        broken |= _field_rules(name, value)
    return broken


def rule_broken_by(body: Any) -> str | None:
    """The one rule to blame when a server accepts ``body`` (documented rules first)."""
    broken = broken_rules(body)
    for rule in PRIORITY:
        if rule in broken:
            return rule
    return None
