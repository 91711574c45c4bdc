"""Units of the suite's probing helpers: Retry-After parsing and waiting, carriers and leeway
read from the spec, fault-pair probes, answers compared with the requested id masked."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from contract_tests.support.answers import differences
from contract_tests.support.transient import retry_after, send_patiently
from prevail_contract.check.config import state_sessions
from prevail_contract.check.exchange import Exchange
from prevail_contract.errors import ConfigError
from prevail_contract.spec import Spec, load_spec
from prevail_contract.spec_security import carriers, exp_leeway_seconds


def test_retry_after_seconds_date_and_junk() -> None:
    assert retry_after("1") == 1.0
    assert retry_after("3600") == 10.0  # capped
    assert retry_after(None) == 1.0
    assert retry_after("soon") == 1.0
    future = email.utils.formatdate(time.time() + 3, usegmt=True)
    assert 1.0 <= retry_after(future) <= 3.5


def test_send_patiently_waits_for_each_transient_answer() -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "2"}),
        httpx.Response(503),
        httpx.Response(200),
    ]
    waits: list[float] = []
    calls = iter([answers[0], httpx.Response(503, headers={"Retry-After": "1"}), answers[2]])
    response, waited = send_patiently(lambda: next(calls), sleep=waits.append)
    assert (response.status_code, waited, waits) == (200, 2, [2.0, 1.0])
    # a 503 without Retry-After is an answer, not a "come back later"
    response, waited = send_patiently(lambda: answers[1], sleep=waits.append)
    assert (response.status_code, waited) == (503, 0)


def test_always_throttled_gives_up_after_the_retries() -> None:
    waits: list[float] = []
    response, waited = send_patiently(
        lambda: httpx.Response(429, headers={"Retry-After": "0"}), sleep=waits.append
    )
    assert response.status_code == 429
    assert waited == len(waits) == 4


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
