"""Planted ``rejected-changes-nothing`` bugs, one per kind of refusal: the refused request's
``title`` is stored in the Session it names anyway.

Each narrow bug (``rejected-changes-nothing:auth``, ``:self-service``, ``:ownership``,
``:media-type``, ``:size``, ``:state``, ``:method``) breaks the rule for one kind of refusal only,
so that a contract run proves it reads the Sessions around that kind of refusal. The broad
``rejected-changes-nothing`` bug (a refused body's title stored after a 422 or 409) is the edit
handler's own. Only a title the spec's schema allows is stored; nothing else changes.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import replace
from typing import Any

from starlette.requests import Request

from prevail_contract.mock.auth import token_from
from prevail_contract.mock.errors import ApiError
from prevail_contract.mock.fixtures import StoredSession
from prevail_contract.mock.pipeline import SIZE_LEAK, EditCall, Services
from prevail_contract.mock.sandboxes import world_for
from prevail_contract.mock.store import OutboxMessage, Store

RULE = "rejected-changes-nothing"
#: The check whose refusal leaks under each narrow bug (a rule id of ``x-check-order``).
BY_CHECK = {
    "auth-required": f"{RULE}:auth",
    "self-service-required": f"{RULE}:self-service",
    "org-ownership": f"{RULE}:ownership",
    "media-type": f"{RULE}:media-type",
    "payload-limit": SIZE_LEAK,
    "editable-states": f"{RULE}:state",
}
#: A method the path does not declare (405), whose JSON body's title is stored anyway.
METHOD_LEAK = f"{RULE}:method"
#: Every narrow leak, in declaration order.
LEAK_BUGS = (*BY_CHECK.values(), METHOD_LEAK)


class Leaks:
    """Stores a refused request's title under the planted leak bugs (a no-op without them)."""

    def __init__(self, services: Services, bugs: Collection[str]) -> None:
        self.services = services
        self.bugs = frozenset(bugs) & frozenset(LEAK_BUGS)
        schemas = services.spec.document["components"]["schemas"]
        self.title = services.spec.validator(schemas["RemoteSessionEdit"]["properties"]["title"])

    async def after_refusal(self, call: EditCall, check: str | None) -> None:
        """``check`` refused ``call``: store its title if that kind of refusal leaks."""
        if check is None or BY_CHECK.get(check) not in self.bugs:
            return
        raw = call.raw or await self._body(call.request)
        store = call.store or self.services.worlds.main
        await self._store_title(store, call.remote_session_id, raw)

    async def after_method(self, request: Request, remote_session_id: str) -> None:
        """A method the path does not declare was answered 405: store its title if it leaks."""
        if METHOD_LEAK not in self.bugs:
            return
        store = self.services.worlds.main
        try:
            headers, query = request.headers, request.query_params
            org = await self.services.authenticator(token_from(self.services.spec, headers, query))
            store = await world_for(self.services.worlds, org) or store
        except ApiError:
            pass
        await self._store_title(store, remote_session_id, await self._body(request))

    async def _body(self, request: Request) -> bytes:
        """The body not read yet by the checks (within the body limit; empty if it cannot be)."""
        try:
            return await self.services.reader.read(request)
        except (ApiError, RuntimeError):  # too large, cut off, or already consumed
            return b""

    async def _store_title(self, store: Store, remote_session_id: str, raw: bytes) -> None:
        title = self._title_of(raw)
        if title is None or await store.get(remote_session_id) is None:
            return

        def change(
            current: StoredSession | None,
        ) -> tuple[StoredSession, list[OutboxMessage], None]:
            assert current is not None
            return replace(current, fields={**current.fields, "title": title}), [], None

        await store.update(remote_session_id, change)

    def _title_of(self, raw: bytes) -> str | None:
        try:
            document: Any = json.loads(raw.strip() or b"null")
        except (ValueError, RecursionError):
            return None
        envelope = self.services.validator.envelope_name
        inner = document.get(envelope) if isinstance(document, dict) else None
        title = inner.get("title") if isinstance(inner, dict) else None
        return title if isinstance(title, str) and self.title.is_valid(title) else None
