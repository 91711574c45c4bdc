"""Send one request within the run's bounds and keep its answer as an :class:`Exchange`.

The answer is streamed and read up to the run's response limit (memory stays bounded whatever
the target sends), the whole exchange must finish within the per-request limit (on any
thread: :mod:`~prevail_contract.runtime.socket_deadline`), a transient
answer (429, or 503 with ``Retry-After``) is waited for and sent again a few times with
``Retry-After`` capped, and a failure of the connection itself (reset, refused,
timed out) stops the run as a target error instead of counting against a rule. One failure is
forgiven: a read (a method RFC 9110 calls idempotent) whose connection was closed before its
whole answer came, as happens when the server drops an idle keep-alive connection just as it is
reused, is sent once more on a new connection (a write is never sent twice).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

import httpx

from prevail_contract.runtime.bounds import (
    RATE_LIMIT_RETRIES,
    RUN,
    RequestTimeoutError,
    RunBounds,
    RunStoppedError,
    is_transient,
    read_capped,
    wall_clock,
)
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.socket_deadline import within

#: A body to send: bytes, or a function giving fresh chunks for each try (sent chunked).
Body = bytes | Callable[[], Iterable[bytes]] | None


#: Methods sent once more when their connection closed before the whole answer came (RFC 9110,
#: 9.2.2: idempotent).
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


def _stream(
    client: httpx.Client,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: Body,
    bounds: RunBounds,
    seconds: float,
) -> tuple[httpx.Response, bytes, bool]:
    # both tries together stay within the per-request limit (the second gets what is left)
    ends = time.monotonic() + seconds
    for again in (True, False):
        content = body() if callable(body) else body
        left = max(ends - time.monotonic(), 0.001)
        try:
            with (
                wall_clock(left),
                within(left),
                client.stream(method, url, headers=dict(headers), content=content) as response,
            ):
                data, cut = read_capped(response.iter_bytes(), bounds.limits.max_response_bytes)
            return response, data, cut
        except httpx.RemoteProtocolError:
            # closed before the whole answer came (often an idle connection the server dropped
            # as it was reused): a read goes once more, on a new connection; a write never
            if not again or method.upper() not in IDEMPOTENT:
                raise
            bounds.ensure_running()
            bounds.count_read_sent_again()
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _once(
    client: httpx.Client,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: Body,
    bounds: RunBounds,
) -> tuple[httpx.Response, bytes, bool, float]:
    started = time.perf_counter()
    seconds = bounds.request_time()
    try:
        response, content, cut = _stream(client, method, url, headers, body, bounds, seconds)
    except (httpx.TransportError, RequestTimeoutError) as exc:
        timed_out = isinstance(exc, httpx.TimeoutException | RequestTimeoutError)
        if timed_out and bounds.remaining() <= 0:
            bounds.ensure_running()  # cut short by the deadline, not the target's fault: raises
        detail = str(exc) or type(exc).__name__
        if timed_out:
            detail = f"no complete answer within {seconds:g} s (--request-timeout)"
        bounds.target_failed(broken_exchange(method, url, exc, detail))
        raise RunStoppedError(bounds.stop_reason or detail) from None
    return response, content, cut, time.perf_counter() - started


def broken_exchange(
    method: str, url: str | httpx.URL, error: BaseException, detail: str | None = None
) -> str:
    """How a target error is told: ``METHOD URL-without-query: ErrorType: detail`` (the query
    may carry a token)."""
    path = httpx.URL(url).copy_with(query=None)
    return f"{method} {path}: {type(error).__name__}: {detail or error}"


def send_bounded(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    body: Body = None,
    shown_body: bytes | None = None,
    purpose: str = "",
    bounds: RunBounds = RUN,
) -> Exchange:
    """Send a request, waiting out transient answers within bounds.

    Raises :class:`RunStoppedError` when the run has stopped. ``shown_body`` stands for a
    chunked ``body`` in the exchange (and in repro commands).
    """
    bounds.ensure_running()
    sent_at = time.time()
    response, content, cut, elapsed = _once(client, method, url, headers, body, bounds)
    for _ in range(RATE_LIMIT_RETRIES):
        if not is_transient(response.status_code, response.headers):
            break
        bounds.throttled += 1
        wait = bounds.retry_wait(response.headers.get("retry-after"))
        time.sleep(wait)
        bounds.ensure_running()
        sent_at = time.time()
        response, content, cut, elapsed = _once(client, method, url, headers, body, bounds)
    if cut:
        bounds.cut_responses += 1
    return Exchange(
        method=method,
        url=url,
        headers=dict(headers),
        body=shown_body if shown_body is not None or callable(body) else body,
        status=response.status_code,
        response_headers=dict(response.headers),
        response_body=content,
        purpose=purpose,
        elapsed=elapsed,
        cut=cut,
        sent_at=sent_at,
    )
