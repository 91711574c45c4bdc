"""Unit tests of the suite's bounds and guards: limits, sender, transport guard, ids, masking."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import httpx
import pytest

from contract_tests.support.discovered import UNAPPLICABLE_BODY, got_past_precondition
from contract_tests.support.st_transport import SuiteTransport, route_through
from prevail_contract.errors import ConfigError
from prevail_contract.runtime.bounds import (
    DEFAULT_DEADLINES,
    DEFAULT_MAX_RETRY_WAIT,
    MIN_RETRY_WAIT,
    Limits,
    RequestTimeoutError,
    RunBounds,
    RunStoppedError,
    limits_from,
    read_capped,
    wall_clock,
)
from prevail_contract.runtime.config import from_sources
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.guard import GuardedTransport, UnsafeRequestError, guard_client
from prevail_contract.runtime.safety import (
    InviteBudget,
    InviteCapReachedError,
    Masker,
    is_reserved_email,
    safe_email,
)
from prevail_contract.runtime.sender import send_bounded
from prevail_contract.runtime.session_ids import (
    listed_session_ids,
    session_id_problem,
    session_path,
)
from prevail_contract.spec import Spec

HOSTILE_ID = "../../../__mock__/reset?x="


@pytest.mark.parametrize(
    ("address", "reserved"),
    [
        ("x@localhost", False),
        ("x@LOCALHOST.", False),
        ("x@mailhost", False),
        ("x@invalid", True),
        ("x@test", True),
        ("x@a.test", True),
        ("x@", True),
    ],
)
def test_dotless_domains_are_not_reserved(address: str, reserved: bool) -> None:
    assert is_reserved_email(address) is reserved


def test_dotless_domains_are_rewritten_before_sending() -> None:
    assert safe_email("root@localhost") == "root@example.com"


@pytest.mark.parametrize(
    "prose",
    [
        "valid Bearer token",
        "a Bearer token is required",
        "send the Bearer credentials",
        "edit by the Self-Service Organization",
        "Authorization: required",
        "GET /sessions?page=2&items=3&start_date_from=2031-01-01",
    ],
)
def test_masker_leaves_prose_alone(prose: str) -> None:
    assert Masker()(prose) == prose


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Authorization: Bearer abc", "abc"),
        ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("authorization: eyJhbGciOi0123", "eyJhbGciOi0123"),
        ("Bearer contract-check-token", "contract-check-token"),
        ("Bearer abcdefghijklmnopqrstuv", "abcdefghijklmnopqrstuv"),
        ("see http://jade:hunter2@staging.test/api/v1 now", "hunter2"),
        ("http://h/api/v1?api_key=SuperSecret123", "SuperSecret123"),
        ("GET /x?items=3&access_token=zz9#top", "zz9"),
        ("/sessions/s1?jwt_payload=abc", "abc"),
    ],
)
def test_masker_hides_credentials(text: str, hidden: str) -> None:
    masked = Masker()(text)
    assert hidden not in masked
    assert "***" in masked


def test_base_url_with_credentials_is_refused_with_the_password_masked() -> None:
    env = {
        "PREVAIL_BASE_URL": "http://jade:hunter2@staging.test/api/v1",
        "PREVAIL_SESSION_ID": "s1",
        "PREVAIL_TOKEN": "t" * 20,
    }
    with pytest.raises(ConfigError) as caught:
        from_sources(env)
    message = str(caught.value)
    assert "hunter2" not in message
    assert "credentials" in message
    assert "jade:***@staging.test" in message
    assert "\n" not in message


def test_base_url_with_a_query_is_refused_with_its_values_masked() -> None:
    env = {
        "PREVAIL_BASE_URL": "http://127.0.0.1:9/api/v1?api_key=SuperSecret123",
        "PREVAIL_SESSION_ID": "s1",
        "PREVAIL_TOKEN": "t" * 20,
    }
    with pytest.raises(ConfigError) as caught:
        from_sources(env)
    message = str(caught.value)
    assert "SuperSecret123" not in message
    assert "query" in message
    assert "api_key=***" in message


def test_a_head_repro_uses_curl_head_mode() -> None:
    ex = Exchange("HEAD", "http://h/x", {}, None, 405, {}, b"")
    assert " -I " in ex.curl(Masker())
    assert "-X HEAD" not in ex.curl(Masker())


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("example-remote-session-id", True),
        (HOSTILE_ID, False),
        ("abc\n", False),
        ("", False),
        ("a" * 256, False),
        (7, False),
    ],
)
def test_session_ids_are_held_to_the_spec_pattern_in_full(
    spec: Spec, value: object, ok: bool
) -> None:
    assert (session_id_problem(spec, value) is None) is ok


def test_listed_sessions_with_unusable_ids_are_dropped(spec: Spec) -> None:
    listed = [{"remote_session_id": HOSTILE_ID}, "junk", {"remote_session_id": "s-2"}]
    assert [s["remote_session_id"] for s in listed_session_ids(spec, listed)] == ["s-2"]


def test_session_path_escapes_one_segment() -> None:
    assert session_path(HOSTILE_ID) == "..%2F..%2F..%2F__mock__%2Freset%3Fx%3D"
    url = httpx.URL(f"http://h/api/v1/sessions/{session_path(HOSTILE_ID)}")
    assert url.path.startswith("/api/v1/sessions/")
    assert "?" not in str(url)
    for dots in (".", "..", "%2e%2E"):
        with pytest.raises(ValueError, match="dot-segment"):
            session_path(dots)


def test_limits_default_to_the_profile_and_refuse_bad_values() -> None:
    assert limits_from({}, "fast").deadline == DEFAULT_DEADLINES["fast"]
    assert limits_from({}, "thorough").deadline == DEFAULT_DEADLINES["thorough"]
    assert limits_from({"PREVAIL_DEADLINE": "9"}, "fast", {"deadline": "3"}).deadline == 3.0
    for flags, named in (
        ({"deadline": "soon"}, "--deadline"),
        ({"deadline": "0"}, "--deadline"),
        ({"request_timeout": "nan"}, "--request-timeout"),
        ({"max_response_bytes": "1.5"}, "--max-response-bytes"),
        ({"max_retry_wait": "-1"}, "--max-retry-wait"),
    ):
        with pytest.raises(ConfigError, match=named):
            limits_from({}, "fast", flags)


def test_retry_after_is_capped_by_the_limit_and_the_deadline() -> None:
    bounds = RunBounds()
    bounds.start(Limits(deadline=100.0))
    assert bounds.retry_wait("3600") == DEFAULT_MAX_RETRY_WAIT
    # a date already past: come back at once (after the shortest pause)
    assert bounds.retry_wait("Wed, 21 Oct 2015 07:28:00 GMT") == MIN_RETRY_WAIT
    assert bounds.retry_wait("nan") == 1.0
    bounds.start(Limits(deadline=0.5, max_retry_wait=60.0))
    assert bounds.retry_wait("3600") <= 0.5


def test_read_capped_stops_at_the_limit() -> None:
    consumed: list[int] = []

    def chunks() -> Any:
        for i in range(1000):
            consumed.append(i)
            yield b"x" * 1000

    body, cut = read_capped(chunks(), 2500)
    assert (len(body), cut) == (2500, True)
    assert len(consumed) == 3  # nothing read past the chunk that crossed the limit
    assert read_capped([b"ab", b"cd"], 4) == (b"abcd", False)


def test_wall_clock_interrupts_a_blocked_call() -> None:
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError), wall_clock(0.2):
        time.sleep(5)
    assert time.monotonic() - started < 2


def test_a_stopped_run_sends_nothing() -> None:
    bounds = RunBounds()
    bounds.start(Limits(deadline=0.01))
    time.sleep(0.02)
    with pytest.raises(RunStoppedError, match="deadline"):
        bounds.ensure_running()
    assert bounds.deadline_reached


def _client(handler: Any, budget: InviteBudget, bounds: RunBounds) -> httpx.Client:
    transport = GuardedTransport(httpx.MockTransport(handler), budget, bounds=bounds)
    return httpx.Client(transport=transport)


def test_sender_cuts_huge_answers_and_counts_every_attempt() -> None:
    bounds = RunBounds()
    bounds.start(Limits(deadline=30.0, max_response_bytes=1000, max_retry_wait=0.0))
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) < 3:
            return httpx.Response(429, headers={"Retry-After": "3600"})
        return httpx.Response(200, content=b"y" * 50_000)

    client = _client(handler, InviteBudget(None), bounds)
    started = time.monotonic()
    ex = send_bounded(client, "PATCH", "http://h/x", headers={}, bounds=bounds)
    assert time.monotonic() - started < 2  # Retry-After: 3600 was capped
    assert (ex.status, len(ex.response_body), ex.cut) == (200, 1000, True)
    assert bounds.requests == 3
    assert (bounds.throttled, bounds.cut_responses) == (2, 1)


def test_connection_failures_stop_the_run_as_a_target_error() -> None:
    bounds = RunBounds()
    bounds.start(Limits(deadline=30.0))

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("Connection reset by peer", request=request)

    client = _client(handler, InviteBudget(None), bounds)
    with pytest.raises(RunStoppedError, match="target error"):
        send_bounded(client, "PATCH", "http://h/x?jwt_payload=t", headers={}, bounds=bounds)
    assert bounds.target_error is not None
    assert "reset" in bounds.target_error
    assert "jwt_payload" not in bounds.target_error
    with pytest.raises(RunStoppedError):
        send_bounded(client, "PATCH", "http://h/x", headers={}, bounds=bounds)


def test_the_transport_guards_and_counts_every_request_of_the_client() -> None:
    bounds = RunBounds()
    bounds.start(Limits(deadline=30.0))
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    guard_client(client, InviteBudget(2), unguarded_prefix="/__mock__/")
    transport = client._transport
    assert isinstance(transport, GuardedTransport)
    transport.bounds = bounds
    with pytest.raises(UnsafeRequestError):
        client.patch("http://h/s", json={"remote_session": {"invites": ["root@localhost"]}})
    client.patch("http://h/s", json={"remote_session": {"invites": ["a@example.com"] * 2}})
    with pytest.raises(InviteCapReachedError):
        client.patch("http://h/s", json={"remote_session": {"invites": ["b@example.com"]}})
    client.get("http://h/__mock__/sessions/x")  # the embedded admin API: not API traffic
    assert seen == ["/s", "/__mock__/sessions/x"]
    assert bounds.requests == 1


def test_proxy_mounts_are_guarded_too() -> None:
    client = httpx.Client(proxy="http://127.0.0.1:9")
    guard_client(client, InviteBudget(None))
    assert client._mounts
    assert all(isinstance(t, GuardedTransport) for t in client._mounts.values() if t)
    client.close()


def test_schemathesis_sends_through_the_suite_transport() -> None:
    class Schema:
        @property
        def transport(self) -> str:
            return "schemathesis's own"

    routed = route_through(Schema(), SuiteTransport(target=None))  # type: ignore[arg-type]
    assert isinstance(routed.transport, SuiteTransport)


def test_the_discovered_session_probe_cannot_be_applied() -> None:
    with pytest.raises(json.JSONDecodeError, match="Expecting"):
        json.loads(UNAPPLICABLE_BODY)

    def answer(status: int) -> Exchange:
        return Exchange("PATCH", "u", {}, UNAPPLICABLE_BODY, status, {}, b"")

    assert got_past_precondition(answer(400))
    assert got_past_precondition(answer(200))
    assert not got_past_precondition(answer(403))


def test_bounds_flags_reach_the_limits() -> None:
    from prevail_contract.runtime import bounds as bounds_module

    parser = argparse.ArgumentParser()
    bounds_module.add_flags(parser)
    args = parser.parse_args(["--deadline", "7", "--max-response-bytes", "100"])
    limits = limits_from({}, "fast", bounds_module.flag_values(args))
    assert (limits.deadline, limits.max_response_bytes) == (7.0, 100)


def test_a_read_whose_connection_closed_unanswered_goes_once_more_a_write_never() -> None:
    bounds = RunBounds()
    bounds.start(Limits(deadline=30.0))
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        if len(sent) % 2:  # every other request: the server drops the connection unanswered
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        return httpx.Response(200, content=b"{}")

    client = _client(handler, InviteBudget(None), bounds)
    ex = send_bounded(client, "GET", "http://h/api/v1/sessions", headers={}, bounds=bounds)
    assert (ex.status, sent) == (200, ["GET", "GET"])
    assert bounds.reads_sent_again == 1
    assert bounds.target_error is None
    with pytest.raises(RunStoppedError, match="target error"):
        send_bounded(client, "PATCH", "http://h/api/v1/sessions/s", headers={}, bounds=bounds)
    assert sent == ["GET", "GET", "PATCH"]
    assert bounds.target_error is not None
    assert "RemoteProtocolError" in bounds.target_error
