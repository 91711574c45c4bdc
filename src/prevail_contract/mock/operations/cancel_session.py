"""The mock's ``cancel_session``: token, Self-Service, lookup, query, then state, as one store step.

The states a cancel accepts and the state it leaves are ``Session.state``'s
``x-cancelable-states`` and ``x-state-after-cancel``, the success body is the operation's
documented 200 example, and every refusal is the one its rule lists; all are read from the spec
when the app is built. The cancel re-checks ownership and state inside ``Store.update``, so a
concurrent edit or cancel cannot slip between the check and the write. It runs in the token's
world (the default one or a sandbox), records one notification per invitee in that world's
outbox unless ``cancel_without_email`` is ``true``, and ignores any body (assumed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from prevail_contract.errors import SpecError
from prevail_contract.mock import sandboxes
from prevail_contract.mock.auth import token_from
from prevail_contract.mock.errors import ApiError, Detail
from prevail_contract.mock.fixtures import StoredSession
from prevail_contract.mock.responses import ResponseChecker, json_response
from prevail_contract.mock.rules import check_owned, check_self_service
from prevail_contract.mock.store import OutboxMessage
from prevail_contract.spec import Spec
from prevail_contract.spec.operation_registry import OperationEntry

if TYPE_CHECKING:
    from prevail_contract.mock.state import MockState

STATES_RULE = "cancel-states"
QUERY_RULE = "cancel-query-validated"
#: Planted bugs (``--bug RULE_ID``), gathered by ``mock.bugs``: a cancel accepted in a state
#: outside the documented ones (the state after a cancel aside, so a second cancel is still
#: refused); the state left spelled ``cancelled``; the documented message answered as a list.
#: (The assumed ``cancel-without-email`` has none: its breach shows only in the outbox, which a
#: repro script, replaying answers, cannot compare.)
BUGS = ("cancel-states", "canceled-after-cancel", "cancel-response")
#: The state the planted ``canceled-after-cancel`` leaves (a spelling of the word, not the API's).
WRONG_SPELLING = "cancelled"
#: Values ``cancel_without_email`` takes, as sent in a query (assumed), and what they mean.
FLAG_VALUES = {"true": True, "false": False}


def endpoint(state: MockState, entry: OperationEntry) -> ASGIApp | None:
    """The cancel, its answers checked against the spec when the app validates responses."""
    checker = state.response_checker(entry)
    return CancelSessionEndpoint(state, entry, checker)


def cancel_facts(spec: Spec) -> tuple[tuple[str, ...], str]:
    """``Session.state``'s ``x-cancelable-states`` and ``x-state-after-cancel``."""
    node = spec.document["components"]["schemas"]["Session"]["properties"]["state"]
    states, after = node.get("x-cancelable-states"), node.get("x-state-after-cancel")
    if not isinstance(states, list) or not all(isinstance(s, str) for s in states) or not states:
        raise SpecError("Session.properties.state needs 'x-cancelable-states', a list of states")
    if not isinstance(after, str) or not after:
        raise SpecError("Session.properties.state needs 'x-state-after-cancel', a state name")
    return tuple(states), after


def documented_answer(spec: Spec, entry: OperationEntry) -> Any:
    """The first example of the operation's 200 answer (the documented success body)."""
    ok = entry.operation.responses(spec.deref).get("200") or {}
    for media in (ok.get("content") or {}).values():
        for example in (media.get("examples") or {}).values():
            return spec.deref(example)["value"]
    raise SpecError(f"{entry.operation_id}'s 200 answer needs a named example (its body)")


class CancelSessionEndpoint:
    """``PATCH {base}/sessions/{remote_session_id}/cancel``; any other method answers 405."""

    def __init__(
        self, state: MockState, entry: OperationEntry, checker: ResponseChecker | None
    ) -> None:
        self.state = state
        self.spec = state.spec
        self.allowed = entry.method
        self.checker = checker
        self.bugs = state.bugs
        self.cancelable, self.after = cancel_facts(self.spec)
        if STATES_RULE in self.bugs:  # planted: every state but the one a cancel leaves
            self.cancelable = tuple(s for s in state.facts.states if s != self.after)
        self.left = WRONG_SPELLING if "canceled-after-cancel" in self.bugs else self.after
        answer = documented_answer(self.spec, entry)
        if "cancel-response" in self.bugs and isinstance(answer, Mapping):
            answer = {k: [v] for k, v in answer.items()}  # planted: the message in a list
        self.answer = answer
        queried = [self.spec.deref(p) for p in entry.operation.node.get("parameters") or ()]
        #: The operation's query flag (``cancel_without_email``), the one query parameter it has.
        self.flag_name = next((str(p["name"]) for p in queried if p.get("in") == "query"), "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        shown = self.state.presentation
        if request.method != self.allowed:
            response = shown.method_not_allowed(request.method, self.allowed)
        else:
            try:
                response = await self._cancel(request)
            except ApiError as error:
                response = shown.error(error)
        if self.checker is not None:
            response = self.checker.checked(response)
        await response(scope, receive, send)

    async def _cancel(self, request: Request) -> Response:
        spec, bugs = self.spec, self.bugs
        remote_session_id = str(request.path_params["remote_session_id"])
        org = await self.state.authenticator(
            token_from(spec, request.headers, request.query_params)
        )
        store = await sandboxes.world_of(spec, self.state.worlds, org)
        check_self_service(spec, org, bugs)
        check_owned(spec, await store.get(remote_session_id), remote_session_id, org, bugs)
        quiet = self._without_email(request)

        def change(
            current: StoredSession | None,
        ) -> tuple[StoredSession, list[OutboxMessage], None]:
            session = check_owned(spec, current, remote_session_id, org, bugs)
            self._check_cancelable(session)
            canceled = replace(session, fields={**session.fields, "state": self.left})
            return canceled, self._notices(session, quiet), None

        await store.update(remote_session_id, change)
        return json_response(self.answer)

    def _without_email(self, request: Request) -> bool:
        """``cancel_without_email`` as sent (absent: ``False``); another value is refused
        (assumed), or taken as absent in the documented-only reading."""
        sent = request.query_params.getlist(self.flag_name) if self.flag_name else []
        if not sent:
            return False
        value = FLAG_VALUES.get(sent[-1].strip().lower()) if len(sent) == 1 else None
        if value is None:
            if self.state.presentation.documented:
                return False
            raise ApiError.for_rule(
                self.spec,
                QUERY_RULE,
                f"{self.flag_name} must be true or false, sent once.",
                [Detail(self.flag_name, "Send true or false.")],
            )
        return value

    def _check_cancelable(self, session: StoredSession) -> None:
        if session.state in self.cancelable:
            return
        allowed = ", ".join(f'"{s}"' for s in self.cancelable)
        raise ApiError.for_rule(
            self.spec,
            STATES_RULE,
            f'The Session is in state "{session.state}"; only Sessions in state {allowed} can '
            "be canceled.",
        )

    def _notices(self, session: StoredSession, quiet: bool) -> list[OutboxMessage]:
        """One notification per invitee, unless asked to cancel quietly."""
        if quiet:
            return []
        title = str(session.fields.get("title", session.remote_session_id))
        return [
            OutboxMessage(
                to=invitee.email,
                remote_session_id=session.remote_session_id,
                access_level=invitee.access_level,
                subject=f'The Prevail Session "{title}" was canceled',
            )
            for invitee in session.invitees
        ]
