"""An ASGI wrapper that answers scripted refusals (429/503 with ``Retry-After``) before the app.

Served with :func:`tests.plugins.check.serve_mock` (``wrap=``) it makes a small local server on
127.0.0.1 that refuses the first API requests as scripted and passes the rest to the mock; the
mock's admin API (``/__mock__/``) is never refused. It records every API request it saw.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def http_date(seconds_from_now: float) -> str:
    """An HTTP date (``Retry-After`` form) this many seconds from now."""
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


@dataclass
class Seen:
    """One API request the wrapper saw, and what answered it."""

    method: str
    path: str
    query: str
    body: bytes
    #: The scripted status, or 0 when the request went on to the app.
    refused_with: int


@dataclass
class Flaky:
    """Answer the first API requests with ``script`` (status, ``Retry-After`` or None)."""

    app: App
    script: list[tuple[int, str | None]]
    seen: list[Seen] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope["path"]).startswith("/__mock__"):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        if not self.script:
            self._record(scope, body, 0)
            await self.app(scope, replay(body, receive), send)
            return
        status, retry_after = self.script.pop(0)
        self._record(scope, body, status)
        headers = [(b"content-type", b"application/json")]
        if retry_after is not None:
            headers.append((b"retry-after", retry_after.encode()))
        payload = {"code": "slow_down", "messages": f"scripted {status} before the mock"}
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(payload).encode()})

    def _record(self, scope: Scope, body: bytes, status: int) -> None:
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        self.seen.append(Seen(str(scope["method"]), str(scope["path"]), query, body, status))


async def read_body(receive: Receive) -> bytes:
    body, more = b"", True
    while more:
        message = await receive()
        body += bytes(message.get("body", b""))
        more = bool(message.get("more_body", False))
    return body


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then the real messages."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
