"""The Redis store: worlds shared by every worker and host that points at one Redis database.

Per world (``{prefix}:{world}:``): ``sessions`` (hash id -> JSON), ``ids`` (list, creation
order), ``outbox`` (list of JSON), ``loaded`` (the marker saying the world is there) and, for
sandboxes, ``meta`` (Organizations, fixtures, TTL). Sandboxes' idle deadlines live in one sorted
set (``{prefix}:sandboxes``, scored with Redis' own clock in ms) and their Session counts in one
hash (``{prefix}:sandbox-sessions``), so that touching a sandbox never writes to its data and
the caps are checked in one script.

``update`` is an optimistic compare-and-set: read the Session, run the rules in Python, then a
Lua script stores the new Session and appends its outbox messages only if the stored Session
is still exactly the one read (Redis runs a script atomically); otherwise it answers the
current one and the step is re-run on it. So no invite is lost, no edit is seen half-applied
and no email is recorded twice, across processes and hosts, in one round trip when the Session
this process saw last is still current. (The rules stay Python, shared with the in-memory
store, so they cannot run inside Redis themselves; the scripts are in ``redis_scripts``.)

Failures: the client is redis-py's asyncio one, with ``STORE_TIMEOUT`` to connect and to
answer and no retries of its own, so an unreachable, paused or loading Redis makes the request
fail within that time with ``StoreUnavailableError`` (503) and the next request tries again
(recovery needs no restart). Every read and script checks the world's ``loaded`` marker in the
same round trip: a default world found missing (Redis restarted without persistence, or
flushed) is loaded again from the fixtures, once across workers, before the request goes on,
and logged; a sandbox found missing is gone (``WorldGoneError``). A world is never served
empty. redis-py is imported only here and in ``redis_errors`` (which turns Redis out of reach
into 503), so the in-memory default needs nothing beyond the base install.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from prevail_contract.errors import ConfigError
from prevail_contract.mock.fixtures import Fixtures, StoredSession
from prevail_contract.mock.store import base, codec
from prevail_contract.mock.store.base import (
    MAIN_WORLD,
    Change,
    FixtureAccess,
    OutboxMessage,
    SandboxLimitError,
    Store,
    StoreUnavailableError,
    WorldGoneError,
)
from prevail_contract.mock.store.redis_scripts import SCRIPTS, VANISHED

try:
    import redis
    import redis.asyncio as aioredis
    from redis.backoff import NoBackoff
    from redis.retry import Retry
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ConfigError(
        "--store redis://... needs redis-py: pip install 'prevail-contract[redis]'"
    ) from exc

from prevail_contract.mock.store.redis_errors import UNREACHABLE, reaching, run_script

log = logging.getLogger("prevail_contract.mock")
T = TypeVar("T")
PREFIX = "prevail-mock"
#: Attempts of one optimistic step before giving up (each failure means another writer won).
MAX_ATTEMPTS = 1000
#: Seconds between two sweeps of expired sandboxes by one process.
SWEEP_EVERY = 5.0
#: Sandbox worlds (their fixtures are immutable) and Sessions one process keeps decoded.
CACHE_SIZE = 256
#: Seconds to connect to Redis, and to wait for each answer, before the request is answered
#: 503 (mock limit).
STORE_TIMEOUT = 0.5
#: Seconds the start-up check waits for Redis (a configuration problem: exit 2).
START_TIMEOUT = 2.0
_PARTS = ("sessions", "ids", "outbox", "meta", "loaded")


class RedisStore(FixtureAccess):
    """One world kept in Redis; the default world (``reload``) is loaded again when it
    vanishes, a sandbox is then gone."""

    def __init__(
        self,
        client: aioredis.Redis,
        world: str,
        fixtures: Fixtures,
        scripts: Mapping[str, Any],
        prefix: str = PREFIX,
        *,
        reload: bool = False,
    ) -> None:
        self._client = client
        self._world = world
        self._fixtures = fixtures
        self._scripts = scripts
        self._reload = reload
        base = f"{prefix}:{world}:"
        self.keys = {part: base + part for part in _PARTS}
        #: The last JSON read or written per Session id and its decoded form: ``update``'s
        #: first guess of the current state (a stale guess only costs one retry).
        self._seen: dict[str, tuple[str, StoredSession]] = {}
        #: Every Session the last read of them all found, with its JSON: the next read decodes
        #: only those whose JSON changed (at most the world's Sessions, as a memory store holds).
        self._listed: dict[str, tuple[str, StoredSession]] = {}

    # -- loading -------------------------------------------------------------------------

    def queue_reset(self, pipe: Any) -> None:
        """Queue the commands that put the fixtures in place (and set the marker)."""
        keys = self.keys
        pipe.delete(keys["sessions"], keys["ids"], keys["outbox"])
        sessions = self._fixtures.sessions
        if sessions:
            pipe.hset(
                keys["sessions"],
                mapping={s.remote_session_id: codec.encode_session(s) for s in sessions},
            )
            pipe.rpush(keys["ids"], *[s.remote_session_id for s in sessions])
        pipe.set(keys["loaded"], "1")

    async def reset(self) -> None:
        async with reaching(), self._client.pipeline(transaction=True) as pipe:
            self.queue_reset(pipe)
            await pipe.execute()
        self._seen.clear()

    async def load_once(self) -> bool:
        """Load the fixtures unless the world is there already; True if this call loaded."""
        marker = self.keys["loaded"]
        async with reaching(), self._client.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(marker)
                if await pipe.exists(marker):
                    return False
                pipe.multi()  # type: ignore[no-untyped-call]
                self.queue_reset(pipe)
                await pipe.execute()
                return True
            except redis.WatchError:
                return False  # another worker loaded it first

    async def _vanished(self) -> None:
        """The world's marker is missing: load the default world again; a sandbox is gone."""
        self._seen.clear()
        if not self._reload:
            raise WorldGoneError(f"the sandbox {self._world} is gone from the Redis store")
        if await self.load_once():
            log.warning(
                "the Redis store had lost the mock's default world (a Redis restart without "
                "persistence, or a flush): the fixtures were loaded again"
            )

    async def _read(self, queue: Callable[[Any], object]) -> list[Any]:
        """The answers of the commands ``queue`` adds, read in one transaction with the
        world's marker; a vanished world is handled first (``_vanished``)."""
        for _ in range(2):
            async with reaching(), self._client.pipeline(transaction=True) as pipe:
                pipe.exists(self.keys["loaded"])
                queue(pipe)
                loaded, *answers = await pipe.execute()
            if loaded:
                return answers
            await self._vanished()
        raise StoreUnavailableError("the Redis store lost the mock's world twice in a row")

    async def _script(self, name: str, keys: list[str], args: list[str]) -> Any:
        return await run_script(self._scripts[name], keys, args)

    # -- reads ---------------------------------------------------------------------------

    async def get(self, remote_session_id: str) -> StoredSession | None:
        (raw,) = await self._read(lambda p: p.hget(self.keys["sessions"], remote_session_id))
        return None if raw is None else self._decoded(remote_session_id, str(raw))

    def _decoded(self, remote_session_id: str, raw: str) -> StoredSession:
        seen = self._seen.get(remote_session_id)
        if seen is not None and seen[0] == raw:
            return seen[1]
        session = codec.decode_session(raw)
        self._remember(remote_session_id, raw, session)
        return session

    def _remember(self, remote_session_id: str, raw: str, session: StoredSession) -> None:
        if len(self._seen) >= CACHE_SIZE:
            self._seen.clear()
        self._seen[remote_session_id] = (raw, session)

    async def sessions(self) -> list[StoredSession]:
        ids, stored = await self._read(
            lambda p: (p.lrange(self.keys["ids"], 0, -1), p.hgetall(self.keys["sessions"]))
        )
        known, self._listed = self._listed, {}
        out = []
        for sid in ids:
            raw = stored.get(sid)
            if raw is None:
                continue
            seen = known.get(sid)
            session = seen[1] if seen is not None and seen[0] == raw else codec.decode_session(raw)
            self._listed[sid] = (raw, session)
            out.append(session)
        return out

    async def count(self) -> int:
        (count,) = await self._read(lambda p: p.hlen(self.keys["sessions"]))
        return int(count)

    async def list_sessions(self, organization: str) -> list[StoredSession]:
        return [s for s in await self.sessions() if s.organization == organization]

    async def outbox(self) -> list[OutboxMessage]:
        (raw,) = await self._read(lambda p: p.lrange(self.keys["outbox"], 0, -1))
        return [codec.decode_message(m) for m in raw]

    # -- changes -------------------------------------------------------------------------

    async def add(self, session: StoredSession) -> bool:
        keys = [self.keys["sessions"], self.keys["ids"], self.keys["loaded"]]
        args = [session.remote_session_id, codec.encode_session(session)]
        for _ in range(2):
            added = await self._script("add", keys, args)
            if added != VANISHED:
                return bool(added)
            await self._vanished()
        raise StoreUnavailableError("the Redis store lost the mock's world twice in a row")

    async def update(self, remote_session_id: str, change: Change[T]) -> T:
        keys = [self.keys[p] for p in ("sessions", "ids", "outbox", "loaded")]
        seen = self._seen.get(remote_session_id)
        raw = seen[0] if seen else await self._current(remote_session_id)
        for _ in range(MAX_ATTEMPTS):
            current = self._decoded(remote_session_id, raw) if raw else None
            new, messages, result = change(current)
            encoded = codec.encode_session(new)
            answer = await self._script(
                "compare_and_set",
                keys,
                [remote_session_id, raw, encoded, *map(codec.encode_message, messages)],
            )
            if answer[0] == 1:
                self._remember(remote_session_id, encoded, new)
                return result
            if answer[0] == VANISHED:
                await self._vanished()
                raw = await self._current(remote_session_id)
            else:
                raw = answer[1]  # another writer got there first: run the rules on its result
        raise RuntimeError(
            f"gave up on Session {remote_session_id!r} after {MAX_ATTEMPTS} conflicting writes"
        )

    async def _current(self, remote_session_id: str) -> str:
        (raw,) = await self._read(lambda p: p.hget(self.keys["sessions"], remote_session_id))
        return str(raw or "")

    async def clear_outbox(self) -> None:
        async with reaching():
            await self._client.delete(self.keys["outbox"])


def _check_reachable(url: str) -> None:
    """One ping at start: an unreachable Redis is a configuration problem (exit 2)."""
    try:
        client = redis.Redis.from_url(
            url, socket_timeout=START_TIMEOUT, socket_connect_timeout=START_TIMEOUT
        )
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise ConfigError(f"cannot use the Redis store at {url}: {exc}") from exc


class RedisWorlds:
    """The default world and the sandboxes in one Redis database (``redis://HOST:PORT/DB``).

    ``check`` pings Redis at once (a ``ConfigError`` when it is out of reach); a worker process
    passes False, so that it starts, answers 503 while Redis is away, and serves once it is
    back.
    """

    shared = True

    def __init__(
        self, url: str, fixtures: Fixtures, prefix: str = PREFIX, *, check: bool = True
    ) -> None:
        if check:
            _check_reachable(url)
        try:
            self._client = aioredis.Redis.from_url(
                url,
                decode_responses=True,
                socket_timeout=STORE_TIMEOUT,
                socket_connect_timeout=STORE_TIMEOUT,
                retry=Retry(NoBackoff(), 0),
            )
        except ValueError as exc:
            raise ConfigError(f"cannot use the Redis store at {url}: {exc}") from exc
        self._prefix = prefix
        self._deadlines = f"{prefix}:sandboxes"
        self._counts = f"{prefix}:sandbox-sessions"
        self._scripts = {name: self._client.register_script(s) for name, s in SCRIPTS.items()}
        self._main = RedisStore(
            self._client, MAIN_WORLD, fixtures, self._scripts, prefix, reload=True
        )
        self._swept = 0.0
        self._cache: dict[str, RedisStore] = {}

    @property
    def main(self) -> Store:
        return self._main

    async def create_sandbox(self, sandbox_id: str, fixtures: Fixtures, ttl: float) -> Store:
        await self._sweep(force=True)
        world = RedisStore(self._client, sandbox_id, fixtures, self._scripts, self._prefix)
        ttl_ms = max(1, round(ttl * 1000))
        async with reaching(), self._client.pipeline(transaction=True) as pipe:
            pipe.hset(
                world.keys["meta"],
                mapping={
                    "organizations": codec.encode_organizations(fixtures.organizations),
                    "fixtures": codec.encode_fixtures(fixtures),
                    "ttl_ms": str(ttl_ms),
                },
            )
            world.queue_reset(pipe)
            await pipe.execute()
        keys = [self._deadlines, self._counts]
        args = [sandbox_id, str(ttl_ms), str(len(fixtures.sessions))]
        limits = [str(base.MAX_SANDBOXES), str(base.MAX_SANDBOX_SESSIONS)]
        reserved = int(await run_script(self._scripts["reserve"], keys, [*args, *limits]))
        if reserved != 1:  # refused: its data goes
            async with reaching():
                await self._client.delete(*world.keys.values())
        if reserved == -1:
            raise SandboxLimitError(f"the mock holds at most {base.MAX_SANDBOXES} sandboxes")
        if reserved == -2:
            raise SandboxLimitError(
                f"the sandboxes hold at most {base.MAX_SANDBOX_SESSIONS} Sessions in all"
            )
        return world

    async def sandbox(self, sandbox_id: str) -> Store | None:
        return await self._find(sandbox_id, touch=True)

    async def peek_sandbox(self, sandbox_id: str) -> Store | None:
        return await self._find(sandbox_id, touch=False)

    async def _find(self, sandbox_id: str, *, touch: bool) -> Store | None:
        await self._sweep()
        meta = f"{self._prefix}:{sandbox_id}:meta"
        live = await run_script(
            self._scripts["touch"], [self._deadlines, meta], [sandbox_id, "1" if touch else "0"]
        )
        if not live:
            self._cache.pop(sandbox_id, None)
            return None
        world = self._cache.get(sandbox_id)
        if world is None:
            async with reaching():
                orgs, raw_fixtures = await self._client.hmget(meta, ["organizations", "fixtures"])
            if orgs is None or raw_fixtures is None:
                return None
            fixtures = codec.decode_fixtures(raw_fixtures, codec.decode_organizations(orgs))
            world = RedisStore(self._client, sandbox_id, fixtures, self._scripts, self._prefix)
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[sandbox_id] = world
        return world

    async def delete_sandbox(self, sandbox_id: str) -> bool:
        self._cache.pop(sandbox_id, None)
        keys = [self._deadlines, self._counts]
        deleted = await run_script(self._scripts["delete"], keys, [f"{self._prefix}:", sandbox_id])
        return bool(deleted)

    async def aclose(self) -> None:
        with contextlib.suppress(*UNREACHABLE):
            await self._client.aclose()

    async def _sweep(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._swept >= SWEEP_EVERY:
            self._swept = now
            await run_script(
                self._scripts["delete"], [self._deadlines, self._counts], [f"{self._prefix}:", ""]
            )
