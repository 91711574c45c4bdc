"""The mock's ``list_session_pages`` (a test operation): the caller's Sessions, one page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from prevail_contract.mock import sandboxes
from prevail_contract.mock.auth import token_from
from prevail_contract.mock.errors import ApiError
from prevail_contract.mock.responses import json_response
from prevail_contract.spec.operation_registry import OperationEntry

if TYPE_CHECKING:
    from prevail_contract.mock.state import MockState


def endpoint(state: MockState, entry: OperationEntry) -> ASGIApp | None:
    """Answer ``{"sessions": [...]}``: the caller's Sessions, at most 20."""

    async def pages(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            token = token_from(state.spec, request.headers, request.query_params)
            org = await state.authenticator(token)
            world = await sandboxes.world_of(state.spec, state.worlds, org)
            stored: Any = await world.sessions()
            own = [s for s in stored if s.organization == org.slug][:20]
            response = json_response({"sessions": [s.session(state.session_order) for s in own]})
        except ApiError as error:
            response = state.presentation.error(error)
        await response(scope, receive, send)

    return pages
