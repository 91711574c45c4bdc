"""Fixtures for the Redis store's tests: a real ``redis-server`` on a free loopback port, and
the mock served by ``prevail-contract mock --workers N`` on it.

Without ``redis-server`` the tests that need it skip loudly, and fail when ``CI`` is set.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis

from prevail_contract.spec.paths import REPO_ROOT
from tests.plugins.check import clean_env, free_port

#: Seconds a server may take to start or stop.
DEADLINE = 30.0
INSTALL_HINT = (
    "redis-server is not installed, so the Redis store tests cannot run. Install it with "
    "`apt-get update && apt-get install -y redis-server` (Debian/Ubuntu; `.ci/run` does this "
    "in CI)"
)


@dataclass
class RedisServer:
    """A running ``redis-server`` and the URL of its database 0."""

    url: str
    port: int
    directory: Path
    process: subprocess.Popen[bytes]


def require_redis_server() -> str:
    """The ``redis-server`` executable; a loud skip where it is missing, a failure under CI."""
    found = shutil.which("redis-server")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {INSTALL_HINT}")
        print(f"\n*** SKIPPING THE REDIS STORE TESTS: {INSTALL_HINT} ***")
        pytest.skip(INSTALL_HINT)
    return found


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def run_redis(
    directory: Path, *, append_only: bool = False, port: int = 0
) -> Iterator[RedisServer]:
    """``redis-server`` on 127.0.0.1 (a free port unless given), data in ``directory``."""
    executable = require_redis_server()
    port = port or free_port()
    directory.mkdir(parents=True, exist_ok=True)
    command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "yes" if append_only else "no", "--dir", str(directory)]
    command += ["--logfile", str(directory / "redis.log")]
    process = subprocess.Popen(command)  # noqa: S603 - the Debian binary found on PATH
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        stop_at = time.monotonic() + DEADLINE
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > stop_at:
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.05)
        client.close()
        yield RedisServer(url, port, directory, process)
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One ``redis-server`` (no persistence) for the whole test session."""
    with run_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The shared server's URL, its database emptied for this test."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    client.close()
    return redis_server.url


@dataclass
class ServedMock:
    """``prevail-contract mock`` in a subprocess: its variables, root URL and process."""

    env: dict[str, str]
    root: str
    process: subprocess.Popen[bytes]


@contextmanager
def serve_mock_process(store: str, *args: str, workers: int = 1) -> Iterator[ServedMock]:
    """Run ``prevail-contract mock --store STORE --workers N`` until the block ends."""
    env_file = Path(os.environ.get("TMPDIR", "/tmp")) / f"prevail-mock-{free_port()}.env"  # noqa: S108
    command = [sys.executable, "-m", "prevail_contract", "mock", "--port", "0"]
    command += ["--store", store, "--workers", str(workers), "--env-file", str(env_file), *args]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command, cwd=REPO_ROOT, env=clean_env(), stdout=subprocess.DEVNULL
    )
    try:
        stop_at = time.monotonic() + DEADLINE
        while not env_file.exists() or not env_file.read_text().endswith("\n"):
            if process.poll() is not None or time.monotonic() > stop_at:
                raise RuntimeError(f"the mock did not start: exit status {process.poll()}")
            time.sleep(0.05)
        env = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        root = env["PREVAIL_BASE_URL"].removesuffix("/api/v1")
        wait_ready(root, process)
        yield ServedMock(env, root, process)
    finally:
        _stop(process)
        env_file.unlink(missing_ok=True)


def wait_ready(root: str, process: subprocess.Popen[bytes]) -> None:
    """Wait until the mock at ``root`` answers its admin API."""
    stop_at = time.monotonic() + DEADLINE
    while True:
        try:
            if httpx.get(f"{root}/__mock__/outbox", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > stop_at:
            raise RuntimeError(f"the mock at {root} did not answer within {DEADLINE:g} s")
        time.sleep(0.05)


def worker_pids(process: subprocess.Popen[bytes]) -> list[int]:
    """uvicorn's worker processes under ``process`` (spawned children, not helpers such as
    multiprocessing's resource tracker), from /proc."""
    path = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    pids = [int(p) for p in path.read_text().split()] if path.exists() else []
    return [pid for pid in pids if b"spawn_main" in _cmdline(pid)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
