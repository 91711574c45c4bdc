"""The generated client's helpers against a served mock: paging, typed errors and retries.

One mock is served for the module (127.0.0.1, a free port) behind :class:`Flaky`, which
answers scripted 429/503 refusals before passing requests on; the mock holds enough Sessions
for several pages at the largest page size the spec allows.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from prevail_sessions_client import AuthenticatedClient, RetryPolicy
from prevail_sessions_client.api.sessions import edit_session, list_sessions
from prevail_sessions_client.client import AsyncRetryTransport, RetryTransport
from prevail_sessions_client.errors import (
    ApiError,
    PageLimitExceeded,
    UnexpectedStatus,
    parsed_or_raise,
)
from prevail_sessions_client.models import (
    EditSessionRequest,
    EditSessionResponse,
    Error,
    ListSessionsResponse,
    RemoteSessionEdit,
)

from prevail_contract.spec import Spec
from tests.plugins.check import LiveMock, serve_mock
from tests.plugins.flaky import Flaky, http_date

#: Sessions added to the mock's Organization, so that the list spans several full pages.
ADDED_SESSIONS = 230


@dataclass
class Served:
    """The mock behind a :class:`Flaky` wrapper, and how many Sessions its list holds."""

    mock: LiveMock
    flaky: Flaky
    count: int

    def client(self, **kwargs: Any) -> AuthenticatedClient:
        env = self.mock.env
        return AuthenticatedClient(
            base_url=env["PREVAIL_BASE_URL"], token=env["PREVAIL_TOKEN"], **kwargs
        )

    def script(self, *answers: tuple[int, str | None]) -> None:
        """Refuse the next API requests with these answers; forget the requests seen so far."""
        self.flaky.script[:] = list(answers)
        self.flaky.seen.clear()

    def list_queries(self) -> list[dict[str, str]]:
        """The query of each list request that reached the mock, in order."""
        return [
            dict(httpx.QueryParams(s.query))
            for s in self.flaky.seen
            if s.method == "GET" and s.path.endswith("/sessions") and not s.refused_with
        ]


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    flakies: list[Flaky] = []

    def wrap(app: Any) -> Flaky:
        flakies.append(Flaky(app, []))
        return flakies[0]

    with serve_mock(wrap=wrap) as mock:
        organization = mock.env["PREVAIL_COMPANY_ID"]
        with httpx.Client(base_url=mock.base_url, timeout=10) as admin:
            for number in range(ADDED_SESSIONS):
                session = {"organization": organization, "state": "scheduled"}
                created = admin.post("/__mock__/sessions", json={**session, "title": f"S{number}"})
                assert created.status_code == 201, created.text
        with Served(mock, flakies[0], 0).client() as client:
            first = list_sessions.sync(client=client, items=1)
        assert isinstance(first, ListSessionsResponse)
        yield Served(mock, flakies[0], first.pagy.count)


def page_size(spec: Spec) -> int:
    """The page size the paging helper asks for: the spec's maxItems of the results field."""
    operation = spec.operation_by_id("list_sessions")
    response = spec.deref(operation.node["responses"]["200"])
    results = response["x-pagination"]["results"]
    envelope = spec.deref(response["content"]["application/json"]["schema"])
    return int(envelope["properties"][results]["maxItems"])


# -- paging ------------------------------------------------------------------------------


def test_iterate_walks_every_page_at_the_largest_size(served: Served, spec: Spec) -> None:
    size = page_size(spec)
    assert served.count > 2 * size, "the mock should hold more than two full pages"
    served.script()
    with served.client() as client:
        ids = [s.remote_session_id for s in list_sessions.iterate_sessions(client=client)]
    assert len(ids) == served.count
    assert len(set(ids)) == served.count
    pages = math.ceil(served.count / size)
    queries = served.list_queries()
    assert [q["page"] for q in queries] == [str(n) for n in range(1, pages + 1)]
    assert {q["items"] for q in queries} == {str(size)}


def test_aiterate_walks_the_same_list(served: Served) -> None:
    served.script()
    with served.client() as client:
        expected = [s.remote_session_id for s in list_sessions.iterate_sessions(client=client)]

    async def walk() -> list[str]:
        async with served.client() as client:
            walked = list_sessions.aiterate_sessions(client=client)
            return [s.remote_session_id async for s in walked]

    assert asyncio.run(walk()) == expected


def test_filters_and_page_size_go_with_every_page(served: Served) -> None:
    served.script()
    with served.client() as client:
        listed = list(list_sessions.iterate_sessions(client=client, start_time=0, items=40))
    assert len(listed) == served.count
    queries = served.list_queries()
    assert len(queries) == math.ceil(served.count / 40)
    assert all(q["start_time"] == "0" and q["items"] == "40" for q in queries)


def test_max_pages_bounds_the_walk(served: Served, spec: Spec) -> None:
    served.script()
    seen: list[str] = []
    with served.client() as client:
        walk = list_sessions.iterate_sessions(client=client, max_pages=2)
        with pytest.raises(PageLimitExceeded) as exceeded:
            seen.extend(s.remote_session_id for s in walk)
    assert len(seen) == 2 * page_size(spec)
    assert exceeded.value.pages == math.ceil(served.count / page_size(spec))
    assert len(served.list_queries()) == 2


def test_an_empty_page_ends_the_walk_whatever_pages_says(spec: Spec) -> None:
    pages_asked: list[str] = []
    session = spec.example("EditResponseDocumented").value["sessions"][0]

    def answer(request: httpx.Request) -> httpx.Response:
        page = request.url.params["page"]
        pages_asked.append(page)
        listed = [session] if page == "1" else []
        pagy = {"page": int(page), "items": 100, "count": 10**6, "pages": 10**4}
        return httpx.Response(200, json={"pagy": pagy, "sessions": listed})

    client = AuthenticatedClient(
        base_url="https://api.invalid/api/v1",
        token="t",
        httpx_args={"transport": httpx.MockTransport(answer)},
    )
    assert len(list(list_sessions.iterate_sessions(client=client))) == 1
    assert pages_asked == ["1", "2"]


# -- typed errors ------------------------------------------------------------------------


def test_a_refused_page_raises_api_error_with_the_error_body(served: Served, spec: Spec) -> None:
    served.script()
    unauthorized = spec.example("ErrorUnauthorized").value
    client = AuthenticatedClient(base_url=served.mock.env["PREVAIL_BASE_URL"], token="not-a-jwt")
    with client, pytest.raises(ApiError) as refused:
        next(list_sessions.iterate_sessions(client=client))
    assert refused.value.status_code == 401
    assert isinstance(refused.value.error, Error)
    assert refused.value.error.code == unauthorized["code"]
    assert refused.value.response.status_code == 401
    assert unauthorized["code"] in str(refused.value)


def test_parsed_or_raise_returns_the_typed_success_or_raises(served: Served) -> None:
    served.script()
    session_id = served.mock.env["PREVAIL_SESSION_ID"]
    with served.client() as client:
        renamed = parsed_or_raise(
            edit_session.sync_detailed(
                session_id,
                client=client,
                body=EditSessionRequest(remote_session=RemoteSessionEdit(title="Typed")),
            )
        )
        assert isinstance(renamed, EditSessionResponse)
        assert renamed.sessions[0].title == "Typed"
        too_short = EditSessionRequest(remote_session=RemoteSessionEdit(title=""))
        with pytest.raises(ApiError) as refused:
            parsed_or_raise(edit_session.sync_detailed(session_id, client=client, body=too_short))
    assert refused.value.status_code == 422
    assert refused.value.error.code == "validation_failed"


def test_an_undocumented_status_raises_unexpected_status() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, content=b"Bad Gateway")

    client = AuthenticatedClient(
        base_url="https://api.invalid/api/v1",
        token="t",
        httpx_args={"transport": httpx.MockTransport(answer)},
    )
    with pytest.raises(UnexpectedStatus) as unexpected:
        parsed_or_raise(list_sessions.sync_detailed(client=client))
    assert unexpected.value.status_code == 502


# -- retries -----------------------------------------------------------------------------


def test_retry_policy_on_the_client_retries_429_and_503(served: Served) -> None:
    served.script((429, "0"), (503, http_date(-5)))
    with served.client(retry=RetryPolicy(attempts=3)) as client:
        listed = list_sessions.sync(client=client)
    assert isinstance(listed, ListSessionsResponse)
    assert [s.refused_with for s in served.flaky.seen] == [429, 503, 0]


def test_without_a_retry_policy_the_refusal_comes_back(served: Served) -> None:
    served.script((429, "0"))
    with served.client() as client:
        answer = list_sessions.sync_detailed(client=client)
    assert answer.status_code == 429
    assert len(served.flaky.seen) == 1


def _recording_client(
    served: Served, policy: RetryPolicy, waits: list[float]
) -> AuthenticatedClient:
    transport = RetryTransport(httpx.HTTPTransport(), policy, sleep=waits.append)
    return served.client(httpx_args={"transport": transport})


def test_the_waits_are_the_ones_retry_after_asks_for(served: Served) -> None:
    served.script((429, "2"), (503, http_date(3)))
    waits: list[float] = []
    with _recording_client(served, RetryPolicy(attempts=3, max_wait=10), waits) as client:
        assert isinstance(list_sessions.sync(client=client), ListSessionsResponse)
    assert waits[0] == 2.0
    assert 1.0 <= waits[1] <= 3.0  # an HTTP date has whole seconds
    assert len(served.flaky.seen) == 3


def test_attempts_bound_the_retries(served: Served) -> None:
    served.script(*[(503, "0")] * 6)
    waits: list[float] = []
    with _recording_client(served, RetryPolicy(attempts=3), waits) as client:
        answer = list_sessions.sync_detailed(client=client)
        assert answer.status_code == 503
        with pytest.raises(UnexpectedStatus):
            parsed_or_raise(answer)
    assert [s.refused_with for s in served.flaky.seen] == [503, 503, 503]
    assert waits == [0.0, 0.0]


def test_a_wait_longer_than_max_wait_is_not_made(served: Served) -> None:
    served.script((429, "3600"))
    waits: list[float] = []
    with _recording_client(served, RetryPolicy(attempts=5, max_wait=30), waits) as client:
        answer = list_sessions.sync_detailed(client=client)
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "3600"
    assert waits == []
    assert len(served.flaky.seen) == 1


def test_without_retry_after_the_wait_doubles(served: Served) -> None:
    served.script((503, None), (503, None))
    waits: list[float] = []
    with _recording_client(served, RetryPolicy(attempts=3, backoff=0.25), waits) as client:
        assert isinstance(list_sessions.sync(client=client), ListSessionsResponse)
    assert waits == [0.25, 0.5]


def test_other_statuses_are_not_retried(served: Served) -> None:
    served.script((500, "0"))
    with served.client(retry=RetryPolicy(attempts=3)) as client:
        assert list_sessions.sync_detailed(client=client).status_code == 500
    assert len(served.flaky.seen) == 1


def test_an_edit_is_sent_again_with_its_body(served: Served) -> None:
    served.script((503, "0"))
    body = EditSessionRequest(remote_session=RemoteSessionEdit(title="Sent twice"))
    with served.client(retry=RetryPolicy()) as client:
        edited = edit_session.sync(served.mock.env["PREVAIL_SESSION_ID"], client=client, body=body)
    assert isinstance(edited, EditSessionResponse)
    sent = [s for s in served.flaky.seen if s.method == "PATCH"]
    assert [s.refused_with for s in sent] == [503, 0]
    assert json.loads(sent[0].body) == json.loads(sent[1].body) == body.to_dict()


def test_the_async_client_retries_too(served: Served) -> None:
    served.script((429, "0"), (503, "1"))
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    async def run() -> Any:
        transport = AsyncRetryTransport(httpx.AsyncHTTPTransport(), RetryPolicy(), sleep=record)
        async with served.client(httpx_args={"transport": transport}) as client:
            return await list_sessions.asyncio(client=client)

    assert isinstance(asyncio.run(run()), ListSessionsResponse)
    assert waits == [0.0, 1.0]

    served.script((503, "0"))

    async def run_with_policy() -> Any:
        async with served.client(retry=RetryPolicy()) as client:
            return await list_sessions.asyncio(client=client)

    assert isinstance(asyncio.run(run_with_policy()), ListSessionsResponse)
    assert [s.refused_with for s in served.flaky.seen] == [503, 0]
