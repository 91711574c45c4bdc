"""The mock's ``get_session`` (a test operation): one Session of the caller's Organization."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from prevail_contract.mock import sandboxes
from prevail_contract.mock.auth import token_from
from prevail_contract.mock.errors import ApiError
from prevail_contract.mock.responses import json_response
from prevail_contract.mock.rules import check_owned
from prevail_contract.spec.operation_registry import OperationEntry

if TYPE_CHECKING:
    from prevail_contract.mock.state import MockState


def endpoint(state: MockState, entry: OperationEntry) -> ASGIApp | None:
    """Answer the Session the path names, as the edit answers it but without the envelope."""

    async def read(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        session_id = str(request.path_params["remote_session_id"])
        try:
            token = token_from(state.spec, request.headers, request.query_params)
            org = await state.authenticator(token)
            world = await sandboxes.world_of(state.spec, state.worlds, org)
            stored: Any = await world.get(session_id)
            session = check_owned(state.spec, stored, session_id, org, state.bugs)
            response = json_response(session.session(state.session_order))
        except ApiError as error:
            response = state.presentation.error(error)
        await response(scope, receive, send)

    return read
