"""Transient answers (429, 503): wait as ``Retry-After`` asks, resend, and never judge them.

Every request of the run goes through :func:`send_patiently` (the targeted tests, the state
machine and schemathesis' cases alike), so a rate-limited or briefly unavailable server is
waited for instead of being failed. An answer that is still transient after the retries is
evidence of nothing: the test that sent it is skipped with :class:`ThrottledError`'s reason,
so a rule whose only evidence was throttled ends ``not_run``, never ``failed``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

import httpx
import pytest

#: Statuses that say "not now" rather than "no".
TRANSIENT_STATUSES = frozenset({429, 503})
#: How often a transient answer is sent again before the request counts as throttled.
RETRIES = 4
#: Bounds on one wait: the server's ``Retry-After`` (seconds or an HTTP date) within these.
MIN_WAIT, MAX_WAIT, DEFAULT_WAIT = 0.05, 10.0, 1.0


class ThrottledError(pytest.skip.Exception):  # type: ignore[misc,name-defined]
    """A request was answered 429/503 on every try: there is no verdict to draw from it.

    It is a pytest skip, so the test ends ``skipped`` with this reason, and it is marked
    ``no_evidence`` so that the rule recorder does not count that test's requests as cases.
    """

    no_evidence = True

    def __init__(self, reason: str) -> None:
        super().__init__(f"throttled: {reason}")


def retry_after(value: str | None) -> float:
    """Seconds to wait before resending, from a ``Retry-After`` value (delta or HTTP date)."""
    if value is None or not value.strip():
        return DEFAULT_WAIT
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return DEFAULT_WAIT
        seconds = when.timestamp() - time.time()
    return min(max(seconds, MIN_WAIT), MAX_WAIT)


def is_transient(response: httpx.Response) -> bool:
    """Whether the answer asks to come back later (429, or 503 with ``Retry-After``)."""
    if response.status_code == 429:
        return True
    return response.status_code == 503 and "retry-after" in response.headers


def send_patiently(
    send: Callable[[], httpx.Response],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[httpx.Response, int]:
    """The first non-transient answer of ``send()`` and how many transient ones came before.

    After :data:`RETRIES` resends the last (transient) answer is returned; callers test it
    with :func:`is_transient` and treat it as no evidence.
    """
    response = send()
    waited = 0
    while is_transient(response) and waited < RETRIES:
        sleep(retry_after(response.headers.get("retry-after")))
        waited += 1
        response = send()
    return response, waited
