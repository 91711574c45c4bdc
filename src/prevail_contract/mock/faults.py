"""Injected faults: what they are, how a request for one is read, and each world's list of them.

A fault makes the next ``count`` requests of an operation (or a ``ratio`` of them, drawn from a
seeded generator so that the same requests get the same faults) answer 429 or 503 with
``Retry-After``, answer late, or lose their connection, so that an integrator can test their
error handling against the mock. Faults belong to one world (the default one or a sandbox);
``faults_api`` serves them and ``fault_injection`` applies them. Everything a request for a
fault sets is bounded (``MAX_COUNT``, ``MAX_DELAY``, ``MAX_RETRY_AFTER``, ``MAX_FAULTS`` per
world, ``MAX_WORLDS`` worlds with faults), since the admin API is reachable wherever the mock is.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from prevail_contract.errors import MockError

#: Most requests one counted fault applies to.
MAX_COUNT = 10_000
#: Longest delay of an answer, in seconds.
MAX_DELAY = 30.0
#: Largest ``Retry-After`` of an injected answer, in seconds.
MAX_RETRY_AFTER = 3600
#: Most faults one world holds at once.
MAX_FAULTS = 32
#: Most worlds holding faults at once.
MAX_WORLDS = 1024
#: The statuses a fault may answer with: the two that say "not now" (RFC 9110).
STATUSES = (429, 503)
#: The ``operation`` of a fault that applies to every operation of the spec.
ANY_OPERATION = "*"
#: The header marking an answer the fault injection made (``injected``) or held (``delayed``).
MARK_HEADER = "X-Prevail-Mock-Fault"
INJECTED = "injected"
DELAYED = "delayed"
#: The scope extension through which the mock's server closes a connection on request.
DROP_EXTENSION = "prevail.drop_connection"
#: Where the fault injection notes what it did to a request (read by the access log).
SCOPE_KEY = "prevail.fault"
#: Error codes of injected answers (the mock's own, like ``too_many_connections``).
CODES = {429: "rate_limited", 503: "service_unavailable"}
_FIELDS = ("operation", "status", "retry_after", "delay", "drop", "count", "ratio", "seed")


class FaultRequestError(MockError, ValueError):
    """A fault request that cannot be used: the message names the field and what is accepted."""


class ConnectionDropped(MockError):  # noqa: N818 - an event, as httpx's own errors are named
    """Raised where a dropped connection cannot be made real (no socket): the caller's
    transport turns it into the error a client meets when a server hangs up."""


@dataclass
class Fault:
    """One fault of one world, and how often it has fired."""

    id: str
    operation: str
    status: int | None
    retry_after: int | None
    delay: float
    drop: bool
    #: Requests left to fault (a counted fault), or None (a ratio fault lasts until removed).
    remaining: int | None
    ratio: float | None
    seed: int
    fired: int = 0
    _draws: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._draws = random.Random(self.seed)  # noqa: S311 - reproducible draws, not secrets

    def fires_for(self, operation: str) -> bool:
        """Whether this request of ``operation`` gets the fault (a draw or a count spent)."""
        if self.operation not in (ANY_OPERATION, operation):
            return False
        if self.remaining is not None:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
        elif self._draws.random() >= (self.ratio or 0.0):
            return False
        self.fired += 1
        return True

    @property
    def spent(self) -> bool:
        return self.remaining is not None and self.remaining <= 0

    def label(self) -> str:
        """How the access log names what this fault did: ``503``, ``dropped``, ``delayed 0.5 s``."""
        done = str(self.status) if self.status else "dropped" if self.drop else ""
        late = f"delayed {self.delay:g} s" if self.delay else ""
        return " ".join(part for part in (done, late) if part)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "operation": self.operation,
            "status": self.status,
            "retry_after": self.retry_after,
            "delay": self.delay,
            "drop": self.drop,
            "remaining": self.remaining,
            "ratio": self.ratio,
            "seed": self.seed,
            "fired": self.fired,
        }


def _whole(body: Mapping[str, Any], name: str, low: int, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FaultRequestError(f"{name}: a whole number from {low} to {high}, got {value!r:.40}")
    return value


def _number(body: Mapping[str, Any], name: str, low: float, high: float) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or not low <= value <= high:
        raise FaultRequestError(f"{name}: a number from {low:g} to {high:g}, got {value!r:.40}")
    return float(value)


def read_fault(body: Any, operations: Collection[str], fault_id: str) -> Fault:
    """The fault a request body asks for, checked against the spec's ``operations``.

    ``{"operation": operationId or "*", "status": 429|503, "retry_after": S, "delay": S,
    "drop": true, "count": N | "ratio": 0.x, "seed": N}``: ``status`` and ``drop`` exclude each
    other, one of them or a ``delay`` is needed; ``count`` (default 1) and ``ratio`` exclude
    each other.
    """
    if not isinstance(body, Mapping):
        raise FaultRequestError(f"send a JSON object with some of: {', '.join(_FIELDS)}")
    unknown = sorted(str(k) for k in body if k not in _FIELDS)
    if unknown:
        raise FaultRequestError(
            f"unknown field(s) {', '.join(repr(k[:40]) for k in unknown[:5])}; "
            f"accepted: {', '.join(_FIELDS)}"
        )
    operation = body.get("operation", ANY_OPERATION)
    known = sorted(operations)
    if not isinstance(operation, str) or operation not in (ANY_OPERATION, *known):
        raise FaultRequestError(
            f"operation: {operation!r:.60} is not an operationId of the spec; known: "
            f"{', '.join(known)}, or {ANY_OPERATION!r} for every operation"
        )
    status = body.get("status")
    if status is not None and (isinstance(status, bool) or status not in STATUSES):
        allowed = " or ".join(map(str, STATUSES))
        raise FaultRequestError(f"status: {allowed}, got {status!r:.40}")
    drop = body.get("drop", False)
    if not isinstance(drop, bool):
        raise FaultRequestError(f"drop: true or false, got {drop!r:.40}")
    delay = _number(body, "delay", 0.0, MAX_DELAY) or 0.0
    if status is not None and drop:
        raise FaultRequestError("status and drop exclude each other: an answer, or none")
    if status is None and not drop and not delay:
        raise FaultRequestError("a fault needs a status (429 or 503), drop: true or a delay")
    retry_after = _whole(body, "retry_after", 0, MAX_RETRY_AFTER)
    if status is None and "retry_after" in body:
        raise FaultRequestError("retry_after goes with a status (429 or 503)")
    if status is not None and "retry_after" not in body:
        retry_after = 1
    count = _whole(body, "count", 1, MAX_COUNT)
    ratio = _number(body, "ratio", 0.0, 1.0)
    if count is not None and ratio is not None:
        raise FaultRequestError("count and ratio exclude each other: the next N, or a share")
    seed = _whole(body, "seed", 0, 2**63 - 1)
    if seed is not None and ratio is None:
        raise FaultRequestError("seed goes with a ratio (it draws which requests get the fault)")
    return Fault(
        id=fault_id,
        operation=operation,
        status=status,
        retry_after=retry_after,
        delay=delay,
        drop=drop,
        remaining=None if ratio is not None else (count or 1),
        ratio=ratio,
        seed=seed or 0,
    )


class FaultBook:
    """The faults of every world of one app, by world id (``main`` or a sandbox id)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._worlds: dict[str, list[Fault]] = {}
        self._made = 0
        #: Why faults cannot be injected in this process (several workers), or None.
        self.unavailable: str | None = None

    @property
    def active(self) -> bool:
        """Whether any world holds a fault (read without the lock: a hint for the fast path)."""
        return bool(self._worlds)

    def next_id(self) -> str:
        with self._lock:
            self._made += 1
            return f"fault-{self._made}"

    def add(self, world: str, fault: Fault, alive: Callable[[str], bool]) -> str | None:
        """Add ``fault`` to ``world``; the reason it cannot be added, or None.

        Worlds that ``alive`` says are gone (a deleted or expired sandbox) lose their faults
        first when the number of worlds with faults is at its cap.
        """
        with self._lock:
            faults = self._worlds.get(world)
            if faults is None and len(self._worlds) >= MAX_WORLDS:
                for gone in [w for w in self._worlds if not alive(w)]:
                    del self._worlds[gone]
                if len(self._worlds) >= MAX_WORLDS:
                    return f"at most {MAX_WORLDS} worlds hold faults at once; clear some first"
            faults = faults if faults is not None else []
            if len(faults) >= MAX_FAULTS:
                return f"a world holds at most {MAX_FAULTS} faults; DELETE them first"
            faults.append(fault)
            self._worlds[world] = faults
            return None

    def worlds(self) -> list[str]:
        """The worlds that hold faults now."""
        with self._lock:
            return list(self._worlds)

    def faults(self, world: str) -> list[Fault]:
        with self._lock:
            return list(self._worlds.get(world, ()))

    def clear(self, world: str) -> int:
        """Remove ``world``'s faults; how many there were."""
        with self._lock:
            return len(self._worlds.pop(world, ()))

    def take(self, world: str, operation: str) -> Fault | None:
        """The first of ``world``'s faults (in the order added) that fires for this request."""
        with self._lock:
            faults = self._worlds.get(world)
            if not faults:
                return None
            for fault in faults:
                if fault.fires_for(operation):
                    if fault.spent:
                        faults.remove(fault)
                        if not faults:
                            del self._worlds[world]
                    return fault
            return None
