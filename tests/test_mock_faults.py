"""Injected faults: the admin API takes, checks, lists and clears them per world; the mock answers
429/503 with ``Retry-After``, late, or not at all, as asked, marks what it did, logs it; and the
contract suite never takes an injected answer for the API's."""

from __future__ import annotations

import argparse
import asyncio
import io
import time

import httpx
import pytest
from prevail_sessions_client import RetryPolicy
from prevail_sessions_client.api.sessions import list_sessions

from prevail_contract.errors import ConfigError
from prevail_contract.mock import faults
from prevail_contract.mock.access_log import wrap
from prevail_contract.mock.harness import MockOptions, PrevailMock, start_mock
from prevail_contract.runtime.bounds import INJECTED_HEADER, INJECTED_VALUE, is_transient

LIST = "/api/v1/sessions"


def _list(mock: PrevailMock, client: httpx.Client | None = None) -> httpx.Response:
    auth = {"Authorization": f"Bearer {mock.token}"}
    return (client or mock.admin).get(LIST, headers=auth)


def test_the_next_n_requests_of_one_operation_answer_503_then_the_api_answers(
    prevail_mock: PrevailMock,
) -> None:
    stored = prevail_mock.fault("list_sessions", status=503, retry_after=7, count=2)
    assert stored["remaining"] == 2
    answers = [_list(prevail_mock) for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 200]
    refused = answers[0]
    assert refused.headers["retry-after"] == "7"
    assert refused.headers[faults.MARK_HEADER] == faults.INJECTED
    assert refused.json() == {"code": "service_unavailable", "messages": refused.json()["messages"]}
    assert faults.MARK_HEADER not in answers[2].headers


def test_a_fault_of_another_operation_leaves_this_one_alone(prevail_mock: PrevailMock) -> None:
    prevail_mock.fault("edit_session", status=429)
    assert _list(prevail_mock).status_code == 200
    answer = prevail_mock.admin.patch(
        f"{LIST}/{prevail_mock.session_id}",
        json={"remote_session": {"title": "x"}},
        headers={"Authorization": f"Bearer {prevail_mock.token}"},
    )
    assert answer.status_code == 429
    assert answer.json()["code"] == "rate_limited"
    assert answer.headers["retry-after"] == "1"  # the default


def test_a_503_without_retry_after_when_asked(prevail_mock: PrevailMock) -> None:
    prevail_mock.fault("*", status=503, retry_after=None)
    answer = _list(prevail_mock)
    assert answer.status_code == 503
    assert "retry-after" not in answer.headers


def test_a_share_of_requests_is_drawn_the_same_way_for_the_same_seed() -> None:
    def statuses(seed: int) -> list[int]:
        with start_mock() as mock:
            mock.fault("list_sessions", status=429, ratio=0.5, seed=seed)
            return [_list(mock).status_code for _ in range(40)]

    first, again, other = statuses(3), statuses(3), statuses(4)
    assert first == again
    assert first != other
    assert 8 <= first.count(429) <= 32  # a share, not all or none


def test_a_late_answer_is_the_apis_own_marked_delayed(prevail_mock: PrevailMock) -> None:
    prevail_mock.fault("list_sessions", delay=0.3)
    started = time.monotonic()
    answer = _list(prevail_mock)
    assert time.monotonic() - started >= 0.3
    assert answer.status_code == 200
    assert answer.headers[faults.MARK_HEADER] == faults.DELAYED


def test_a_late_answer_past_the_clients_read_timeout_is_a_read_timeout(
    prevail_mock: PrevailMock,
) -> None:
    prevail_mock.fault("list_sessions", delay=2)
    client = prevail_mock.new_client(timeout=0.2)
    with pytest.raises(httpx.ReadTimeout):
        list_sessions.sync_detailed(client=client)


@pytest.mark.parametrize("served", [False, True], ids=["in-process", "served"])
def test_a_dropped_connection_is_what_a_client_meets_when_a_server_hangs_up(served: bool) -> None:
    with start_mock(MockOptions(served=served)) as mock:
        mock.fault("list_sessions", drop=True)
        with pytest.raises(httpx.RemoteProtocolError):
            list_sessions.sync_detailed(client=mock.client)
        assert list_sessions.sync_detailed(client=mock.client).status_code == 200


def test_the_generated_clients_retries_ride_out_injected_503s(prevail_mock: PrevailMock) -> None:
    prevail_mock.fault("list_sessions", status=503, retry_after=0, count=2)
    client = prevail_mock.new_client(retry=RetryPolicy(attempts=3))
    answer = list_sessions.sync_detailed(client=client)
    assert answer.status_code == 200
    plain = prevail_mock.new_client()
    prevail_mock.fault("list_sessions", status=503, retry_after=0, count=1)
    assert list_sessions.sync_detailed(client=plain).status_code == 503


def test_faults_belong_to_their_world() -> None:
    with start_mock(MockOptions(sandbox=True)) as mock:
        mock.fault("list_sessions", status=429, count=5)
        assert len(mock.faults()) == 1
        assert mock.admin.get("/__mock__/faults").json() == {"faults": []}
        default_token = mock.admin.get("/__mock__/environment").json()["PREVAIL_TOKEN"]
        other = mock.admin.get(LIST, headers={"Authorization": f"Bearer {default_token}"})
        assert other.status_code == 200  # the default world has no fault
        assert _list(mock).status_code == 429
        assert mock.faults()[0]["fired"] == 1
        mock.clear_faults()
        assert mock.faults() == []
        assert _list(mock).status_code == 200


def test_reset_clears_the_default_worlds_faults(prevail_mock: PrevailMock) -> None:
    prevail_mock.fault("*", status=503, count=10)
    assert prevail_mock.admin.post("/__mock__/reset").status_code < 300
    assert prevail_mock.faults() == []
    assert _list(prevail_mock).status_code == 200


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"operation": "nope", "status": 503}, "operation"),
        ({"status": 500}, "status"),
        ({"status": 503, "drop": True}, "exclude"),
        ({"operation": "*"}, "needs a status"),
        ({"status": 429, "count": 2, "ratio": 0.5}, "exclude"),
        ({"status": 429, "seed": 3}, "seed"),
        ({"drop": True, "retry_after": 3}, "retry_after"),
        ({"delay": faults.MAX_DELAY + 1}, "delay"),
        ({"status": 429, "colour": "red"}, "unknown"),
    ],
)
def test_a_fault_the_mock_cannot_use_is_refused_naming_the_field(
    prevail_mock: PrevailMock, body: dict[str, object], named: str
) -> None:
    answer = prevail_mock.admin.post("/__mock__/faults", json=body)
    assert answer.status_code in (400, 422), answer.text
    assert named in answer.json()["messages"]
    assert prevail_mock.faults() == []


def test_the_harness_says_what_the_admin_api_refused(prevail_mock: PrevailMock) -> None:
    with pytest.raises(ConfigError, match="operation"):
        prevail_mock.fault("no_such_operation", status=503)


def test_the_access_log_names_what_each_fault_did() -> None:
    with start_mock() as mock:
        stream = io.StringIO()
        logged = wrap(mock.app, argparse.Namespace(quiet=False), stream)
        transport = httpx.ASGITransport(app=logged)

        async def send_three() -> None:
            async with httpx.AsyncClient(transport=transport, base_url=mock.origin) as client:
                auth = {"Authorization": f"Bearer {mock.token}"}
                mock.fault("list_sessions", status=429, retry_after=2)
                await client.get(LIST, headers=auth)
                mock.fault("list_sessions", delay=0.05)
                await client.get(LIST, headers=auth)
                await client.get(LIST, headers=auth)

        asyncio.run(send_three())
    lines = [line for line in stream.getvalue().splitlines() if LIST in line]
    assert len(lines) == 3, lines
    assert " 429 rate_limited " in lines[0]
    assert lines[0].endswith("[fault: 429]")
    assert lines[1].endswith("[fault: delayed 0.05 s]")
    assert "[fault" not in lines[2]


def test_the_suite_and_the_mock_spell_the_mark_alike() -> None:
    assert faults.MARK_HEADER.lower() == INJECTED_HEADER
    assert faults.INJECTED == INJECTED_VALUE


@pytest.mark.parametrize("status", [200, 401, 422, 500, 503])
def test_the_suite_never_takes_an_injected_answer_for_the_apis(status: int) -> None:
    # Whatever its status, an answer marked injected is no evidence (as a 429 is not): the
    # suite sends again, and skips the test if that is all it ever got.
    assert is_transient(status, {faults.MARK_HEADER: faults.INJECTED})
    assert not is_transient(status, {faults.MARK_HEADER: faults.DELAYED})  # late, but the API's
    assert not is_transient(401, {})
