"""Benchmark: the served mock under the hostile loads of issue 19 (items 1 to 4), measured.

Each scenario starts ``prevail-contract mock`` (a subprocess, free loopback port), runs one
attack with a bystander client that lists Sessions every 20 ms on its own keep-alive
connection, and prints what was answered, how long it took, the bystander's median and worst
latency and the mock's resident memory (peak of ``VmRSS`` sampled every 0.1 s, all processes
of the mock). Scenarios:

- ``invites``: PATCH bodies whose ``invites`` hold 20,000 and 520,000 numbers (1 MiB);
- ``pipeline``: one connection sends pipelined requests for ``--flood`` seconds and never
  reads an answer;
- ``alias``: a 1.2 KB YAML alias bomb and a ~95 KB merge-key document posted as sandbox
  fixtures;
- ``redis`` (needs ``redis-server``): ``--store redis --workers 2`` while Redis is killed and
  restarted without persistence under load, paused (SIGSTOP), and down while workers restart.

    .venv/bin/python benchmarks/bench_hostile_mock.py [--only invites,pipeline,alias,redis]
        [--flood 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
START_DEADLINE = 60.0
#: Any single answer waited for at most this long.
ANSWER_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Mock:
    """A served mock: its root URL, ``PREVAIL_*`` variables, process and stderr file."""

    root: str
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    stderr: Path

    @property
    def base_path(self) -> str:
        return "/api/v1"

    def session_path(self) -> str:
        return f"{self.base_path}/sessions/{self.env['PREVAIL_SESSION_ID']}"

    def pids(self) -> list[int]:
        """The mock's process and its children (uvicorn workers)."""
        out = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            out += [int(p) for p in children.read_text().split()]
        return out

    def rss_mib(self) -> float:
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                continue
        return total / 1024


@contextmanager
def served(*args: str, wait_ready: bool = True) -> Iterator[Mock]:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env_file, err_file = Path(tmp) / "mock.env", Path(tmp) / "stderr.txt"
        command = [sys.executable, "-m", "prevail_contract", "mock", "--port", str(port)]
        command += ["--env-file", str(env_file), *args]
        with err_file.open("wb") as err:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                command, stdout=subprocess.DEVNULL, stderr=err, cwd=REPO
            )
        try:
            deadline = time.monotonic() + START_DEADLINE
            while not env_file.exists() or not env_file.read_text().endswith("\n"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"mock did not start: {err_file.read_text()[-2000:]}")
                time.sleep(0.05)
            env = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
            mock = Mock(f"http://127.0.0.1:{port}", port, env, process, err_file)
            while wait_ready:
                try:
                    if request(mock, "GET", "/__mock__/outbox", timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("mock did not answer")
                time.sleep(0.05)
            yield mock
        finally:
            stop(process)
            mock_err = err_file.read_text(errors="replace") if err_file.exists() else ""
            tracebacks = mock_err.count("Traceback")
            if tracebacks:
                print(f"    (mock stderr: {tracebacks} tracebacks)")


def request(
    mock: Mock,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = ANSWER_TIMEOUT,
    read_limit: int = 256 * 1024 * 1024,
    keep: int = 300,
) -> tuple[int, int, bytes]:
    """(status, body bytes received, the first ``keep`` bytes of the body), new connection."""
    conn = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        size, head = 0, b""
        while size < read_limit:
            chunk = response.read(1 << 16)
            if not chunk:
                break
            if len(head) < keep:
                head += chunk[: keep - len(head)]
            size += len(chunk)
        return response.status, size, head
    finally:
        conn.close()


def auth(mock: Mock) -> dict[str, str]:
    return {"Authorization": f"Bearer {mock.env['PREVAIL_TOKEN']}"}


@dataclass
class Bystander:
    """Lists Sessions every ``period`` s on one keep-alive connection; records latencies."""

    mock: Mock
    period: float = 0.02
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def _run(self) -> None:
        conn: http.client.HTTPConnection | None = None
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.mock.port, timeout=30)
                conn.request("GET", f"{self.mock.base_path}/sessions", headers=auth(self.mock))
                response = conn.getresponse()
                response.read()
                self.statuses[response.status] += 1
            except (OSError, http.client.HTTPException):
                self.failures += 1
                if conn is not None:
                    conn.close()
                conn = None
            self.latencies.append(time.monotonic() - started)
            time.sleep(self.period)
        if conn is not None:
            conn.close()

    @contextmanager
    def running(self) -> Iterator[Bystander]:
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join(60)

    def summary(self) -> str:
        if not self.latencies:
            return "bystander: no request completed"
        ms = sorted(x * 1000 for x in self.latencies)
        over = sum(1 for x in self.latencies if x > 0.5)
        return (
            f"bystander: {len(ms)} requests, median {statistics.median(ms):.1f} ms, "
            f"max {ms[-1]:.0f} ms, {over} over 0.5 s, statuses {dict(self.statuses)}, "
            f"{self.failures} failed"
        )


@dataclass
class MemoryWatch:
    """Samples the mock's resident memory every 0.1 s."""

    mock: Mock
    peak: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    @contextmanager
    def running(self) -> Iterator[MemoryWatch]:
        def sample() -> None:
            while not self._stop.is_set():
                self.peak = max(self.peak, self.mock.rss_mib())
                time.sleep(0.1)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join(5)


# -- item 1 --------------------------------------------------------------------------------


def invites_body(count: int) -> bytes:
    return b'{"remote_session":{"invites":[' + b",".join([b"1"] * count) + b"]}}"


def scenario_invites(args: argparse.Namespace) -> None:
    print("== invites: one PATCH whose invites hold N numbers, a bystander listing meanwhile")
    with served() as mock:
        for count in (20_000, 520_000):
            body = invites_body(count)
            headers = {**auth(mock), "Content-Type": "application/json"}
            with Bystander(mock).running() as bystander:
                time.sleep(0.3)
                started = time.monotonic()
                status, size, head = request(mock, "PATCH", mock.session_path(), body, headers)
                took = time.monotonic() - started
                time.sleep(0.3)
            print(
                f"  {count:,} numbers ({len(body):,} bytes): {status} after {took:.2f} s, "
                f"answer {size:,} bytes {head[:80]!r}"
            )
            print(f"    {bystander.summary()}")


# -- item 2 --------------------------------------------------------------------------------


def scenario_pipeline(args: argparse.Namespace) -> None:
    print(
        f"== pipeline: {args.pipes} connection(s) pipeline requests for {args.flood:g} s, "
        "reading nothing"
    )
    with served() as mock:
        token = mock.env["PREVAIL_TOKEN"]
        one = (
            f"GET {mock.base_path}/sessions HTTP/1.1\r\nHost: m\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
        batch = one * 200
        baseline = mock.rss_mib()
        sent = [0] * args.pipes

        def flood(index: int) -> None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before the handshake
            sock.connect(("127.0.0.1", mock.port))
            sock.settimeout(0.5)
            stop_at = time.monotonic() + args.flood
            while time.monotonic() < stop_at:
                try:
                    sent[index] += sock.send(batch)
                except TimeoutError:
                    continue
                except OSError:
                    break
            time.sleep(1.0)
            sock.close()

        with MemoryWatch(mock).running() as memory, Bystander(mock).running() as bystander:
            time.sleep(0.5)
            threads = [threading.Thread(target=flood, args=(i,)) for i in range(args.pipes)]
            for thread in threads:
                thread.start()
            time.sleep(args.flood + 0.5)
            during = mock.rss_mib()
            for thread in threads:
                thread.join()
            time.sleep(2.0)
        total = sum(sent)
        print(
            f"  sent {total / 2**20:.1f} MiB of pipelined requests ({total // len(one):,}); "
            f"RSS {baseline:.0f} MB before, peak {memory.peak:.0f} MB, {during:.0f} MB at the "
            f"end, {mock.rss_mib():.0f} MB 2 s after the close"
        )
        print(f"    {bystander.summary()}")


# -- item 3 --------------------------------------------------------------------------------


def alias_bomb() -> bytes:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append("organizations:")
    lines.append("  - {slug: x, api_key: k, self_service: true}")
    lines.append("sessions:")
    lines.append("  - {remote_session_id: s, organization: x, state: scheduled, invites: *a8}")
    lines.append("targets: {}")
    return ("\n".join(lines) + "\n").encode()


def merge_document(count: int) -> bytes:
    base = (
        "organizations:\n"
        "  - {slug: a, self_service: true}\n"
        "  - {slug: b, self_service: false}\n"
        "s: &s {from_example: EditResponseDocumented, organization: a, state: scheduled}\n"
        "sessions:\n"
    )
    rows = "".join(f"  - {{<<: *s, remote_session_id: s{i}}}\n" for i in range(count - 2))
    rows += "  - {<<: *s, remote_session_id: locked, state: active}\n"
    rows += "  - {<<: *s, remote_session_id: theirs, organization: b}\n"
    targets = (
        "targets: {organization: a, session: s0, locked_session: locked, "
        "foreign_session: theirs, no_self_service_organization: b}\n"
    )
    return (base + rows + targets).encode()


def scenario_alias(args: argparse.Namespace) -> None:
    print("== alias: sandbox fixtures documents with YAML aliases and merge keys")
    with served() as mock:
        for name, body in (("alias bomb", alias_bomb()), ("merge keys", merge_document(12_004))):
            with Bystander(mock).running() as bystander, MemoryWatch(mock).running() as memory:
                time.sleep(0.3)
                started = time.monotonic()
                status, size, head = request(mock, "POST", "/__mock__/sandboxes", body)
                took = time.monotonic() - started
                time.sleep(0.3)
            print(
                f"  {name} ({len(body):,} bytes): {status} after {took:.2f} s, answer "
                f"{size:,} bytes {head[:100]!r}; RSS peak {memory.peak:.0f} MB"
            )
            print(f"    {bystander.summary()}")


# -- item 4 --------------------------------------------------------------------------------


@contextmanager
def redis_server(port: int, directory: Path) -> Iterator[subprocess.Popen[bytes]]:
    executable = shutil.which("redis-server")
    if executable is None:
        raise SystemExit("redis-server is not installed: apt-get install -y redis-server")
    command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--dir", str(directory)]
    command += ["--logfile", str(directory / "redis.log")]
    process = subprocess.Popen(command)  # noqa: S603 - the Debian binary on PATH
    try:
        deadline = time.monotonic() + START_DEADLINE
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@dataclass
class Load:
    """Threads editing (a fresh invite each) and listing until stopped; answers recorded."""

    mock: Mock
    threads: int = 4
    statuses: Counter[str] = field(default_factory=Counter)
    slowest: float = 0.0
    accepted: list[tuple[float, str]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _work(self, worker: int) -> None:
        n = 0
        headers = {**auth(self.mock), "Content-Type": "application/json"}
        while not self._stop.is_set():
            n += 1
            email = f"load-{worker}-{n}@example.com"
            body = json.dumps({"remote_session": {"invites": [email]}}).encode()
            for method, path, data in (
                ("PATCH", self.mock.session_path(), body),
                ("GET", f"{self.mock.base_path}/sessions", None),
            ):
                started = time.monotonic()
                try:
                    status, _, head = request(self.mock, method, path, data, headers, timeout=30)
                    code = json.loads(head).get("code", "") if status >= 400 else ""
                    key = f"{status} {code}".strip()
                except (OSError, http.client.HTTPException, ValueError) as exc:
                    key, status = f"no answer ({type(exc).__name__})", 0
                self.slowest = max(self.slowest, time.monotonic() - started)
                self.statuses[key] += 1
                if method == "PATCH" and status == 200:
                    self.accepted.append((started, email))
            time.sleep(0.01)

    @contextmanager
    def running(self) -> Iterator[Load]:
        workers = [
            threading.Thread(target=self._work, args=(i,), daemon=True) for i in range(self.threads)
        ]
        for thread in workers:
            thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            for thread in workers:
                thread.join(60)


def scenario_redis(args: argparse.Namespace) -> None:
    print("== redis: --store redis --workers 2; Redis killed and restarted empty under load")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        first = redis_server(port, Path(tmp))
        process = first.__enter__()
        store = f"redis://127.0.0.1:{port}/0"
        with served("--store", store, "--workers", "2") as mock, Load(mock).running() as load:
            time.sleep(3)
            process.kill()
            process.wait()
            killed = time.monotonic()
            time.sleep(3)
            with redis_server(port, Path(tmp)) as again:
                restarted = time.monotonic()
                time.sleep(5)
                load._stop.set()
                time.sleep(1)
                status, _, head = request(
                    mock, "GET", f"/__mock__/sessions/{mock.env['PREVAIL_SESSION_ID']}"
                )
                world = f"{status} {head[:60]!r}"
                _, _, stored = request(
                    mock,
                    "GET",
                    f"/__mock__/sessions/{mock.env['PREVAIL_SESSION_ID']}",
                    keep=1 << 24,
                )
                invited = (
                    set(json.loads(stored).get("invites") or [])
                    if stored.startswith(b"{")
                    else set()
                )
                after = [email for at, email in load.accepted if at > restarted]
                kept = sum(1 for email in after if email in invited)
                listed = request(mock, "GET", f"{mock.base_path}/sessions", None, auth(mock))
                print(
                    f"  answers: {dict(load.statuses)}; slowest {load.slowest:.2f} s "
                    f"(Redis down {restarted - killed:.1f} s)"
                )
                print(f"  after the restart: admin read of the target Session {world}")
                print(f"  edits answered 200 after the restart: {len(after)}, stored: {kept}")
                print(f"  list after the restart: {listed[0]} {listed[2][:80]!r}")
                # paused Redis: how long does a request wait?
                again.send_signal(signal.SIGSTOP)
                started = time.monotonic()
                try:
                    status, _, head = request(
                        mock, "GET", f"{mock.base_path}/sessions", None, auth(mock), timeout=30
                    )
                    paused = f"{status} {head[:60]!r}"
                except OSError as exc:
                    paused = f"no answer ({type(exc).__name__})"
                took = time.monotonic() - started
                again.send_signal(signal.SIGCONT)
                print(f"  Redis paused (SIGSTOP): list answered {paused} after {took:.2f} s")
                # Redis down while the workers restart (SIGHUP)
                again.kill()
                again.wait()
                mock.process.send_signal(signal.SIGHUP)
                time.sleep(6)
                started = time.monotonic()
                try:
                    status, _, head = request(
                        mock, "GET", f"{mock.base_path}/sessions", None, auth(mock), timeout=15
                    )
                    down = f"{status} {head[:70]!r}"
                except OSError as exc:
                    down = f"no answer ({type(exc).__name__})"
                took = time.monotonic() - started
                tracebacks = mock.stderr.read_text(errors="replace").count("Traceback")
                print(
                    f"  Redis down while workers restart: list answered {down} after "
                    f"{took:.2f} s; {tracebacks} tracebacks in 6 s"
                )


SCENARIOS = {
    "invites": scenario_invites,
    "pipeline": scenario_pipeline,
    "alias": scenario_alias,
    "redis": scenario_redis,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios")
    parser.add_argument("--flood", type=float, default=8.0, help="pipelining flood, seconds")
    parser.add_argument("--pipes", type=int, default=1, help="pipelining connections")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name in args.only.split(","):
        SCENARIOS[name.strip()](args)


if __name__ == "__main__":
    main()
