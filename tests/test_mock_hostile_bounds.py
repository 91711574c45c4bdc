"""Work and memory bounds of the mock on hostile bodies and connections (issue 19, items 1, 2
and the number-length part of 5): errors collected, details listed, threads used, bytes held
back and requests queued per connection. Structural bounds only; the timings are measured by
``benchmarks/bench_hostile_mock.py``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from prevail_contract.mock import create_app, offload, pipelining
from prevail_contract.mock.errors import ApiError, error_limits
from prevail_contract.mock.explain import ERRORS_PER_DETAIL, MAX_PER_FIELD
from prevail_contract.mock.json_syntax import MAX_NUMBER_LENGTH, MAX_PROBLEMS, parse_json, scan
from prevail_contract.mock.pipelining import FEED_SLICE, PipelinedProtocol
from prevail_contract.mock.validation import BodyValidator
from prevail_contract.spec import Spec
from tests.plugins.mock import MockUnderTest, serve_server

#: What one read of asyncio's socket transport brings at most (``max_size``).
READ_SIZE = 256 * 1024


@pytest.fixture(scope="module")
def body_validator(spec: Spec) -> BodyValidator:
    return BodyValidator(spec)


def _refusal(validator: BodyValidator, document: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        validator.validate(document)
    return caught.value


# -- item 1: validation stops early -------------------------------------------------------


def test_an_array_over_max_items_is_refused_for_its_length_alone(
    body_validator: BodyValidator,
) -> None:
    body = {"remote_session": {"invites": [1] * 20_000}}
    errors = list(body_validator.validator.iter_errors(body))
    assert [e.validator for e in errors] == ["maxItems"]  # no element was looked at
    assert len(errors[0].message) < 100  # the array is not written into the message
    refusal = _refusal(body_validator, body)
    assert [(d.field, d.message) for d in refusal.details] == [
        ("remote_session.invites", "Must have at most 100 items; got 20000.")
    ]


class _Counting:
    """A validator that counts the errors taken from it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.taken = 0

    def iter_errors(self, instance: Any) -> Iterator[Any]:
        for error in self.inner.iter_errors(instance):
            self.taken += 1
            yield error


def test_a_body_with_countless_faults_is_explained_by_its_first_few(spec: Spec) -> None:
    limit = error_limits(spec).details
    assert limit is not None
    bad_invite = {"email": "not an email", **{f"x{i}": 1 for i in range(50)}}
    edit: dict[str, Any] = {"invites": [bad_invite] * 100}
    edit.update({f"unknown{i}": 1 for i in range(5000)})
    validator = BodyValidator(spec)
    counting = _Counting(validator.validator)
    validator.validator = counting
    refusal = _refusal(validator, {"remote_session": edit})
    assert len(refusal.details) <= limit
    fields = [d.field for d in refusal.details]
    assert max(fields.count(f) for f in fields) <= MAX_PER_FIELD
    assert counting.taken <= ERRORS_PER_DETAIL * limit
    assert refusal.messages.startswith("The request body has at least ")


def test_the_hygiene_scan_keeps_a_few_problems(body_validator: BodyValidator) -> None:
    body = {"remote_session": {"invites": ["nul\x00"] * 10_000, "title": "a\x00"}}
    assert len(scan(body)) == MAX_PROBLEMS
    refusal = _refusal(body_validator, body)
    assert len(refusal.details) <= body_validator.max_details
    assert "at least" in refusal.messages


def test_a_large_body_is_parsed_and_checked_off_the_event_loop(
    mock: MockUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    original = BodyValidator.validate

    def recording(self: BodyValidator, document: Any) -> dict[str, Any]:
        threads.append(threading.get_ident())
        return original(self, document)

    monkeypatch.setattr(BodyValidator, "validate", recording)
    small = {"remote_session": {"title": "Small"}}
    large = {"remote_session": {"title": "Large", "invites": [1] * offload.OFFLOAD_BYTES}}
    assert mock.patch(small).status_code == 200
    assert mock.patch(large).status_code == 422
    assert mock.patch(small).status_code == 200
    on_loop, off_loop, again = threads
    assert on_loop == again  # small bodies: on the event loop's thread
    assert off_loop != on_loop  # the large one: in a worker thread


def test_offload_runs_large_work_in_a_thread_one_at_a_time() -> None:
    async def main() -> tuple[int, set[int], int]:
        running = peak = 0
        seen: set[int] = set()

        def work() -> None:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            seen.add(threading.get_ident())
            time.sleep(0.05)
            running -= 1

        await asyncio.gather(*(offload.run(offload.OFFLOAD_BYTES + 1, work) for _ in range(4)))
        return threading.get_ident(), seen, peak

    loop_thread, workers, peak = asyncio.run(main())
    assert loop_thread not in workers
    assert peak == offload.MAX_THREADS


# -- item 5: number literals ----------------------------------------------------------------


def test_an_overlong_number_literal_is_refused_naming_its_field(mock: MockUnderTest) -> None:
    for literal in ("0." + "9" * 500_000, "1." + "0" * MAX_NUMBER_LENGTH, "1" + "0" * 40):
        raw = f'{{"remote_session": {{"estimated_duration": {literal}}}}}'.encode()
        response = mock.patch(raw)
        assert response.status_code == 422, literal[:40]
        details = response.json()["details"]
        assert [d["field"] for d in details] == ["remote_session.estimated_duration"]
        assert str(MAX_NUMBER_LENGTH) in details[0]["message"]
    fits = "1." + "0" * (MAX_NUMBER_LENGTH - 2)
    raw = f'{{"remote_session": {{"estimated_duration": {fits}}}}}'.encode()
    assert mock.patch(raw).status_code == 200
    assert mock.stored()["estimated_duration"] == 1.0


def test_number_literals_are_bounded_when_parsed(spec: Spec) -> None:
    parsed = parse_json(spec, b"[" + b"9" * 5000 + b", 0." + b"9" * 5000 + b"]")
    assert [type(v).__name__ for v in parsed] == ["_OutOfRange", "_OutOfRange"]
    assert json.loads(json.dumps(parse_json(spec, b"[1.25, 12]"))) == [1.25, 12]


# -- item 2: pipelining ---------------------------------------------------------------------


def _guarded(server: Any) -> list[PipelinedProtocol]:
    return [c for c in server.server_state.connections if isinstance(c, PipelinedProtocol)]


def _small_window(port: int, receive_buffer: int) -> socket.socket:
    """A connection whose receive buffer is set before the handshake (after it, Linux keeps
    the window it advertised)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect(("127.0.0.1", port))
    return sock


def _flood(
    port: int, one: bytes, seconds: float, most: int = 10**9, receive_buffer: int = 4096
) -> tuple[socket.socket, int]:
    """A connection that pipelines ``one`` (at most ``most`` times) for ``seconds``, reading
    nothing; the number of whole requests sent."""
    sock = _small_window(port, receive_buffer)
    sock.setblocking(False)
    data, sent = memoryview(one * min(most, 100_000)), 0
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at and sent < len(data):
        try:
            sent += sock.send(data[sent : sent + 65536])
        except BlockingIOError:
            time.sleep(0.01)
    return sock, sent // len(one)


def _request(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: mock\r\n\r\n".encode()


def test_pipelined_requests_are_read_one_ahead_and_all_answered() -> None:
    one = _request("/__mock__/outbox")
    with serve_server(create_app()) as (_, server):
        port = server.servers[0].sockets[0].getsockname()[1]
        sock, sent = _flood(port, one, 3.0, most=10_000, receive_buffer=1 << 20)
        try:
            time.sleep(0.3)
            (connection,) = _guarded(server)
            queued, held = len(connection.pipeline), connection.held_bytes
            # every request sent is answered, in order, once the client reads
            sock.setblocking(True)
            sock.settimeout(15)
            answers, tail = 0, b""
            while answers < sent:
                chunk = sock.recv(1 << 16)
                assert chunk, f"closed after {answers} of {sent} answers"
                tail += chunk
                answers += tail.count(b"HTTP/1.1 200")
                tail = tail[tail.rfind(b"HTTP/1.1 200") + 1 :] if b"HTTP/1.1 200" in tail else tail
        finally:
            sock.close()
    assert sent * len(one) > READ_SIZE  # more than one read: the mock must stop reading
    assert queued <= FEED_SLICE // len(one) + 1
    assert held <= READ_SIZE + FEED_SLICE


def test_a_client_that_takes_no_answer_is_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipelining, "WRITE_TIMEOUT", 1.0)
    one = _request("/__mock__/environment")
    with serve_server(create_app()) as (_, server):
        port = server.servers[0].sockets[0].getsockname()[1]
        sock = _small_window(port, 4096)
        sock.setblocking(False)
        try:
            # pipeline until the answers not taken fill the mock's write buffer
            deadline = time.monotonic() + 20
            while not any(c.flow.write_paused for c in _guarded(server)):
                assert time.monotonic() < deadline, "the write buffer never filled"
                with contextlib.suppress(BlockingIOError):
                    sock.send(one * 50)
                time.sleep(0.005)
            paused_at = time.monotonic()
            while _guarded(server) and time.monotonic() < paused_at + 10:
                time.sleep(0.05)
            assert not _guarded(server), "a connection that never reads was kept open"
        finally:
            sock.close()
