"""The Edit Sessions handler: runs the check pipeline, then the edit itself as one atomic step.

The checks are ``pipeline`` steps in the spec's ``x-check-order``. The edit re-checks
ownership and state inside ``Store.update``, with the change, so that a concurrent edit, from
this process or another worker, cannot slip between the check and the write. A token's world
(the default one or a sandbox) is the store every lookup of its request uses.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from prevail_contract.mock.errors import ApiError
from prevail_contract.mock.fixtures import StoredSession
from prevail_contract.mock.pipeline import Check, EditCall, Services
from prevail_contract.mock.responses import (
    ResponseChecker,
    error_response,
    json_response,
    method_not_allowed,
)
from prevail_contract.mock.rules import apply_edit, check_editable, check_owned
from prevail_contract.mock.store import OutboxMessage, Store

ALLOWED_METHOD = "PATCH"
#: Planted bugs of the behaviour rules this handler carries out itself.
EDIT_BUGS = (
    "id-stable",
    "response-envelope",
    # applies the title of a request refused for its body (422) or state (409)
    "rejected-changes-nothing",
)


class EditSessionEndpoint:
    """``PATCH {base}/sessions/{remote_session_id}``; any other method answers 405."""

    def __init__(
        self,
        services: Services,
        steps: tuple[Check, ...],
        bugs: Collection[str],
        session_order: tuple[str, ...],
        checker: ResponseChecker | None,
    ) -> None:
        self.services = services
        self.spec = services.spec
        self.steps = steps
        self.bugs = frozenset(bugs)
        self.session_order = session_order
        self.checker = checker
        schemas = self.spec.document["components"]["schemas"]
        self.title_validator = self.spec.validator(
            schemas["RemoteSessionEdit"]["properties"]["title"]
        )
        #: The response's list member (``EditSessionResponse``'s first property).
        self.listed = str(next(iter(schemas["EditSessionResponse"]["properties"])))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method != ALLOWED_METHOD:
            response = method_not_allowed(request.method, ALLOWED_METHOD)
        else:
            try:
                response = self._ok(await self._edit(request))
            except ApiError as error:
                response = error_response(error)
        if self.checker is not None:
            response = self.checker.checked(response)
        await response(scope, receive, send)

    async def _edit(self, request: Request) -> StoredSession:
        remote_session_id = str(request.path_params["remote_session_id"])
        call = EditCall(request, remote_session_id, _bugs_for(self.bugs, request))
        try:
            for step in self.steps:
                await step(call)
        except ApiError:
            if call.parsed:
                await self._leak_title(call)
            raise
        try:
            return await self._commit(call)
        except ApiError as error:
            if error.status == 409:
                await self._leak_title(call)
            raise

    async def _commit(self, call: EditCall) -> StoredSession:
        """Re-check ownership and state and apply the edit, as one store step."""
        spec, facts, bugs, org = self.spec, self.services.facts, call.bugs, call.org
        assert org is not None
        assert call.store is not None
        assert call.edit is not None
        edit, validator = call.edit, self.services.validator

        def change(
            current: StoredSession | None,
        ) -> tuple[StoredSession, list[OutboxMessage], StoredSession]:
            session = check_owned(spec, current, call.remote_session_id, org, bugs)
            check_editable(spec, facts, session, bugs)
            updated, messages = apply_edit(facts, session, edit, org, bugs)
            validator.check_invitee_total(len(updated.invitees))
            return updated, messages, updated

        return await call.store.update(call.remote_session_id, change)

    async def _leak_title(self, call: EditCall) -> None:
        """Planted ``rejected-changes-nothing``: a refused body's valid ``title`` is stored."""
        if "rejected-changes-nothing" not in self.bugs or not isinstance(call.payload, dict):
            return
        store: Store | None = call.store
        if store is None or call.session is None:
            return
        inner = call.payload.get(self.services.validator.envelope_name)
        title = inner.get("title") if isinstance(inner, dict) else None
        if not isinstance(title, str) or not self.title_validator.is_valid(title):
            return

        def change(
            current: StoredSession | None,
        ) -> tuple[StoredSession, list[OutboxMessage], None]:
            assert current is not None
            return replace(current, fields={**current.fields, "title": title}), [], None

        await store.update(call.remote_session_id, change)

    def _ok(self, session: StoredSession) -> Response:
        body: Any = session.session(self.session_order)
        if "id-stable" in self.bugs:
            body["remote_session_id"] = session.remote_session_id + "-v2"
        if "response-envelope" not in self.bugs:
            body = {self.listed: [body]}
        return json_response(body)


def _bugs_for(bugs: frozenset[str], request: Request) -> frozenset[str]:
    """The planted bugs active for this request: ``rule:query`` ones only when the token came
    in ``jwt_payload`` (no ``Authorization`` header)."""
    if not bugs or "authorization" in request.headers:
        return bugs
    return bugs | {b.split(":")[0] for b in bugs if b.endswith(":query")}
