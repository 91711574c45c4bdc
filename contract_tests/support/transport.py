"""Safe sending to the target: each request goes through the run's bounded sender and the client's
guard, transient answers are waited out there, and every answer that counts is recorded in the
run's exchange log.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from contract_tests.support.transient import ThrottledError
from prevail_contract.runtime.bounds import RUN, RunStoppedError, is_transient
from prevail_contract.runtime.exchange import Exchange, ExchangeLog
from prevail_contract.runtime.safety import InviteCapReachedError, Masker
from prevail_contract.runtime.sender import Body, send_bounded


@dataclass
class Transport:
    """The guarded client of one run and the log its exchanges go to."""

    client: httpx.Client
    masker: Masker
    log: ExchangeLog
    #: The embedded mock's Sessions now (for repro scripts); ``None`` against a live server.
    snapshot: Callable[[], Any] | None = None
    #: Per thread: a test's pieces of work may send side by side (``runtime/together.py``).
    _local: threading.local = field(default_factory=threading.local, repr=False)

    @property
    def last_exchange(self) -> Exchange | None:
        """The last exchange this thread sent and recorded."""
        return getattr(self._local, "last", None)

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: Body = None,
        shown_body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        purpose: str = "",
    ) -> Exchange:
        """Send one request (through the client's guard, within the run's bounds) and record it.

        ``body`` may be a function giving chunks (sent chunked; ``shown_body`` stands for it in
        the record). An answer that cannot be evidence skips the test (its rules stay
        ``not_run`` unless other tests earn them): the run stopped, the invite cap is reached,
        the answer was cut at the response limit, or the target still answered 429 (or 503
        with ``Retry-After``) after the capped retries.
        """
        full_url = url
        if params:
            full_url = str(httpx.URL(url, params=dict(params)))
        world = self.snapshot() if self.snapshot is not None else None
        try:
            exchange = send_bounded(
                self.client,
                method,
                full_url,
                headers=dict(headers or {}),
                body=body,
                shown_body=shown_body,
                purpose=purpose,
            )
        except (RunStoppedError, InviteCapReachedError) as exc:
            pytest.skip(str(exc))
        if is_transient(exchange.status, exchange.response_headers):
            # not logged: an answer that only says "not now" is no case of any rule
            raise ThrottledError(
                f"{method} {self.masker(full_url)} ({purpose or 'request'}) was answered "
                f"{exchange.status} on every try"
            )
        exchange.world = world
        self.log.add(exchange)
        self._local.last = exchange
        if exchange.cut:
            pytest.skip(
                f"not checked: an answer was longer than {RUN.limits.max_response_bytes} bytes "
                "and was cut there (--max-response-bytes)"
            )
        return exchange

    def close(self) -> None:
        """Release the HTTP client."""
        self.client.close()
