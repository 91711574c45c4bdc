"""Unit tests of the embedded mock's HTTP (``support/in_process.py``)."""

from __future__ import annotations

import contextlib
import gzip
import inspect
import threading
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from contract_tests.support.in_process import InProcessTransport, in_process_client


def _app(events: list[str]) -> Starlette:
    async def echo(request: Request) -> JSONResponse:
        body = await request.body()
        return JSONResponse(
            {"method": request.method, "body": body.decode(), "q": request.url.query},
            status_code=201,
            headers={"X-Seen": request.headers.get("x-sent", "")},
        )

    async def zipped(request: Request) -> Response:
        return Response(gzip.compress(b"hello"), headers={"Content-Encoding": "gzip"})

    async def broken(request: Request) -> Response:
        raise RuntimeError("a bug in the app")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        events.append("start")
        yield
        events.append("stop")

    return Starlette(
        routes=[
            Route("/echo", echo, methods=["GET", "PATCH"]),
            Route("/zipped", zipped),
            Route("/broken", broken),
        ],
        lifespan=lifespan,
    )


def test_requests_reach_the_app_and_answers_come_back_whole() -> None:
    events: list[str] = []
    with in_process_client(InProcessTransport(_app(events)), "http://embedded.test") as client:
        assert events == ["start"]
        answer = client.patch("/echo?a=1", content=b'{"x": 1}', headers={"X-Sent": "yes"})
        assert answer.status_code == 201
        assert answer.json() == {"method": "PATCH", "body": '{"x": 1}', "q": "a=1"}
        assert answer.headers["x-seen"] == "yes"
        # a compressed answer is decoded once, as over a socket
        assert client.get("/zipped").text == "hello"
        # an exception in the app is its 500 answer, not an exception in the caller
        assert client.get("/broken").status_code == 500
        assert client.get("/echo/").status_code == 307  # a redirect is shown, not followed
    assert events == ["start", "stop"]


def test_threads_share_the_app_and_a_closed_client_sends_nothing() -> None:
    events: list[str] = []
    client = in_process_client(InProcessTransport(_app(events)), "http://embedded.test")
    answers: list[int] = []

    def send(i: int) -> None:
        for _ in range(20):
            answers.append(client.get(f"/echo?i={i}").status_code)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == [201] * 120
    client.close()
    client.close()  # a second close does nothing
    assert events == ["start", "stop"]
    transport = client._transport
    with pytest.raises(RuntimeError, match="closed"):
        transport.handle_request(httpx.Request("GET", "http://embedded.test/echo"))


def test_work_given_to_the_app_runs_on_its_own_loop() -> None:
    transport = InProcessTransport(_app([]))

    async def where() -> str:
        return threading.current_thread().name

    assert transport.run(where()) == "in-process ASGI app"
    transport.close()
    late = where()
    with pytest.raises(RuntimeError, match="closed"):
        transport.run(late)
    assert inspect.getcoroutinestate(late) == inspect.CORO_CLOSED  # not left never awaited
