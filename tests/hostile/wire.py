"""Raw HTTP/1.1 over a loopback socket, for requests no well-behaved client would send."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

#: Seconds any single read of a hostile test may wait.
READ_TIMEOUT = 15.0


@dataclass
class Reply:
    """One parsed HTTP response (or none, if the connection closed first)."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Target:
    """Where the served mock listens, and its credentials."""

    host: str
    port: int
    base_path: str
    env: dict[str, str]
    admin_token: str

    @classmethod
    def from_url(cls, url: str, env: dict[str, str], admin_token: str) -> Target:
        parts = urlsplit(env["PREVAIL_BASE_URL"])
        return cls(parts.hostname or "", parts.port or 80, parts.path, env, admin_token)

    def session_path(self, session_id: str | None = None) -> str:
        return f"{self.base_path}/sessions/{session_id or self.env['PREVAIL_SESSION_ID']}"

    def connect(self, timeout: float = READ_TIMEOUT) -> socket.socket:
        return socket.create_connection((self.host, self.port), timeout=timeout)


def request(
    method: str,
    path: str,
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    *,
    host: str | None = "mock",
    length: bool = True,
) -> bytes:
    """The bytes of one request; ``host`` None leaves the Host header out."""
    lines = [f"{method} {path} HTTP/1.1"]
    if host is not None:
        lines.append(f"Host: {host}")
    lines += [f"{name}: {value}" for name, value in headers or []]
    if length and body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Connection:
    """A socket that sends bytes and reads one response at a time (keep-alive aware)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""
        self.closed = False

    def send(self, data: bytes) -> bool:
        """Send ``data``; False if the mock has closed the connection."""
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            self.closed = True
            return False
        return True

    def _fill(self) -> bool:
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self.buffer += chunk
        return True

    def reply(self) -> Reply | None:
        """The next response, or None if the connection closed before one came."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                return None
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        size = int(headers.get("content-length", "0"))
        while len(rest) < size:
            self.buffer = head + b"\r\n\r\n" + rest
            if not self._fill():
                return None
            head, _, rest = self.buffer.partition(b"\r\n\r\n")
        self.buffer = rest[size:]
        return Reply(int(status_line.split()[1]), headers, rest[:size])

    def wait_closed(self, limit: float) -> float | None:
        """Seconds until the mock closes the connection, or None if it is open after ``limit``."""
        start = time.monotonic()
        self.sock.settimeout(0.2)
        while time.monotonic() - start < limit:
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.closed = True
                return time.monotonic() - start
            self.buffer += chunk
        return None


@contextmanager
def connection(target: Target, timeout: float = READ_TIMEOUT) -> Iterator[Connection]:
    sock = target.connect(timeout)
    try:
        yield Connection(sock)
    finally:
        sock.close()


def exchange(target: Target, data: bytes) -> Reply | None:
    """Send ``data`` on a new connection and read one response."""
    with connection(target) as conn:
        conn.send(data)
        return conn.reply()


def status(reply: Reply | None) -> int | None:
    """The reply's status, or None when the connection closed without one."""
    return None if reply is None else reply.status
