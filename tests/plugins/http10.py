"""A faithful variant of another framing: an HTTP/1.0-style front on loopback that answers
each request with an ``HTTP/1.0`` status line, no ``Content-Length`` and no chunking (the body
ends where the server closes the connection), one request per connection.

Raw sockets (a framework always frames its answers); every request is passed, with its body
read whole (``Content-Length`` or chunked), to a server behind it over ``http.client``.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from tests.plugins.check import free_port

#: The most the front reads of one request (the suite's largest body is just over 1 MiB).
MAX_REQUEST = 4 * 1024 * 1024
#: Headers of the answer behind that describe its framing, which the front does its own way.
FRAMING = {"content-length", "transfer-encoding", "connection", "keep-alive"}


@dataclass
class Http10Front:
    """The running front: where it listens, and how many answers it gave."""

    port: int
    answers: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)


def _read_head(conn: socket.socket) -> tuple[bytes, bytes] | None:
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        if not chunk or len(buffer) > MAX_REQUEST:
            return None
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    return head, rest


def _read_exactly(conn: socket.socket, have: bytes, size: int) -> bytes:
    while len(have) < size:
        chunk = conn.recv(min(65536, size - len(have)))
        if not chunk:
            break
        have += chunk
    return have


def _read_chunked(conn: socket.socket, have: bytes) -> bytes:
    body = b""
    while len(body) <= MAX_REQUEST:
        while b"\r\n" not in have:
            more = conn.recv(65536)
            if not more:
                return body
            have += more
        line, _, have = have.partition(b"\r\n")
        size = int(line.split(b";")[0].strip() or b"0", 16)
        have = _read_exactly(conn, have, size + 2)
        if size == 0:
            return body
        body += have[:size]
        have = have[size + 2 :]
    return body


def _serve(front: Http10Front, conn: socket.socket, upstream: int) -> None:
    with conn:
        got = _read_head(conn)
        if got is None:
            return
        head, rest = got
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = _read_chunked(conn, rest)
        else:
            body = _read_exactly(conn, rest, int(headers.get("content-length") or 0))
        sent = {k: v for k, v in headers.items() if k not in FRAMING}
        if body or method in ("POST", "PUT", "PATCH"):
            sent["content-length"] = str(len(body))
        inner = http.client.HTTPConnection("127.0.0.1", upstream, timeout=30)
        try:
            inner.request(method, target, body=body or None, headers=sent)
            answer = inner.getresponse()
            content = answer.read()
            status, reason, answered = answer.status, answer.reason, answer.getheaders()
        finally:
            inner.close()
        out = [f"HTTP/1.0 {status} {reason}"]
        out += [f"{k}: {v}" for k, v in answered if k.lower() not in FRAMING]
        out.append("Connection: close")
        conn.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + content)
        front.answers += 1
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_WR)


@contextlib.contextmanager
def http10_front(upstream: int) -> Iterator[Http10Front]:
    """Serve the front on a free loopback port until the block ends."""
    front = Http10Front(free_port())
    listener = socket.create_server(("127.0.0.1", front.port))
    listener.settimeout(0.2)

    def accept() -> None:
        while not front.stopping.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(30)
            threading.Thread(target=_serve, args=(front, conn, upstream), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield front
    finally:
        front.stopping.set()
        thread.join(timeout=5)
        listener.close()
