"""Units of the suite's probing helpers: Retry-After parsing and waiting, carriers and leeway
read from the spec, fault-pair probes, answers compared with the requested id masked."""

from __future__ import annotations

import email.utils
import json
import time

import httpx
import pytest

from contract_tests.support.answers import differences, volatile_parts
from prevail_contract.errors import ConfigError
from prevail_contract.runtime.bounds import (
    MIN_RETRY_WAIT,
    RATE_LIMIT_RETRIES,
    Limits,
    RunBounds,
    is_transient,
)
from prevail_contract.runtime.config import state_sessions
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.sender import send_bounded
from prevail_contract.spec import Spec, load_spec
from prevail_contract.spec.security import carriers, exp_leeway_seconds


def test_retry_after_seconds_date_and_junk() -> None:
    bounds = RunBounds()
    bounds.start(Limits(deadline=60.0, max_retry_wait=10.0))
    assert bounds.retry_wait("1") == 1.0
    assert bounds.retry_wait("3600") == 10.0  # capped
    assert bounds.retry_wait(None) == 1.0
    assert bounds.retry_wait("soon") == 1.0
    assert bounds.retry_wait("0") == MIN_RETRY_WAIT  # never a busy loop
    future = email.utils.formatdate(time.time() + 3, usegmt=True)
    assert 1.0 <= bounds.retry_wait(future) <= 3.5


def test_transient_means_429_or_503_with_retry_after() -> None:
    assert is_transient(429, {})
    assert is_transient(503, {"Retry-After": "1"})
    assert not is_transient(503, {})  # a 503 without Retry-After is an answer
    assert not is_transient(400, {"Retry-After": "1"})


def _sender(answers: list[httpx.Response], bounds: RunBounds) -> tuple[httpx.Client, list[int]]:
    sent: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(1)
        return answers[min(len(sent), len(answers)) - 1]

    return httpx.Client(transport=httpx.MockTransport(handler)), sent


def test_the_sender_waits_for_each_transient_answer() -> None:
    bounds = RunBounds()
    bounds.start(Limits(deadline=60.0, max_retry_wait=0.0))
    client, sent = _sender(
        [
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.Response(503, headers={"Retry-After": "1"}),
            httpx.Response(200),
        ],
        bounds,
    )
    ex = send_bounded(client, "PATCH", "http://h/x", headers={}, bounds=bounds)
    assert (ex.status, len(sent), bounds.throttled) == (200, 3, 2)
    client, sent = _sender([httpx.Response(503)], bounds)
    ex = send_bounded(client, "PATCH", "http://h/x", headers={}, bounds=bounds)
    assert (ex.status, len(sent)) == (503, 1)


def test_always_throttled_gives_up_after_the_retries() -> None:
    bounds = RunBounds()
    bounds.start(Limits(deadline=60.0, max_retry_wait=0.0))
    client, sent = _sender([httpx.Response(429, headers={"Retry-After": "0"})], bounds)
    ex = send_bounded(client, "PATCH", "http://h/x", headers={}, bounds=bounds)
    assert ex.status == 429
    assert len(sent) == RATE_LIMIT_RETRIES + 1


def test_carriers_and_leeway_come_from_the_spec() -> None:
    spec = load_spec()
    found = [(c.location, c.name) for c in carriers(spec)]
    assert found == [("header", "Authorization"), ("query", "jwt_payload")]
    assert exp_leeway_seconds(spec) == 60
    doc = {
        **spec.document,
        "components": {
            **spec.document["components"],
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "jwtPayloadQuery": {"type": "apiKey", "in": "query", "name": "jwt_payload"},
            },
        },
    }
    assert exp_leeway_seconds(Spec(doc)) == 0


def test_locked_session_list_is_validated() -> None:
    assert state_sessions("active:a1, canceled:b-2") == {"active": "a1", "canceled": "b-2"}
    assert state_sessions(None) == {}
    with pytest.raises(ConfigError, match="state:session-id"):
        state_sessions("active")


def _ex(status: int, body: bytes, **headers: str) -> Exchange:
    return Exchange("PATCH", "http://x/", {}, None, status, headers, body)


def test_answers_compared_with_the_id_masked() -> None:
    a = _ex(404, b'{"code":"session_not_found","messages":"No id foreign-1"}', date="Mon")
    b = _ex(404, b'{"code":"session_not_found","messages":"No id unknown-22"}', date="Tue")
    assert differences(a, "foreign-1", b, "unknown-22") == []
    c = _ex(404, b'{"code":"session_not_found","messages":"No id unknown-22 here"}')
    assert differences(a, "foreign-1", c, "unknown-22")
    d = _ex(
        404, b'{"code":"session_not_found","messages":"No id unknown-22"}', etag="1", x_owner="o"
    )
    assert any("x_owner" in diff for diff in differences(a, "foreign-1", d, "unknown-22"))


def test_parts_that_change_per_request_are_not_held_against_the_server() -> None:
    def answer(n: int, sid: str, owner: str = "your") -> Exchange:
        body = {"code": "session_not_found", "messages": f"No {sid} for {owner} Organization"}
        return _ex(404, json.dumps({**body, "request_id": f"req-{n}"}).encode(), x_req=str(n))

    unknown, control = answer(2, "u-1"), answer(3, "u-2")
    volatile = volatile_parts(unknown, "u-1", control, "u-2")
    assert volatile == {"body/request_id", "header x_req"}
    assert differences(answer(1, "f-1"), "f-1", unknown, "u-1", volatile) == []
    leaky = answer(1, "f-1", owner="another")  # a message that still tells them apart
    assert [d.split(":")[0] for d in differences(leaky, "f-1", unknown, "u-1", volatile)] == [
        "body/messages"
    ]


def test_an_id_escaped_in_the_json_text_is_still_masked() -> None:
    """An encoder writing ``-`` as ``\\u002d`` or ``/`` as ``\\/`` hides the id from a
    search of the raw text; masked in the parsed values, a leak still shows."""

    def answer(sid: str, owner: str) -> Exchange:
        text = f"No {sid} for {owner} Organization".replace("-", "\\u002d")
        return _ex(404, f'{{"code":"session_not_found","messages":"{text}"}}'.encode())

    unknown, control = answer("u-1", "your"), answer("u-2", "your")
    volatile = volatile_parts(unknown, "u-1", control, "u-2")
    assert volatile == frozenset()
    leaky = answer("f-1", "another")
    assert [d.split(":")[0] for d in differences(leaky, "f-1", unknown, "u-1", volatile)] == [
        "body/messages"
    ]
