"""The mock over loopback HTTP: concurrency, oversized bodies, the generated client, the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from prevail_sessions_client import AuthenticatedClient
from prevail_sessions_client.api.sessions import edit_session
from prevail_sessions_client.models import (
    EditSessionRequest,
    EditSessionResponse,
    Error,
    InviteObject,
    RemoteSessionEdit,
)
from prevail_sessions_client.models.access_level import AccessLevel
from prevail_sessions_client.models.time_zone_name import TimeZoneName

from tests.plugins.mock import READY_DEADLINE, MockUnderTest

MiB = 1024 * 1024


def test_200_concurrent_invites_none_lost(live_mock: MockUnderTest) -> None:
    emails = [f"guest{i:03d}@example.com" for i in range(200)]
    before = live_mock.stored()["invites"]

    async def run() -> list[int]:
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            headers = {**live_mock.auth(), "Content-Type": "application/json"}

            async def one(email: str) -> int:
                body = json.dumps({"remote_session": {"invites": [email]}})
                response = await client.patch(live_mock.url(), content=body, headers=headers)
                return response.status_code

            return await asyncio.gather(*(one(e) for e in emails))

    statuses = asyncio.run(run())
    assert statuses == [200] * 200
    invites = live_mock.stored()["invites"]
    assert invites[: len(before)] == before
    assert sorted(invites[len(before) :]) == emails
    assert len(invites) == len(set(invites))
    assert sorted(m["to"] for m in live_mock.outbox()) == emails


def test_concurrent_reschedules_never_interleave(live_mock: MockUnderTest) -> None:
    zones = ["Tokyo", "London", "Hawaii", "Alaska", "Berlin"]
    triples = [
        {"start_date": f"2026-0{i + 1}-1{i}", "start_time": f"0{i + 1}:1{i} PM", "time_zone": z}
        for i, z in enumerate(zones)
    ]

    async def run() -> list[int]:
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=20)) as c:
            headers = {**live_mock.auth(), "Content-Type": "application/json"}

            async def one(i: int) -> int:
                body = {"remote_session": {**triples[i % 5], "title": f"t{i % 5}"}}
                response = await c.patch(live_mock.url(), json=body, headers=headers)
                return response.status_code

            return await asyncio.gather(*(one(i) for i in range(100)))

    assert set(asyncio.run(run())) == {200}
    stored = live_mock.stored()
    final = {k: stored[k] for k in ("start_date", "start_time", "time_zone")}
    assert final in triples
    assert stored["title"] == f"t{triples.index(final)}"


@pytest.mark.parametrize("declared", [True, False])
def test_oversized_body_over_http(live_mock: MockUnderTest, declared: bool) -> None:
    body = b'{"remote_session": {"title": "' + b"x" * MiB + b'"}}'
    headers = {**live_mock.auth(), "Content-Type": "application/json"}
    content: bytes | list[bytes] = (
        body if declared else [body[i : i + 65536] for i in range(0, len(body), 65536)]
    )
    response = live_mock.client.patch(live_mock.url(), content=content, headers=headers)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    # The connection (or a new one) still serves.
    assert live_mock.patch({"remote_session": {"title": "after"}}).status_code == 200


def _raw_patch(live_mock: MockUnderTest, headers: str, body: bytes = b"") -> bytes:
    """Send a hand-made PATCH over a raw socket; read until the mock has answered a 413
    (an ``Error`` body ends with ``}``) or closes the connection."""
    host, port = live_mock.env["PREVAIL_BASE_URL"].split("//")[1].split("/")[0].split(":")
    path = live_mock.url().split(f":{port}")[1]
    head = (
        f"PATCH {path} HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {live_mock.env['PREVAIL_TOKEN']}\r\n"
        f"Content-Type: application/json\r\n{headers}\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(head.encode() + body)
        reply = b""
        while b"payload_too_large" not in reply or not reply.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    return reply


def test_huge_declared_length_is_refused_from_the_header(live_mock: MockUnderTest) -> None:
    """A 1 GiB Content-Length is answered without the body ever being sent."""
    reply = _raw_patch(live_mock, "Content-Length: 1073741824\r\nExpect: 100-continue\r\n")
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"payload_too_large" in reply


def test_declared_length_never_sent_is_answered_promptly(live_mock: MockUnderTest) -> None:
    """A client that declares 5 MiB and sends 2 bytes gets its 413 without a hang."""
    reply = _raw_patch(live_mock, "Content-Length: 5242880\r\n", b"{}")
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"connection: close" in reply.lower()
    assert b"payload_too_large" in reply


# -- the generated client against the running mock --------------------------------------


def _client(
    live_mock: MockUnderTest, token: str | None = None, **httpx_args: object
) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=live_mock.env["PREVAIL_BASE_URL"],
        token=token or live_mock.env["PREVAIL_TOKEN"],
        httpx_args=dict(httpx_args),
    )


def _title(title: str) -> EditSessionRequest:
    return EditSessionRequest(remote_session=RemoteSessionEdit(title=title))


def test_generated_client_happy_path(live_mock: MockUnderTest) -> None:
    import datetime

    body = EditSessionRequest(
        remote_session=RemoteSessionEdit(
            title="Via the generated client",
            start_date=datetime.date(2026, 5, 4),
            start_time="09:45 AM",
            time_zone=TimeZoneName("Pacific Time (US & Canada)"),
            invites=[
                "client@example.com",
                InviteObject(email="onyx@example.com", access_level=AccessLevel.HOST),
            ],
            estimated_duration=2.5,
        )
    )
    response = edit_session.sync_detailed(
        live_mock.env["PREVAIL_SESSION_ID"], client=_client(live_mock), body=body
    )
    assert response.status_code == 200
    assert isinstance(response.parsed, EditSessionResponse)
    (session,) = response.parsed.sessions
    assert session.remote_session_id == live_mock.env["PREVAIL_SESSION_ID"]
    assert session.title == "Via the generated client"
    assert session.state == "ready"
    assert "client@example.com" in session.invites
    assert live_mock.stored()["invitees"][-1] == {
        "email": "onyx@example.com",
        "access_level": "host",
    }


def _set_header(name: str, value: str) -> Callable[[httpx.Request], None]:
    def hook(request: httpx.Request) -> None:
        request.headers[name] = value

    return hook


def _replace_body(raw: bytes) -> Callable[[httpx.Request], None]:
    def hook(request: httpx.Request) -> None:
        request.stream = httpx.ByteStream(raw)
        request.headers["Content-Length"] = str(len(raw))

    return hook


def test_generated_client_error_statuses(live_mock: MockUnderTest) -> None:
    env = live_mock.env
    ok = _client(live_mock)
    cases: list[tuple[int, str, str, AuthenticatedClient, EditSessionRequest]] = [
        (
            401,
            "unauthorized",
            env["PREVAIL_SESSION_ID"],
            _client(live_mock, "garbage"),
            _title("x"),
        ),
        (
            403,
            "self_service_disabled",
            "initech-scheduled-session",
            _client(live_mock, env["PREVAIL_NO_SELF_SERVICE_TOKEN"]),
            _title("x"),
        ),
        (404, "session_not_found", env["PREVAIL_FOREIGN_SESSION_ID"], ok, _title("x")),
        (409, "session_not_editable", env["PREVAIL_LOCKED_SESSION_ID"], ok, _title("x")),
        (413, "payload_too_large", env["PREVAIL_SESSION_ID"], ok, _title("x" * MiB)),
        (
            415,
            "unsupported_media_type",
            env["PREVAIL_SESSION_ID"],
            _client(
                live_mock, event_hooks={"request": [_set_header("Content-Type", "text/plain")]}
            ),
            _title("x"),
        ),
        (
            400,
            "malformed_json",
            env["PREVAIL_SESSION_ID"],
            _client(live_mock, event_hooks={"request": [_replace_body(b'{"remote_session": ')]}),
            _title("x"),
        ),
        (
            422,
            "incomplete_schedule",
            env["PREVAIL_SESSION_ID"],
            ok,
            EditSessionRequest(remote_session=RemoteSessionEdit(start_time="02:30 PM")),
        ),
        (422, "validation_failed", env["PREVAIL_SESSION_ID"], ok, _title("x" * 256)),
    ]
    before = live_mock.stored()
    for status, code, session_id, client, body in cases:
        response = edit_session.sync_detailed(session_id, client=client, body=body)
        assert response.status_code == status, (code, response.content[:300])
        assert isinstance(response.parsed, Error), code
        assert response.parsed.code == code
        assert response.parsed.messages
    assert live_mock.stored() == before


# -- the command line ---------------------------------------------------------------------


def test_cli_starts_prints_and_stops(tmp_path: Path) -> None:
    env_file = tmp_path / "mock.env"
    command = [
        sys.executable,
        "-m",
        "prevail_contract",
        "mock",
        "--port",
        "0",
        "--env-file",
        str(env_file),
    ]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        printed: dict[str, str] = {}
        deadline = time.monotonic() + READY_DEADLINE
        assert process.stdout is not None
        wanted = {"PREVAIL_NO_SELF_SERVICE_TOKEN", "PREVAIL_SESSION_ID", "PREVAIL_TOKEN"}
        while not wanted <= set(printed) or (
            env_file.exists() and len(printed) < len(env_file.read_text().splitlines())
        ):
            assert time.monotonic() < deadline, "the mock did not print its variables in time"
            line = process.stdout.readline()
            assert line, "the mock exited early"
            if "=" in line and line.startswith("PREVAIL_"):
                key, _, value = line.strip().partition("=")
                printed[key] = value
        written = dict(
            line.split("=", 1) for line in env_file.read_text(encoding="utf-8").splitlines()
        )
        assert written == printed
        url = f"{printed['PREVAIL_BASE_URL']}/sessions/{printed['PREVAIL_SESSION_ID']}"
        response = None
        while response is None:
            try:
                response = httpx.patch(
                    url,
                    json={"remote_session": {"title": "From the CLI test"}},
                    headers={"Authorization": f"Bearer {printed['PREVAIL_TOKEN']}"},
                    timeout=5,
                )
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert response.status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(READY_DEADLINE) == 0
        assert process.stderr is not None
        assert "stopped" in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_rejects_unknown_bug(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "prevail_contract", "mock", "--bug", "not-a-rule"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
