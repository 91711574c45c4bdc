"""Servers that break a rule in a way no planted mock bug does, as ASGI wrappers around the
mock served on loopback: a run against one must fail exactly that rule."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from contract_tests.support.facts import facts
from tests.plugins.flaky import read_body, replay


class TokenSkippedForInvites:
    """Skips the token check for an edit whose body carries invites: such a request is let
    through as the last caller whose edit the mock accepted (its token put in)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.last_token: bytes | None = None
        #: Requests let through without their own credentials.
        self.skipped = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "PATCH" or "/__mock__/" in scope["path"]:
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        headers = [(k, v) for k, v in scope["headers"] if k != b"authorization"]
        sent = dict(scope["headers"]).get(b"authorization")
        if _carries_invites(body) and self.last_token is not None and sent != self.last_token:
            self.skipped += 1
            scope = {**scope, "headers": [*headers, (b"authorization", self.last_token)]}
            scope["query_string"] = b""  # no token in the query either
            await self.app(scope, replay(body, receive), send)
            return

        async def noted(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] < 300 and sent:
                self.last_token = sent
            await send(message)

        await self.app(scope, replay(body, receive), noted)


def _carries_invites(body: bytes) -> bool:
    try:
        edit = json.loads(body).get("remote_session")
    except (ValueError, AttributeError):
        return False
    return isinstance(edit, dict) and bool(edit.get(facts().invite_field))
