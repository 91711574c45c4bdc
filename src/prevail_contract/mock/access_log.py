"""One log line per request the served mock answers: method, path, status, error code, time,
and what an injected fault did to it.

An ASGI wrapper rather than uvicorn's access log, because the line names the refusal's error
``code`` (read from the JSON body of a 4xx/5xx answer), which uvicorn never sees; query strings
are left out, since a ``jwt_payload`` token may travel there.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import IO, Any

from prevail_contract.mock.faults import SCOPE_KEY

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Bytes of an error body kept to find its ``code`` (error bodies are far smaller).
_BODY_LIMIT = 64 * 1024


def add_argument(parser: argparse.ArgumentParser) -> None:
    """Declare ``--quiet`` on the mock's parser."""
    parser.add_argument(
        "--quiet", action="store_true", help="do not log a line per request (logged by default)"
    )


def wrap(app: App, args: argparse.Namespace, stream: IO[str] | None = None) -> App:
    """``app`` with a request log, unless ``args.quiet``."""
    if getattr(args, "quiet", False):
        return app
    return AccessLog(app, stream or sys.stdout)


def error_code(body: bytes) -> str | None:
    """The ``code`` member of a JSON error body, if it has one."""
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    code = parsed.get("code") if isinstance(parsed, dict) else None
    return code if isinstance(code, str) else None


class AccessLog:
    """ASGI middleware writing ``HH:MM:SS METHOD PATH STATUS [CODE] N.N ms [fault: ...]`` per
    request (status ``-`` when no answer was sent, as for a dropped connection)."""

    def __init__(self, app: App, stream: IO[str]) -> None:
        self.app = app
        self.stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        body = bytearray()

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and status >= 400:
                room = _BODY_LIMIT - len(body)
                if room > 0:
                    body.extend(bytes(message.get("body", b""))[:room])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            took = (time.perf_counter() - started) * 1000
            code = error_code(bytes(body)) if body else None
            parts = [
                time.strftime("%H:%M:%S"),
                str(scope.get("method", "?")),
                str(scope.get("path", "?")),
                str(status or "-"),
                *([code] if code else []),
                f"{took:.1f} ms",
            ]
            fault = scope.get(SCOPE_KEY)
            if fault:
                parts.append(f"[fault: {fault}]")
            print(" ".join(parts), file=self.stream, flush=True)
