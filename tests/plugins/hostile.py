"""Hostile HTTP targets on loopback for the ``check`` command: huge, slow, throttling, resetting.

Raw sockets rather than an ASGI server, because these targets break HTTP on purpose (a reset in
the middle of an exchange, a header trickled byte by byte) where a framework would not let them.
Every server binds 127.0.0.1 on a free port, serves each connection on a daemon thread, records
what it received, and stops (waking any sleeping handler) when its block ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prevail_contract.spec.paths import REPO_ROOT
from tests.plugins import warm
from tests.plugins.check import check_command, clean_env, free_port

#: The Session id the hostile runs are given.
GIVEN_SESSION = "given-1"
#: A listed id that, used unescaped, would reach the mock's admin API.
HOSTILE_LISTED_ID = "../../../__mock__/reset?x="
#: A well-formed listed id of "the Organization without Self-Service".
LISTED_SESSION = "listed-1"


@dataclass
class Received:
    """One request as the hostile target read it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HostileTarget:
    """A running hostile target: its base URL, what it received, and its stop signal."""

    base_url: str
    received: list[Received] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def env(self, **extra: str) -> dict[str, str]:
        """``PREVAIL_*`` variables pointing a check run at this target."""
        return {
            "PREVAIL_BASE_URL": f"{self.base_url}/api/v1",
            "PREVAIL_SESSION_ID": GIVEN_SESSION,
            "PREVAIL_TOKEN": "hostile-run-token-0123456789",
            **extra,
        }


#: A handler answers one parsed request on the connection, or returns False to close it.
Handler = Callable[[HostileTarget, socket.socket, Received], bool]


def _read_request(conn: socket.socket, buffer: bytearray) -> Received | None:
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buffer += chunk
        if len(buffer) > 1 << 20:
            return None
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    body = bytearray(rest)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    buffer[:] = body[length:]
    return Received(method, path, headers, bytes(body[:length]))


def respond(
    conn: socket.socket,
    status: int,
    body: bytes,
    headers: dict[str, str] | None = None,
    *,
    method: str = "GET",
) -> None:
    """Send a complete response with a Content-Length (and, as HTTP has it, no body to HEAD)."""
    head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}"]
    head.append("Content-Type: application/json")
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + (b"" if method == "HEAD" else body))


def session_body(session_id: str, title: str = "Listed") -> bytes:
    """A success body holding one Session."""
    session = {"remote_session_id": session_id, "title": title, "state": "ready", "invites": []}
    return json.dumps({"sessions": [session]}).encode()


def reset(conn: socket.socket) -> None:
    """Close the connection with a TCP reset (SO_LINGER 0)."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _serve_connection(target: HostileTarget, conn: socket.socket, handler: Handler) -> None:
    buffer = bytearray()
    with contextlib.suppress(OSError):
        conn.settimeout(30)
        while not target.stopping.is_set():
            request = _read_request(conn, buffer)
            if request is None:
                break
            target.received.append(request)
            if not handler(target, conn, request):
                break
    with contextlib.suppress(OSError):
        conn.close()


@contextlib.contextmanager
def serve_hostile(handler: Handler) -> Iterator[HostileTarget]:
    """Serve ``handler`` on a free loopback port until the block ends."""
    port = free_port()
    listener = socket.create_server(("127.0.0.1", port))
    listener.settimeout(0.1)
    target = HostileTarget(f"http://127.0.0.1:{port}")

    def accept_loop() -> None:
        while not target.stopping.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(
                target=_serve_connection, args=(target, conn, handler), daemon=True
            ).start()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    try:
        yield target
    finally:
        target.stopping.set()
        thread.join(timeout=5)
        listener.close()


#: The preflight's probe body (``check/preflight.py``), refused with 422 by a correct server.
PREFLIGHT_BODY = b'{"remote_session": {}}'


def answer_reads(target: HostileTarget, conn: socket.socket, request: Received) -> bool | None:
    """The preflight's probe, the Session list and other reads, answered like the API would."""
    if request.method == "PATCH" and request.body == PREFLIGHT_BODY:
        error = {"code": "validation_failed", "messages": ["empty edit"], "details": []}
        respond(conn, 422, json.dumps(error).encode())
        return True
    if request.method != "GET":
        return None
    if request.path.startswith("/api/v1/sessions?") or request.path == "/api/v1/sessions":
        listed = [
            {"remote_session_id": HOSTILE_LISTED_ID, "title": "Trap", "state": "scheduled"},
            {"remote_session_id": LISTED_SESSION, "title": "Listed", "state": "scheduled"},
        ]
        respond(conn, 200, json.dumps({"sessions": listed}).encode())
        return True
    respond(conn, 200, session_body(GIVEN_SESSION))
    return True


@dataclass
class MeasuredRun:
    """A ``check`` run with its wall time, and its peak resident memory when it was measured."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mib: float | None


def run_check_measured(
    report_dir: Path,
    *args: str,
    env: dict[str, str],
    timeout: float = 120,
    memory: bool = False,
) -> MeasuredRun:
    """Run ``prevail-contract check`` and time it: forked warm, or with ``memory`` as a fresh
    process whose peak RSS ``os.wait4`` gives (a forked child's would count its parent's pages)."""
    report_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    if not memory:
        run = warm.start(check_command(report_dir, *args), clean_env(env))
        try:
            code = run.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            run.kill()
            code = run.wait()
        seconds = time.monotonic() - started
        said, complained = run.communicate()
        return MeasuredRun(code, said, complained, seconds, max_rss_mib=None)
    out_path, err_path = report_dir / "stdout.txt", report_dir / "stderr.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            check_command(report_dir, *args),
            stdout=out,
            stderr=err,
            cwd=REPO_ROOT,
            env=clean_env(env),
        )
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return MeasuredRun(
        returncode=proc.returncode,
        stdout=out_path.read_text(),
        stderr=err_path.read_text(),
        seconds=time.monotonic() - started,
        max_rss_mib=usage.ru_maxrss / 1024,  # KiB on Linux
    )


#: Sessions on one page of the endless list; with their invitees, about 0.9 MB of JSON.
ENDLESS_PAGE_SESSIONS = 100
#: The number of pages the endless list claims.
ENDLESS_PAGES = 10**9


def _endless_page_template() -> bytes:
    invites = [f"listed-{i:03d}-padding-padding-padding@example.com" for i in range(150)]
    sessions = [
        {
            "remote_session_id": f"endless-{n:03d}",
            "title": "Listed " + "x" * 90,
            "state": "scheduled",
            "invites": invites,
        }
        for n in range(ENDLESS_PAGE_SESSIONS)
    ]
    pagy = {"page": 0, "items": ENDLESS_PAGE_SESSIONS, "pages": ENDLESS_PAGES}
    return json.dumps({"sessions": sessions, "pagy": pagy}).encode()


ENDLESS_PAGE = _endless_page_template()


def endless_list(target: HostileTarget, conn: socket.socket, request: Received) -> bool:
    """Edits answered like the API; every ``GET /sessions`` page is ~0.9 MB and claims 10^9
    pages (the given Session is never listed, so each read pages as far as the run lets it)."""
    if request.method == "PATCH" and request.body == PREFLIGHT_BODY:
        error = {"code": "validation_failed", "messages": ["empty edit"], "details": []}
        respond(conn, 422, json.dumps(error).encode())
        return True
    if request.method == "GET" and request.path.split("?")[0].endswith("/sessions"):
        respond(conn, 200, ENDLESS_PAGE)
        return True
    respond(conn, 200, session_body(GIVEN_SESSION), method=request.method)
    return True
