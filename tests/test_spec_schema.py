"""The spec's request schema accepts and refuses exactly what the brief says."""

from __future__ import annotations

import csv
import itertools
import os
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prevail_contract.spec import Spec

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
SCHEDULE = {"start_date": "2025-01-30", "start_time": "02:30 PM", "time_zone": "Hawaii"}


def _valid(spec: Spec, remote_session: Any) -> bool:
    return bool(spec.validator("EditSessionRequest").is_valid({"remote_session": remote_session}))


@pytest.mark.parametrize(
    "fields",
    [c for n in (1, 2) for c in itertools.combinations(sorted(SCHEDULE), n)],
    ids=lambda fields: "+".join(fields),
)
def test_partial_schedule_is_refused(spec: Spec, fields: tuple[str, ...]) -> None:
    body = {name: SCHEDULE[name] for name in fields} | {"title": "Renamed"}
    assert not _valid(spec, body)


def test_full_schedule_and_no_schedule_are_accepted(spec: Spec) -> None:
    assert _valid(spec, dict(SCHEDULE))
    assert _valid(spec, {"title": "Renamed"})


@settings(max_examples=60, deadline=None)
@given(keep=st.sets(st.sampled_from(sorted(SCHEDULE)), min_size=1, max_size=2))
def test_any_partial_schedule_is_refused(spec: Spec, keep: set[str]) -> None:
    assert not _valid(spec, {name: SCHEDULE[name] for name in keep})


def test_time_zones_are_151_loadable_iana_zones(spec: Spec) -> None:
    zones = spec.time_zones()
    assert len(zones) == 151
    for name, iana in zones.items():
        assert zoneinfo.ZoneInfo(iana) is not None, name


def test_time_zones_match_the_reference_list(spec: Spec) -> None:
    tsv = REFERENCE / "rails-time-zones.tsv"
    if not tsv.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the reference list {tsv} is missing; CI has shared/ beside the clone")
        pytest.skip(f"the reference list {tsv} is not beside this checkout")
    with tsv.open(encoding="utf-8") as handle:
        reference = {row["name"]: row["iana"] for row in csv.DictReader(handle, delimiter="\t")}
    assert spec.time_zones() == reference
    assert len(reference) == 151
    for name in reference:
        assert _valid(spec, SCHEDULE | {"time_zone": name}), name


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "pacific time (us & canada)", "PST", ""])
def test_other_zone_spellings_are_refused(spec: Spec, zone: str) -> None:
    assert not _valid(spec, SCHEDULE | {"time_zone": zone})


@pytest.mark.parametrize("good", ["01:30 AM", "02:30 PM", "12:00 AM", "12:59 PM", "10:05 AM"])
def test_start_time_accepts_padded_twelve_hour_times(spec: Spec, good: str) -> None:
    assert _valid(spec, SCHEDULE | {"start_time": good})


@pytest.mark.parametrize(
    "bad", ["2:30 PM", "14:30", "02:30PM", "02:30 pm", "00:30 AM", "13:00 PM", "02:60 AM", ""]
)
def test_start_time_refuses_other_forms(spec: Spec, bad: str) -> None:
    assert not _valid(spec, SCHEDULE | {"start_time": bad})


@pytest.mark.parametrize("bad", ["2025-02-30", "2025-13-01", "25-01-30", "2025/01/30", "2025-1-3"])
def test_start_date_must_be_a_real_iso_date(spec: Spec, bad: str) -> None:
    assert not _valid(spec, SCHEDULE | {"start_date": bad})


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (0.25, True),
        (24, True),
        (3.5, True),
        (0, False),
        (-1, False),
        (24.25, False),
        (1.1, False),
        ("1", False),
    ],
)
def test_estimated_duration_limits(spec: Spec, value: object, ok: bool) -> None:
    assert _valid(spec, {"estimated_duration": value}) is ok


@pytest.mark.parametrize(
    ("invites", "ok"),
    [
        (["amethyst@example.com"], True),
        ([{"email": "onyx@example.com", "access_level": "host"}], True),
        ([{"email": "onyx@example.com"}], True),
        (["a@example.com", {"email": "b@example.com", "access_level": "participant"}], True),
        ([{"email": "onyx@example.com", "access_level": "owner"}], False),
        ([{"access_level": "host"}], False),
        ([{"email": "onyx@example.com", "role": "host"}], False),
        (["not-an-email"], False),
        ([42], False),
        (["a" * 64 + "@example.com"], True),
        (["a" * 65 + "@example.com"], False),
        (["jade@" + "b" * 64 + ".com"], False),
        (["jade@example"], False),
        (["jade@example.com", "J.Doe+x@mail.example.co.uk"], True),
        ([f"p{i}@example.com" for i in range(100)], True),
        ([f"p{i}@example.com" for i in range(101)], False),
    ],
)
def test_invite_items(spec: Spec, invites: list[Any], ok: bool) -> None:
    assert _valid(spec, {"invites": invites}) is ok


@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"title": "x" * 256},
        {},
        {"title": "Renamed", "location": "Room 4"},
    ],
    ids=["empty-title", "long-title", "empty", "unknown-field"],
)
def test_limits_and_unknown_fields(spec: Spec, body: dict[str, Any]) -> None:
    assert not _valid(spec, body)


def test_envelope_is_required(spec: Spec) -> None:
    validator = spec.validator("EditSessionRequest")
    assert not validator.is_valid({"title": "Renamed"})
    assert not validator.is_valid({"remote_session": {"title": "x"}, "extra": 1})
    assert not validator.is_valid({"session_request": {"title": "x"}})
    assert validator.is_valid({"remote_session": {"title": "x" * 255}})


def test_documented_examples_are_the_documented_values(spec: Spec) -> None:
    request = spec.example("EditRequestDocumented").value["remote_session"]
    assert request == {
        "title": "Example Remote Session Edited",
        "start_time": "02:30 PM",
        "start_date": "2025-01-30",
        "time_zone": "Pacific Time (US & Canada)",
        "invites": ["amethyst@example.com"],
    }
    session = spec.example("EditResponseDocumented").value["sessions"][0]
    assert session["state"] == "ready"
    assert session["invites"][-1] == "amethyst@example.com"
    assert session["provider_specific_details"]["meeting_id"] == 97969731904


def test_every_assumed_rule_and_limit_is_marked(spec: Spec) -> None:
    sources = {rule.id: rule.source for rule in spec.rules}
    assert sources["schedule-all-three"] == "documented"
    assert sources["field-limits"] == "assumed"
    edit = spec.document["components"]["schemas"]["RemoteSessionEdit"]["properties"]
    for name, keyword in (
        ("title", "maxLength"),
        ("invites", "maxItems"),
        ("estimated_duration", "multipleOf"),
    ):
        assert keyword in edit[name].get("x-assumed-keywords", []), name
        assert "assumed" in edit[name]["description"], name
    # the email's documented form and its assumed grammar are filed apart
    email = spec.document["components"]["schemas"]["InviteEmail"]
    assert email["x-violation-rules"]["pattern"] == "field-formats"
    assert sources[email["x-violation-rules"]["format"]] == "assumed"
    assert sources[email["allOf"][0]["x-violation-rules"]["pattern"]] == "assumed"
