"""The Redis store: worlds shared by every worker and host that points at one Redis database.

Per world (``{prefix}:{world}:``): ``sessions`` (hash id -> JSON), ``ids`` (list, creation
order), ``outbox`` (list of JSON) and, for sandboxes, ``meta`` (Organizations, fixtures, TTL).
Sandboxes' idle deadlines live in one sorted set (``{prefix}:sandboxes``, scored with Redis'
own clock in ms), so that touching a sandbox never writes to its data.

``update`` is an optimistic compare-and-set: read the Session, run the rules in Python, then a
Lua script stores the new Session and appends its outbox messages only if the stored Session
is still exactly the one read (Redis runs a script atomically); otherwise it answers the
current one and the step is re-run on it. So no invite is lost, no edit is seen half-applied
and no email is recorded twice, across processes and hosts, in one round trip when
the Session this process saw last is still current. (The rules stay Python, shared with the
in-memory store, so they cannot run inside Redis themselves.)
redis-py is imported only here, so the in-memory default needs nothing beyond the base install.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, TypeVar

from prevail_contract.errors import ConfigError
from prevail_contract.mock.fixtures import Fixtures, StoredSession
from prevail_contract.mock.store import codec
from prevail_contract.mock.store.base import MAIN_WORLD, Change, FixtureAccess, OutboxMessage, Store

try:
    import redis
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ConfigError(
        "--store redis://... needs redis-py: pip install 'prevail-contract[redis]'"
    ) from exc

T = TypeVar("T")
PREFIX = "prevail-mock"
#: Attempts of one optimistic step before giving up (each failure means another writer won).
MAX_ATTEMPTS = 1000
#: Seconds between two sweeps of expired sandboxes by one process.
SWEEP_EVERY = 5.0
#: Sandbox worlds (their fixtures are immutable) and Sessions one process keeps decoded.
CACHE_SIZE = 256
_PARTS = ("sessions", "ids", "outbox", "meta", "loaded")

# KEYS: sessions, ids; ARGV: id, JSON. A new Session and its place in the order, together.
_ADD = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0
"""
# KEYS: sessions, ids, outbox; ARGV: id, the Session JSON read ('' = none), new JSON,
# messages... {1} when stored; {0, current JSON or ''} when another writer changed it.
_COMPARE_AND_SET = """
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then return {0, current} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if current == '' then redis.call('RPUSH', KEYS[2], ARGV[1]) end
for i = 4, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
return {1}
"""
# KEYS: deadlines, meta; ARGV: id. 1 and the sandbox's deadline pushed back, or nil when it
# is gone or past its deadline.
_TOUCH = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
if (not deadline) or tonumber(deadline) <= now then return false end
local ttl = tonumber(redis.call('HGET', KEYS[2], 'ttl_ms'))
redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[1])
return 1
"""
# KEYS: deadlines; ARGV: key prefix, id or '' (= every expired one). Deleted ids.
_DELETE = """
local ids
if ARGV[2] == '' then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 100)
else
  ids = {}
  if redis.call('ZSCORE', KEYS[1], ARGV[2]) then ids = {ARGV[2]} end
end
for _, id in ipairs(ids) do
  local p = ARGV[1] .. id .. ':'
  redis.call('DEL', p .. 'sessions', p .. 'ids', p .. 'outbox', p .. 'meta', p .. 'loaded')
  redis.call('ZREM', KEYS[1], id)
end
return ids
"""


class RedisStore(FixtureAccess):
    """One world kept in Redis."""

    def __init__(
        self,
        client: redis.Redis,
        world: str,
        fixtures: Fixtures,
        scripts: Mapping[str, Any],
        prefix: str = PREFIX,
    ) -> None:
        self._client = client
        self._fixtures = fixtures
        self._scripts = scripts
        base = f"{prefix}:{world}:"
        self.keys = {part: base + part for part in _PARTS}
        #: The last JSON read or written per Session id and its decoded form: ``update``'s
        #: first guess of the current state (a stale guess only costs one retry).
        self._seen: dict[str, tuple[str, StoredSession]] = {}

    def _queue_reset(self, pipe: Any) -> None:
        keys = self.keys
        pipe.delete(keys["sessions"], keys["ids"], keys["outbox"])
        sessions = self._fixtures.sessions
        if sessions:
            pipe.hset(
                keys["sessions"],
                mapping={s.remote_session_id: codec.encode_session(s) for s in sessions},
            )
            pipe.rpush(keys["ids"], *[s.remote_session_id for s in sessions])

    def reset(self) -> None:
        with self._client.pipeline(transaction=True) as pipe:
            self._queue_reset(pipe)
            pipe.set(self.keys["loaded"], "1")
            pipe.execute()

    def load_once(self) -> bool:
        """Load the fixtures unless the world is loaded already; True if this call loaded."""
        marker = self.keys["loaded"]
        with self._client.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(marker)  # type: ignore[no-untyped-call]
                if pipe.exists(marker):
                    return False
                pipe.multi()
                self._queue_reset(pipe)
                pipe.set(marker, "1")
                pipe.execute()
                return True
            except redis.WatchError:
                return False  # another worker loaded it first

    def get(self, remote_session_id: str) -> StoredSession | None:
        raw = self._client.hget(self.keys["sessions"], remote_session_id)
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

    def sessions(self) -> list[StoredSession]:
        with self._client.pipeline(transaction=True) as pipe:
            pipe.lrange(self.keys["ids"], 0, -1)
            pipe.hgetall(self.keys["sessions"])
            ids, stored = pipe.execute()
        return [codec.decode_session(stored[i]) for i in ids if i in stored]

    def list_sessions(self, organization: str) -> list[StoredSession]:
        return [s for s in self.sessions() if s.organization == organization]

    def add(self, session: StoredSession) -> bool:
        keys = [self.keys["sessions"], self.keys["ids"]]
        added = self._scripts["add"](
            keys=keys, args=[session.remote_session_id, codec.encode_session(session)]
        )
        return bool(added)

    def update(self, remote_session_id: str, change: Change[T]) -> T:
        keys = [self.keys["sessions"], self.keys["ids"], self.keys["outbox"]]
        seen = self._seen.get(remote_session_id)
        raw = seen[0] if seen else str(self._client.hget(keys[0], remote_session_id) or "")
        for _ in range(MAX_ATTEMPTS):
            current = self._decoded(remote_session_id, raw) if raw else None
            new, messages, result = change(current)
            encoded = codec.encode_session(new)
            answer = self._scripts["compare_and_set"](
                keys=keys,
                args=[remote_session_id, raw, encoded, *map(codec.encode_message, messages)],
            )
            if answer[0] == 1:
                self._remember(remote_session_id, encoded, new)
                return result
            raw = answer[1]  # another writer got there first: run the rules on its result
        raise RuntimeError(
            f"gave up on Session {remote_session_id!r} after {MAX_ATTEMPTS} conflicting writes"
        )

    def outbox(self) -> list[OutboxMessage]:
        return [codec.decode_message(m) for m in self._client.lrange(self.keys["outbox"], 0, -1)]

    def clear_outbox(self) -> None:
        self._client.delete(self.keys["outbox"])


class RedisWorlds:
    """The default world and the sandboxes in one Redis database (``redis://HOST:PORT/DB``)."""

    shared = True

    def __init__(self, url: str, fixtures: Fixtures, prefix: str = PREFIX) -> None:
        try:
            self._client = redis.Redis.from_url(url, decode_responses=True)
            self._client.ping()
        except (redis.RedisError, ValueError) as exc:
            raise ConfigError(f"cannot use the Redis store at {url}: {exc}") from exc
        self._prefix = prefix
        self._deadlines = f"{prefix}:sandboxes"
        self._scripts = {
            "add": self._client.register_script(_ADD),
            "compare_and_set": self._client.register_script(_COMPARE_AND_SET),
            "touch": self._client.register_script(_TOUCH),
            "delete": self._client.register_script(_DELETE),
        }
        self._main = RedisStore(self._client, MAIN_WORLD, fixtures, self._scripts, prefix)
        self._main.load_once()
        self._swept = 0.0
        self._cache: dict[str, RedisStore] = {}

    @property
    def main(self) -> Store:
        return self._main

    def create_sandbox(self, sandbox_id: str, fixtures: Fixtures, ttl: float) -> Store:
        self._sweep(force=True)
        world = RedisStore(self._client, sandbox_id, fixtures, self._scripts, self._prefix)
        seconds, micros = self._client.time()
        ttl_ms = max(1, round(ttl * 1000))
        with self._client.pipeline(transaction=True) as pipe:
            pipe.hset(
                world.keys["meta"],
                mapping={
                    "organizations": codec.encode_organizations(fixtures.organizations),
                    "fixtures": codec.encode_fixtures(fixtures),
                    "ttl_ms": str(ttl_ms),
                },
            )
            world._queue_reset(pipe)
            pipe.set(world.keys["loaded"], "1")
            pipe.zadd(self._deadlines, {sandbox_id: seconds * 1000 + micros // 1000 + ttl_ms})
            pipe.execute()
        return world

    def sandbox(self, sandbox_id: str) -> Store | None:
        self._sweep()
        meta = f"{self._prefix}:{sandbox_id}:meta"
        if not self._scripts["touch"](keys=[self._deadlines, meta], args=[sandbox_id]):
            self._cache.pop(sandbox_id, None)
            return None
        world = self._cache.get(sandbox_id)
        if world is None:
            orgs, raw_fixtures = self._client.hmget(meta, ["organizations", "fixtures"])
            if orgs is None or raw_fixtures is None:
                return None
            fixtures = codec.decode_fixtures(raw_fixtures, codec.decode_organizations(orgs))
            world = RedisStore(self._client, sandbox_id, fixtures, self._scripts, self._prefix)
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[sandbox_id] = world
        return world

    def delete_sandbox(self, sandbox_id: str) -> bool:
        self._cache.pop(sandbox_id, None)
        deleted = self._scripts["delete"](
            keys=[self._deadlines], args=[f"{self._prefix}:", sandbox_id]
        )
        return bool(deleted)

    def close(self) -> None:
        self._client.close()

    def _sweep(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._swept >= SWEEP_EVERY:
            self._swept = now
            self._scripts["delete"](keys=[self._deadlines], args=[f"{self._prefix}:", ""])
