"""Benchmark: valid Edit Sessions PATCHes per second and latency, our mock vs Prism.

Runs ``prevail-contract mock`` (uvicorn) and ``prism mock openapi/openapi.yaml`` (the pinned
@stoplight/prism-cli) as separate processes on free loopback ports, then drives each with the
same valid request at 1 and 50 concurrent keep-alive connections and prints requests/s,
p50 and p99 latency side by side with the ratio. The load generator is a small asyncio
HTTP/1.1 client (one coroutine per connection, raw sockets, no parsing beyond status line,
Content-Length and chunked framing) so that the client is not the bottleneck; httpx costs
several times more per request.

    .venv/bin/python benchmarks/bench_mock.py [--duration 5] [--connections 1,50] [--no-prism]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRISM = REPO / "node_modules" / ".bin" / "prism"
SPEC = REPO / "openapi" / "openapi.yaml"
START_DEADLINE = 60.0
BODY = json.dumps(
    {
        "remote_session": {
            "title": "Example Remote Session Edited",
            "start_time": "02:30 PM",
            "start_date": "2025-01-30",
            "time_zone": "Pacific Time (US & Canada)",
            "invites": ["amethyst@example.com"],
        }
    }
).encode()


@dataclass
class Target:
    """A running server: its name, host, port, request path and token."""

    name: str
    host: str
    port: int
    path: str
    token: str


@dataclass
class Result:
    """One load run."""

    target: str
    connections: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with status {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on port {port} within {START_DEADLINE:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def our_mock() -> Iterator[Target]:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env_file = Path(tmp) / "mock.env"
        command = [sys.executable, "-m", "prevail_contract", "mock", "--port", str(port)]
        command += ["--env-file", str(env_file)]
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            wait_for_port(port, process, "prevail-contract mock")
            env = dict(
                line.split("=", 1) for line in env_file.read_text(encoding="utf-8").splitlines()
            )
            path = env["PREVAIL_BASE_URL"].split(f":{port}", 1)[1]
            yield Target(
                "ours (uvicorn)",
                "127.0.0.1",
                port,
                f"{path}/sessions/{env['PREVAIL_SESSION_ID']}",
                env["PREVAIL_TOKEN"],
            )
        finally:
            stop(process)


@contextmanager
def prism(token: str) -> Iterator[Target]:
    if not PRISM.exists():
        raise RuntimeError(f"{PRISM} is missing; run `npm ci`")
    port = free_port()
    command = [str(PRISM), "mock", str(SPEC), "-p", str(port), "-h", "127.0.0.1"]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        try:
            wait_for_port(port, process, "prism")
        except RuntimeError as exc:
            log.seek(0)
            tail = log.read().decode("utf-8", "replace")[-3000:]
            raise RuntimeError(f"{exc}\n--- prism output ---\n{tail}") from exc
        # Prism serves the paths without the servers' base path.
        yield Target(
            "prism 5.14.2", "127.0.0.1", port, "/sessions/example-remote-session-id", token
        )
    finally:
        stop(process)
        log.close()


def request_bytes(target: Target) -> bytes:
    head = (
        f"PATCH {target.path} HTTP/1.1\r\n"
        f"Host: {target.host}:{target.port}\r\n"
        f"Authorization: Bearer {target.token}\r\n"
        "Content-Type: application/json\r\n"
        "Accept: application/json\r\n"
        f"Content-Length: {len(BODY)}\r\n\r\n"
    )
    return head.encode() + BODY


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response; return its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = None
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def load(target: Target, connections: int, duration: float, warmup: float) -> Result:
    payload = request_bytes(target)
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}
    start = time.perf_counter()
    measure_from = start + warmup
    end = measure_from + duration

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(target.host, target.port)
        try:
            while True:
                sent = time.perf_counter()
                if sent >= end:
                    return
                writer.write(payload)
                status = await read_response(reader)
                done = time.perf_counter()
                if sent >= measure_from:
                    latencies.append(done - sent)
                    counts["ok" if status == 200 else "errors"] += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return Result(target.name, connections, counts["ok"], counts["errors"], duration, latencies)


def run_all(
    targets: Sequence[Target], connections: Sequence[int], duration: float, warmup: float
) -> list[Result]:
    results = []
    for target in targets:
        for n in connections:
            result = asyncio.run(load(target, n, duration, warmup))
            results.append(result)
            print(
                f"  {result.target:<16} {n:>4} conn  {result.rps:9.0f} req/s  "
                f"p50 {result.percentile(0.50):7.2f} ms  p99 {result.percentile(0.99):7.2f} ms  "
                f"non-200: {result.errors}",
                flush=True,
            )
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds measured per run")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before measuring")
    parser.add_argument("--connections", default="1,50", help="comma-separated, e.g. 1,50")
    parser.add_argument("--no-prism", action="store_true", help="only benchmark our mock")
    parser.add_argument("--json", type=Path, help="also write the figures there as JSON")
    args = parser.parse_args(argv)
    connections = [int(c) for c in args.connections.split(",")]
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"request: PATCH with the documented example body ({len(BODY)} bytes)")
    results: list[Result] = []
    prism_problem = None
    with our_mock() as ours:
        results += run_all([ours], connections, args.duration, args.warmup)
        token = ours.token
    if not args.no_prism:
        try:
            with prism(token) as theirs:
                results += run_all([theirs], connections, args.duration, args.warmup)
        except RuntimeError as exc:
            prism_problem = str(exc)
            print(f"Prism could not be benchmarked: {exc}")
    print()
    print(
        f"{'connections':>11} | {'ours req/s':>10} {'p50 ms':>7} {'p99 ms':>7} | "
        f"{'prism req/s':>11} {'p50 ms':>7} {'p99 ms':>7} | ratio"
    )
    for n in connections:
        mine = next(r for r in results if r.connections == n and r.target.startswith("ours"))
        other = next(
            (r for r in results if r.connections == n and r.target.startswith("prism")), None
        )
        p50, p99 = mine.percentile(0.5), mine.percentile(0.99)
        line = f"{n:>11} | {mine.rps:10.0f} {p50:7.2f} {p99:7.2f} | "
        if other is not None:
            ratio = mine.rps / other.rps if other.rps else float("inf")
            line += (
                f"{other.rps:11.0f} {other.percentile(0.5):7.2f} {other.percentile(0.99):7.2f} | "
                f"{ratio:.2f}x"
            )
        else:
            line += f"{'n/a':>11} {'':>7} {'':>7} | n/a"
        print(line)
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "results": [
                        {
                            "target": r.target,
                            "connections": r.connections,
                            "rps": round(r.rps, 1),
                            "p50_ms": round(r.percentile(0.5), 3),
                            "p99_ms": round(r.percentile(0.99), 3),
                            "non_200": r.errors,
                        }
                        for r in results
                    ],
                    "prism_problem": prism_problem,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
