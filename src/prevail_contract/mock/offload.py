"""Parsing and checking a large body in a worker thread, one body at a time, off the event loop.

A body of ``OFFLOAD_BYTES`` or less is handled on the event loop (well under a millisecond for
the contract's bodies, where a thread would cost more than the work). A larger one (up to the
1 MiB ``payload-limit``) takes tens to hundreds of milliseconds of parsing and scanning, so it
runs in a thread of anyio's pool while the event loop serves everyone else; at most
``MAX_THREADS`` such bodies are worked on at once per event loop, later ones wait their turn
without holding the loop.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")
#: Bodies larger than this are parsed and checked in a worker thread (mock limit).
OFFLOAD_BYTES = 16 * 1024
#: Large bodies worked on at once, per event loop (one per core of a 2-core machine leaves
#: the other to the event loop).
MAX_THREADS = 1

_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(MAX_THREADS)
    return limiter


async def run(size: int, func: Callable[[], T]) -> T:
    """``func()``, in a worker thread when ``size`` (the body's bytes) is over the threshold."""
    if size <= OFFLOAD_BYTES:
        return func()
    return await in_thread(func)


async def in_thread(func: Callable[[], T]) -> T:
    """``func()`` in a worker thread, waiting for a free one (``MAX_THREADS``)."""
    return await anyio.to_thread.run_sync(func, limiter=_limiter())
