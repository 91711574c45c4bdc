"""Served targets for the cancel's live-safety tests: the mock with every request it got
recorded, and one whose cancel answers as documented but changes nothing.

Each is an ASGI wrapper around ``create_app`` (see :func:`tests.plugins.check.serve_mock`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.types import Message, Receive, Scope, Send


@dataclass(frozen=True)
class Seen:
    """One API request as the target got it."""

    method: str
    path: str
    query: str
    #: Whether it carried an ``Authorization`` header.
    authorized: bool


@dataclass
class Recorded:
    """Passes every request to the mock, recording it first."""

    #: The mock's Starlette app (its ``state.mock`` is read).
    app: Any
    seen: list[Seen] = field(default_factory=list)

    @property
    def mock(self) -> Any:
        """The wrapped mock's state (its store, spec, fixtures)."""
        return self.app.state.mock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = bytes(scope.get("query_string") or b"").decode("latin-1")
            authorized = any(k.lower() == b"authorization" for k, _ in scope.get("headers", ()))
            self.seen.append(Seen(str(scope["method"]), str(scope["path"]), query, authorized))
        await self.app(scope, receive, send)


class CancelNotApplied(Recorded):
    """The mock, but an accepted cancel (``PATCH .../sessions/{id}/cancel``) leaves the Session
    as it was: the documented 200 body, no change. The Session is put back before the answer is
    sent, so no read that follows can see it canceled."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or scope["method"] != "PATCH" or not path.endswith("/cancel"):
            await super().__call__(scope, receive, send)
            return
        store = self.mock.store
        session_id = path.rstrip("/").split("/")[-2]
        before = await store.get(session_id)
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await super().__call__(scope, receive, hold)
        accepted = any(m["type"] == "http.response.start" and m["status"] == 200 for m in held)
        if accepted and before is not None:
            await store.update(session_id, lambda _now: (before, [], None))
        for message in held:
            await send(message)
