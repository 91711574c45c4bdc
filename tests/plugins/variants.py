"""Faithful variants of the mock: servers that differ from it only where the contract leaves
freedom (throttling, message texts, extra response members, how answers are framed, encoded
and escaped), served on loopback.

Each variant is an ASGI wrapper around ``create_app``; a contract run against it under
``--strict`` must pass, which proves the suite raises no false alarm on that freedom.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import random
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.plugins.check import LiveMock, serve_mock
from tests.plugins.flaky import read_body, replay

ADMIN_PREFIX = "/__mock__/"


def _is_api(scope: Scope) -> bool:
    return scope["type"] == "http" and not str(scope.get("path", "")).startswith(ADMIN_PREFIX)


class Throttled:
    """Answers every ``every``-th API request 429 with ``Retry-After`` (the rest as the mock);
    with ``only``, just the requests whose path contains it are counted and throttled."""

    def __init__(
        self, app: ASGIApp, *, every: int = 20, status: int = 429, only: str | None = None
    ) -> None:
        self.app, self.every, self.status, self.only = app, every, status, only
        self.count = 0
        self.throttled = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _is_api(scope) and (self.only is None or self.only in str(scope.get("path"))):
            with self._lock:
                self.count += 1
                hit = self.count % self.every == 0
                self.throttled += hit
            if hit:
                body = json.dumps({"code": "rate_limited", "messages": "Slow down."}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": self.status,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"retry-after", b"1"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


Headers = list[tuple[bytes, bytes]]


#: Seconds a write of the simultaneous-invite probe is held by ``OneWriteAtATime``.
HOLD_SIMULTANEOUS = 0.5


class OneWriteAtATime:
    """Refuses a write to a Session while another write to it is in flight, with 409 in the
    API's error shape (optimistic locking: a faithful server may refuse simultaneous edits)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.busy: set[str] = set()
        self.refused = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if not _is_api(scope) or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        with self._lock:
            clash = path in self.busy
            self.refused += clash
            self.busy.add(path)
        if not clash:
            # the mock answers a write without yielding: hold the suite's simultaneous invites
            # (their addresses start so) a moment, so that they meet here under any load
            body = await read_body(receive)
            receive = replay(body, receive)
            if b'"together-' in body or b'"twin-' in body:
                await asyncio.sleep(HOLD_SIMULTANEOUS)
        if clash:
            body = json.dumps(
                {"code": "edit_conflict", "messages": "Another change is being saved."}
            ).encode()
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 409, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        try:
            await self.app(scope, receive, send)
        finally:
            with self._lock:
                self.busy.discard(path)


class WholeAnswer:
    """Base of the wrappers that change a whole API answer: :meth:`change` gets its status,
    headers and body and gives the headers and the body pieces to send instead."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        #: API answers changed so far (a run against the variant must have met it).
        self.answers = 0

    def change(self, status: int, headers: Headers, raw: bytes) -> tuple[Headers, list[bytes]]:
        raise NotImplementedError

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_api(scope):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            self.answers += 1
            headers, pieces = self.change(
                int(start["status"]), list(start.get("headers", [])), b"".join(chunks)
            )
            await send({**start, "headers": headers})
            pieces = pieces or [b""]
            for index, piece in enumerate(pieces):
                more = index < len(pieces) - 1
                await send({"type": "http.response.body", "body": piece, "more_body": more})

        await self.app(scope, receive, capture)


def _without(headers: Headers, *names: bytes) -> Headers:
    return [(k, v) for k, v in headers if k.lower() not in names]


def _sized(headers: Headers, raw: bytes) -> Headers:
    return [*_without(headers, b"content-length"), (b"content-length", str(len(raw)).encode())]


class RewrittenJson(WholeAnswer):
    """Passes every API answer's JSON body through ``rewrite`` (e.g. other texts, extra fields)."""

    def __init__(self, app: ASGIApp, rewrite: Callable[[int, Any], Any]) -> None:
        super().__init__(app)
        self.rewrite = rewrite

    def change(self, status: int, headers: Headers, raw: bytes) -> tuple[Headers, list[bytes]]:
        with contextlib.suppress(ValueError):
            raw = json.dumps(self.rewrite(status, json.loads(raw))).encode()
        return _sized(headers, raw), [raw]


def other_messages(status: int, body: Any) -> Any:
    """Error texts and detail wording of the variant's own (the contract fixes only codes)."""
    if status >= 400 and isinstance(body, dict):
        body = {**body, "messages": f"Request refused ({body.get('code')})."}
        if isinstance(body.get("details"), list):
            body["details"] = [
                {**d, "message": "not acceptable here"}
                for d in body["details"]
                if isinstance(d, dict)
            ]
    return body


_REQUESTS = itertools.count(1)


def extra_fields(status: int, body: Any) -> Any:
    """Extra members in every object the contract leaves open (Session, Error, envelope),
    one of them different in every answer (a request id, as many APIs add)."""
    if not isinstance(body, dict):
        return body
    body = {**body, "request_id": f"req-{next(_REQUESTS)}"}
    sessions = body.get("sessions")
    if status == 200 and isinstance(sessions, list):
        body["sessions"] = [
            {**s, "internal_notes": "variant extra"} if isinstance(s, dict) else s for s in sessions
        ]
    return body


@contextlib.contextmanager
def serve_variant(
    wrap: Callable[[ASGIApp], ASGIApp], deadline: float = 15.0
) -> Iterator[tuple[LiveMock, ASGIApp]]:
    """Serve ``wrap(create_app())`` on a free loopback port until the block ends."""
    with serve_mock(deadline=deadline, wrap=wrap) as served:
        yield served, served.app


class Framed(WholeAnswer):
    """Passes every API answer on with other framing: ``Connection: close`` on each (no
    keep-alive), and/or the body without ``Content-Length`` in pieces of ``chunk`` bytes (so
    HTTP/1.1 sends it ``Transfer-Encoding: chunked``)."""

    def __init__(self, app: ASGIApp, *, close: bool = False, chunk: int | None = None) -> None:
        super().__init__(app)
        self.close, self.chunk = close, chunk

    def change(self, status: int, headers: Headers, raw: bytes) -> tuple[Headers, list[bytes]]:
        if self.close:
            headers = [*_without(headers, b"connection"), (b"connection", b"close")]
        if self.chunk is None:
            return headers, [raw]
        size = self.chunk
        return _without(headers, b"content-length"), [
            raw[i : i + size] for i in range(0, len(raw), size)
        ]


def _trace_id() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


class CachingAndTracing(WholeAnswer):
    """Adds the caching and tracing headers real APIs send: an ``ETag`` of the body,
    ``Cache-Control``, ``Vary``, ``Pragma``, and per-request ``traceparent``, ``X-Request-Id``,
    ``X-Runtime``, ``Server-Timing``, a sticky load-balancer cookie, and a cookie whose value
    is Latin-1, not ASCII (RFC 6265 forbids it; servers send it anyway: the client must not keep
    it, and nothing may crash on it)."""

    def change(self, status: int, headers: Headers, raw: bytes) -> tuple[Headers, list[bytes]]:
        took = random.uniform(0.5, 40.0)
        extra = {
            "etag": f'W/"{hashlib.sha256(raw).hexdigest()[:32]}"',
            "cache-control": "max-age=0, private, must-revalidate",
            "pragma": "no-cache",
            "vary": "Accept, Authorization, Accept-Encoding, Origin",
            "traceparent": _trace_id(),
            "x-request-id": str(uuid.uuid4()),
            "x-runtime": f"{took / 1000:.6f}",
            "server-timing": f'app;dur={took:.1f}, db;dur={took / 3:.1f};desc="store"',
            "set-cookie": f"AWSALB={secrets.token_urlsafe(24)}; Path=/; Max-Age=604800",
            "x-content-type-options": "nosniff",
            "strict-transport-security": "max-age=31536000; includeSubDomains",
        }
        latin1 = (b"set-cookie", "lang=fr-\xe9t\xe9; Path=/".encode("latin-1"))
        return [*headers, *((k.encode(), v.encode()) for k, v in extra.items()), latin1], [raw]


def _escaped_string(text: str) -> str:
    """``text`` as a JSON string with every character but ASCII letters and digits written
    ``\\uXXXX`` (astral ones as surrogate pairs) and ``/`` as ``\\/``."""
    out = ['"']
    for char in text:
        if char.isascii() and char.isalnum():
            out.append(char)
        elif char == "/":
            out.append("\\/")
        else:
            units = char.encode("utf-16-be", "surrogatepass")
            out += [f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2)]
    out.append('"')
    return "".join(out)


def escaped_json(value: Any, depth: int = 0) -> str:
    """JSON as another encoder might write it: keys in reverse order, tabs, newlines and
    spaces around every token, and every string fully escaped (see ``_escaped_string``)."""
    pad = "\n" + "\t" * (depth + 1)
    if isinstance(value, dict):
        items = [
            f"{pad}{_escaped_string(str(k))} :  {escaped_json(v, depth + 1)}"
            for k, v in reversed(list(value.items()))
        ]
        return "{" + " ,".join(items) + "\n" + "\t" * depth + "}"
    if isinstance(value, list):
        return "[" + " ,".join(pad + escaped_json(v, depth + 1) for v in value) + " ]"
    if isinstance(value, str):
        return _escaped_string(value)
    return json.dumps(value)


class EscapedJson(WholeAnswer):
    """Writes every API answer's JSON with :func:`escaped_json`, as ``application/json;
    charset=utf-8``."""

    def change(self, status: int, headers: Headers, raw: bytes) -> tuple[Headers, list[bytes]]:
        with contextlib.suppress(ValueError):
            raw = escaped_json(json.loads(raw)).encode("ascii")
            headers = _without(headers, b"content-type")
            headers.append((b"content-type", b"application/json; charset=utf-8"))
        return _sized(headers, raw), [raw]
