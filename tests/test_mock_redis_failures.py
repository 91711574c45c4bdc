"""The Redis store when Redis fails (issue 19, item 4): killed, paused or flushed under a running
mock, and down while the workers restart. Every answer is a 200 or a 503 ``store_unavailable``
with ``Retry-After``; the mock recovers without a restart; a world that vanished is loaded again
(the default one) or reported gone (a sandbox), never served empty. Each test runs its own
``redis-server`` so that it can kill and restart it on the same port."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from prevail_contract.mock import create_app, target_environment
from tests.plugins.check import free_port
from tests.plugins.mock import serve
from tests.plugins.redis_server import (
    DEADLINE,
    RedisServer,
    run_redis,
    serve_mock_process,
    worker_pids,
)

TITLE = {"remote_session": {"title": "Renamed while Redis was up"}}
#: Seconds a client waits for any one answer: far above the mock's store timeout, so a request
#: that hangs on a dead or paused Redis fails the test instead of stalling it.
CLIENT_TIMEOUT = 15.0


class Served:
    """An app served by uvicorn in a thread, with its variables and a client."""

    def __init__(self, root: str, env: dict[str, str]) -> None:
        self.root = root
        self.env = env
        self.client = httpx.Client(timeout=CLIENT_TIMEOUT)

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.env['PREVAIL_TOKEN']}"}

    def patch(self, body: Any = TITLE, token: str | None = None) -> httpx.Response:
        url = f"{self.env['PREVAIL_BASE_URL']}/sessions/{self.env['PREVAIL_SESSION_ID']}"
        return self.client.patch(url, json=body, headers=self.auth(token))

    def listed(self, token: str | None = None) -> httpx.Response:
        return self.client.get(f"{self.env['PREVAIL_BASE_URL']}/sessions", headers=self.auth(token))

    def admin(self, path: str) -> httpx.Response:
        return self.client.get(f"{self.root}/__mock__{path}")


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def served(port: int, tmp_path: Path) -> Iterator[tuple[Served, RedisServer]]:
    """A mock on a Redis of its own (no persistence); the Redis may be killed by the test."""
    with run_redis(tmp_path / "first", port=port) as server:
        app = create_app(store=server.url)
        with serve(app) as root:
            env = target_environment(app, root)
            mock = Served(root, env)
            try:
                yield mock, server
            finally:
                mock.client.close()


def _unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "store_unavailable"
    assert response.headers["retry-after"] == "1"


def test_redis_killed_answers_503_then_recovers_with_the_world_reloaded(
    served: tuple[Served, RedisServer], port: int, tmp_path: Path
) -> None:
    mock, server = served
    assert mock.patch().status_code == 200
    fixtures_title = mock.admin(f"/sessions/{mock.env['PREVAIL_SESSION_ID']}").json()
    assert fixtures_title["title"] == TITLE["remote_session"]["title"]
    server.process.kill()
    server.process.wait()
    # an edit, a list and an admin read: each a 503 naming the store, none a 500 or a hang
    _unavailable(mock.patch())
    _unavailable(mock.listed())
    _unavailable(mock.admin(f"/sessions/{mock.env['PREVAIL_SESSION_ID']}"))
    with run_redis(tmp_path / "second", port=port):  # back, empty (no persistence)
        # the same mock, not restarted: the vanished default world is loaded again
        listed = mock.listed()
        assert listed.status_code == 200, listed.text
        assert listed.json()["sessions"], "the world was served empty"
        stored = mock.admin(f"/sessions/{mock.env['PREVAIL_SESSION_ID']}").json()
        assert stored["title"] != TITLE["remote_session"]["title"]  # the fixtures' own
        assert mock.patch().status_code == 200


def test_paused_redis_answers_503_and_then_serves_again(
    served: tuple[Served, RedisServer],
) -> None:
    mock, server = served
    assert mock.listed().status_code == 200
    server.process.send_signal(signal.SIGSTOP)
    try:
        _unavailable(mock.listed())  # not a request stalled for as long as Redis is paused
        _unavailable(mock.patch())
    finally:
        server.process.send_signal(signal.SIGCONT)
    assert mock.patch().status_code == 200


def test_a_flushed_store_reloads_the_default_world_and_loses_the_sandbox(
    served: tuple[Served, RedisServer],
) -> None:
    mock, server = served
    created = mock.client.post(f"{mock.root}/__mock__/sandboxes")
    assert created.status_code == 201, created.text
    box = created.json()
    box_token = box["environment"]["PREVAIL_TOKEN"]
    assert mock.patch(token=box_token).status_code == 200
    client = redis.Redis.from_url(server.url)
    client.flushdb()
    client.close()
    gone = mock.patch(token=box_token)
    assert gone.status_code == 401  # its world went with the flush: not served empty
    assert "sandbox" in gone.json()["messages"]
    assert mock.admin(f"/sandboxes/{box['sandbox_id']}/outbox").status_code == 404
    listed = mock.listed()
    assert listed.status_code == 200
    assert listed.json()["sessions"], "the default world was served empty"
    assert mock.patch().status_code == 200


@pytest.mark.slow
def test_workers_restarting_while_redis_is_down_do_not_crash_loop(
    port: int, tmp_path: Path
) -> None:
    with (
        run_redis(tmp_path / "first", port=port) as server,
        serve_mock_process(server.url, workers=2) as mock,
    ):
        env = mock.env
        url = f"{env['PREVAIL_BASE_URL']}/sessions/{env['PREVAIL_SESSION_ID']}"
        headers = {"Authorization": f"Bearer {env['PREVAIL_TOKEN']}", "Connection": "close"}
        assert httpx.patch(url, json=TITLE, headers=headers).status_code == 200
        server.process.kill()
        server.process.wait()
        before = set(_workers(mock.process, 2))
        mock.process.send_signal(signal.SIGHUP)  # every worker replaced, Redis away
        stop_at = time.monotonic() + DEADLINE
        while set(_workers(mock.process, 2)) & before:
            assert time.monotonic() < stop_at, "the workers were not replaced"
            time.sleep(0.1)
        started = set(_workers(mock.process, 2))
        for _ in range(6):  # answered, by workers that stay up
            _unavailable(httpx.get(url.rsplit("/", 1)[0], headers=headers, timeout=10))
            time.sleep(0.5)
        assert set(_workers(mock.process, 2)) == started, "the workers crashed and respawned"
        with run_redis(tmp_path / "second", port=port):
            response = httpx.patch(url, json=TITLE, headers=headers, timeout=10)
            assert response.status_code == 200, response.text


def _workers(process: subprocess.Popen[bytes], count: int) -> list[int]:
    stop_at = time.monotonic() + DEADLINE
    while len(pids := worker_pids(process)) < count:
        assert time.monotonic() < stop_at, f"only {len(pids)} of {count} workers are up"
        time.sleep(0.1)
    return pids
