"""The mock's ``cancel_session``: states, answer, notifications, refusals, worlds, planted bugs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.plugins.mock import MockUnderTest

DOCUMENTED = {"messages": "Session successfully canceled."}
INVITEES = [{"email": f"guest{n}@example.com", "access_level": "participant"} for n in range(2)]


def _make(m: MockUnderTest, state: str, **fields: Any) -> str:
    """A Session of the run's Organization in ``state``, with two invitees."""
    body = {"organization": m.env["PREVAIL_COMPANY_ID"], "state": state, "invitees": INVITEES}
    response = m.client.post("/__mock__/sessions", json={**body, **fields})
    assert response.status_code == 201, response.text
    return str(response.json()["remote_session_id"])


def cancel(
    m: MockUnderTest,
    session_id: str,
    query: str = "?cancel_without_email=true",
    *,
    token: str | None = None,
    method: str = "PATCH",
    **options: Any,
) -> httpx.Response:
    url = f"{m.env['PREVAIL_BASE_URL']}/sessions/{session_id}/cancel{query}"
    headers = m.auth(token) if token != "" else {}
    return m.client.request(method, url, headers=headers, **options)


@pytest.mark.parametrize("state", ["initial", "scheduled", "ready"])
def test_a_cancel_in_each_documented_state_answers_the_documented_body(
    mock: MockUnderTest, state: str
) -> None:
    sid = _make(mock, state)
    before = mock.stored(sid)
    response = cancel(mock, sid)
    assert (response.status_code, response.json()) == (200, DOCUMENTED)
    after = mock.stored(sid)
    assert after["state"] == "canceled"
    assert {**after, "state": state} == before  # only the state changed, invitees kept
    assert mock.outbox() == []


def test_without_the_flag_each_invitee_is_told_once(mock: MockUnderTest) -> None:
    quiet, plain, false = _make(mock, "ready"), _make(mock, "ready"), _make(mock, "scheduled")
    assert cancel(mock, quiet).status_code == 200
    assert cancel(mock, plain, "").status_code == 200
    assert cancel(mock, false, "?cancel_without_email=false").status_code == 200
    told = [(m["remote_session_id"], m["to"]) for m in mock.outbox()]
    emails = [i["email"] for i in INVITEES]
    assert told == [(plain, e) for e in emails] + [(false, e) for e in emails]


@pytest.mark.parametrize("state", ["active", "canceled"])
def test_a_cancel_outside_them_is_409_and_changes_nothing(mock: MockUnderTest, state: str) -> None:
    sid = _make(mock, state)
    before = mock.stored(sid)
    response = cancel(mock, sid, "")
    assert response.status_code == 409
    assert response.json()["code"] == "session_not_cancelable"
    assert mock.stored(sid) == before
    assert mock.outbox() == []


def test_a_canceled_session_refuses_a_second_cancel_and_an_edit(mock: MockUnderTest) -> None:
    sid = _make(mock, "ready", title="Before")
    assert cancel(mock, sid).status_code == 200
    canceled = mock.stored(sid)
    again = cancel(mock, sid)
    assert (again.status_code, again.json()["code"]) == (409, "session_not_cancelable")
    edit = mock.patch({"remote_session": {"title": "After"}}, session_id=sid)
    assert (edit.status_code, edit.json()["code"]) == (409, "session_not_editable")
    assert mock.stored(sid) == canceled
    listed = mock.client.get(
        f"{mock.env['PREVAIL_BASE_URL']}/sessions", params={"items": 100}, headers=mock.auth()
    ).json()["sessions"]
    assert [s["state"] for s in listed if s["remote_session_id"] == sid] == ["canceled"]


def test_refusals_are_the_edits(mock: MockUnderTest) -> None:
    sid = _make(mock, "ready")
    before = mock.stored(sid)
    assert cancel(mock, sid, token="").status_code == 401
    other = mock.env["PREVAIL_NO_SELF_SERVICE_TOKEN"]
    assert cancel(mock, sid, token=other).json()["code"] == "self_service_disabled"
    flag = cancel(mock, sid, "?cancel_without_email=maybe")
    assert (flag.status_code, flag.json()["code"]) == (422, "validation_failed")
    twice = cancel(mock, sid, "?cancel_without_email=true&cancel_without_email=true")
    assert twice.status_code == 422
    other_method = cancel(mock, sid, method="GET")
    assert (other_method.status_code, other_method.headers["allow"]) == (405, "PATCH")
    foreign = cancel(mock, mock.env["PREVAIL_FOREIGN_SESSION_ID"])
    unknown = cancel(mock, "no-such-session")
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["messages"] == unknown.json()["messages"].replace(
        "no-such-session", mock.env["PREVAIL_FOREIGN_SESSION_ID"]
    )
    assert mock.stored(sid) == before
    assert mock.stored(mock.env["PREVAIL_FOREIGN_SESSION_ID"])["state"] != "canceled"


def test_a_body_is_ignored(mock: MockUnderTest) -> None:
    sid = _make(mock, "scheduled", title="Kept")
    body = {"remote_session": {"title": "Not applied"}}
    assert cancel(mock, sid, json=body).status_code == 200
    assert mock.stored(sid)["title"] == "Kept"


def test_a_cancel_in_a_sandbox_stays_in_the_sandbox(mock: MockUnderTest) -> None:
    made = mock.client.post("/__mock__/sandboxes")
    assert made.status_code == 201, made.text
    env = made.json()["environment"]
    sid = env["PREVAIL_SESSION_ID"]
    url = f"{env['PREVAIL_BASE_URL']}/sessions/{sid}/cancel?cancel_without_email=true"
    answer = mock.client.patch(url, headers={"Authorization": f"Bearer {env['PREVAIL_TOKEN']}"})
    assert (answer.status_code, answer.json()) == (200, DOCUMENTED)
    assert mock.stored(sid)["state"] != "canceled"  # the default world's Session is untouched
    assert cancel(mock, sid).status_code == 200  # and can still be canceled there


def _states_bug(m: MockUnderTest) -> bool:
    return cancel(m, _make(m, "active")).status_code == 200


def _canceled_bug(m: MockUnderTest) -> bool:
    sid = _make(m, "ready")
    cancel(m, sid)
    return bool(m.stored(sid)["state"] != "canceled")


def _response_bug(m: MockUnderTest) -> bool:
    return bool(cancel(m, _make(m, "ready")).json() != DOCUMENTED)


#: The cancel's planted bugs and how each shows (``test_mock_bugs`` runs them with the rest).
CANCEL_BROKEN: dict[str, Callable[[MockUnderTest], bool]] = {
    "cancel-states": _states_bug,
    "canceled-after-cancel": _canceled_bug,
    "cancel-response": _response_bug,
}
