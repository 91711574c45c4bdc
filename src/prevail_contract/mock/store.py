"""The mock's in-memory state: Sessions and the outbox, guarded by one lock.

Every change builds a new ``StoredSession`` and swaps it in while holding the lock, so a
request that fails half-way leaves nothing behind and concurrent edits never interleave.
A ``threading.Lock`` (not an ``asyncio.Lock``) is used because critical sections never await
and the store is also used from test threads and the admin API.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from prevail_contract.mock.fixtures import Fixtures, Organization, StoredSession

T = TypeVar("T")


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


class Store:
    """Organizations (fixed), Sessions and outbox (changed by edits and the admin API)."""

    def __init__(self, fixtures: Fixtures) -> None:
        self.fixtures = fixtures
        self.organizations: Mapping[str, Organization] = fixtures.organizations
        self.lock = threading.Lock()
        self._sessions: dict[str, StoredSession] = {}
        self._outbox: list[OutboxMessage] = []
        self.reset()

    def reset(self) -> None:
        """Back to the fixtures; the outbox is emptied."""
        with self.lock:
            self._sessions = {s.remote_session_id: s for s in self.fixtures.sessions}
            self._outbox = []

    def organization(self, slug: str) -> Organization | None:
        return self.organizations.get(slug)

    def get(self, remote_session_id: str) -> StoredSession | None:
        """The stored Session (an immutable snapshot) or None."""
        return self._sessions.get(remote_session_id)

    def sessions(self) -> list[StoredSession]:
        with self.lock:
            return list(self._sessions.values())

    def add(self, session: StoredSession) -> bool:
        """Store a new Session; False if the id is taken."""
        with self.lock:
            if session.remote_session_id in self._sessions:
                return False
            self._sessions[session.remote_session_id] = session
            return True

    def update(
        self,
        remote_session_id: str,
        change: Callable[[StoredSession | None], tuple[StoredSession, list[OutboxMessage], T]],
    ) -> T:
        """Run ``change`` on the current Session under the lock and commit what it returns.

        ``change`` raises to refuse; then nothing is stored and nothing is sent.
        """
        with self.lock:
            new, messages, result = change(self._sessions.get(remote_session_id))
            self._sessions[remote_session_id] = new
            self._outbox.extend(messages)
            return result

    def outbox(self) -> list[OutboxMessage]:
        with self.lock:
            return list(self._outbox)

    def clear_outbox(self) -> None:
        with self.lock:
            self._outbox = []
