"""The mock's ``list_sessions``: the list handler (:mod:`..listing`) over each token's world."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.types import ASGIApp

from prevail_contract.mock import sandboxes
from prevail_contract.mock.fixtures import Organization, StoredSession
from prevail_contract.mock.listing import LIST_ABSENT, ListSessionsEndpoint
from prevail_contract.spec.operation_registry import OperationEntry

if TYPE_CHECKING:
    from prevail_contract.mock.state import MockState


def endpoint(state: MockState, entry: OperationEntry) -> ASGIApp | None:
    """The list, or ``None`` under the planted ``list-sessions-absent`` (a server without it)."""
    if LIST_ABSENT in state.bugs:
        return None

    async def sessions(org: Organization) -> list[StoredSession]:
        world = await sandboxes.world_of(state.spec, state.worlds, org)
        return await world.sessions()

    return ListSessionsEndpoint(
        state.spec,
        entry.operation,
        state.authenticator,
        sessions,
        {s.remote_session_id: s for s in state.fixtures.sessions},
        state.session_order,
        state.bugs,
        state.presentation,
    )
