"""Run a test's independent pieces of work side by side, at most ``--concurrency`` at a time.

A live run is bound by the target's latency, not by this machine: a probe waits for its answer
far longer than it computes. Pieces of work that touch different Sessions, or only read, may
therefore wait together. What a piece is stays the same at every concurrency: the tests cut
their work the same way whatever the limit, and ``--concurrency 1`` runs the same pieces one
after another on the calling thread, so the requests and the verdicts of a concurrent run are
those of a sequential one (unless the target's answers depend on the order of requests that
touch different Sessions, which is itself a finding).

The standard library's thread pool does the work (requests block on sockets, so threads are
what helps); only the ordering of the results and of the first error is ours. Each request
is still bounded by its own deadline off the main thread
(:mod:`~prevail_contract.runtime.socket_deadline`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from prevail_contract.errors import ConfigError

T = TypeVar("T")

CONCURRENCY_VAR = "PREVAIL_CONCURRENCY"
#: Requests in flight at once by default: a handful, which a staging server takes in its stride
#: and which already hides most of a remote target's latency.
DEFAULT_CONCURRENCY = 4
#: The most a run may ask for (more would only hammer the target).
MAX_CONCURRENCY = 32


def parse_concurrency(raw: object, source: str = f"--concurrency / {CONCURRENCY_VAR}") -> int:
    """A concurrency from a flag or variable, or :class:`ConfigError` saying what is accepted."""
    text = str(raw).strip()
    if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_CONCURRENCY:
        raise ConfigError(
            f"{source} must be a whole number from 1 to {MAX_CONCURRENCY} "
            f"(1 sends the suite's requests one at a time), got {raw!r}"
        )
    return int(text)


def together(work: Sequence[Callable[[], T]], limit: int) -> list[T]:
    """Run every piece of ``work``, at most ``limit`` at a time; their results in the order
    given.

    Every piece runs even when one fails (each is a probe whose answer counts); then the error
    of the first failed piece, in the order given, is raised, so which error surfaces does not
    depend on timing. With a limit of 1, or a single piece, the work runs on this thread.
    """
    if limit <= 1 or len(work) <= 1:
        return [piece() for piece in work]
    with ThreadPoolExecutor(max_workers=min(limit, len(work))) as pool:
        futures = [pool.submit(piece) for piece in work]
        errors = [f.exception() for f in futures]
    first = next((e for e in errors if e is not None), None)
    if first is not None:
        raise first
    return [f.result() for f in futures]


def spread(items: Sequence[T], lanes: int) -> list[list[T]]:
    """``items`` dealt into at most ``lanes`` runs of consecutive items, as even as can be (the
    order within each run kept): work for ``lanes`` Sessions, one run each."""
    lanes = max(1, min(lanes, len(items)))
    size, extra = divmod(len(items), lanes)
    runs: list[list[T]] = []
    start = 0
    for lane in range(lanes):
        end = start + size + (1 if lane < extra else 0)
        runs.append(list(items[start:end]))
        start = end
    return runs
