"""Faithful variants of the mock: servers that differ from it only where the contract leaves
freedom (throttling, message texts, extra response members), served on loopback.

Each variant is an ASGI wrapper around ``create_app``; a contract run against it under
``--strict`` must pass, which proves the suite raises no false alarm on that freedom.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.plugins.check import LiveMock, serve_mock

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


class RewrittenJson:
    """Passes every API answer's JSON body through ``rewrite`` (e.g. other texts, extra fields)."""

    def __init__(self, app: ASGIApp, rewrite: Callable[[int, Any], Any]) -> None:
        self.app, self.rewrite = app, rewrite

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
            raw = b"".join(chunks)
            with contextlib.suppress(ValueError):
                raw = json.dumps(self.rewrite(int(start["status"]), json.loads(raw))).encode()
            headers = [
                (k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"
            ]
            headers.append((b"content-length", str(len(raw)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": raw})

        await self.app(scope, receive, capture)


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
