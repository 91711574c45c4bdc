"""The mock enforces each rule of the catalogue with the brief's status, code and check order."""

from __future__ import annotations

import gzip
from typing import Any

import pytest

from prevail_contract.spec import Spec
from tests.plugins.mock import MockUnderTest

TITLE_ONLY = {"remote_session": {"title": "Renamed deposition"}}


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert isinstance(body["messages"], str)
    assert body["messages"]
    return body


def test_documented_request_gets_documented_response(mock: MockUnderTest, spec: Spec) -> None:
    response = mock.patch(spec.example("EditRequestDocumented").value)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == spec.example("EditResponseDocumented").value
    # the documented invitee is new to the fixture Session: added, and emailed once
    assert [m["to"] for m in mock.outbox()] == ["amethyst@example.com"]


def test_success_keeps_untouched_fields_and_sets_ready(mock: MockUnderTest) -> None:
    before = mock.stored()
    assert before["state"] == "scheduled"
    response = mock.patch(TITLE_ONLY)
    assert response.status_code == 200
    (session,) = response.json()["sessions"]
    assert session["title"] == "Renamed deposition"
    assert session["state"] == "ready"
    assert session["remote_session_id"] == mock.env["PREVAIL_SESSION_ID"]
    for name in ("start_date", "start_time", "time_zone", "estimated_duration"):
        assert session[name] == before[name]
    assert session["transcript_status"] == before["transcript_status"]
    assert session["provider_specific_details"] == before["provider_specific_details"]
    assert session["invites"] == before["invites"]
    after = mock.stored()
    assert after["title"] == "Renamed deposition"
    assert after["state"] == "ready"


def test_reschedule_applies_all_three(mock: MockUnderTest) -> None:
    change = {"start_date": "2026-02-28", "start_time": "11:45 PM", "time_zone": "Tokyo"}
    response = mock.patch({"remote_session": change})
    assert response.status_code == 200
    session = response.json()["sessions"][0]
    assert {k: session[k] for k in change} == change


def test_duration_is_applied(mock: MockUnderTest) -> None:
    response = mock.patch({"remote_session": {"estimated_duration": 1.25}})
    assert response.json()["sessions"][0]["estimated_duration"] == 1.25


def test_invites_are_added_deduplicated_and_mailed(mock: MockUnderTest) -> None:
    before = mock.stored()["invites"]
    body = {
        "remote_session": {"invites": ["New@Example.com", "new@example.COM", before[0].upper()]}
    }
    response = mock.patch(body)
    assert response.status_code == 200
    invites = response.json()["sessions"][0]["invites"]
    assert invites == [*before, "New@Example.com"]
    outbox = mock.outbox()
    assert [m["to"] for m in outbox] == ["New@Example.com"]
    assert outbox[0]["remote_session_id"] == mock.env["PREVAIL_SESSION_ID"]
    assert outbox[0]["access_level"] == "participant"
    # Re-inviting later adds nothing and mails nobody.
    again = mock.patch({"remote_session": {"invites": ["NEW@example.com"]}})
    assert again.json()["sessions"][0]["invites"] == invites
    assert len(mock.outbox()) == 1


def test_host_only_for_registered_members(mock: MockUnderTest) -> None:
    body = {
        "remote_session": {
            "invites": [
                {"email": "Onyx@example.com", "access_level": "host"},
                {"email": "stranger@example.com", "access_level": "host"},
                {"email": "plain@example.com"},
            ]
        }
    }
    assert mock.patch(body).status_code == 200
    levels = {i["email"]: i["access_level"] for i in mock.stored()["invitees"]}
    assert levels["Onyx@example.com"] == "host"
    assert levels["stranger@example.com"] == "participant"
    assert levels["plain@example.com"] == "participant"
    mailed = {m["to"]: m["access_level"] for m in mock.outbox()}
    assert mailed == {
        "Onyx@example.com": "host",
        "stranger@example.com": "participant",
        "plain@example.com": "participant",
    }


def test_ready_session_stays_editable(mock: MockUnderTest) -> None:
    assert mock.patch(TITLE_ONLY, session_id="acme-ready-session").status_code == 200


@pytest.mark.parametrize("state", ["initial", "active", "canceled"])
def test_non_editable_states_409(mock: MockUnderTest, state: str) -> None:
    created = mock.client.post(
        "/__mock__/sessions", json={"organization": "acme-legal", "state": state}
    )
    assert created.status_code == 201
    session_id = created.json()["remote_session_id"]
    before = mock.stored(session_id)
    body = _error(mock.patch(TITLE_ONLY, session_id=session_id), 409, "session_not_editable")
    assert state in body["messages"]
    assert mock.stored(session_id) == before


def test_locked_session_target_409(mock: MockUnderTest) -> None:
    _error(
        mock.patch(TITLE_ONLY, session_id=mock.env["PREVAIL_LOCKED_SESSION_ID"]),
        409,
        "session_not_editable",
    )


def test_self_service_403(mock: MockUnderTest) -> None:
    response = mock.patch(
        TITLE_ONLY,
        session_id="initech-scheduled-session",
        token=mock.env["PREVAIL_NO_SELF_SERVICE_TOKEN"],
    )
    _error(response, 403, "self_service_disabled")
    assert mock.stored("initech-scheduled-session")["title"] != "Renamed deposition"


def test_foreign_session_answers_like_unknown(mock: MockUnderTest) -> None:
    foreign = mock.patch(TITLE_ONLY, session_id=mock.env["PREVAIL_FOREIGN_SESSION_ID"])
    unknown = mock.patch(TITLE_ONLY, session_id="no-such-session")
    _error(foreign, 404, "session_not_found")
    _error(unknown, 404, "session_not_found")
    assert foreign.json()["messages"].replace(mock.env["PREVAIL_FOREIGN_SESSION_ID"], "X") == (
        unknown.json()["messages"].replace("no-such-session", "X")
    )
    assert dict(foreign.headers).keys() == dict(unknown.headers).keys()
    assert mock.stored(mock.env["PREVAIL_FOREIGN_SESSION_ID"])["title"] != "Renamed deposition"


@pytest.mark.parametrize(
    ("edit", "missing"),
    [
        ({"start_date": "2025-01-30"}, ["start_time", "time_zone"]),
        ({"start_time": "02:30 PM", "time_zone": "Hawaii"}, ["start_date"]),
        ({"start_date": "2025-01-30", "start_time": "02:30 PM"}, ["time_zone"]),
    ],
)
def test_partial_schedule_422_incomplete(
    mock: MockUnderTest, edit: dict[str, str], missing: list[str]
) -> None:
    body = _error(mock.patch({"remote_session": edit}), 422, "incomplete_schedule")
    assert [d["field"] for d in body["details"]] == [f"remote_session.{m}" for m in missing]


def test_incomplete_schedule_wins_over_other_422(mock: MockUnderTest) -> None:
    body = {"remote_session": {"start_time": "14:30", "title": "", "location": "x"}}
    _error(mock.patch(body), 422, "incomplete_schedule")


@pytest.mark.parametrize(
    ("edit", "field", "fragment"),
    [
        ({"title": ""}, "remote_session.title", "at least 1"),
        ({"title": "x" * 256}, "remote_session.title", "at most 255"),
        ({"title": 5}, "remote_session.title", "string"),
        ({"estimated_duration": 0.3}, "remote_session.estimated_duration", "multiple of 0.25"),
        ({"estimated_duration": 0}, "remote_session.estimated_duration", "greater than 0"),
        ({"estimated_duration": 24.25}, "remote_session.estimated_duration", "at most 24"),
        ({"estimated_duration": "1.5"}, "remote_session.estimated_duration", "number"),
        ({"invites": "a@example.com"}, "remote_session.invites", "array"),
        ({"invites": ["not-an-email"]}, "remote_session.invites[0]", "email"),
        ({"invites": ["jade@example"]}, "remote_session.invites[0]", "dotted domain"),
        ({"title": "line\nbreak"}, "remote_session.title", "control characters"),
        (
            {"invites": [{"email": "a@example.com", "access_level": "owner"}]},
            "remote_session.invites[0].access_level",
            "host, participant",
        ),
        ({"invites": [{"access_level": "host"}]}, "remote_session.invites[0].email", "Required"),
        (
            {"invites": [{"email": "a@example.com", "x": 1}]},
            "remote_session.invites[0].x",
            "Unknown field",
        ),
        ({"invites": [7]}, "remote_session.invites[0]", "email address"),
        (
            {"invites": [f"p{i}@example.com" for i in range(101)]},
            "remote_session.invites",
            "at most 100",
        ),
        ({"location": "Room 4"}, "remote_session.location", "accepted fields are title"),
        (
            {"start_date": "2025-02-30", "start_time": "02:30 PM", "time_zone": "UTC"},
            "remote_session.start_date",
            "real calendar date",
        ),
        (
            {"start_date": "30/01/2025", "start_time": "02:30 PM", "time_zone": "UTC"},
            "remote_session.start_date",
            "YYYY-MM-DD",
        ),
        (
            {"start_date": "2025-01-30", "start_time": "14:30", "time_zone": "UTC"},
            "remote_session.start_time",
            "12-hour",
        ),
        (
            {"start_date": "2025-01-30", "start_time": "2:30 PM", "time_zone": "UTC"},
            "remote_session.start_time",
            "zero-padded",
        ),
        (
            {
                "start_date": "2025-01-30",
                "start_time": "02:30 PM",
                "time_zone": "America/Los_Angeles",
            },
            "remote_session.time_zone",
            "Pacific Time (US & Canada)",
        ),
        (
            {"start_date": "2025-01-30", "start_time": "02:30 PM", "time_zone": "Europe/Oslo"},
            "remote_session.time_zone",
            "IANA",
        ),
        (
            {"start_date": "2025-01-30", "start_time": "02:30 PM", "time_zone": "Mars"},
            "remote_session.time_zone",
            "Rails time zone",
        ),
    ],
)
def test_invalid_fields_422(
    mock: MockUnderTest, edit: dict[str, Any], field: str, fragment: str
) -> None:
    body = _error(mock.patch({"remote_session": edit}), 422, "validation_failed")
    messages = {d["field"]: d["message"] for d in body["details"]}
    assert field in messages, body
    assert fragment in messages[field]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"title": "x"}, ["remote_session", "title"]),
        ({"remote_session": {}}, ["remote_session"]),
        ({"remote_session": None}, ["remote_session"]),
        ({"remote_session": {"title": "x"}, "extra": 1}, ["extra"]),
        ({}, ["remote_session"]),
    ],
)
def test_envelope_422(mock: MockUnderTest, body: dict[str, Any], fields: list[str]) -> None:
    error = _error(mock.patch(body), 422, "validation_failed")
    assert [d["field"] for d in error["details"]] == fields


@pytest.mark.parametrize("body", [[], "text", 1, None, True])
def test_non_object_body_422(mock: MockUnderTest, body: Any) -> None:
    _error(mock.patch(body), 422, "validation_failed")


def test_all_time_zone_names_accepted(mock: MockUnderTest, spec: Spec) -> None:
    for name in spec.time_zones():
        edit = {"start_date": "2025-01-30", "start_time": "02:30 PM", "time_zone": name}
        response = mock.patch({"remote_session": edit})
        assert response.status_code == 200, (name, response.text)


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/json", 200),
        ("application/json; charset=utf-8", 200),
        ("Application/JSON;charset=UTF-8", 200),
        ("text/plain", 415),
        ("application/x-www-form-urlencoded", 415),
        ("application/json; charset=latin-1", 415),
        ("application/jsonx", 415),
    ],
)
def test_media_type(mock: MockUnderTest, content_type: str, status: int) -> None:
    response = mock.patch(
        b'{"remote_session": {"title": "x"}}', headers={"Content-Type": content_type}
    )
    assert response.status_code == status, response.text
    if status == 415:
        assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("encoding", "status"),
    [("gzip", 415), ("GZIP", 415), ("identity, br", 415), ("identity", 200), (None, 200)],
)
def test_a_content_encoded_body_is_an_unsupported_media_type(
    mock: MockUnderTest, encoding: str | None, status: int
) -> None:
    body = b'{"remote_session": {"title": "x"}}'
    headers = {"Content-Type": "application/json"}
    if encoding is not None:
        headers["Content-Encoding"] = encoding
        if encoding != "identity":
            body = gzip.compress(body)
    response = mock.patch(body, headers=headers)
    assert response.status_code == status, response.text
    if status == 415:
        said = response.json()
        assert said["code"] == "unsupported_media_type"
        assert "Content encodings are not accepted" in said["messages"]
        assert str(encoding).split(",")[-1].strip() in said["messages"]


def test_missing_content_type_415(mock: MockUnderTest) -> None:
    response = mock.client.patch(
        mock.url(), content=b'{"remote_session": {"title": "x"}}', headers=mock.auth()
    )
    _error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "OPTIONS"])
def test_other_methods_405(mock: MockUnderTest, method: str) -> None:
    response = mock.client.request(method, mock.url(), headers=mock.auth())
    assert response.status_code == 405
    assert response.headers["allow"] == "PATCH"


def test_unknown_path_404_error_shape(mock: MockUnderTest) -> None:
    for path in ("/", "/api/v1/session", "/api/v1/sessions/x/archive", "/api/v2/sessions/x"):
        response = mock.client.patch(path, json=TITLE_ONLY, headers=mock.auth())
        body = _error(response, 404, "not_found")
        assert path in body["messages"]


# -- check order: with several faults, the first in the brief's order answers ------------


def test_order_401_before_everything(mock: MockUnderTest) -> None:
    response = mock.client.patch(
        mock.url("no-such-session"), content=b"{", headers={"Content-Type": "text/plain"}
    )
    _error(response, 401, "unauthorized")


def test_order_403_before_404(mock: MockUnderTest) -> None:
    response = mock.patch(b"{", session_id="nope", token=mock.env["PREVAIL_NO_SELF_SERVICE_TOKEN"])
    _error(response, 403, "self_service_disabled")


def test_order_404_before_415(mock: MockUnderTest) -> None:
    response = mock.patch(b"{", session_id="nope", headers={"Content-Type": "text/plain"})
    _error(response, 404, "session_not_found")


def test_order_415_before_413(mock: MockUnderTest) -> None:
    big = b" " * (1024 * 1024 + 1)
    response = mock.patch(big, headers={"Content-Type": "text/plain"})
    _error(response, 415, "unsupported_media_type")


def test_order_413_before_400(mock: MockUnderTest) -> None:
    _error(mock.patch(b"{" * (1024 * 1024 + 1)), 413, "payload_too_large")


def test_order_400_before_422(mock: MockUnderTest) -> None:
    _error(mock.patch(b'{"title": "x",'), 400, "malformed_json")


def test_order_422_before_409(mock: MockUnderTest) -> None:
    response = mock.patch({"title": "x"}, session_id=mock.env["PREVAIL_LOCKED_SESSION_ID"])
    _error(response, 422, "validation_failed")


def test_rejections_change_nothing(mock: MockUnderTest) -> None:
    before = mock.stored()
    bad = [
        {"remote_session": {"title": "", "invites": ["z@example.com"]}},
        {"remote_session": {"start_date": "2025-01-30", "invites": ["z@example.com"]}},
        {"remote_session": {"invites": ["z@example.com", "broken"]}},
        {"remote_session": {"title": "ok", "location": "x"}},
    ]
    for body in bad:
        assert mock.patch(body).status_code == 422
    assert mock.patch(TITLE_ONLY, token="garbage").status_code == 401
    assert mock.stored() == before
    assert mock.outbox() == []
