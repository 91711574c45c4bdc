"""The mock's state behind one interface: in memory (the default) or in Redis (shared)."""

from __future__ import annotations

from prevail_contract.errors import ConfigError
from prevail_contract.mock.fixtures import Fixtures
from prevail_contract.mock.store.base import (
    MAIN_WORLD,
    MAX_SANDBOX_SESSIONS,
    MAX_SANDBOXES,
    Change,
    OutboxMessage,
    SandboxLimitError,
    Store,
    StoreUnavailableError,
    WorldGoneError,
    Worlds,
    new_sandbox_id,
)
from prevail_contract.mock.store.memory import MemoryStore, MemoryWorlds

__all__ = [
    "MAIN_WORLD",
    "MAX_SANDBOXES",
    "MAX_SANDBOX_SESSIONS",
    "Change",
    "MemoryStore",
    "MemoryWorlds",
    "OutboxMessage",
    "SandboxLimitError",
    "Store",
    "StoreUnavailableError",
    "WorldGoneError",
    "Worlds",
    "new_sandbox_id",
    "open_worlds",
]

#: What ``--store`` accepts besides a Redis URL.
MEMORY = "memory"


def open_worlds(url: str | None, fixtures: Fixtures, *, check: bool = True) -> Worlds:
    """The store named by ``url``: ``None``/``memory`` (this process only) or ``redis://...``.

    The default world is loaded from ``fixtures`` unless the store already holds it (a Redis
    store shared by several workers loads it once, when it is first used). ``check`` False
    lets a Redis store that is out of reach start anyway (its requests get 503 until it is
    back); True makes that a ``ConfigError``.
    """
    if url is None or url == MEMORY:
        return MemoryWorlds(fixtures)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from prevail_contract.mock.store.redis_store import RedisWorlds

        return RedisWorlds(url, fixtures, check=check)
    raise ConfigError(
        f"--store must be {MEMORY!r} or a Redis URL such as redis://127.0.0.1:6379/0, "
        f"got {url[:100]!r}"
    )
