"""Hostile input against the served mock over real sockets: framing, headers, tokens, bodies,
Unicode. Every case: no 5xx, the contract's (or a plain, assumed) refusal, nothing changed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from prevail_contract.mock import server
from prevail_contract.mock.auth import MAX_TOKEN
from tests.hostile.served import edit, hostile, snapshot, target, token
from tests.hostile.wire import Connection, Target, connection, exchange, request, status

__all__ = ["hostile", "target"]  # fixtures used by name

Build = Callable[[Target], bytes]


def _patch(t: Target, extra: list[tuple[str, str]], body: bytes = b"", **kw: object) -> bytes:
    headers = [("Authorization", f"Bearer {t.env['PREVAIL_TOKEN']}"), *extra]
    return request("PATCH", t.session_path(), headers, body, **kw)  # type: ignore[arg-type]


JSON = [("Content-Type", "application/json")]

#: (name, request builder, accepted statuses). Each is a refusal: nothing may change.
REFUSED: list[tuple[str, Build, set[int]]] = [
    # -- framing --
    (
        "content-length-and-chunked",
        lambda t: _patch(
            t,
            [*JSON, ("Content-Length", "5"), ("Transfer-Encoding", "chunked")],
            b"0\r\n\r\n",
            length=False,
        ),
        {400},
    ),
    (
        "two-content-lengths",
        lambda t: _patch(
            t, [*JSON, ("Content-Length", "3"), ("Content-Length", "40")], b"{}x", length=False
        ),
        {400},
    ),
    ("negative-length", lambda t: _patch(t, [*JSON, ("Content-Length", "-1")]), {400}),
    ("hex-length", lambda t: _patch(t, [*JSON, ("Content-Length", "0x10")]), {400}),
    (
        "bad-chunk-size",
        lambda t: _patch(
            t, [*JSON, ("Transfer-Encoding", "chunked")], b"zz\r\n{}\r\n0\r\n\r\n", length=False
        ),
        {400},
    ),
    ("no-host", lambda t: _patch(t, JSON, edit(), host=None), {400}),
    ("two-hosts", lambda t: _patch(t, [*JSON, ("Host", "other")], edit()), {400}),
    (
        "bare-lf",
        lambda t: f"PATCH {t.session_path()} HTTP/1.1\nHost: mock\n\n".encode(),
        {400, 401, 415},
    ),
    ("space-before-colon", lambda t: _patch(t, [*JSON, ("X-A ", "1")], edit()), {400}),
    ("obs-fold", lambda t: _patch(t, [*JSON, ("X-A", "1\r\n folded")], edit()), {400, 200}),
    ("nul-in-header", lambda t: _patch(t, [*JSON, ("X-A", "a\x00b")], edit()), {400}),
    ("http-2-preface", lambda t: b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {400}),
    (
        "trailing-slash",
        lambda t: request("PATCH", t.session_path() + "/", host="evil.example"),
        {404},
    ),
    # -- headers --
    (
        "header-over-limit",
        lambda t: _patch(t, [*JSON, ("X-Big", "a" * server.MAX_HEADER_BYTES)], edit()),
        {431},
    ),
    (
        "too-many-headers",
        lambda t: _patch(t, [*JSON, *((f"X-{i}", "1") for i in range(server.MAX_HEADERS))], edit()),
        {431},
    ),
    (
        "many-small-headers-over-bytes",
        lambda t: _patch(t, [*JSON, *((f"X-{i}", "v" * 400) for i in range(90))], edit()),
        {431},
    ),
    (
        "two-authorization-headers",
        lambda t: _patch(t, [*JSON, ("Authorization", f"Bearer {t.env['PREVAIL_TOKEN']}")], edit()),
        {401},
    ),
    # -- tokens --
    (
        "token-over-limit",
        lambda t: request(
            "PATCH",
            t.session_path(),
            [*JSON, ("Authorization", f"Bearer {token(t, pad='p' * MAX_TOKEN)}")],
            edit(),
        ),
        {401},
    ),
    (
        "exp-10-to-309",
        lambda t: request(
            "PATCH",
            t.session_path(),
            [*JSON, ("Authorization", f"Bearer {token(t, exp=10**309)}")],
            edit(),
        ),
        {401},
    ),
    (
        "exp-infinite",
        lambda t: request(
            "PATCH",
            t.session_path(),
            [*JSON, ("Authorization", f"Bearer {token(t, exp=float('inf'))}")],
            edit(),
        ),
        {401},
    ),
    (
        "exp-2-to-60",
        lambda t: request(
            "PATCH",
            t.session_path(),
            [*JSON, ("Authorization", f"Bearer {token(t, exp=2**60)}")],
            edit(),
        ),
        {401},
    ),
    (
        "exp-4000-digits",
        lambda t: request(
            "PATCH",
            t.session_path(),
            [*JSON, ("Authorization", f"Bearer {token(t, exp=10**4000)}")],
            edit(),
        ),
        {401},
    ),
    # -- bodies and Unicode --
    (
        "final-newline-title-and-case-twin-invites",
        lambda t: _patch(
            t,
            JSON,
            json.dumps(
                {
                    "remote_session": {
                        "title": "Renamed\n",
                        "invites": ["a@example.com\n", "A@example.com"],
                    }
                }
            ).encode(),
        ),
        {422},
    ),
    *(
        (
            f"title-U+{ord(char):04X}",
            (lambda c: lambda t: _patch(t, JSON, edit(f"Re{c}named")))(char),
            {422},
        )
        for char in "\u0085\u2028\u2029\u202e\u200b\ufeff\u00ad\u061c\u2066\x7f\x9b"
    ),
    (
        "email-final-crlf",
        lambda t: _patch(
            t, JSON, json.dumps({"remote_session": {"invites": ["z@example.com\r\n"]}}).encode()
        ),
        {422},
    ),
    (
        "email-fullwidth-at",
        lambda t: _patch(
            t, JSON, json.dumps({"remote_session": {"invites": ["z\uff20example.com"]}}).encode()
        ),
        {422},
    ),
    (
        "start-time-final-newline",
        lambda t: _patch(
            t,
            JSON,
            json.dumps(
                {
                    "remote_session": {
                        "start_date": "2025-01-30",
                        "start_time": "2:30 PM\n",
                        "time_zone": "Hawaii",
                    }
                }
            ).encode(),
        ),
        {422},
    ),
    (
        "percent-nul-id",
        lambda t: request(
            "PATCH",
            f"{t.base_path}/sessions/%00",
            [*JSON, ("Authorization", f"Bearer {t.env['PREVAIL_TOKEN']}")],
            edit(),
        ),
        {404},
    ),
]


@pytest.mark.parametrize(("name", "build", "statuses"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_without_5xx_or_change(
    target: Target, name: str, build: Build, statuses: set[int]
) -> None:
    before = snapshot(target)
    reply = exchange(target, build(target))
    assert reply is not None, f"{name}: the connection closed without an answer"
    assert reply.status < 500, (name, reply)
    assert reply.status in statuses, (name, reply.status, reply.body[:300])
    assert snapshot(target) == before, name


def test_trailing_slash_has_no_location_from_host(target: Target) -> None:
    reply = exchange(target, request("GET", target.session_path() + "/", host="evil"))
    assert reply is not None
    assert reply.status == 404
    assert "location" not in reply.headers


def test_huge_header_is_cut_off_not_buffered(target: Target) -> None:
    """A 16 MiB header: the mock answers 431 and closes long before it is all sent."""
    with connection(target) as conn:
        conn.send(f"GET {target.session_path()} HTTP/1.1\r\nHost: m\r\nX-Big: ".encode())
        sent = 0
        while sent < 16 * 1024 * 1024 and conn.send(b"a" * 65536):
            sent += 65536
            if sent >= 4 * server.MAX_HEADER_BYTES:
                break
        reply = conn.reply()
    assert status(reply) == 431, reply
    assert reply is not None
    assert reply.json()["code"] == "headers_too_large"


def test_bad_exp_keeps_the_connection(target: Target) -> None:
    """401 for an absurd ``exp``, then the same keep-alive connection serves a good request."""
    with connection(target) as conn:
        bad = [*JSON, ("Authorization", f"Bearer {token(target, exp=10**309)}")]
        conn.send(request("PATCH", target.session_path(), bad, edit()))
        first = conn.reply()
        conn.send(_patch(target, JSON, edit("After the bad token")))
        second = conn.reply()
    assert status(first) == 401, first
    assert status(second) == 200, second


def test_unknown_slug_and_wrong_key_read_the_same(target: Target) -> None:
    def message(tok: str) -> object:
        hdrs = [*JSON, ("Authorization", f"Bearer {tok}")]
        reply = exchange(target, request("PATCH", target.session_path(), hdrs, edit()))
        assert status(reply) == 401
        assert reply is not None
        return reply.json()

    import jwt

    unknown = token(target, slug="no-such-company")
    wrong = jwt.encode(
        {"slug": target.env["PREVAIL_COMPANY_ID"], "exp": 2_000_000_000}, "x" * 40, "HS256"
    )
    assert message(unknown) == message(wrong)


def test_case_twins_in_one_request_make_one_invitee_and_one_email(target: Target) -> None:
    body = json.dumps({"remote_session": {"invites": ["Twin@Example.com", "twin@example.com"]}})
    reply = exchange(target, _patch(target, JSON, body.encode()))
    assert status(reply) == 200, reply
    state = snapshot(target)
    invites = state[target.env["PREVAIL_SESSION_ID"]]["invites"]
    assert [i for i in invites if i.casefold() == "twin@example.com"] == ["Twin@Example.com"]
    assert [m["to"] for m in state["outbox"]["messages"]] == ["Twin@Example.com"]


def test_pipelined_smuggle_is_its_own_request(target: Target) -> None:
    """A body that hides a second request: that request is parsed alone, and refused."""
    hidden = request("PATCH", target.session_path(), JSON, edit("Smuggled"))
    before = snapshot(target)
    with connection(target) as conn:
        conn.send(request("GET", "/__mock__/outbox", [("Content-Length", "0")]) + hidden)
        replies = [conn.reply(), conn.reply()]
    assert status(replies[0]) in range(100, 500)
    assert status(replies[1]) == 401
    assert snapshot(target) == before


def _reused(conn: Connection, data: bytes) -> int | None:
    conn.send(data)
    reply = conn.reply()
    return None if reply is None else reply.status


BROKEN_FRAMING = {
    "bad-chunk-size": (
        [("Transfer-Encoding", "chunked")],
        b'zz\r\n{"remote_session": {}}\r\n0\r\n\r\n',
    ),
    "unknown-transfer-coding": (
        [("Transfer-Encoding", "xchunked")],
        b'5\r\n{"rem\r\n0\r\n\r\n',
    ),
    "coding-before-chunked": (
        [("Transfer-Encoding", "gzip, chunked")],
        b'5\r\n{"rem\r\n0\r\n\r\n',
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN_FRAMING))
def test_broken_body_framing_is_answered_400_at_once(target: Target, name: str) -> None:
    extra, body = BROKEN_FRAMING[name]
    before = snapshot(target)
    started = time.monotonic()
    reply = exchange(target, _patch(target, [*JSON, *extra], body, length=False))
    assert reply is not None, name
    assert reply.status == 400, (name, reply.status, reply.body[:200])
    assert json.loads(reply.body)["code"] == "bad_request", reply.body[:200]
    # answered as soon as the framing broke, not when a body deadline ran out
    assert time.monotonic() - started < server.BODY_READ_TIMEOUT / 2, name
    assert snapshot(target) == before
