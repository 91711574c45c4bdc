"""The mock's ``edit_session``: the edit handler (:mod:`..edit`) over the edit's check pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.types import ASGIApp

from prevail_contract.mock.edit import EditSessionEndpoint
from prevail_contract.spec.operation_registry import OperationEntry

if TYPE_CHECKING:
    from prevail_contract.mock.state import MockState


def endpoint(state: MockState, entry: OperationEntry) -> ASGIApp | None:
    """The edit, its answers checked against the spec when the app validates responses."""
    checker = state.response_checker(entry)
    return EditSessionEndpoint(
        state.services, state.steps, state.bugs, state.session_order, checker, entry.method
    )
