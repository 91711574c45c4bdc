"""``check --sandbox`` and the preflight trust nothing a target says: bounded reads, only the
sandbox's own credentials and ids taken, everything shown masked and escaped, and a broken
answer is one line with exit 2, never a traceback.

Each hostile server is a raw socket on loopback (``tests/plugins/hostile.py``); ``check`` runs
in-process (it stops before the suite), so these tests take seconds.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import pytest

from prevail_contract.check.sandbox import sandbox_environment
from prevail_contract.cli import main
from prevail_contract.errors import ConfigError
from prevail_contract.runtime.bounds import Limits
from prevail_contract.runtime.safety import Masker
from prevail_contract.spec import load_spec
from tests.plugins.hostile import GIVEN_SESSION, HostileTarget, Received, respond, serve_hostile

ADMIN_TOKEN = "admin-token-of-the-served-mock-0123456789"
OTHER_TOKEN = "sandbox-token-0123456789abcdef0123456789"


def _answer(environment: dict[str, Any], sandbox_id: Any = "sbx-0123abcd") -> bytes:
    return json.dumps({"sandbox_id": sandbox_id, "environment": environment}).encode()


def _sandbox_server(body: bytes, status: int = 201) -> Any:
    def handler(target: HostileTarget, conn: socket.socket, request: Received) -> bool:
        respond(conn, status, body)
        return True

    return serve_hostile(handler)


def _check(base_url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["check", "--sandbox", "--base-url", base_url, "--deadline", "20", *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture(autouse=True)
def _admin_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PREVAIL_BASE_URL", "PREVAIL_TOKEN", "PREVAIL_SESSION_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREVAIL_MOCK_ADMIN_TOKEN", ADMIN_TOKEN)


def test_a_dripping_sandbox_answer_is_cut_off_by_the_request_timeout() -> None:
    def drip(target: HostileTarget, conn: socket.socket, request: Received) -> bool:
        conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n\r\n{")
        while not target.stopping.wait(0.2):
            conn.sendall(b" ")  # each byte well within httpx's read timeout
        return False

    limits = Limits(deadline=30, request_timeout=1.0)
    started = time.monotonic()
    with serve_hostile(drip) as served, pytest.raises(ConfigError) as caught:
        sandbox_environment(served.base_url + "/api/v1", load_spec(), limits, Masker())
    assert "no complete answer within 1 s" in str(caught.value)
    assert time.monotonic() - started < 20  # bounded by the wall clock, not by the drip


def test_an_endless_sandbox_answer_is_read_no_further_than_a_bound() -> None:
    def endless(target: HostileTarget, conn: socket.socket, request: Received) -> bool:
        conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n\r\n")
        chunk = b"[" * 65536
        while not target.stopping.is_set():
            conn.sendall(chunk)
        return False

    limits = Limits(deadline=30, request_timeout=10)
    with serve_hostile(endless) as served, pytest.raises(ConfigError) as caught:
        sandbox_environment(served.base_url + "/api/v1", load_spec(), limits, Masker())
    assert "more than 65536 bytes" in str(caught.value)


@pytest.mark.parametrize(
    ("environment", "said"),
    [
        ({"PREVAIL_BASE_URL": "http://127.0.0.1:9/api/v1"}, "served where it was made"),
        ({"PREVAIL_DEADLINE": "100000"}, "'PREVAIL_DEADLINE'"),
        ({"PREVAIL_MAX_INVITES": "100000"}, "'PREVAIL_MAX_INVITES'"),
        ({"PREVAIL_SPEC": "/etc/passwd"}, "'PREVAIL_SPEC'"),
        ({"PREVAIL_TOKEN": "two words"}, "not a plain value"),
        ({"PREVAIL_TOKEN": {"nested": True}}, "not a plain value"),
    ],
)
def test_the_sandbox_answer_may_set_only_the_sandbox_credentials_and_ids(
    environment: dict[str, Any], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with _sandbox_server(_answer(environment)) as served:
        code, shown = _check(served.base_url + "/api/v1", capsys)
        received = list(served.received)
    assert code == 2, shown
    assert said in shown
    assert "Traceback" not in shown
    # nothing but the one sandbox request reached the target, and nothing went elsewhere
    assert [r.path for r in received] == ["/__mock__/sandboxes"]


def test_a_sandbox_on_another_server_is_never_sent_the_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def elsewhere(target: HostileTarget, conn: socket.socket, request: Received) -> bool:
        respond(conn, 200, b"{}")
        return True

    with serve_hostile(elsewhere) as other:
        redirect = {
            "PREVAIL_BASE_URL": other.base_url + "/api/v1",
            "PREVAIL_TOKEN": OTHER_TOKEN,
            "PREVAIL_SESSION_ID": GIVEN_SESSION,
        }
        with _sandbox_server(_answer(redirect)) as served:
            code, shown = _check(served.base_url + "/api/v1", capsys)
        assert other.received == []
    assert code == 2, shown
    assert OTHER_TOKEN not in shown


def test_terminal_escapes_in_a_sandbox_id_are_never_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    forged = "sbx\x1b[2K\r0 failed\x1b[0m"
    body = _answer({"PREVAIL_SESSION_ID": GIVEN_SESSION}, sandbox_id=forged)
    with _sandbox_server(body) as served:
        code, shown = _check(served.base_url + "/api/v1", capsys)
    assert code == 2
    assert "\x1b" not in shown
    assert "\r" not in shown
    assert "no usable sandbox_id" in shown


def test_a_refusal_that_echoes_the_admin_token_never_shows_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def echo(target: HostileTarget, conn: socket.socket, request: Received) -> bool:
        sent = request.headers.get("authorization", "")
        token = sent.removeprefix("Bearer ")
        body = json.dumps({"error": "forbidden", "you_sent": sent, "token": token})
        respond(conn, 403, (body + "\x1b[31m raw " + token).encode())
        return True

    with serve_hostile(echo) as served:
        code, shown = _check(served.base_url + "/api/v1", capsys)
        sent = served.received[0].headers["authorization"]
    assert sent == f"Bearer {ADMIN_TOKEN}"  # the mock's admin API needs it
    assert code == 2
    assert "answered 403" in shown
    assert ADMIN_TOKEN not in shown
    assert "\x1b" not in shown


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"environment": {}}).encode(),  # no sandbox_id
        json.dumps({"sandbox_id": "sbx-1"}).encode(),  # no environment
        b"[" * 100_000,  # too deep to parse
        b"not json",
    ],
)
def test_a_broken_sandbox_answer_is_one_line_and_exit_2(
    body: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    with _sandbox_server(body) as served:
        code, shown = _check(served.base_url + "/api/v1", capsys)
    assert code == 2
    assert "Traceback" not in shown
    errors = [line for line in shown.splitlines() if "error:" in line]
    assert len(errors) == 1, shown
    assert "--sandbox" in errors[0]


def test_a_deeply_nested_preflight_answer_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def deep(target: HostileTarget, conn: socket.socket, request: Received) -> bool:
        respond(conn, 422, b"[" * 200_000 + b"]" * 200_000, method=request.method)
        return True

    with serve_hostile(deep) as served:
        for name, value in served.env().items():
            monkeypatch.setenv(name, value)
        code = main(["check", "--deadline", "20"])
    shown = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in shown.err
    errors = [line for line in shown.err.splitlines() if "error:" in line]
    assert len(errors) == 1, shown.err
    assert "cannot be read" in errors[0] or "does not answer like" in errors[0], errors[0]
