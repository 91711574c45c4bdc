"""The bounds of one contract run: overall deadline, per-request time, response size, retry waits.

A hostile or broken target must not make a run use unbounded memory or time. These limits are
the suite's own (no contract fact is involved), so they live here rather than in the spec. The
per-request wall-clock limit uses ``SIGALRM`` because httpx only bounds each socket operation:
a server that trickles one header byte per second would otherwise hold a request for hours.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from types import FrameType
from typing import TYPE_CHECKING

from prevail_contract.errors import ConfigError, RunError
from prevail_contract.runtime.together import (
    CONCURRENCY_VAR,
    DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY,
    parse_concurrency,
)

if TYPE_CHECKING:
    from prevail_contract.runtime.results import RuleResult

DEADLINE_VAR = "PREVAIL_DEADLINE"
REQUEST_TIMEOUT_VAR = "PREVAIL_REQUEST_TIMEOUT"
MAX_RESPONSE_BYTES_VAR = "PREVAIL_MAX_RESPONSE_BYTES"
MAX_RETRY_WAIT_VAR = "PREVAIL_MAX_RETRY_WAIT"
#: Every variable of this module (the ``check`` command sets and restores them).
BOUNDS_VARS = (
    DEADLINE_VAR,
    REQUEST_TIMEOUT_VAR,
    MAX_RESPONSE_BYTES_VAR,
    MAX_RETRY_WAIT_VAR,
    CONCURRENCY_VAR,
)
#: Default overall deadline per profile, seconds (a fast run on the mock takes ~25 s).
DEFAULT_DEADLINES = {"fast": 600.0, "thorough": 3600.0}
DEFAULT_REQUEST_TIMEOUT = 30.0
#: One Session in a response is a few KiB; anything past this is cut and not used as evidence.
DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
#: Longest single wait for a 429's ``Retry-After`` (a larger value is capped, not obeyed).
DEFAULT_MAX_RETRY_WAIT = 5.0
#: How often a transient answer (see :func:`is_transient`) is sent again.
RATE_LIMIT_RETRIES = 4
#: A wait shorter than this is lengthened to it (``Retry-After: 0`` must not spin).
MIN_RETRY_WAIT = 0.05
#: The ``not_run`` reason of a rule no test sent anything for (as the report words it).
NEVER_SENT = "no check sent a request for it"


class RunStoppedError(RunError):
    """The run stopped (deadline reached, target error): no further request is sent."""


class RequestTimeoutError(RunError):
    """One request took longer than its wall-clock limit."""


@dataclass(frozen=True)
class Limits:
    """The bounds a run was started with."""

    deadline: float
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT
    #: Requests a test may have in flight at once (:mod:`~prevail_contract.runtime.together`);
    #: ``None``: the target's default (1 for the in-process mock, else ``DEFAULT_CONCURRENCY``).
    concurrency: int | None = None

    def to_env(self) -> dict[str, str]:
        """The variables that pass these limits to an in-process suite run."""
        return {
            DEADLINE_VAR: repr(self.deadline),
            REQUEST_TIMEOUT_VAR: repr(self.request_timeout),
            MAX_RESPONSE_BYTES_VAR: str(self.max_response_bytes),
            MAX_RETRY_WAIT_VAR: repr(self.max_retry_wait),
            **({} if self.concurrency is None else {CONCURRENCY_VAR: str(self.concurrency)}),
        }


def _number(raw: object, flag: str, var: str, *, whole: bool = False, zero: bool = False) -> float:
    try:
        value = int(str(raw)) if whole else float(str(raw))
    except ValueError:
        kind = "a whole number" if whole else "a number of seconds"
        raise ConfigError(f"{flag} / {var} must be {kind}, got {raw!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"{flag} / {var} must be a finite number of 0 or more, got {raw!r}")
    if value == 0 and not zero:
        raise ConfigError(f"{flag} / {var} must be more than 0, got {raw!r}")
    return value


def limits_from(
    env: Mapping[str, str], profile: str, flags: Mapping[str, object | None] | None = None
) -> Limits:
    """Limits from flags (``deadline``, ``request_timeout``, ...) over ``PREVAIL_*`` variables.

    Raises :class:`ConfigError` naming the flag and variable of a value that is not usable.
    """
    flags = flags or {}

    def pick(name: str, var: str) -> object | None:
        value = flags.get(name)
        return value if value is not None else (env.get(var) or None)

    deadline = pick("deadline", DEADLINE_VAR)
    timeout = pick("request_timeout", REQUEST_TIMEOUT_VAR)
    size = pick("max_response_bytes", MAX_RESPONSE_BYTES_VAR)
    wait = pick("max_retry_wait", MAX_RETRY_WAIT_VAR)
    lanes = pick("concurrency", CONCURRENCY_VAR)
    return Limits(
        deadline=DEFAULT_DEADLINES.get(profile, DEFAULT_DEADLINES["fast"])
        if deadline is None
        else _number(deadline, "--deadline", DEADLINE_VAR),
        request_timeout=DEFAULT_REQUEST_TIMEOUT
        if timeout is None
        else _number(timeout, "--request-timeout", REQUEST_TIMEOUT_VAR),
        max_response_bytes=DEFAULT_MAX_RESPONSE_BYTES
        if size is None
        else int(_number(size, "--max-response-bytes", MAX_RESPONSE_BYTES_VAR, whole=True)),
        max_retry_wait=DEFAULT_MAX_RETRY_WAIT
        if wait is None
        else _number(wait, "--max-retry-wait", MAX_RETRY_WAIT_VAR, zero=True),
        concurrency=None if lanes is None else parse_concurrency(lanes),
    )


def resolved(limits: Limits, *, embedded: bool) -> Limits:
    """``limits`` with the target's default concurrency filled in: 1 for the in-process mock
    (nothing waits there), else ``DEFAULT_CONCURRENCY``."""
    if limits.concurrency is not None:
        return limits
    return dataclasses.replace(limits, concurrency=1 if embedded else DEFAULT_CONCURRENCY)


class RunBounds:
    """The state of the current run against its limits (one per process, restarted per run)."""

    def __init__(self) -> None:
        self.limits = Limits(deadline=DEFAULT_DEADLINES["fast"])
        self.started = time.monotonic()
        self.stop_reason: str | None = None
        self.target_error: str | None = None
        self.deadline_reached = False
        #: Requests sent to the API (retries and schemathesis's own requests included).
        self.requests = 0
        self.cut_responses = 0
        self.throttled = 0
        #: Reads sent once more because their connection closed before the answer came.
        self.reads_sent_again = 0
        self._lock = threading.Lock()

    def start(self, limits: Limits) -> None:
        """Begin a run: the deadline counts from now."""
        self.__init__()  # type: ignore[misc]
        self.limits = limits

    def remaining(self) -> float:
        """Seconds left before the deadline (0 when it has passed)."""
        return max(self.limits.deadline - (time.monotonic() - self.started), 0.0)

    def stop(self, reason: str) -> None:
        """Stop the run; the first reason given is kept."""
        with self._lock:
            if self.stop_reason is None:
                self.stop_reason = reason

    def target_failed(self, message: str) -> None:
        """The target broke the exchange itself (reset, timeout): stop with a target error."""
        with self._lock:
            if self.target_error is None:
                self.target_error = message
        self.stop(f"not checked: the run stopped on a target error ({message})")

    def ensure_running(self) -> None:
        """Raise :class:`RunStoppedError` when the run has stopped or its deadline passed."""
        if self.stop_reason is None and self.remaining() <= 0:
            self.deadline_reached = True
            self.stop(
                f"not checked: the run's deadline of {self.limits.deadline:g} s was reached "
                "(raise it with --deadline)"
            )
        if self.stop_reason is not None:
            raise RunStoppedError(self.stop_reason)

    def count_request(self) -> None:
        """Count one request sent to the API."""
        with self._lock:
            self.requests += 1

    def count_read_sent_again(self) -> None:
        """Count one read sent once more (its connection closed before the answer came)."""
        with self._lock:
            self.reads_sent_again += 1

    def request_time(self) -> float:
        """Wall-clock seconds the next request may take: its limit, or less near the deadline."""
        return max(min(self.limits.request_timeout, self.remaining()), 0.05)

    def retry_wait(self, retry_after: str | None) -> float:
        """Seconds to wait after a transient answer: its ``Retry-After`` (seconds or an HTTP
        date; 1 s when absent or unreadable) capped by the limit and the deadline."""
        asked = _retry_after_seconds(retry_after)
        floor = min(MIN_RETRY_WAIT, self.limits.max_retry_wait)
        return max(min(asked, self.limits.max_retry_wait, self.remaining()), floor, 0.0)


def _retry_after_seconds(value: str | None) -> float:
    text = (value or "").strip()
    if not text:
        return 1.0
    try:
        asked = float(text)
    except ValueError:
        try:
            asked = parsedate_to_datetime(text).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError):
            return 1.0  # garbage: wait the default
    return 1.0 if math.isnan(asked) else asked


#: The header (and value) with which the kit's mock marks an answer its fault injection made
#: instead of the API's: never a contract answer. Written here, not imported: the suite reads
#: nothing of the mock (tests/test_mock_faults.py holds the two spellings together).
INJECTED_HEADER = "x-prevail-mock-fault"
INJECTED_VALUE = "injected"


def is_injected(headers: Mapping[str, str]) -> bool:
    """Whether the kit's mock made this answer up on purpose (an injected fault)."""
    return any(
        k.lower() == INJECTED_HEADER and v.strip().lower() == INJECTED_VALUE
        for k, v in headers.items()
    )


def is_transient(status: int, headers: Mapping[str, str]) -> bool:
    """Whether an answer says "not now" rather than "no": 429, 503 with ``Retry-After``, or any
    answer the kit's mock injected (``is_injected``).

    Such an answer is waited for and sent again; if it is all a request ever got, it is
    evidence of nothing (the test is skipped, so its rules are not judged on it).
    """
    if status == 429 or is_injected(headers):
        return True
    return status == 503 and any(k.lower() == "retry-after" for k in headers)


#: The process-wide run state: the target starts it, the sender and the ``check`` command read it.
RUN = RunBounds()


@contextlib.contextmanager
def wall_clock(seconds: float) -> Iterator[None]:
    """Raise :class:`RequestTimeoutError` in the block once ``seconds`` have passed.

    Works in the main thread of a Unix process (where the suite runs); elsewhere the block is
    bounded only by httpx's per-operation timeouts.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise RequestTimeoutError(f"no complete answer within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read_capped(chunks: Iterable[bytes], limit: int) -> tuple[bytes, bool]:
    """The first ``limit`` bytes of ``chunks`` and whether more followed (reading stops there)."""
    buffer = bytearray()
    for chunk in chunks:
        room = limit - len(buffer)
        if len(chunk) > room:
            buffer += chunk[:room]
            return bytes(buffer), True
        buffer += chunk
    return bytes(buffer), False


def add_flags(parser: argparse.ArgumentParser) -> None:
    """Declare the ``check`` flags of the run's bounds."""
    group = parser.add_argument_group("run bounds (against slow, huge or hostile targets)")
    group.add_argument(
        "--deadline",
        metavar="SECONDS",
        help="stop sending after this long; rules not reached are not_run, the reports are "
        "still written and the run exits non-zero (default: "
        + ", ".join(f"{p} {s:g}" for p, s in DEFAULT_DEADLINES.items())
        + f"; ${DEADLINE_VAR})",
    )
    group.add_argument(
        "--request-timeout",
        metavar="SECONDS",
        help=f"longest time one request may take, answer included "
        f"(default {DEFAULT_REQUEST_TIMEOUT:g}; ${REQUEST_TIMEOUT_VAR})",
    )
    group.add_argument(
        "--max-response-bytes",
        metavar="N",
        help=f"read at most this much of an answer; a longer one is cut and not used as evidence "
        f"(default {DEFAULT_MAX_RESPONSE_BYTES}; ${MAX_RESPONSE_BYTES_VAR})",
    )
    group.add_argument(
        "--max-retry-wait",
        metavar="SECONDS",
        help=f"cap on the Retry-After wait after a 429 (default {DEFAULT_MAX_RETRY_WAIT:g}; "
        f"${MAX_RETRY_WAIT_VAR})",
    )
    group.add_argument(
        "--concurrency",
        metavar="N",
        help=f"requests the suite may have in flight at once, never two changes to one Session "
        f"(but in the probe of simultaneous invites); 1 sends one at a time (1 to "
        f"{MAX_CONCURRENCY}; default {DEFAULT_CONCURRENCY}, or 1 against the in-process mock, "
        f"where nothing is gained; ${CONCURRENCY_VAR})",
    )


def flag_values(args: argparse.Namespace) -> dict[str, object | None]:
    """The bounds flags of parsed arguments, for :func:`limits_from`."""
    names = ("deadline", "request_timeout", "max_response_bytes", "max_retry_wait", "concurrency")
    return {name: getattr(args, name, None) for name in names}


def explain_unrun(results: list[RuleResult], *, interrupted: bool, bounds: RunBounds = RUN) -> None:
    """Give rules the run never reached the reason it stopped (interrupt, deadline, target)."""
    reason = "not checked: the run was interrupted (Ctrl-C)" if interrupted else bounds.stop_reason
    if reason is None:
        return
    for result in results:
        if result.status == "not_run" and result.cases == 0 and result.reason == NEVER_SENT:
            result.reason = reason


def run_summary(
    *, interrupted: bool, masker: Callable[[str], str], bounds: RunBounds = RUN
) -> dict[str, object]:
    """The run's bounds and how it ended, for ``conformance.json``."""
    return {
        "deadline_seconds": bounds.limits.deadline,
        "request_timeout_seconds": bounds.limits.request_timeout,
        "max_response_bytes": bounds.limits.max_response_bytes,
        "max_retry_wait_seconds": bounds.limits.max_retry_wait,
        "concurrency": bounds.limits.concurrency,
        "deadline_reached": bounds.deadline_reached,
        "interrupted": interrupted,
        "target_error": None if bounds.target_error is None else masker(bounds.target_error),
        "responses_cut": bounds.cut_responses,
        "answers_throttled": bounds.throttled,
        "reads_sent_again": bounds.reads_sent_again,
    }
