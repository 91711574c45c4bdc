"""Slow and numerous clients against the served mock: read deadlines, the connection cap, a
normal client served while an attack runs, the admin API's token and limits, the CLI's bind
rules. Loops are bounded; every server binds 127.0.0.1 on a free port and is stopped."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import statistics
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator

import httpx
import jwt
import pytest

from prevail_contract.mock import admin as admin_api
from prevail_contract.mock import create_app, target_environment
from prevail_contract.mock.auth import Authenticator
from prevail_contract.mock.server import MAX_CONNECTIONS, build_config, connection_cap
from prevail_contract.spec import Spec
from tests.hostile.served import (
    BODY_READ_TIMEOUT,
    HEADER_TIMEOUT,
    admin,
    edit,
    hostile,
    snapshot,
    target,
)
from tests.hostile.wire import Target, connection, request, status
from tests.plugins.mock import serve

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette nudges towards httpx2
    from starlette.testclient import TestClient

__all__ = ["hostile", "target"]  # fixtures used by name

#: Slack on top of a deadline for a loaded 2-core machine.
SLACK = 2.0
JSON = [("Content-Type", "application/json")]


def test_idle_connection_is_closed(target: Target) -> None:
    with connection(target) as conn:
        assert conn.wait_closed(HEADER_TIMEOUT + SLACK) is not None


def test_trickled_headers_get_408_within_the_deadline(target: Target) -> None:
    data = request("PATCH", target.session_path(), [("X-Slow", "x" * 200)])
    start = time.monotonic()
    with connection(target) as conn:
        for byte in data[:-4]:  # never finish the header block
            if not conn.send(bytes([byte])) or time.monotonic() - start > HEADER_TIMEOUT + SLACK:
                break
            time.sleep(0.02)
        reply = conn.reply()
    assert time.monotonic() - start < HEADER_TIMEOUT + SLACK
    assert status(reply) == 408, reply


def test_unauthenticated_trickled_body_is_cut_off(target: Target) -> None:
    """401 at once; the body still trickling is then cut off within the body deadline."""
    headers = [*JSON, ("Authorization", "Bearer nope"), ("Content-Length", "100000")]
    with connection(target) as conn:
        conn.send(request("PATCH", target.session_path(), headers))
        reply = conn.reply()
        assert status(reply) == 401
        start = time.monotonic()
        while not conn.closed and time.monotonic() - start < BODY_READ_TIMEOUT + SLACK:
            conn.send(b" ")
            time.sleep(0.05)
            conn.sock.settimeout(0.01)
            try:
                if conn.sock.recv(1) == b"":
                    conn.closed = True
            except (TimeoutError, BlockingIOError):
                pass
            except ConnectionResetError:
                conn.closed = True
    assert conn.closed, "a trickled body after a 401 kept the connection open"


def test_authenticated_stalled_body_is_answered(target: Target) -> None:
    before = snapshot(target)
    headers = [
        *JSON,
        ("Authorization", f"Bearer {target.env['PREVAIL_TOKEN']}"),
        ("Content-Length", "50"),
    ]
    with connection(target) as conn:
        conn.send(request("PATCH", target.session_path(), headers) + b'{"remote_')
        closed_after = conn.wait_closed(BODY_READ_TIMEOUT + SLACK)
    assert closed_after is not None
    assert snapshot(target) == before


@pytest.fixture
def small_cap() -> Iterator[Target]:
    app = create_app()
    with serve(app, max_connections=20, header_timeout=5.0) as url:
        yield Target.from_url(url, target_environment(app, url), "")


def _wait_served(target: Target) -> None:
    deadline = time.monotonic() + 5
    while True:
        try:
            response = httpx.get(f"http://{target.host}:{target.port}/api/v1/sessions")
            if response.status_code == 401:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the mock did not serve again after the flood"
        time.sleep(0.1)


def test_at_the_cap_the_longest_wait_for_headers_makes_room(small_cap: Target) -> None:
    held = [small_cap.connect(5) for _ in range(20)]
    try:
        time.sleep(0.2)
        held[0].sendall(b"PATCH /api/v1/sessions/x HTTP/1.1\r\nHost: mock\r\n")  # trickling
        with small_cap.connect(5) as extra:
            extra.sendall(request("GET", "/api/v1/sessions"))
            answer = extra.recv(4096)
        assert answer.startswith(b"HTTP/1.1 401"), answer[:100]  # served, not refused
        closed = held[0].recv(4096)  # the oldest waiter: told why (it had started) and closed
        assert closed.startswith(b"HTTP/1.1 408"), closed[:100]
        assert b"request_timeout" in closed
    finally:
        for sock in held:
            sock.close()


def test_connections_over_the_cap_are_refused_when_all_are_busy(small_cap: Target) -> None:
    head = (
        b"PATCH /api/v1/sessions/x HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n{"
    )
    held = [small_cap.connect(5) for _ in range(20)]
    try:
        for sock in held:
            sock.sendall(head)  # headers complete, body under way: not waiting for headers
        time.sleep(0.3)
        with small_cap.connect(5) as extra:
            answer = extra.recv(4096)
        assert answer.startswith(b"HTTP/1.1 503"), answer[:100]
        assert b"too_many_connections" in answer
    finally:
        for sock in held:
            sock.close()
    _wait_served(small_cap)


def test_connection_cap_fits_the_file_limit() -> None:
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    cap = connection_cap()
    assert cap <= MAX_CONNECTIONS
    if soft != resource.RLIM_INFINITY:
        assert cap < soft


def _slowloris(t: Target, stop: threading.Event, count: int) -> None:
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = t.connect(5)
            sock.sendall(f"PATCH {t.session_path()} HTTP/1.1\r\nHost: m\r\n".encode())
            socks.append(sock)
        while not stop.wait(0.3):
            for sock in list(socks):
                try:
                    sock.sendall(b"X-a: b\r\n")
                except OSError:
                    socks.remove(sock)
                    sock.close()
                    socks.append(t.connect(5))
    finally:
        for sock in socks:
            sock.close()


def _token_bomb(t: Target, stop: threading.Event) -> None:
    """Known slug, 4 MiB wrongly signed tokens, over and over (each must be refused unread)."""
    payload = {"slug": t.env["PREVAIL_COMPANY_ID"], "exp": 2_000_000_000, "pad": "p" * 3_000_000}
    bomb = jwt.encode(payload, "not-the-key-" * 4, algorithm="HS256")
    data = request("PATCH", t.session_path(), [*JSON, ("Authorization", f"Bearer {bomb}")])
    while not stop.is_set():
        try:
            with connection(t, 5) as conn:
                for _ in range(50):
                    if stop.is_set() or not conn.send(data) or conn.reply() is None:
                        break
        except OSError:
            time.sleep(0.05)


def test_normal_client_is_served_during_an_attack(target: Target) -> None:
    stop = threading.Event()
    attackers = [
        threading.Thread(target=_slowloris, args=(target, stop, 100), daemon=True),
        threading.Thread(target=_token_bomb, args=(target, stop), daemon=True),
        threading.Thread(target=_token_bomb, args=(target, stop), daemon=True),
    ]
    for thread in attackers:
        thread.start()
    latencies = []
    statuses = set()
    try:
        time.sleep(0.5)
        url = f"http://{target.host}:{target.port}{target.session_path()}"
        headers = {"Authorization": f"Bearer {target.env['PREVAIL_TOKEN']}", **dict(JSON)}
        with httpx.Client(timeout=5) as client:
            for i in range(40):
                start = time.monotonic()
                response = client.patch(url, content=edit(f"Served {i}"), headers=headers)
                latencies.append(time.monotonic() - start)
                statuses.add(response.status_code)
    finally:
        stop.set()
        for thread in attackers:
            thread.join(10)
    assert statuses == {200}
    assert statistics.median(latencies) < 0.25, latencies
    assert max(latencies) < 2.0, latencies


def test_token_cache_is_bounded_in_bytes(spec: Spec) -> None:
    app = create_app()
    org = next(iter(app.state.mock.fixtures.organizations.values()))
    auth = Authenticator(spec, app.state.mock.fixtures.organizations)

    async def verify_many() -> None:
        for i in range(1500):
            claims = {"slug": org.slug, "exp": int(time.time()) + 600, "n": i, "pad": "p" * 5000}
            await auth(jwt.encode(claims, org.api_key, algorithm="HS256"))
            assert sum(len(k) for k in auth._verified) <= Authenticator.BYTES

    asyncio.run(verify_many())
    assert 0 < auth.cached_bytes <= Authenticator.BYTES


# -- the admin API --------------------------------------------------------------------------


def test_admin_api_wants_its_token(target: Target) -> None:
    base = f"http://{target.host}:{target.port}"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": target.admin_token}):
        response = httpx.get(f"{base}/__mock__/environment", headers=headers)
        assert response.status_code == 401, headers
        assert "PREVAIL_API_KEY" not in response.text
    with admin(target) as client:
        assert client.get("/__mock__/environment").status_code == 200


def test_admin_api_off() -> None:
    app = create_app(admin_api=False)
    with serve(app) as url:
        assert httpx.get(f"{url}/__mock__/environment").status_code == 404
        assert httpx.post(f"{url}/__mock__/reset").status_code == 404


def test_admin_body_is_streamed_and_cut_at_the_limit(target: Target) -> None:
    """A chunked 64 MiB admin body: 413 once past 1 MiB, the rest never read."""
    head = (
        f"POST /__mock__/sessions HTTP/1.1\r\nHost: m\r\n"
        f"Authorization: Bearer {target.admin_token}\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"%x\r\n%s\r\n" % (65536, b"[" * 65536)
    sent = 0
    with connection(target) as conn:
        conn.send(head)
        while sent < 64 * 1024 * 1024 and conn.send(chunk):
            sent += 65536
            conn.sock.settimeout(0.001)
            with contextlib.suppress(TimeoutError, BlockingIOError):
                conn.buffer += conn.sock.recv(65536)
            if b"payload_too_large" in conn.buffer:
                break
        conn.sock.settimeout(5)
        reply = conn.reply()
    assert status(reply) == 413, reply
    assert sent < 16 * 1024 * 1024, sent


def test_admin_created_sessions_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app()
    monkeypatch.setattr(admin_api, "MAX_SESSIONS", asyncio.run(app.state.mock.store.count()) + 1)
    with TestClient(app) as client:
        body = {"organization": app.state.mock.fixtures.targets.organization, "state": "ready"}
        assert client.post("/__mock__/sessions", json=body).status_code == 201
        refused = client.post("/__mock__/sessions", json=body)
        assert refused.status_code == 409
        assert refused.json()["code"] == "too_many_sessions"


def test_admin_created_session_invitees_are_capped(spec: Spec) -> None:
    cap = spec.document["components"]["schemas"]["Session"]["properties"]["invites"]["maxItems"]
    app = create_app()
    with TestClient(app) as client:
        body = {
            "organization": app.state.mock.fixtures.targets.organization,
            "state": "ready",
            "invites": [f"g{i}@example.com" for i in range(cap + 1)],
        }
        assert client.post("/__mock__/sessions", json=body).status_code == 422


def test_invitees_per_session_are_capped_over_edits(target: Target, spec: Spec) -> None:
    cap = spec.document["components"]["schemas"]["Session"]["properties"]["invites"]["maxItems"]
    url = f"http://{target.host}:{target.port}{target.session_path()}"
    headers = {"Authorization": f"Bearer {target.env['PREVAIL_TOKEN']}"}
    refused = None
    with httpx.Client(timeout=10) as client:
        for batch in range(cap // 100 + 2):
            invites = [f"b{batch}-{i}@example.com" for i in range(100)]
            before = snapshot(target)
            response = client.patch(
                url, json={"remote_session": {"invites": invites}}, headers=headers
            )
            if response.status_code != 200:
                refused = response
                break
    assert refused is not None, "a Session took more invitees than the spec allows"
    assert refused.status_code == 422
    assert refused.json()["details"][0]["field"] == "remote_session.invites"
    assert snapshot(target) == before
    assert len(before[target.env["PREVAIL_SESSION_ID"]]["invites"]) <= cap


# -- the command line -----------------------------------------------------------------------


def _mock_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "prevail_contract", "mock", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--host", "0.0.0.0", "--port", "0"), "--admin-token"),  # noqa: S104 - never bound
        (("--host", "0.0.0.0", "--admin-token", "short"), "at least"),  # noqa: S104
        (("--no-admin", "--admin-token", "x" * 20), "exclude"),
    ],
)
def test_cli_refuses_an_unsafe_bind_in_one_line(args: tuple[str, ...], fragment: str) -> None:
    result = _mock_cli(*args)
    assert result.returncode == 2
    # one line saying what is wrong, then the subcommand's usage pointer
    error, usage = result.stderr.strip().splitlines()
    assert fragment in error
    assert usage.startswith("usage: prevail-contract mock"), result.stderr
    assert "Prevail mock serving" not in result.stdout


def test_cli_loopback_names() -> None:
    from prevail_contract.mock.cli import _is_loopback

    assert _is_loopback("127.0.0.1")
    assert _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0")  # noqa: S104
    assert not _is_loopback("")


def test_default_config_uses_the_guard() -> None:
    config = build_config(create_app())
    config.load()
    assert config.limit_concurrency is not None
    assert config.timeout_keep_alive > 0


def test_trickling_clients_over_the_cap_do_not_starve_a_normal_client(small_cap: Target) -> None:
    stop = threading.Event()
    attacker = threading.Thread(target=_slowloris, args=(small_cap, stop, 30), daemon=True)
    attacker.start()
    statuses: list[int] = []
    try:
        time.sleep(0.5)
        url = f"http://{small_cap.host}:{small_cap.port}/api/v1/sessions"
        for _ in range(20):  # a fresh connection each time, as a client behind no pool would
            with httpx.Client(timeout=5) as client:
                statuses.append(client.get(url).status_code)
    finally:
        stop.set()
        attacker.join(10)
    assert statuses == [401] * 20, statuses
