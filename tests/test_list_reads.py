"""Bounded list reads: a Session is found in a window around its start instant in one request,
else page by page up to its page; a read past its page or time budget earns no verdict."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contract_tests.support import list_reads
from contract_tests.support.build import build_target
from contract_tests.support.facts import list_parameter
from contract_tests.support.list_reads import (
    PAGE_BUDGET,
    WINDOW_SECONDS,
    ReadCutError,
    read_pages,
    start_instant,
    window_around,
)
from contract_tests.support.target import Target
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.spec import load_spec

BASE = "http://list.test/api/v1"
#: The largest page the spec allows (every read asks for it).
SIZE = int(list_parameter(load_spec(), "items")["maximum"])


class FakeList:
    """A list server of ``count`` Sessions, one a day from 2030 at 10:00 UTC, in that order;
    ``filters`` False makes it ignore ``start_time``/``end_time``."""

    def __init__(self, count: int, *, filters: bool = True) -> None:
        first = dt.date(2030, 1, 1)
        self.sessions = [
            {
                "remote_session_id": f"s-{i:05d}",
                "title": f"Session {i}",
                "start_date": (first + dt.timedelta(days=i)).isoformat(),
                "start_time": "10:00 AM",
                "time_zone": "UTC",
                "state": "scheduled",
            }
            for i in range(count)
        ]
        self.filters = filters
        self.asked: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        self.asked.append(query)
        chosen = self.sessions
        if self.filters and "start_time" in query:
            low = int(query["start_time"])
            chosen = [s for s in chosen if (start_instant(load_spec(), s) or 0) >= low]
        if self.filters and "end_time" in query:
            high = int(query["end_time"])
            chosen = [s for s in chosen if (start_instant(load_spec(), s) or 0) < high]
        page, items = int(query.get("page", 1)), int(query.get("items", 20))
        pagy = {
            "page": page,
            "items": items,
            "count": len(chosen),
            "pages": max(1, math.ceil(len(chosen) / items)),
        }
        body = {"pagy": pagy, "sessions": chosen[(page - 1) * items : page * items]}
        return httpx.Response(200, json=body)


@pytest.fixture
def make_target() -> Iterator[Any]:
    built: list[Target] = []

    def make(server: FakeList) -> Target:
        env = {
            "PREVAIL_BASE_URL": BASE,
            "PREVAIL_SESSION_ID": "s-00000",
            "PREVAIL_TOKEN": "unit-test-token-0123456789",
        }
        target = build_target(env)
        target.transport.client = httpx.Client(transport=httpx.MockTransport(server))
        built.append(target)
        return target

    yield make
    for target in built:
        target.close()


def test_a_session_seen_before_is_read_in_one_request(make_target: Any) -> None:
    server = FakeList(3000)
    target = make_target(server)
    assert target.reads_by_list
    deep = server.sessions[2500]
    target._seen[deep["remote_session_id"]] = deep
    server.asked.clear()
    assert target.snapshot(deep["remote_session_id"]) == deep
    assert len(server.asked) == 1
    assert set(server.asked[0]) >= {"start_time", "end_time"}


def test_an_unseen_session_is_paged_to_and_no_further(make_target: Any) -> None:
    server = FakeList(10 * SIZE)
    target = make_target(server)
    assert target.reads_by_list
    server.asked.clear()
    wanted = server.sessions[2 * SIZE + SIZE // 2]
    assert target.snapshot(wanted["remote_session_id"]) == wanted
    # the Session is on page 3 of 10, and pages 4 to 10 are not read
    assert [q["page"] for q in server.asked] == ["1", "2", "3"]
    server.asked.clear()
    assert target.snapshot(wanted["remote_session_id"]) == wanted  # seen now: one window
    assert len(server.asked) == 1


def test_a_window_that_is_not_narrow_falls_back_to_paging(make_target: Any) -> None:
    server = FakeList(10 * SIZE, filters=False)  # ignores the filters: the window is all
    target = make_target(server)
    assert target.reads_by_list
    wanted = server.sessions[7 * SIZE]
    target._seen[wanted["remote_session_id"]] = wanted
    server.asked.clear()
    assert target.snapshot(wanted["remote_session_id"]) == wanted
    windowed = [q for q in server.asked if "start_time" in q]
    assert len(windowed) == list_reads.WINDOW_PAGES
    assert [q["page"] for q in server.asked if "start_time" not in q][-1] == "8"


def test_a_list_past_the_page_budget_is_not_read_to_a_verdict(make_target: Any) -> None:
    server = FakeList(PAGE_BUDGET * SIZE + 1)
    target = make_target(server)
    assert target.reads_by_list
    with pytest.raises(pytest.skip.Exception, match=f"more than the {PAGE_BUDGET} pages"):
        target.list_all(purpose="scoping")
    assert len([q for q in server.asked if q.get("items") == str(SIZE)]) == PAGE_BUDGET
    server.asked.clear()
    with pytest.raises(pytest.skip.Exception, match="not checked: reading the Session"):
        target.snapshot("not-listed-anywhere")


def test_a_read_past_its_time_budget_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(list_reads, "time_budget", lambda: 0.0)
    server = FakeList(2 * SIZE + SIZE // 2)
    pages: list[Exchange] = []

    def fetch(query: dict[str, str]) -> Exchange:
        answer = server(httpx.Request("GET", f"{BASE}/sessions", params=query))
        ex = Exchange("GET", f"{BASE}/sessions", {}, None, answer.status_code, {}, answer.content)
        pages.append(ex)
        return ex

    with pytest.raises(ReadCutError, match="stopped after 1 page"):
        read_pages(fetch, {}, SIZE)
    assert len(pages) == 1
    server.sessions = server.sessions[: SIZE - 1]  # one page: no look at the clock before it
    listing = read_pages(fetch, {}, SIZE)
    assert listing is not None
    assert len(listing.sessions) == SIZE - 1


def test_a_refused_page_reads_as_nothing() -> None:
    def fetch(query: dict[str, str]) -> Exchange:
        return Exchange("GET", f"{BASE}/sessions", {}, None, 401, {}, b'{"code":"unauthorized"}')

    assert read_pages(fetch, {}, SIZE) is None


def test_the_window_stays_within_the_filters_bounds() -> None:
    spec = load_spec()
    high = int(list_parameter(spec, "end_time")["maximum"])
    low = int(list_parameter(spec, "start_time")["minimum"])
    assert window_around(spec, 10.0) == {
        "start_time": str(low),
        "end_time": str(10 + WINDOW_SECONDS),
    }
    assert window_around(spec, float(high))["end_time"] == str(high)
