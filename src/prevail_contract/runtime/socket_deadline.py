"""A per-request wall-clock deadline that holds on any thread: every socket operation of a request
waits at most until the request's deadline.

httpx bounds each socket operation on its own, so a server that trickles its answer a byte at a
time could hold a request for hours. On the main thread :func:`~prevail_contract.runtime.bounds.
wall_clock` interrupts such a request with ``SIGALRM``, but signals reach the main thread only,
and a run sends from worker threads too (:mod:`~prevail_contract.runtime.together`). So the
httpcore network backend of the run's client is wrapped: before each connect, read and write
the socket's timeout is set to what is left of the calling thread's deadline (set by
:func:`within`), and once nothing is left the operation fails at once with httpcore's own
timeout error, which httpx raises as ``httpx.ReadTimeout`` / ``WriteTimeout``. Writes go out
one ``send`` at a time for the same reason. httpx has no public hook for a network backend, so
:func:`bound_client` sets it on each connection pool of the client (httpx and httpcore are
pinned exactly; ``tests/test_socket_deadline.py`` holds this to them).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
import typing
from collections.abc import Iterator

import httpcore
import httpx

_local = threading.local()


@contextlib.contextmanager
def within(seconds: float) -> Iterator[None]:
    """Every socket operation of the run's client in this block, on this thread, ends by
    ``seconds`` from now (nested blocks keep the earlier deadline)."""
    outer: float | None = getattr(_local, "deadline", None)
    ends = time.monotonic() + seconds
    _local.deadline = ends if outer is None else min(outer, ends)
    try:
        yield
    finally:
        _local.deadline = outer


def _clamp(timeout: float | None, expired: type[Exception]) -> float | None:
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the request's deadline passed (--request-timeout)")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A network stream whose operations end by the calling thread's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        sock = self._inner.get_extra_info("socket")
        if not isinstance(sock, socket.socket):  # not a plain or TLS socket: whole, clamped
            self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))
            return
        view = memoryview(buffer)
        try:
            while view:
                sock.settimeout(_clamp(timeout, httpcore.WriteTimeout))
                view = view[sock.send(view) :]
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc) or "write timed out") from exc
        except OSError as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        clamped = _clamp(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, clamped))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend, every operation bounded by the calling thread's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        clamped = _clamp(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, clamped, local_address, socket_options)
        return _Stream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        clamped = _clamp(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, clamped, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def bound_client(client: httpx.Client) -> httpx.Client:
    """Give each connection pool of ``client`` (its proxies' included) the deadline backend.

    Call before wrapping the client's transports (the pools are found on httpx's own
    ``HTTPTransport``); a transport without a pool (an in-process app) bounds itself.
    """
    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is not None and not isinstance(backend, DeadlineBackend):
            pool._network_backend = DeadlineBackend(backend)  # type: ignore[union-attr]
    return client
