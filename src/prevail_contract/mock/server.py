"""How the mock is served: uvicorn with httptools, plus the per-connection limits uvicorn lacks.

uvicorn's own knobs are used where it has them: ``limit_concurrency`` (requests beyond it get
uvicorn's 503), ``timeout_keep_alive`` (idle keep-alive connections closed) and ``backlog``.
It has no header size or count limit with httptools (``h11_max_incomplete_event_size`` only
applies to h11, which serves a third as many requests a second here), no deadline for the
request line and headers to arrive, none for a body to arrive once the app stopped reading
it, no check that an HTTP/1.1 request carries exactly one ``Host``, and its connection limit
answers only after headers arrive, so a slow client still holds a file descriptor. So
``GuardedProtocol`` subclasses uvicorn's httptools protocol and adds, per connection:

- at most ``MAX_HEADER_BYTES`` of request line and headers and ``MAX_HEADERS`` header
  fields, else 431 (bytes are counted as they arrive, so a huge header is never buffered);
- the request line and headers complete within ``HEADER_TIMEOUT`` seconds of the connection
  opening or the previous request ending, else 408 (or a silent close if nothing came);
- the body complete within ``BODY_READ_TIMEOUT`` seconds of the headers, else the connection
  is closed (the app answers its own 400 first when it is still reading);
- a missing or repeated ``Host`` on HTTP/1.1 answered 400 (RFC 9112, section 3.2), and so is a
  ``Transfer-Encoding`` other than ``chunked`` or a broken chunk, at once (RFC 9112, 6.1);
- at most ``max_connections`` open connections (default ``MAX_CONNECTIONS``, lowered to fit
  the process's file limit). At the cap, the connection that has waited longest for a request's
  headers (a slow sender, or an idle keep-alive) is closed to make room, so clients trickling
  headers cannot take every slot from clients that send whole requests; only when every
  connection is busy answering is the new one answered 503 and closed before anything is read;
- bounded buffering of pipelined requests and unsent answers (``pipelining``, the base class).
"""

from __future__ import annotations

import asyncio
import json
import resource
from typing import Any

import httptools
import uvicorn

from prevail_contract.errors import MockError
from prevail_contract.mock.body import BODY_TIMEOUT
from prevail_contract.mock.faults import DROP_EXTENSION
from prevail_contract.mock.pipelining import PipelinedProtocol

#: Largest request line plus header block, in bytes (mock limit, assumed).
MAX_HEADER_BYTES = 32 * 1024
#: Most header fields in one request (mock limit, assumed).
MAX_HEADERS = 100
#: Seconds for a request line and its headers to arrive (mock limit, assumed).
HEADER_TIMEOUT = 10.0
#: Seconds for a body to arrive after its headers; above the app's own ``BODY_TIMEOUT`` so
#: that the app's 400 is the answer while it still reads.
BODY_READ_TIMEOUT = BODY_TIMEOUT + 2.0
#: Seconds an idle keep-alive connection is kept (uvicorn's ``timeout_keep_alive``).
KEEP_ALIVE_TIMEOUT = 5
#: Most open connections (mock limit, assumed); lowered when the file limit is smaller.
MAX_CONNECTIONS = 1000
#: File descriptors kept free of connections (listening socket, logs, fixtures, ...).
SPARE_FILES = 64


class _RefusedError(MockError):
    """Raised inside a parser callback to stop parsing and answer ``status``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


_REASONS = {400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large"}


def raw_error(status: int, code: str, message: str, reason: str | None = None) -> bytes:
    """A complete HTTP/1.1 response with an ``Error``-shaped body, closing the connection."""
    body = json.dumps({"code": code, "messages": message}).encode("ascii")
    head = (
        f"HTTP/1.1 {status} {reason or _REASONS.get(status, 'Error')}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


#: Where ``build_config`` leaves the limits on a ``uvicorn.Config`` for the protocol to read.
LIMITS_ATTRIBUTE = "prevail_limits"


class GuardedProtocol(PipelinedProtocol):
    """uvicorn's httptools protocol with header limits, read deadlines, a connection cap and
    bounded pipelining."""

    #: Defaults; ``build_config`` puts the server's own on its config as ``LIMITS_ATTRIBUTE``
    #: (a plain attribute survives the pickling that uvicorn's worker processes need).
    max_connections = MAX_CONNECTIONS
    header_timeout = HEADER_TIMEOUT
    body_read_timeout = BODY_READ_TIMEOUT

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        for name, value in getattr(config, LIMITS_ATTRIBUTE, {}).items():
            setattr(self, name, value)
        self._awaiting_headers = True
        self._header_bytes = 0
        self._header_bytes_parsed = 0
        self._header_fields = 0
        self._host_fields = 0
        self._deadline: asyncio.TimerHandle | None = None
        self._awaiting_since = 0.0

    # -- connection ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        if len(self.connections) >= self.max_connections and not self._make_room():
            self.transport = transport
            self._refused = True
            message = f"The mock serves at most {self.max_connections} connections at once."
            transport.write(raw_error(503, "too_many_connections", message, "Service Unavailable"))
            transport.close()
            return
        super().connection_made(transport)
        self._expect_headers()

    def _make_room(self) -> bool:
        """Close the connection waiting longest for headers; False when none is waiting."""
        waiting = [
            c
            for c in self.connections
            if isinstance(c, GuardedProtocol)
            and c._awaiting_headers
            and not c._refused
            and (c.cycle is None or c.cycle.response_complete)
        ]
        if not waiting:
            return False
        oldest = min(waiting, key=lambda c: c._awaiting_since)
        oldest._refused = True
        oldest._disarm()
        if oldest._header_bytes:
            message = "The connection was closed to serve others: send a request's headers at once."
            oldest.transport.write(raw_error(408, "request_timeout", message))
        oldest.transport.close()
        oldest.connections.discard(oldest)  # its slot is free now, not when the close completes
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        self._unset_keepalive_if_required()
        super().data_received(data)

    def _parse(self, chunk: bytes) -> bool:
        """Feed one slice to the parser; False once the connection is refused."""
        if self._awaiting_headers:
            self._header_bytes += len(chunk)
        try:
            self.parser.feed_data(chunk)
        except httptools.HttpParserCallbackError as exc:
            refusal = exc.__context__
            if isinstance(refusal, _RefusedError):
                self._refuse(refusal.status, refusal.code, refusal.message)
            else:
                self._refuse(400, "bad_request", "The request could not be handled.")
            return False
        except httptools.HttpParserUpgrade:
            pass  # no protocol is upgraded to: the request is answered as HTTP/1.1
        except httptools.HttpParserError:
            self._refuse(400, "bad_request", "The request is not valid HTTP/1.1.")
            return False
        if self._awaiting_headers and self._header_bytes > MAX_HEADER_BYTES:
            self._refuse(431, "headers_too_large", _TOO_LARGE)
            return False
        return True

    # -- parser callbacks ----------------------------------------------------------------

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_fields += 1
        if self._header_fields > MAX_HEADERS:
            raise _RefusedError(
                431, "headers_too_large", f"Send at most {MAX_HEADERS} header fields."
            )
        self._count(len(name) + len(value) + 4)
        if name.lower() == b"host":
            self._host_fields += 1
        if name.lower() == b"transfer-encoding" and value.strip().lower() != b"chunked":
            raise _RefusedError(
                400,
                "bad_request",
                "Send a body with Content-Length or Transfer-Encoding: chunked alone.",
            )
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._awaiting_headers = False
        if self.parser.get_http_version() == "1.1" and self._host_fields != 1:
            got = "none" if not self._host_fields else str(self._host_fields)
            raise _RefusedError(400, "bad_request", f"Send exactly one Host header (got {got}).")
        self._arm(self.body_read_timeout, self._body_timeout)
        # the fault injection's way to drop this connection (mock/fault_injection.py)
        extensions = self.scope.setdefault("extensions", {})
        extensions[DROP_EXTENSION] = {"drop": self._drop}
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._expect_headers()

    # -- helpers -------------------------------------------------------------------------

    def _count(self, size: int) -> None:
        self._header_bytes_parsed += size
        if self._header_bytes_parsed > MAX_HEADER_BYTES:
            raise _RefusedError(431, "headers_too_large", _TOO_LARGE)

    def _expect_headers(self) -> None:
        self._awaiting_headers = True
        self._awaiting_since = self.loop.time()
        self._header_bytes = 0
        self._header_bytes_parsed = 0
        self._header_fields = 0
        self._host_fields = 0
        self._arm(self.header_timeout, self._header_timeout)

    def _arm(self, seconds: float, callback: Any) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, callback)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _header_timeout(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._header_bytes == 0 and (self.cycle is None or self.cycle.response_complete):
            self.transport.close()  # nothing of a new request came: an idle connection
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self._arm(self.header_timeout, self._header_timeout)  # still answering
            return
        message = f"The request line and headers did not arrive within {self.header_timeout:g} s."
        self._refuse(408, "request_timeout", message)

    def _body_timeout(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self._refused = True
            self.transport.close()

    def _drop(self) -> None:
        """Close the connection at once with nothing sent (an injected fault)."""
        self._refused = True
        self._disarm()
        self.transport.abort()

    def _refuse(self, status: int, code: str, message: str) -> None:
        self._refused = True
        self._disarm()
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if cycle.response_started:
                cycle.keep_alive = False  # the answer under way is the last one
                return
            # broken framing mid-body (a bad chunk size): answer now, and tell the app, which
            # is still waiting for the body, that the client is gone
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.write(raw_error(status, code, message))
        self.transport.close()


_TOO_LARGE = f"The request line and headers are larger than {MAX_HEADER_BYTES} bytes."


def connection_cap(wanted: int = MAX_CONNECTIONS) -> int:
    """``wanted``, lowered so that open connections stay below the soft file limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - SPARE_FILES))


def build_config(
    app: Any,
    *,
    max_connections: int = MAX_CONNECTIONS,
    header_timeout: float = HEADER_TIMEOUT,
    body_read_timeout: float = BODY_READ_TIMEOUT,
    **kwargs: Any,
) -> uvicorn.Config:
    """A uvicorn configuration serving ``app`` through ``GuardedProtocol`` with these limits
    (tests shorten the timeouts); ``kwargs`` go to ``uvicorn.Config``."""
    cap = connection_cap(max_connections)
    limits = {
        "max_connections": cap,
        "header_timeout": header_timeout,
        "body_read_timeout": body_read_timeout,
    }
    config = uvicorn.Config(
        app,
        http=GuardedProtocol,
        # uvicorn counts the connection being served, so one more than the cap.
        limit_concurrency=cap + 1,
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
        backlog=min(2048, cap),
        **kwargs,
    )
    setattr(config, LIMITS_ATTRIBUTE, limits)
    return config
