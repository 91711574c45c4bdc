"""An httpx transport that serves requests from an ASGI app in this process, for sync and async
clients alike, with no port.

httpx's own ``ASGITransport`` is async only, and Starlette's test client is an ``httpx.Client``
of its own rather than a transport that the generated client (which builds its httpx clients
itself, and gives the sync and the async one the same ``transport``) can be handed. So this
class is both: an async request runs the app on the caller's event loop through
``ASGITransport``; a sync one runs it on an event loop of the transport's own, in a background
thread. Either way the read timeout of the request is honoured (``httpx.ReadTimeout``, as from
a socket; the app finishes its work, as a server would) and a connection the mock dropped on
purpose (``faults.ConnectionDropped``) becomes ``httpx.RemoteProtocolError``, what httpx raises
when a server hangs up without an answer. ``close`` of a client leaves the transport usable by
the other clients sharing it; ``shutdown`` ends it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx

from prevail_contract.mock.faults import ConnectionDropped

T = TypeVar("T")
#: Seconds ``shutdown`` waits for the background loop to stop.
_STOP_WAIT = 5.0


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    value = timeout.get("read")
    return float(value) if isinstance(value, int | float) else None


class InProcessTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Serve ``app`` to sync and async httpx clients in this process."""

    def __init__(self, app: Callable[..., Any], client: tuple[str, int] = ("127.0.0.1", 50000)):
        self._asgi = httpx.ASGITransport(app=app, client=client)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- async clients: the caller's loop ------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            async with asyncio.timeout(_read_timeout(request)):
                response = await self._asgi.handle_async_request(request)
                await response.aread()
        except TimeoutError:
            raise httpx.ReadTimeout("no answer within the read timeout", request=request) from None
        except ConnectionDropped:
            raise _hang_up(request) from None
        return response

    # -- sync clients: the transport's own loop ------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # the body is sent whole (the app reads it on the other thread)
        future = self._submit(self._answer(request))
        try:
            status, headers, body = future.result(_read_timeout(request))
        except concurrent.futures.TimeoutError:
            raise httpx.ReadTimeout("no answer within the read timeout", request=request) from None
        except ConnectionDropped:
            raise _hang_up(request) from None
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))

    async def _answer(self, request: httpx.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        response = await self._asgi.handle_async_request(request)
        body = await response.aread()
        return response.status_code, response.headers.raw, body

    def _submit(self, work: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        with self._lock:
            if self._closed:
                work.close()
                raise RuntimeError("the in-process mock has been shut down")
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=_run, args=(self._loop,), name="prevail-mock-inprocess", daemon=True
                )
                self._thread.start()
            return asyncio.run_coroutine_threadsafe(work, self._loop)

    # -- lifetime ------------------------------------------------------------------------

    def close(self) -> None:
        """A client closed; the transport stays usable by the others (see ``shutdown``)."""

    async def aclose(self) -> None:
        """An async client closed; the transport stays usable by the others."""

    def shutdown(self) -> None:
        """Stop the background loop (cancelling what it still runs); later requests fail."""
        with self._lock:
            self._closed = True
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_STOP_WAIT)


def _run(loop: asyncio.AbstractEventLoop) -> None:
    """The background thread: serve until stopped, then cancel what still runs and close."""
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()


def _hang_up(request: httpx.Request) -> httpx.RemoteProtocolError:
    return httpx.RemoteProtocolError(
        "Server disconnected without sending a response.", request=request
    )
