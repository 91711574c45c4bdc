"""The Edit Sessions handler: runs the check pipeline, then the edit itself as one atomic step.

The checks are ``pipeline`` steps in the spec's ``x-check-order``. The edit re-checks
ownership and state inside ``Store.update``, with the change, so that a concurrent edit, from
this process or another worker, cannot slip between the check and the write. A token's world
(the default one or a sandbox) is the store every lookup of its request uses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from prevail_contract.mock.errors import ApiError
from prevail_contract.mock.fixtures import StoredSession
from prevail_contract.mock.leaks import LEAK_BUGS, Leaks
from prevail_contract.mock.pipeline import Check, EditCall, Services
from prevail_contract.mock.responses import ResponseChecker, json_response
from prevail_contract.mock.rules import apply_edit, check_editable, check_owned
from prevail_contract.mock.store import OutboxMessage, Store

#: Planted: invites applied to a copy read outside the store's lock, written back a moment
#: later (concurrent invites are lost); and the duplicate check made on that stale copy while
#: the new invitees are appended to the fresh one (concurrent twins are kept).
RACE_LOST = "invites-additive:race"
RACE_TWINS = "invites-no-duplicates:race"
#: Planted: a Session may not reach its invitee cap, only stay under it (an off-by-one).
AT_CAP = "field-limits:at-cap"
#: Seconds a planted race holds its stale copy (wide enough for concurrent requests to meet).
RACE_WINDOW = 0.1
#: Planted bugs of the behaviour rules this handler carries out itself.
EDIT_BUGS = (
    "id-stable",
    "response-envelope",
    # answers the edited Session twice (the one-item count is assumed)
    "response-shape",
    # applies the title of a request refused for its body (422) or state (409)
    "rejected-changes-nothing",
    # one kind of refusal each (auth, Self-Service, ownership, media type, size, state, method)
    *LEAK_BUGS,
    # DELETE answered as if carried out (204 once token and ownership pass, else their refusal)
    "method-not-allowed",
    RACE_LOST,
    RACE_TWINS,
    AT_CAP,
)
#: The checks a DELETE passes under the planted ``method-not-allowed``.
DELETE_CHECKS = ("auth-required", "org-ownership")


class EditSessionEndpoint:
    """The edit (``PATCH {base}/sessions/{remote_session_id}``); any other method answers 405.

    ``allowed`` is the operation's method, as the spec declares it.
    """

    def __init__(
        self,
        services: Services,
        steps: tuple[Check, ...],
        bugs: Collection[str],
        session_order: tuple[str, ...],
        checker: ResponseChecker | None,
        allowed: str,
    ) -> None:
        self.allowed = allowed
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
        self.leaks = Leaks(services, bugs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        shown = self.services.presentation
        if request.method == "DELETE" and "method-not-allowed" in self.bugs:
            response = await self._obey_delete(request)
        elif request.method != self.allowed:
            remote_session_id = str(request.path_params["remote_session_id"])
            await self.leaks.after_method(request, remote_session_id)
            response = shown.method_not_allowed(request.method, self.allowed)
        else:
            try:
                response = self._ok(await self._edit(request))
            except ApiError as error:
                response = shown.error(error)
        if self.checker is not None:
            response = self.checker.checked(response)
        await response(scope, receive, send)

    async def _obey_delete(self, request: Request) -> Response:
        """Planted ``method-not-allowed``: a DELETE is taken as a known method (nothing is
        removed: only the answer is wrong)."""
        remote_session_id = str(request.path_params["remote_session_id"])
        call = EditCall(request, remote_session_id, self.bugs)
        try:
            for step in self.steps:
                if step.rule in DELETE_CHECKS:
                    await step(call)
        except ApiError as error:
            return self.services.presentation.error(error)
        return Response(status_code=204)

    async def _edit(self, request: Request) -> StoredSession:
        remote_session_id = str(request.path_params["remote_session_id"])
        call = EditCall(request, remote_session_id, _bugs_for(self.bugs, request))
        check: str | None = None
        try:
            for step in self.steps:
                check = step.rule
                await step(call)
        except ApiError:
            if call.parsed:
                await self._leak_title(call)
            await self.leaks.after_refusal(call, check)
            raise
        try:
            if call.bugs & {RACE_LOST, RACE_TWINS} and "invites" in (call.edit or {}):
                return await self._racy_commit(call)
            return await self._commit(call)
        except ApiError as error:
            if error.status == 409:
                await self._leak_title(call)
                await self.leaks.after_refusal(call, "editable-states")
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
            updated, messages = apply_edit(
                facts, session, edit, org, bugs, fold_case=not self.services.presentation.documented
            )
            validator.check_invitee_total(len(updated.invitees) + (AT_CAP in bugs))
            return updated, messages, updated

        return await call.store.update(call.remote_session_id, change)

    async def _racy_commit(self, call: EditCall) -> StoredSession:
        """Planted ``invites-additive:race`` and ``invites-no-duplicates:race``: the invites
        are worked out on a copy read before a pause, outside the store's lock."""
        spec, facts, bugs, org = self.spec, self.services.facts, call.bugs, call.org
        assert org is not None
        assert call.store is not None
        assert call.edit is not None
        edit, stale = call.edit, await call.store.get(call.remote_session_id)
        await asyncio.sleep(RACE_WINDOW)

        def change(
            current: StoredSession | None,
        ) -> tuple[StoredSession, list[OutboxMessage], StoredSession]:
            session = check_owned(spec, current, call.remote_session_id, org, bugs)
            check_editable(spec, facts, session, bugs)
            base = stale if stale is not None else session
            decided, messages = apply_edit(
                facts, base, edit, org, bugs, fold_case=not self.services.presentation.documented
            )
            if RACE_LOST in bugs:
                updated = decided  # written over whatever came in meanwhile
            else:
                added = decided.invitees[len(base.invitees) :]
                updated = replace(decided, invitees=(*session.invitees, *added))
            self.services.validator.check_invitee_total(len(updated.invitees))
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
            body = {self.listed: [body, body] if "response-shape" in self.bugs else [body]}
        return json_response(body)


def _bugs_for(bugs: frozenset[str], request: Request) -> frozenset[str]:
    """The planted bugs active for this request: ``rule:query`` ones only when the token came
    in ``jwt_payload`` (no ``Authorization`` header)."""
    if not bugs or "authorization" in request.headers:
        return bugs
    return bugs | {b.split(":")[0] for b in bugs if b.endswith(":query")}
