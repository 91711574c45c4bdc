"""Unit tests of concurrent sending: the work runner, the lanes' cut, the per-request deadline
off the main thread, the thread-local last exchange and the ``--concurrency`` setting."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial

import httpx
import pytest

from contract_tests.support.transport import Transport
from prevail_contract.errors import ConfigError
from prevail_contract.runtime.bounds import Limits, RunBounds, RunStoppedError, limits_from
from prevail_contract.runtime.exchange import ExchangeLog
from prevail_contract.runtime.safety import Masker
from prevail_contract.runtime.sender import send_bounded
from prevail_contract.runtime.socket_deadline import bound_client, within
from prevail_contract.runtime.together import MAX_CONCURRENCY, parse_concurrency, spread, together


def _late(i: int) -> int:
    time.sleep(0.01 * (5 - i))  # the first given ends last
    return i


def test_together_keeps_the_order_of_the_work() -> None:
    assert together([partial(_late, i) for i in range(5)], 3) == [0, 1, 2, 3, 4]


def test_together_runs_every_piece_then_raises_the_first_error_in_order() -> None:
    ran: list[int] = []

    def piece(i: int) -> int:
        ran.append(i)
        if i in (1, 3):
            raise ValueError(f"piece {i}")
        return i

    with pytest.raises(ValueError, match="piece 1"):
        together([partial(piece, i) for i in range(5)], 4)
    assert sorted(ran) == [0, 1, 2, 3, 4]


def test_together_has_at_most_its_limit_in_flight() -> None:
    # three pieces meet at a barrier only when three run at once
    met = threading.Barrier(3, timeout=5)
    assert together([met.wait for _ in range(3)], 3) is not None
    lonely = threading.Barrier(3, timeout=0.5)
    with pytest.raises(threading.BrokenBarrierError):
        together([lonely.wait for _ in range(3)], 2)


def test_a_limit_of_one_runs_the_work_on_the_calling_thread() -> None:
    here = threading.get_ident()
    assert together([threading.get_ident, threading.get_ident], 1) == [here, here]


def test_spread_cuts_runs_of_consecutive_items_as_even_as_can_be() -> None:
    assert spread(list(range(7)), 3) == [[0, 1, 2], [3, 4], [5, 6]]
    assert spread([1, 2], 4) == [[1], [2]]
    assert spread([], 4) == [[]]
    assert [x for run in spread(list(range(151)), 4) for x in run] == list(range(151))


@pytest.mark.parametrize(
    "raw", ["0", "-1", "1.5", "many", "", "+4", "0x4", "\u0664", str(MAX_CONCURRENCY + 1)]
)
def test_a_concurrency_out_of_range_says_what_is_accepted(raw: str) -> None:
    with pytest.raises(ConfigError, match=f"whole number from 1 to {MAX_CONCURRENCY}"):
        parse_concurrency(raw)


def test_the_concurrency_reaches_the_limits_and_the_suite_environment() -> None:
    assert limits_from({}, "fast").concurrency is None  # the target's default
    limits = limits_from({"PREVAIL_CONCURRENCY": "2"}, "fast", {"concurrency": "6"})
    assert limits.concurrency == 6
    assert limits.to_env()["PREVAIL_CONCURRENCY"] == "6"
    assert "PREVAIL_CONCURRENCY" not in Limits(deadline=1.0).to_env()


def test_check_refuses_a_bad_concurrency_before_any_work() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "prevail_contract", "check", "--concurrency", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    first, *rest = done.stderr.strip().splitlines()
    assert "--concurrency" in first
    assert "whole number from 1 to" in first
    assert [line for line in rest if not line.startswith("usage:")] == [], done.stderr


@pytest.fixture
def trickler() -> Iterator[str]:
    """A server on loopback that answers a status line, then one header byte every 0.1 s (at
    most 20 s) until the client goes away."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    for _ in range(200):
                        if stop.wait(0.1):
                            break
                        conn.sendall(b"a")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


def _in_a_worker(work: object) -> object:
    """Run ``work`` on another thread (where no signal reaches); what it returned or raised."""
    out: list[object] = []

    def run() -> None:
        try:
            out.append(work())  # type: ignore[operator]
        except BaseException as exc:
            out.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=15)
    assert not thread.is_alive(), "the request outlived its deadline"
    return out[0]


def test_a_trickled_answer_is_cut_off_at_the_deadline_off_the_main_thread(trickler: str) -> None:
    client = bound_client(httpx.Client(timeout=httpx.Timeout(5.0)))

    def fetch() -> object:
        with within(1.0):
            return client.get(trickler)

    with client:
        got = _in_a_worker(fetch)
    assert isinstance(got, httpx.TimeoutException), got


def test_the_sender_stops_the_run_on_a_trickled_answer_off_the_main_thread(trickler: str) -> None:
    bounds = RunBounds()
    bounds.start(Limits(deadline=60.0, request_timeout=1.0))
    client = bound_client(httpx.Client(timeout=httpx.Timeout(5.0)))
    with client:
        got = _in_a_worker(lambda: send_bounded(client, "GET", trickler, headers={}, bounds=bounds))
    assert isinstance(got, RunStoppedError), got
    assert bounds.target_error is not None
    assert "no complete answer within 1 s" in bounds.target_error


def test_each_thread_sees_its_own_last_exchange() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"path": request.url.path})

    transport = Transport(
        httpx.Client(transport=httpx.MockTransport(answer)), Masker(), ExchangeLog()
    )

    def send(path: str) -> str:
        transport.send("GET", f"http://h{path}")
        time.sleep(0.05)  # the other thread sends meanwhile
        last = transport.last_exchange
        assert last is not None
        return last.url

    assert together([partial(send, p) for p in ("/a", "/b", "/c")], 3) == [
        "http://h/a",
        "http://h/b",
        "http://h/c",
    ]
    assert transport.last_exchange is None  # this thread sent nothing
