"""The ASGI middleware that applies injected faults to the API's requests before the mock sees them.

A request is matched to its operation from the spec's paths and methods (the admin API, unknown
paths and other methods never get a fault) and to its world from its token's ``slug`` claim,
read without verifying the signature: the world only picks whose faults apply, and a fault can
only make an answer worse, never let a request through. An injected answer is the API's
``Error`` shape with ``Retry-After`` and ``X-Prevail-Mock-Fault: injected``; a held one keeps
the mock's answer, sent ``delay`` seconds late with ``X-Prevail-Mock-Fault: delayed``. A drop
closes the connection with nothing sent, through the ``DROP_EXTENSION`` the mock's own server
puts in the request's scope; without it (in-process, or another server) ``ConnectionDropped``
is raised for the caller's transport to turn into a hang-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import jwt

from prevail_contract.mock.auth import MAX_TOKEN
from prevail_contract.mock.errors import dump_json
from prevail_contract.mock.faults import (
    CODES,
    DELAYED,
    DROP_EXTENSION,
    INJECTED,
    MARK_HEADER,
    SCOPE_KEY,
    ConnectionDropped,
    Fault,
    FaultBook,
)
from prevail_contract.mock.sandboxes import sandbox_of
from prevail_contract.mock.store import MAIN_WORLD
from prevail_contract.spec import Spec

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Longest wait for the server to report a dropped connection gone.
_DROP_SETTLE = 1.0


def operation_matcher(spec: Spec) -> Callable[[str, str], str | None]:
    """``(method, path) -> operationId`` for the operations of ``spec`` (None: no operation)."""
    table = []
    for op in spec.operations:
        pattern = "".join(
            "[^/]+" if part.startswith("{") else re.escape(part)
            for part in re.split(r"(\{[^}]*\})", spec.base_path + op.path)
            if part
        )
        table.append((op.method.upper(), re.compile(pattern), op.operation_id))

    def match(method: str, path: str) -> str | None:
        for wanted, pattern, operation_id in table:
            if method == wanted and pattern.fullmatch(path):
                return operation_id
        return None

    return match


def world_of_request(scope: Scope) -> str:
    """The world a request's token names (a sandbox id, or ``main``); unread tokens: ``main``."""
    token = None
    for name, value in scope.get("headers") or ():
        if name == b"authorization":
            scheme, _, rest = value.decode("latin-1").strip().partition(" ")
            token = rest.strip() if scheme.lower() == "bearer" else None
            break
    if token is None:
        query = parse_qs(bytes(scope.get("query_string") or b"").decode("latin-1"))
        token = next(iter(query.get("jwt_payload") or ()), None)
    if not token or len(token) > MAX_TOKEN:
        return MAIN_WORLD
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return MAIN_WORLD
    slug = claims.get("slug") if isinstance(claims, dict) else None
    return (sandbox_of(slug) if isinstance(slug, str) else None) or MAIN_WORLD


class FaultInjection:
    """Apply ``book``'s faults to the requests of ``spec``'s operations, then call ``app``."""

    def __init__(self, app: App, book: FaultBook, spec: Spec) -> None:
        self.app = app
        self.book = book
        self.operation = operation_matcher(spec)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.book.active:
            await self.app(scope, receive, send)
            return
        operation = self.operation(str(scope.get("method")), str(scope.get("path")))
        fault = None
        if operation is not None:
            fault = self.book.take(world_of_request(scope), operation)
        if fault is None:
            await self.app(scope, receive, send)
            return
        scope[SCOPE_KEY] = fault.label()
        if fault.status is None and not fault.drop:
            await self.app(scope, receive, _held(send, fault.delay))
            return
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            await _drop(scope, receive)
        else:
            await _answer(fault, send)


def _held(send: Send, delay: float) -> Send:
    """``send``, holding the answer's start back ``delay`` seconds and marking it."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            await asyncio.sleep(delay)
            headers = list(message.get("headers") or [])
            headers.append((MARK_HEADER.lower().encode(), DELAYED.encode()))
            message = {**message, "headers": headers}
        await send(message)

    return sending


async def _answer(fault: Fault, send: Send) -> None:
    assert fault.status is not None
    wait = f"retry after {fault.retry_after} s" if fault.retry_after is not None else "retry later"
    body = dump_json(
        {
            "code": CODES[fault.status],
            "messages": f"Injected by the mock ({fault.id}, not the API's rules): {wait}.",
        }
    )
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (MARK_HEADER.lower().encode(), INJECTED.encode()),
    ]
    if fault.retry_after is not None:
        headers.append((b"retry-after", str(fault.retry_after).encode()))
    await send({"type": "http.response.start", "status": fault.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _drop(scope: Scope, receive: Receive) -> None:
    """Close the request's connection with nothing sent, and wait until the server saw it go."""
    hook = (scope.get("extensions") or {}).get(DROP_EXTENSION)
    if hook is None:
        raise ConnectionDropped("the mock dropped the connection (an injected fault)")
    hook["drop"]()
    # The server learns of the close on its next turn; returning before then would make it
    # report an app that answered nothing. Bounded: the body (if any) is read and discarded.
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(_DROP_SETTLE):
            while (await receive())["type"] != "http.disconnect":
                pass
