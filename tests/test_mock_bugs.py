"""Planted bugs: each ``bugs`` rule id breaks exactly that rule, and only when asked."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator

import jwt
import pytest

from prevail_contract.errors import ConfigError
from prevail_contract.mock import PLANTABLE_BUGS, create_app, target_environment
from tests.plugins.mock import MockUnderTest
from tests.test_mock_cancel import CANCEL_BROKEN
from tests.test_mock_listing import LIST_BROKEN

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TITLE = {"remote_session": {"title": "Renamed"}}


def _wrong_key(m: MockUnderTest) -> bool:
    token = jwt.encode(
        {"slug": m.env["PREVAIL_COMPANY_ID"], "exp": int(time.time()) - 10}, "k" * 40, "HS256"
    )
    return m.patch(TITLE, token=token).status_code == 200


def _self_service(m: MockUnderTest) -> bool:
    token = m.env["PREVAIL_NO_SELF_SERVICE_TOKEN"]
    return m.patch(TITLE, session_id="initech-scheduled-session", token=token).status_code == 200


def _ownership(m: MockUnderTest) -> bool:
    response = m.patch(TITLE, session_id=m.env["PREVAIL_FOREIGN_SESSION_ID"])
    return response.status_code == 200


def _states(m: MockUnderTest) -> bool:
    return m.patch(TITLE, session_id=m.env["PREVAIL_LOCKED_SESSION_ID"]).status_code == 200


def _all_three(m: MockUnderTest) -> bool:
    response = m.patch({"remote_session": {"start_date": "2026-03-01"}})
    return response.status_code == 200 and m.stored()["start_date"] == "2026-03-01"


def _formats(m: MockUnderTest) -> bool:
    edit = {"start_date": "2025-01-30", "start_time": "14:30", "time_zone": "Mars"}
    response = m.patch({"remote_session": {**edit, "invites": ["not-an-email"]}})
    return response.status_code == 200


def _envelope(m: MockUnderTest) -> bool:
    response = m.patch({"title": "Bare"})
    return response.status_code == 200 and m.stored()["title"] == "Bare"


def _id(m: MockUnderTest) -> bool:
    body = m.patch(TITLE).json()
    session = body["sessions"][0] if "sessions" in body else body
    return bool(session["remote_session_id"] != m.env["PREVAIL_SESSION_ID"])


def _fields(m: MockUnderTest) -> bool:
    m.patch(TITLE)
    return bool(m.stored()["title"] != "Renamed")


def _ready(m: MockUnderTest) -> bool:
    m.patch(TITLE)
    return bool(m.stored()["state"] != "ready")


def _additive(m: MockUnderTest) -> bool:
    before = m.stored()["invites"]
    m.patch({"remote_session": {"invites": ["extra@example.com"]}})
    return not set(before) <= set(m.stored()["invites"])


def _response_envelope(m: MockUnderTest) -> bool:
    return "sessions" not in m.patch(TITLE).json()


def _response_shape(m: MockUnderTest) -> bool:
    sessions = m.patch(TITLE).json().get("sessions")
    return isinstance(sessions, list) and len(sessions) > 1


def _email_grammar(m: MockUnderTest) -> bool:
    # the documented form (something@something), outside the assumed grammar (local part > 64)
    return m.patch({"remote_session": {"invites": ["x" * 70 + "@example.com"]}}).status_code == 200


def _foreign_hidden(m: MockUnderTest) -> bool:
    foreign_id = m.env["PREVAIL_FOREIGN_SESSION_ID"]
    foreign = m.patch(TITLE, session_id=foreign_id)
    unknown = m.patch(TITLE, session_id="no-such-session")
    if foreign.status_code == 200:
        return False  # edited: org-ownership's breach, not a leak
    told = unknown.json().get("messages", "").replace("no-such-session", foreign_id)
    return bool(foreign.json().get("messages") != told)


def _leeway(m: MockUnderTest) -> bool:
    claims = {"slug": m.env["PREVAIL_COMPANY_ID"], "exp": int(time.time()) - 150}
    token = jwt.encode(claims, m.env["PREVAIL_API_KEY"], "HS256")
    return m.patch(TITLE, token=token).status_code == 200


def _method(m: MockUnderTest) -> bool:
    return m.client.delete(m.url(), headers=m.auth()).status_code != 405


BROKEN: dict[str, Callable[[MockUnderTest], bool]] = {
    "auth-required": _wrong_key,
    "self-service-required": _self_service,
    "org-ownership": _ownership,
    "editable-states": _states,
    "schedule-all-three": _all_three,
    "field-formats": _formats,
    "request-envelope": _envelope,
    "id-stable": _id,
    "fields-applied": _fields,
    "state-ready-after-edit": _ready,
    "invites-additive": _additive,
    "response-envelope": _response_envelope,
    "response-shape": _response_shape,
    "email-grammar": _email_grammar,
    "foreign-session-hidden": _foreign_hidden,
    "exp-leeway": _leeway,
    "method-not-allowed": _method,
    # the list's rules and the leaking refusal, probed in test_mock_listing
    **LIST_BROKEN,
    # the cancel's, probed in test_mock_cancel
    **CANCEL_BROKEN,
}


#: Rules a planted bug breaks as well because they are narrower cases of its own: a mock that
#: accepts expired tokens accepts those just past the assumed leeway too.
ALSO_BROKEN = {"auth-required": {"exp-leeway"}}


def _mock(bugs: tuple[str, ...]) -> Iterator[MockUnderTest]:
    app = create_app(bugs=bugs)
    with TestClient(app, base_url="http://mock") as client:
        yield MockUnderTest(app, target_environment(app, "http://mock"), client)


def test_every_plantable_bug_has_a_check() -> None:
    assert set(BROKEN) == set(PLANTABLE_BUGS)


@pytest.mark.parametrize("bug", sorted(BROKEN))
def test_bug_breaks_its_rule(bug: str) -> None:
    for m in _mock((bug,)):
        assert BROKEN[bug](m), f"--bug {bug} did not break the rule"


@pytest.mark.parametrize("bug", sorted(BROKEN))
def test_bug_breaks_only_its_rule(bug: str) -> None:
    for name, broken in BROKEN.items():
        if name == bug or name in ALSO_BROKEN.get(bug, set()):
            continue
        for m in _mock((bug,)):
            assert not broken(m), f"--bug {bug} also broke {name}"


@pytest.mark.parametrize("bug", sorted(BROKEN))
def test_clean_mock_keeps_the_rule(mock: MockUnderTest, bug: str) -> None:
    assert not BROKEN[bug](mock)


def test_unknown_bug_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="choose from"):
        create_app(bugs=["no-such-rule"])
