"""The in-memory store (the default): one process's worlds, every change under one lock.

Every change builds a new ``StoredSession`` and swaps it in while holding the lock, so a
request that fails half-way leaves nothing behind and concurrent edits never interleave.
A ``threading.Lock`` (not an ``asyncio.Lock``) is used because critical sections never await
and the store is also used from test threads; the methods are coroutines only to share the
interface of the Redis store.
"""

from __future__ import annotations

import threading
import time
from typing import TypeVar

from prevail_contract.mock.fixtures import Fixtures, StoredSession
from prevail_contract.mock.store import base
from prevail_contract.mock.store.base import (
    Change,
    FixtureAccess,
    OutboxMessage,
    SandboxLimitError,
    Store,
)

T = TypeVar("T")


class MemoryStore(FixtureAccess):
    """One world held in this process."""

    def __init__(self, fixtures: Fixtures, lock: threading.Lock | None = None) -> None:
        self._fixtures = fixtures
        self.lock = lock or threading.Lock()
        self._sessions: dict[str, StoredSession] = {}
        self._outbox: list[OutboxMessage] = []
        self._reset()

    def _reset(self) -> None:
        with self.lock:
            self._sessions = {s.remote_session_id: s for s in self._fixtures.sessions}
            self._outbox = []

    async def reset(self) -> None:
        self._reset()

    async def get(self, remote_session_id: str) -> StoredSession | None:
        return self._sessions.get(remote_session_id)

    async def sessions(self) -> list[StoredSession]:
        with self.lock:
            return list(self._sessions.values())

    async def count(self) -> int:
        return len(self._sessions)

    async def list_sessions(self, organization: str) -> list[StoredSession]:
        return [s for s in await self.sessions() if s.organization == organization]

    async def add(self, session: StoredSession) -> bool:
        with self.lock:
            if session.remote_session_id in self._sessions:
                return False
            self._sessions[session.remote_session_id] = session
            return True

    async def update(self, remote_session_id: str, change: Change[T]) -> T:
        with self.lock:
            new, messages, result = change(self._sessions.get(remote_session_id))
            self._sessions[remote_session_id] = new
            self._outbox.extend(messages)
            return result

    async def outbox(self) -> list[OutboxMessage]:
        with self.lock:
            return list(self._outbox)

    async def clear_outbox(self) -> None:
        with self.lock:
            self._outbox = []


class MemoryWorlds:
    """The default world and the sandboxes of this process; expired sandboxes are dropped
    whenever sandboxes are looked up or created."""

    shared = False

    def __init__(self, fixtures: Fixtures) -> None:
        self._main = MemoryStore(fixtures)
        self._lock = threading.Lock()
        #: id -> (world, idle seconds allowed, deadline on the monotonic clock)
        self._sandboxes: dict[str, tuple[MemoryStore, float, float]] = {}

    @property
    def main(self) -> Store:
        return self._main

    async def create_sandbox(self, sandbox_id: str, fixtures: Fixtures, ttl: float) -> Store:
        world = MemoryStore(fixtures)
        with self._lock:
            self._sweep()
            held = sum(len(w.fixtures.sessions) for w, _, _ in self._sandboxes.values())
            if len(self._sandboxes) >= base.MAX_SANDBOXES:
                raise SandboxLimitError(f"the mock holds at most {base.MAX_SANDBOXES} sandboxes")
            if held + len(fixtures.sessions) > base.MAX_SANDBOX_SESSIONS:
                raise SandboxLimitError(
                    f"the sandboxes hold at most {base.MAX_SANDBOX_SESSIONS} Sessions in all"
                )
            self._sandboxes[sandbox_id] = (world, ttl, time.monotonic() + ttl)
        return world

    async def sandbox(self, sandbox_id: str) -> Store | None:
        return self._find(sandbox_id, touch=True)

    async def peek_sandbox(self, sandbox_id: str) -> Store | None:
        return self._find(sandbox_id, touch=False)

    def _find(self, sandbox_id: str, *, touch: bool) -> Store | None:
        with self._lock:
            self._sweep()
            entry = self._sandboxes.get(sandbox_id)
            if entry is None:
                return None
            world, ttl, _ = entry
            if touch:
                self._sandboxes[sandbox_id] = (world, ttl, time.monotonic() + ttl)
            return world

    async def delete_sandbox(self, sandbox_id: str) -> bool:
        with self._lock:
            self._sweep()
            return self._sandboxes.pop(sandbox_id, None) is not None

    async def aclose(self) -> None:
        pass

    def _sweep(self) -> None:
        now = time.monotonic()
        for sandbox_id in [k for k, (_, _, deadline) in self._sandboxes.items() if deadline <= now]:
            del self._sandboxes[sandbox_id]
