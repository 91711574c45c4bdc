"""Benchmark: the mock's valid PATCHes per second at 50 connections on each store, and the
cost of creating a sandbox.

Starts a throw-away ``redis-server`` (no persistence) on a free loopback port, then serves
``prevail-contract mock`` three ways in turn: in-memory with 1 worker, Redis with 1 worker,
Redis with 2 workers, and drives each with the documented valid PATCH using bench_mock's
raw-socket load generator. Prints requests/s, p50 and p99 side by side, then times
``POST /__mock__/sandboxes`` (sequential, one keep-alive connection) on the in-memory and the
Redis store.

    .venv/bin/python benchmarks/bench_store.py [--duration 5] [--connections 50] [--sandboxes 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
from bench_mock import Result, Target, free_port, load, stop

START_DEADLINE = 60.0


@contextmanager
def redis_server() -> Iterator[str]:
    executable = shutil.which("redis-server")
    if executable is None:
        raise SystemExit("redis-server is not installed: apt-get install -y redis-server")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", tmp, "--logfile", f"{tmp}/redis.log"]
        process = subprocess.Popen(command)  # noqa: S603 - the Debian binary on PATH
        try:
            import redis

            client = redis.Redis(port=port)
            deadline = time.monotonic() + START_DEADLINE
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("redis-server did not start") from None
                    time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
            client.flushall()
        finally:
            stop(process)


@contextmanager
def mock(name: str, store: str, workers: int) -> Iterator[tuple[Target, str]]:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env_file = Path(tmp) / "mock.env"
        command = [sys.executable, "-m", "prevail_contract", "mock", "--port", str(port)]
        command += ["--store", store, "--workers", str(workers), "--env-file", str(env_file)]
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        root = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_DEADLINE
            while True:
                try:
                    if httpx.get(f"{root}/__mock__/outbox", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start")
                time.sleep(0.1)
            env = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
            path = env["PREVAIL_BASE_URL"].split(f":{port}", 1)[1]
            path += f"/sessions/{env['PREVAIL_SESSION_ID']}"
            yield Target(name, "127.0.0.1", port, path, env["PREVAIL_TOKEN"]), root
        finally:
            stop(process)


def sandbox_cost(root: str, count: int) -> tuple[float, float]:
    """Mean and p99 milliseconds of ``count`` sandbox creations (each deleted afterwards)."""
    times: list[float] = []
    ids: list[str] = []
    with httpx.Client(base_url=root, timeout=30) as client:
        for _ in range(count):
            start = time.perf_counter()
            response = client.post("/__mock__/sandboxes")
            times.append(time.perf_counter() - start)
            assert response.status_code == 201, response.text
            ids.append(response.json()["sandbox_id"])
        for sandbox_id in ids:
            client.delete(f"/__mock__/sandboxes/{sandbox_id}")
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return sum(times) / len(times) * 1000, p99 * 1000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds measured per run")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before measuring")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--sandboxes", type=int, default=200, help="sandbox creations timed")
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    results: list[Result] = []
    costs: dict[str, tuple[float, float]] = {}
    with redis_server() as url:
        for name, store, workers in (
            ("memory, 1 worker", "memory", 1),
            ("redis, 1 worker", url, 1),
            ("redis, 2 workers", url, 2),
        ):
            with mock(name, store, workers) as (target, root):
                result = asyncio.run(load(target, args.connections, args.duration, args.warmup))
                results.append(result)
                if workers == 1:
                    costs[name.split(",")[0]] = sandbox_cost(root, args.sandboxes)
    print(f"\nvalid PATCH, {args.connections} keep-alive connections, {args.duration:g} s each")
    print(f"{'store':<18} | {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} | non-200")
    for r in results:
        print(
            f"{r.target:<18} | {r.rps:8.0f} {r.percentile(0.5):7.2f} {r.percentile(0.99):7.2f} "
            f"| {r.errors}"
        )
    print(f"\nsandbox creation (POST /__mock__/sandboxes, {args.sandboxes} in a row)")
    for store, (mean, p99) in costs.items():
        print(f"{store:<18} | mean {mean:6.2f} ms  p99 {p99:6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
