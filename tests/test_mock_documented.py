"""The mock's documented-only reading (``contract="documented"``): every assumed refusal and
behaviour relaxed as the spec's markers say, every documented rule still enforced."""

from __future__ import annotations

import copy
import time
import warnings
from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from prevail_contract.errors import ConfigError
from prevail_contract.mock import create_app, target_environment
from prevail_contract.mock.pipeline import CHECKS, documented_order
from prevail_contract.mock.validation import BodyValidator
from prevail_contract.spec import Spec
from prevail_contract.spec.documented_view import documented_spec
from tests.plugins.mock import MockUnderTest
from tests.test_mock_fast_validation import EDGES

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SCHEDULE = {"start_date": "2031-05-06", "start_time": "09:15 AM", "time_zone": "Hawaii"}


@pytest.fixture
def documented() -> Iterator[MockUnderTest]:
    app = create_app(contract="documented")
    with TestClient(app, base_url="http://mock") as client:
        yield MockUnderTest(app, target_environment(app, "http://mock"), client)


def _edit(**fields: Any) -> dict[str, Any]:
    return {"remote_session": fields}


# -- the relaxed spec view ----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        _edit(),
        _edit(title="x" * 1000),
        _edit(title="tab\there"),
        _edit(invites=["x" * 80 + "@example.com", "jade@localhost"]),
        _edit(invites=[{"email": "a@example.com", "extra": 1}]),
        _edit(estimated_duration=-2.3),
        _edit(**{**SCHEDULE, "time_zone": "America/New_York"}),
        _edit(**{**SCHEDULE, "start_date": "2031-02-30"}),
        {**_edit(title="ok"), "unknown": 1},
        _edit(title="ok", location="Room 4"),
    ],
)
def test_the_view_accepts_what_only_an_assumption_refused(spec: Spec, body: Any) -> None:
    assert not spec.validator("EditSessionRequest").is_valid(body)
    assert documented_spec(spec).validator("EditSessionRequest").is_valid(body)


@pytest.mark.parametrize(
    "body",
    [
        {"title": "bare"},
        _edit(title=5),
        _edit(start_date="2031-05-06"),
        _edit(**{**SCHEDULE, "start_time": "14:30"}),
        _edit(**{**SCHEDULE, "start_date": "06/05/2031"}),
        _edit(**{**SCHEDULE, "time_zone": "Pacific Standard Time"}),
        _edit(invites=["not-an-email"]),
        _edit(invites=["two words@example.com"]),
        _edit(invites=[{"email": "a@example.com", "access_level": "owner"}]),
    ],
)
def test_the_view_keeps_every_documented_refusal(spec: Spec, body: Any) -> None:
    assert not documented_spec(spec).validator("EditSessionRequest").is_valid(body)


def test_the_view_follows_the_markers_not_a_list(spec: Spec) -> None:
    """File title's maxLength under a documented rule and the view keeps it: no code edit."""
    document = copy.deepcopy(spec.document)
    title = document["components"]["schemas"]["RemoteSessionEdit"]["properties"]["title"]
    title["x-violation-rules"]["maxLength"] = "field-formats"
    view = documented_spec(Spec(document))
    assert not view.validator("EditSessionRequest").is_valid(_edit(title="x" * 300))
    assert view.validator("EditSessionRequest").is_valid(_edit(title=""))


def test_the_view_leaves_the_spec_alone(spec: Spec) -> None:
    before = copy.deepcopy(spec.document)
    documented_spec(spec)
    assert spec.document == before


def test_answers_lose_their_assumed_keywords(spec: Spec) -> None:
    session = documented_spec(spec).document["components"]["schemas"]["Session"]
    assert "required" not in session
    assert "maxItems" not in session["properties"]["invites"]
    assert session["properties"]["start_time"]["pattern"]  # documented: kept


def test_another_order_that_keeps_each_checks_needs(spec: Spec) -> None:
    order = tuple(spec.operation_by_id("edit_session").node["x-check-order"])
    other = documented_order(order)
    assert sorted(other) == sorted(order)
    assert other != order
    for index, rule in enumerate(other):
        assert all(other.index(need) < index for need in CHECKS[rule].needs)


# -- the served reading -------------------------------------------------------------------


def test_assumed_refusals_are_relaxed(documented: MockUnderTest) -> None:
    m = documented
    assert m.patch(_edit()).status_code == 200
    assert m.patch(_edit(title="t" * 400, location="Room 4")).status_code == 200
    stored = m.stored()
    assert stored["title"] == "t" * 400
    assert "location" not in stored  # an unknown field is ignored, never stored
    ok = m.patch(_edit(**{**SCHEDULE, "time_zone": "Europe/Paris"}))
    assert ok.status_code == 200
    assert ok.json()["sessions"][0]["time_zone"] == "Europe/Paris"
    assert m.patch(_edit(invites=["Long." + "x" * 70 + "@example.com"])).status_code == 200
    assert m.patch(_edit(invites=[f"n{i}@example.org" for i in range(150)])).status_code == 200
    assert m.patch(_edit(estimated_duration=100.1)).status_code == 200


def test_documented_refusals_stay(documented: MockUnderTest) -> None:
    m = documented
    for body in (_edit(start_date="2031-05-06"), _edit(**{**SCHEDULE, "start_time": "14:30"})):
        response = m.patch(body)
        assert 400 <= response.status_code < 500, body
    assert m.patch(_edit(title="ok"), token="not-a-token").status_code == 401
    locked = m.patch(_edit(title="ok"), session_id=m.env["PREVAIL_LOCKED_SESSION_ID"])
    assert 400 <= locked.status_code < 500
    other = m.patch(_edit(title="ok"), token=m.env["PREVAIL_NO_SELF_SERVICE_TOKEN"])
    assert 400 <= other.status_code < 500


def test_refusals_are_worded_another_way(documented: MockUnderTest) -> None:
    m = documented
    locked = m.patch(_edit(title="ok"), session_id=m.env["PREVAIL_LOCKED_SESSION_ID"])
    assert locked.status_code == 422
    assert locked.json() == {
        "error": {
            "status": 422,
            "code": "unprocessable_entity",
            "message": locked.json()["error"]["message"],
        }
    }
    foreign = m.patch(_edit(title="ok"), session_id=m.env["PREVAIL_FOREIGN_SESSION_ID"])
    unknown = m.patch(_edit(title="ok"), session_id="no-such-session")
    assert (foreign.status_code, unknown.status_code) == (403, 404)
    bad = m.patch(_edit(**{**SCHEDULE, "start_time": "14:30"}))
    assert "remote_session.start_time" in bad.json()["error"]["fields"]
    text = m.patch(b"title=x", headers={"Content-Type": "text/plain"})
    assert text.status_code == 400
    other = m.client.put(m.url(), headers=m.auth())
    assert other.status_code == 405
    assert "allow" not in other.headers


def test_the_body_is_checked_before_the_token(documented: MockUnderTest) -> None:
    response = documented.patch(b"{not json", token="not-a-token")
    assert response.status_code == 400


def test_list_pages_have_other_sizes(documented: MockUnderTest) -> None:
    m = documented
    for query, items in (
        ({}, 40),
        ({"items": "100"}, 50),
        ({"items": "0"}, 1),
        ({"items": "x"}, 40),
    ):
        response = m.client.get(f"{m.env['PREVAIL_BASE_URL']}/sessions", params=query,
                                headers=m.auth())  # fmt: skip
        assert response.status_code == 200, query
        assert response.json()["pagy"]["items"] == items, query


def test_a_token_past_the_leeway_is_taken_and_case_makes_a_new_invitee(
    documented: MockUnderTest,
) -> None:
    m = documented
    claims = {"slug": m.env["PREVAIL_COMPANY_ID"], "exp": int(time.time()) - 150}
    token = jwt.encode(claims, m.env["PREVAIL_API_KEY"], "HS256")
    assert m.patch(_edit(title="ok"), token=token).status_code == 200
    long_ago = jwt.encode({**claims, "exp": int(time.time()) - 3600}, m.env["PREVAIL_API_KEY"])
    assert m.patch(_edit(title="ok"), token=long_ago).status_code == 401
    m.patch(_edit(invites=["Case@example.com"]))
    invites = m.patch(_edit(invites=["case@example.com"])).json()["sessions"][0]["invites"]
    assert {"Case@example.com", "case@example.com"} <= set(invites)


def test_responses_are_checked_but_refusals_are_not(spec: Spec) -> None:
    app = create_app(contract="documented", validate_responses=True)
    with TestClient(app, base_url="http://mock") as client:
        m = MockUnderTest(app, target_environment(app, "http://mock"), client)
        assert m.patch(_edit(title="ok")).status_code == 200
        assert m.patch(_edit(start_date="2031-05-06")).status_code == 422


def test_an_unknown_reading_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown contract 'loose'; choose from full, documented"):
        create_app(contract="loose")


def test_both_validators_agree_on_the_view(spec: Spec) -> None:
    """The fast validator and the explaining one reach one verdict on the relaxed schema too."""
    validator = BodyValidator(documented_spec(spec))
    extra = [
        {**SCHEDULE, "time_zone": "America/New_York"},
        {**SCHEDULE, "time_zone": "america/new_york"},
        {**SCHEDULE, "time_zone": "Mars/Olympus"},
        {"invites": ["a@b", "a b@c", "a@b\n", "@b", "x" * 300 + "@example.com"]},
    ]
    for edit in [*EDGES, *extra]:
        body: dict[str, Any] = {"remote_session": edit}
        assert validator.fast.is_valid(body) == validator.validator.is_valid(body), body
