"""The store interface: one world's Sessions and outbox, and the registry of sandbox worlds.

A *world* is one isolated set of Organizations, Sessions and outbox: the default world loaded
from the fixtures, or a sandbox created through the admin API. Every change is a
check-state-and-apply step (``Store.update``) that the implementation makes atomic: in memory
under a lock, in Redis with an optimistic compare-and-set script, so it holds across worker
processes and hosts. Every operation is a coroutine (Redis is reached without blocking the
event loop); a store that cannot be reached raises ``StoreUnavailableError`` (503), and a
sandbox whose world is gone ``WorldGoneError``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

from prevail_contract.errors import MockError
from prevail_contract.mock.fixtures import Fixtures, Organization, StoredSession

T = TypeVar("T")
#: The id of the world loaded from the fixtures.
MAIN_WORLD = "main"
#: Live sandboxes at most, and Sessions in all of them together (mock limits, assumed).
MAX_SANDBOXES = 1000
MAX_SANDBOX_SESSIONS = 20_000


class StoreUnavailableError(MockError):
    """The store cannot be reached (or did not answer in time); answered 503, retried later."""


class WorldGoneError(MockError):
    """A sandbox's world vanished (deleted, expired, or lost by the store)."""


class SandboxLimitError(MockError):
    """A new sandbox would pass ``MAX_SANDBOXES`` or ``MAX_SANDBOX_SESSIONS``."""


#: ``change(current) -> (new Session, emails to record, result)``; raises to refuse.
Change = Callable[[StoredSession | None], tuple[StoredSession, list["OutboxMessage"], T]]


@dataclass(frozen=True)
class OutboxMessage:
    """A notification email the real service would have sent to a newly invited person."""

    to: str
    remote_session_id: str
    access_level: str
    subject: str

    def as_json(self) -> dict[str, str]:
        return {
            "to": self.to,
            "remote_session_id": self.remote_session_id,
            "access_level": self.access_level,
            "subject": self.subject,
        }


class FixtureAccess:
    """The fixture lookups every store answers alike from its ``_fixtures``."""

    _fixtures: Fixtures

    @property
    def fixtures(self) -> Fixtures:
        return self._fixtures

    @property
    def organizations(self) -> Mapping[str, Organization]:
        return self._fixtures.organizations

    def organization(self, slug: str) -> Organization | None:
        return self._fixtures.organizations.get(slug)


class Store(Protocol):
    """One world: fixed Organizations, Sessions and outbox changed by edits and the admin API."""

    @property
    def fixtures(self) -> Fixtures:
        """What ``reset`` goes back to (and what the ``PREVAIL_*`` variables point at)."""
        ...

    @property
    def organizations(self) -> Mapping[str, Organization]: ...

    def organization(self, slug: str) -> Organization | None: ...

    async def reset(self) -> None:
        """Back to the fixtures; the outbox is emptied."""

    async def get(self, remote_session_id: str) -> StoredSession | None:
        """The stored Session (an immutable snapshot) or None."""

    async def sessions(self) -> list[StoredSession]:
        """Every Session of the world, in creation order (fixtures first)."""

    async def count(self) -> int:
        """How many Sessions the world holds."""

    async def list_sessions(self, organization: str) -> list[StoredSession]:
        """One Organization's Sessions, every field, in creation order (fixtures first)."""

    async def add(self, session: StoredSession) -> bool:
        """Store a new Session; False if the id is taken."""

    async def update(self, remote_session_id: str, change: Change[T]) -> T:
        """Run ``change`` on the current Session and commit what it returns, atomically.

        ``change`` raises to refuse; then nothing is stored and nothing is sent. It may run
        more than once (an optimistic store retries when another writer got there first), so
        it must not have side effects of its own.
        """

    async def outbox(self) -> list[OutboxMessage]: ...

    async def clear_outbox(self) -> None: ...


class Worlds(Protocol):
    """The default world and the sandboxes, each a ``Store``."""

    @property
    def main(self) -> Store: ...

    @property
    def shared(self) -> bool:
        """Whether several processes can serve from this store (``--workers`` > 1)."""
        ...

    async def create_sandbox(self, sandbox_id: str, fixtures: Fixtures, ttl: float) -> Store:
        """A new world loaded from ``fixtures``, removed after ``ttl`` idle seconds;
        ``SandboxLimitError`` when it would pass the caps."""

    async def sandbox(self, sandbox_id: str) -> Store | None:
        """The sandbox's world, its idle time restarted; None if deleted or expired."""

    async def peek_sandbox(self, sandbox_id: str) -> Store | None:
        """The sandbox's world without touching its idle time (for a token not yet verified)."""

    async def delete_sandbox(self, sandbox_id: str) -> bool:
        """Remove a sandbox and everything in it; False if there was none."""

    async def aclose(self) -> None: ...


def new_sandbox_id() -> str:
    """A fresh, unguessable sandbox id."""
    return "sbx-" + secrets.token_hex(8)
