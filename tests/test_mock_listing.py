"""The mock's ``GET /sessions``: scoping, order, pages, filters, query limits, planted bugs."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prevail_contract.mock import create_app, target_environment
from prevail_contract.mock.listing import _whole
from prevail_contract.spec import load_spec
from tests.plugins.mock import MockUnderTest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TITLE = {"remote_session": {"title": "Renamed"}}


def listing(m: MockUnderTest, token: str | None = None, **params: Any) -> httpx.Response:
    return m.client.get(
        f"{m.env['PREVAIL_BASE_URL']}/sessions",
        params={k: str(v) for k, v in params.items()},
        headers=m.auth(token),
    )


def ids(response: httpx.Response) -> list[str]:
    return [s["remote_session_id"] for s in response.json()["sessions"]]


def add(m: MockUnderTest, sid: str, day: str, clock: str, zone: str) -> None:
    body = {
        "organization": m.env["PREVAIL_COMPANY_ID"],
        "state": "scheduled",
        "remote_session_id": sid,
        "start_date": day,
        "start_time": clock,
        "time_zone": zone,
    }
    assert m.client.post("/__mock__/sessions", json=body).status_code == 201


def epoch(day: str, clock: str, zone: str) -> int:
    iana = load_spec().time_zones()[zone]
    when = dt.datetime.strptime(f"{day} {clock}", "%Y-%m-%d %I:%M %p")
    return int(when.replace(tzinfo=ZoneInfo(iana)).timestamp())


def test_lists_only_the_callers_organization_in_every_state(mock: MockUnderTest) -> None:
    response = listing(mock)
    assert response.status_code == 200
    listed = ids(response)
    assert mock.env["PREVAIL_SESSION_ID"] in listed
    assert mock.env["PREVAIL_LOCKED_SESSION_ID"] in listed
    assert mock.env["PREVAIL_FOREIGN_SESSION_ID"] not in listed
    theirs = listing(mock, token=mock.env["PREVAIL_NO_SELF_SERVICE_TOKEN"])
    assert theirs.status_code == 200  # no Self-Service needed to list (assumed)
    assert ids(theirs) == [mock.env["PREVAIL_NO_SELF_SERVICE_SESSION_ID"]]


def test_envelope_matches_the_spec(mock: MockUnderTest) -> None:
    body = listing(mock).json()
    assert not list(load_spec().validator("ListSessionsResponse").iter_errors(body))
    assert body["pagy"] == {"page": 1, "items": 20, "count": len(body["sessions"]), "pages": 1}


def test_pages_are_ordered_and_neither_repeat_nor_skip(mock: MockUnderTest) -> None:
    add(mock, "b-same-instant", "2034-01-10", "10:00 AM", "UTC")
    add(mock, "a-same-instant", "2034-01-10", "10:00 AM", "London")
    add(mock, "early", "2034-01-10", "09:00 AM", "UTC")
    whole = ids(listing(mock, items=100))
    assert whole.index("early") < whole.index("a-same-instant") < whole.index("b-same-instant")
    count = len(whole)
    pages = [listing(mock, items=2, page=p).json() for p in range(1, (count + 1) // 2 + 1)]
    assert [s["remote_session_id"] for p in pages for s in p["sessions"]] == whole
    assert all(
        p["pagy"]["count"] == count and p["pagy"]["pages"] == (count + 1) // 2 for p in pages
    )
    past = listing(mock, items=2, page=len(pages) + 1).json()
    assert past["sessions"] == []


def test_filters_keep_start_instants_in_the_half_open_window(mock: MockUnderTest) -> None:
    add(mock, "at-start", "2034-01-10", "10:00 AM", "UTC")
    add(mock, "inside", "2034-01-10", "11:00 AM", "UTC")
    add(mock, "at-end", "2034-01-10", "12:00 PM", "UTC")
    low, high = epoch("2034-01-10", "10:00 AM", "UTC"), epoch("2034-01-10", "12:00 PM", "UTC")
    response = listing(mock, start_time=low, end_time=high)
    assert ids(response) == ["at-start", "inside"]
    assert response.json()["pagy"]["count"] == 2


@pytest.mark.parametrize(
    "query",
    [{"items": 0}, {"items": 101}, {"page": 0}, {"page": "x"}, {"start_time": "1.5"}, {"page": ""}],
)
def test_query_outside_the_limits_is_422(mock: MockUnderTest, query: dict[str, Any]) -> None:
    response = listing(mock, **query)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["details"][0]["field"] == next(iter(query))


@pytest.mark.parametrize("raw", ["9" * 30, "-" + "9" * 5000, "1" + "0" * 20])
def test_an_over_long_whole_number_is_outside_the_limits_not_malformed(
    mock: MockUnderTest, raw: str
) -> None:
    response = listing(mock, page=raw)
    assert response.status_code == 422
    (detail,) = response.json()["details"]
    assert detail["field"] == "page"
    assert "from 1 to" in detail["message"], detail


@pytest.mark.parametrize("zeros", [40, 4300, 30_000])
def test_leading_zeros_do_not_make_a_number_long(mock: MockUnderTest, zeros: int) -> None:
    # past 4,300 digits Python's int() refuses a string: the zeros must not reach it
    response = listing(mock, items="0" * zeros + "2", page="-" + "0" * zeros + "1")
    assert response.status_code == 422, response.text
    assert [d["field"] for d in response.json()["details"]] == ["page"]
    response = listing(mock, items="0" * zeros + "2")
    assert response.status_code == 200, response.text
    assert response.json()["pagy"]["items"] == 2


#: What the list reads a number with more significant digits than int64 bounds need as.
BEYOND = Decimal(10) ** 20


@settings(max_examples=300, deadline=None)
@given(
    sign=st.sampled_from(["", "-"]),
    zeros=st.integers(0, 5000),
    digits=st.text("0123456789", max_size=30),
)
def test_a_whole_number_reads_as_its_decimal_value_up_to_the_bound(
    sign: str, zeros: int, digits: str
) -> None:
    """Another reading (``Decimal``, which has no digit limit) agrees with the list's."""
    raw = sign + "0" * zeros + digits
    if raw.lstrip("-") == "":
        return  # not a number: the pattern refuses it before any reading
    exact = Decimal(raw)
    expected = exact if abs(exact) < BEYOND else BEYOND.copy_sign(exact)
    assert Decimal(_whole(raw)) == expected, raw


@pytest.mark.parametrize(
    "query", ["items=100&items=1", "page=1&page=1", "items=5&end_time=1&items=5"]
)
def test_a_parameter_sent_twice_is_422_naming_it(mock: MockUnderTest, query: str) -> None:
    """One value each, as the spec's parameter schemas say: which one counts is not guessed."""
    url = f"{mock.env['PREVAIL_BASE_URL']}/sessions?{query}"
    response = mock.client.get(url, headers=mock.auth())
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert [d["field"] for d in body["details"]] == [query.split("=")[0]]
    assert "2 times" in body["details"][0]["message"]


def test_list_needs_a_token_and_answers_other_methods_405(mock: MockUnderTest) -> None:
    url = f"{mock.env['PREVAIL_BASE_URL']}/sessions"
    assert mock.client.get(url).status_code == 401
    response = mock.client.post(url, headers=mock.auth(), json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


def test_list_shows_edits(mock: MockUnderTest) -> None:
    mock.patch(TITLE)
    listed = {s["remote_session_id"]: s for s in listing(mock).json()["sessions"]}
    assert listed[mock.env["PREVAIL_SESSION_ID"]]["title"] == "Renamed"


def test_each_list_shows_the_sessions_as_they_are_now(mock: MockUnderTest) -> None:
    """Lists before and after an edit and a reset: nothing read earlier is shown again (the
    Redis store keeps what it decoded, by each Session's JSON)."""
    sid = mock.env["PREVAIL_SESSION_ID"]

    def title() -> str:
        listed = {s["remote_session_id"]: s for s in listing(mock).json()["sessions"]}
        return str(listed[sid]["title"])

    first = title()
    mock.patch(TITLE)
    assert title() == "Renamed" != first
    assert mock.client.post("/__mock__/reset").status_code in (200, 204)
    assert title() == first


def test_list_can_be_switched_off() -> None:
    app = create_app(bugs=["list-sessions-absent"])
    env = target_environment(app, "http://mock")
    with TestClient(app, base_url="http://mock") as client:
        response = client.get(
            "/api/v1/sessions", headers={"Authorization": "Bearer " + env["PREVAIL_TOKEN"]}
        )
    assert response.status_code == 404


# -- planted bugs: each breaks what it names ----------------------------------------------


def _leak(m: MockUnderTest) -> bool:
    partial = {"remote_session": {"start_date": "2031-01-01", "title": "Leaked"}}
    return m.patch(partial).status_code == 422 and m.stored()["title"] == "Leaked"


def _scoped(m: MockUnderTest) -> bool:
    return m.env["PREVAIL_FOREIGN_SESSION_ID"] in ids(listing(m))


def _paged(m: MockUnderTest) -> bool:
    first, second = ids(listing(m, items=2, page=1)), ids(listing(m, items=2, page=2))
    return bool(set(first) & set(second))


def _filtered(m: MockUnderTest) -> bool:
    return bool(ids(listing(m, end_time=0)))


def _validated(m: MockUnderTest) -> bool:
    return listing(m, items=101).status_code == 200


def _reflects(m: MockUnderTest) -> bool:
    body = m.patch(TITLE).json()
    answered = body["sessions"][0] if "sessions" in body else body
    listed = {s["remote_session_id"]: s for s in listing(m).json()["sessions"]}
    return bool(listed[m.env["PREVAIL_SESSION_ID"]]["title"] != answered["title"])


def _envelope(m: MockUnderTest) -> bool:
    return "items" not in listing(m).json().get("pagy", {})


LIST_BROKEN: dict[str, Callable[[MockUnderTest], bool]] = {
    "rejected-changes-nothing": _leak,
    "list-org-scoped": _scoped,
    "list-pagination-consistent": _paged,
    "list-filters-by-start-time": _filtered,
    "list-query-validated": _validated,
    "list-reflects-edits": _reflects,
    "list-envelope": _envelope,
}
