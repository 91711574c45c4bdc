"""Bounded pipelining: how much one connection may have read ahead and left unanswered.

uvicorn's httptools protocol parses everything a read brings, queues every pipelined request
it finds, and resumes reading whenever an answer is sent or the app reads a body, so a client
that pipelines requests and never reads the answers grows that queue (and the process) without
end. ``PipelinedProtocol`` hands bytes to the parser ``FEED_SLICE`` at a time; once a request
waits behind the one being answered, or while answers the client has not taken fill the write
buffer past the transport's high-water mark, it holds the rest of the read (one read at most)
and stops reading until the queue is empty and the buffer drained. A client that takes no
answer for ``WRITE_TIMEOUT`` seconds is disconnected and its unsent answers dropped.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httptools
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: Bytes handed to the HTTP parser at a time, so that a read full of pipelined requests is
#: not parsed (and queued) all at once (mock limit).
FEED_SLICE = 2048
#: Seconds a client may leave the write buffer full (taking no answer) before it is cut off.
WRITE_TIMEOUT = 10.0


class _HeldFlow(FlowControl):
    """uvicorn's flow control, except that reading stays paused while the protocol holds
    bytes back (uvicorn resumes reading on every answer and every ``receive``)."""

    def __init__(self, transport: asyncio.Transport, protocol: PipelinedProtocol) -> None:
        super().__init__(transport)
        self.protocol = protocol

    def resume_reading(self) -> None:
        if not self.protocol.holding:
            super().resume_reading()


class PipelinedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol reading at most one pipelined request ahead."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Set once the connection is refused: nothing more is parsed or answered.
        self._refused = False
        #: Bytes read but not yet parsed, held back while a pipelined request waits.
        self._held = b""
        self._write_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        super().connection_made(transport)
        self.flow = _HeldFlow(transport, self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._held = b""
        if self._write_deadline is not None:
            self._write_deadline.cancel()
            self._write_deadline = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._feed(self._held + data if self._held else data)

    @property
    def must_wait(self) -> bool:
        """Whether parsing must wait: a request is queued behind the one being answered, or
        the client has not taken the answers already written."""
        return bool(self.pipeline) or self.flow.write_paused

    @property
    def holding(self) -> bool:
        """Whether bytes are held back (reading stays paused until they are parsed)."""
        return bool(self._held) or self.must_wait

    @property
    def held_bytes(self) -> int:
        """Bytes read and held back, not yet parsed."""
        return len(self._held)

    def _feed(self, data: bytes) -> None:
        """Parse ``data`` a slice at a time; hold what is left once parsing must wait."""
        self._held = b""
        for offset in range(0, len(data), FEED_SLICE):
            if self._refused or self.transport.is_closing():
                return
            if self.must_wait:
                self._held = data[offset:]
                self.flow.pause_reading()
                return
            if not self._parse(data[offset : offset + FEED_SLICE]):
                return

    def _parse(self, chunk: bytes) -> bool:
        """Feed one slice to the parser; False once the connection is refused (subclasses
        add their own checks)."""
        try:
            self.parser.feed_data(chunk)
        except httptools.HttpParserUpgrade:
            pass  # no protocol is upgraded to: the request is answered as HTTP/1.1
        except httptools.HttpParserError:
            self._refused = True
            self.send_400_response("Invalid HTTP request received.")
            return False
        return True

    def _release(self) -> None:
        """Parse what was held back once nothing waits any more, then read again."""
        if self._refused or self.transport.is_closing() or self.must_wait:
            return
        if self._held:
            self._unset_keepalive_if_required()  # armed when the answer before was sent
            self._feed(self._held)
        if not self.holding:
            self.flow.resume_reading()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # starts the next queued request, if any
        self.loop.call_soon(self._release)

    def pause_writing(self) -> None:
        super().pause_writing()
        self.flow.pause_reading()
        if self._write_deadline is None:
            self._write_deadline = self.loop.call_later(WRITE_TIMEOUT, self._write_timeout)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._write_deadline is not None:
            self._write_deadline.cancel()
            self._write_deadline = None
        self._release()

    def _write_timeout(self) -> None:
        self._write_deadline = None
        self._refused = True
        self.transport.abort()  # close() would wait for the client to take the answers
