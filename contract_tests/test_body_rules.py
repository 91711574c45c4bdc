"""Body rules: field formats (documented), the envelope (documented), limits and unknown fields."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.support.expect import accepted, refused, unchanged_after_refusal
from contract_tests.support.strategies import BAD_FORMATS, bad_format_edit
from contract_tests.support.target import Target
from prevail_contract.check.verdict import Verdicts

SCHEDULE = {
    "start_date": "2031-03-14",
    "start_time": "02:30 PM",
    "time_zone": "Pacific Time (US & Canada)",
}
GOOD_VALUES: dict[str, Any] = {
    "start_time": "11:45 AM",
    "start_date": "2031-12-31",
    "time_zone": "Eastern Time (US & Canada)",
    "invites": [
        "format.probe@example.com",
        {"email": "format.host@example.org", "access_level": "host"},
    ],
    "estimated_duration": 1.25,
    "title": "Format probe",
}


@pytest.mark.rule("field-formats", "rejected-changes-nothing")
@pytest.mark.parametrize("field", sorted(BAD_FORMATS))
def test_badly_formatted_field_is_refused(target: Target, field: str) -> None:
    v = Verdicts()
    good = bad_format_edit(field, GOOD_VALUES[field], SCHEDULE)
    accepted(
        v,
        target.edit({"remote_session": good}, purpose=f"well-formed {field}"),
        "field-formats",
        f"well-formed {field}",
    )
    for value in BAD_FORMATS[field]:
        before = target.snapshot()
        purpose = f"{field} = {value!r}"
        ex = target.edit(
            {"remote_session": bad_format_edit(field, value, SCHEDULE)}, purpose=purpose
        )
        if refused(target.spec, v, ex, "field-formats", purpose):
            unchanged_after_refusal(
                target, v, before, ex, purpose, rule_if_changed="field-formats", rule_fields={field}
            )
        else:  # put the session back in a valid state so that later checks are not confused
            target.edit({"remote_session": good}, purpose="repair after an accepted bad value")
    v.raise_if_any()


ENVELOPE_BREAKS: dict[str, Any] = {
    "fields without remote_session": {"title": "Envelope probe"},
    "session_request instead of remote_session": {"session_request": {"title": "Envelope probe"}},
    "empty remote_session": {"remote_session": {}},
    "remote_session is a string": {"remote_session": "title=Envelope probe"},
    "remote_session is a list": {"remote_session": [{"title": "Envelope probe"}]},
    "remote_session is null": {"remote_session": None},
    "body is a list": [{"remote_session": {"title": "Envelope probe"}}],
    "body is a string": "remote_session",
    "body is null": None,
    "empty object": {},
}


@pytest.mark.rule("request-envelope", "rejected-changes-nothing")
@pytest.mark.parametrize("case", sorted(ENVELOPE_BREAKS))
def test_request_envelope(target: Target, case: str) -> None:
    v = Verdicts()
    valid = target.edit({"remote_session": {"title": "Envelope probe"}}, purpose="enveloped")
    accepted(v, valid, "request-envelope", "remote_session with a title")
    before = target.snapshot()
    payload = ENVELOPE_BREAKS[case]
    raw = b"null" if payload is None else None
    ex = target.edit(payload, raw=raw, purpose=case)
    refused(target.spec, v, ex, "request-envelope", case)
    unchanged_after_refusal(target, v, before, ex, case, rule_if_changed="request-envelope")
    v.raise_if_any()


LIMIT_BREAKS: dict[str, dict[str, Any]] = {
    "title of 256 characters": {"title": "x" * 256},
    "empty title": {"title": ""},
    "estimated_duration 0": {"estimated_duration": 0},
    "estimated_duration -1": {"estimated_duration": -1},
    "estimated_duration 24.25": {"estimated_duration": 24.25},
    "estimated_duration 1.1": {"estimated_duration": 1.1},
    "start_date 2031-02-30": {**SCHEDULE, "start_date": "2031-02-30"},
    "start_date 2031-13-01": {**SCHEDULE, "start_date": "2031-13-01"},
    "invites 101 items": {"invites": [f"limit.probe{i}@example.com" for i in range(101)]},
    "time_zone as the IANA id America/New_York": {**SCHEDULE, "time_zone": "America/New_York"},
    "time_zone as the IANA id Europe/London": {**SCHEDULE, "time_zone": "Europe/London"},
}
LIMIT_EDGES: dict[str, dict[str, Any]] = {
    "title of 255 characters": {"title": "y" * 255},
    "estimated_duration 24": {"estimated_duration": 24},
    "estimated_duration 0.25": {"estimated_duration": 0.25},
    "start_date 2032-02-29": {**SCHEDULE, "start_date": "2032-02-29"},
}


@pytest.mark.rule("field-limits", "rejected-changes-nothing")
def test_field_limits(target: Target) -> None:
    v = Verdicts()
    for purpose, edit in LIMIT_EDGES.items():
        accepted(v, target.edit({"remote_session": edit}, purpose=purpose), "field-limits", purpose)
    for purpose, edit in LIMIT_BREAKS.items():
        if "invites" in edit and (target.budget.remaining() or 10**6) < 2 * len(edit["invites"]):
            # a live run keeps its invite budget for the invite rules
            target.note("field-limits", f"{purpose} not probed: the invite cap leaves no room")
            continue
        before = target.snapshot()
        ex = target.edit({"remote_session": edit}, purpose=purpose)
        refused(target.spec, v, ex, "field-limits", purpose)
        unchanged_after_refusal(target, v, before, ex, purpose)
    v.raise_if_any()


@pytest.mark.rule("unknown-fields-rejected", "rejected-changes-nothing")
def test_unknown_top_level_member(target: Target) -> None:
    """Next to a valid ``remote_session``, another member is an unknown field (assumed rule)."""
    v = Verdicts()
    before = target.snapshot()
    purpose = "unknown top-level member next to remote_session"
    ex = target.edit(
        {"remote_session": {"title": "Envelope probe"}, "title": "Top-level title"},
        purpose=purpose,
    )
    refused(target.spec, v, ex, "unknown-fields-rejected", purpose)
    unchanged_after_refusal(target, v, before, ex, purpose)
    v.raise_if_any()


@pytest.mark.rule("unknown-fields-rejected", "rejected-changes-nothing")
@pytest.mark.parametrize("extra", ["location", "state", "remote_session_id", "transcript_status"])
def test_unknown_field_in_remote_session(target: Target, extra: str) -> None:
    v = Verdicts()
    before = target.snapshot()
    edit = {"title": "Unknown field probe", extra: "Room 4"}
    purpose = f"unknown field remote_session.{extra}"
    ex = target.edit({"remote_session": edit}, purpose=purpose)
    refused(target.spec, v, ex, "unknown-fields-rejected", purpose)
    unchanged_after_refusal(target, v, before, ex, purpose)
    v.raise_if_any()
