"""Redis out of reach or not ready, as the Redis store answers it: ``StoreUnavailableError``
(503), so that the request fails within the store's timeout and the next one tries again."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import redis

from prevail_contract.mock.store.base import StoreUnavailableError

__all__ = ["UNREACHABLE", "UNREADY_REPLIES", "reaching", "run_script"]

#: What a Redis call raises when the store is out of reach, paused, loading or refusing writes.
UNREACHABLE: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.ReadOnlyError,
    redis.exceptions.OutOfMemoryError,
    redis.exceptions.TryAgainError,
    redis.exceptions.MasterDownError,
    redis.exceptions.ExecAbortError,
    OSError,
    TimeoutError,
)
#: Error replies of a Redis that is up but cannot serve (loading, or unable to persist).
UNREADY_REPLIES = ("LOADING", "MISCONF", "BUSY")


@contextlib.asynccontextmanager
async def reaching() -> AsyncIterator[None]:
    """Turn Redis being out of reach (or not ready) into ``StoreUnavailableError``."""
    try:
        yield
    except UNREACHABLE as exc:
        raise StoreUnavailableError(f"the Redis store did not answer ({exc})") from exc
    except redis.exceptions.ResponseError as exc:
        if str(exc).startswith(UNREADY_REPLIES):
            raise StoreUnavailableError(f"the Redis store is not ready ({exc})") from exc
        raise


async def run_script(script: Any, keys: list[str], args: list[str]) -> Any:
    """Run a registered script (redis-py loads it again after a Redis restart)."""
    async with reaching():
        return await script(keys=keys, args=args)
