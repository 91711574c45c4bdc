"""Fixtures for the mock server's tests: an app, an in-process client, a live loopback server."""

from __future__ import annotations

import json
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from prevail_contract.mock import create_app, target_environment
from prevail_contract.mock.server import build_config

with warnings.catch_warnings():
    # Starlette nudges towards httpx2; httpx is what the kit pins.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

#: How long a live server may take to start or stop.
READY_DEADLINE = 10.0


@dataclass
class MockUnderTest:
    """An app, its PREVAIL_* variables and a client to talk to it."""

    app: Starlette
    env: dict[str, str]
    client: httpx.Client

    def url(self, session_id: str | None = None) -> str:
        """The operation's URL for ``session_id`` (default: the editable Session)."""
        session_id = session_id or self.env["PREVAIL_SESSION_ID"]
        return f"{self.env['PREVAIL_BASE_URL']}/sessions/{session_id}"

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.env['PREVAIL_TOKEN']}"}

    def patch(
        self,
        body: Any,
        *,
        session_id: str | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """PATCH ``body`` (JSON-encoded unless bytes) as the Self-Service org by default."""
        all_headers = {**self.auth(token), "Content-Type": "application/json", **(headers or {})}
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.client.patch(self.url(session_id), content=content, headers=all_headers)

    def stored(self, session_id: str | None = None) -> dict[str, Any]:
        """The admin API's full stored state of a Session."""
        response = self.client.get(
            f"/__mock__/sessions/{session_id or self.env['PREVAIL_SESSION_ID']}"
        )
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    def outbox(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.client.get("/__mock__/outbox").json()["messages"]
        return messages


@pytest.fixture
def mock() -> Iterator[MockUnderTest]:
    """A fresh mock app (own state) with an in-process client."""
    app = create_app()
    with TestClient(app, base_url="http://mock") as client:
        yield MockUnderTest(app, target_environment(app, "http://mock"), client)


@contextmanager
def serve(app: Starlette, **options: Any) -> Iterator[str]:
    """Serve ``app`` as the CLI does (uvicorn with the mock's connection limits) on a free
    loopback port in a thread; yield its base URL. ``options`` go to ``build_config``."""
    with serve_server(app, **options) as (base_url, _):
        yield base_url


@contextmanager
def serve_server(app: Starlette, **options: Any) -> Iterator[tuple[str, uvicorn.Server]]:
    """``serve``, yielding the uvicorn server too (its ``server_state.connections`` are the
    open connections' protocol objects)."""
    # IPPROTO_TCP so that asyncio turns on TCP_NODELAY for accepted connections.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    server = uvicorn.Server(build_config(app, log_level="warning", lifespan="off", **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + READY_DEADLINE
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the mock server did not start within the deadline")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        thread.join(READY_DEADLINE)
        sock.close()


@pytest.fixture(scope="session")
def live_server() -> Iterator[tuple[Starlette, str]]:
    """One mock served over loopback HTTP for the whole test session."""
    app = create_app()
    with serve(app) as base_url:
        yield app, base_url


@pytest.fixture
def live_mock(live_server: tuple[Starlette, str]) -> Iterator[MockUnderTest]:
    """The live mock, reset to its fixtures, with a real HTTP client."""
    app, base_url = live_server
    with httpx.Client(base_url=base_url, timeout=10) as client:
        assert client.post("/__mock__/reset").status_code == 200
        yield MockUnderTest(app, target_environment(app, base_url), client)
