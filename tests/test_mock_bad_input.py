"""Hostile and broken bodies: each gets its documented 4xx with an ``Error`` body, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.plugins.mock import MockUnderTest

MiB = 1024 * 1024

CASES: list[tuple[str, bytes, int, str]] = [
    ("empty", b"", 400, "malformed_json"),
    ("whitespace", b"  \n ", 400, "malformed_json"),
    ("truncated", b'{"remote_session": {"title": "x"', 400, "malformed_json"),
    ("trailing-garbage", b'{"remote_session": {"title": "x"}} x', 400, "malformed_json"),
    ("single-quotes", b"{'remote_session': {}}", 400, "malformed_json"),
    ("nan", b'{"remote_session": {"estimated_duration": NaN}}', 400, "malformed_json"),
    ("infinity", b'{"remote_session": {"estimated_duration": Infinity}}', 400, "malformed_json"),
    ("invalid-utf8", b'{"remote_session": {"title": "\xff\xfe"}}', 400, "malformed_json"),
    ("utf16", '{"remote_session": {"title": "x"}}'.encode("utf-16"), 400, "malformed_json"),
    ("raw-nul", b'{"remote_session": {"title": "a\x00b"}}', 400, "malformed_json"),
    ("nul-outside", b'\x00{"remote_session": {"title": "x"}}', 400, "malformed_json"),
    ("escaped-nul", b'{"remote_session": {"title": "a\\u0000b"}}', 422, "validation_failed"),
    ("lone-surrogate", b'{"remote_session": {"title": "\\ud800"}}', 422, "validation_failed"),
    (
        "duplicate-keys",
        b'{"remote_session": {"title": "a", "title": "b"}}',
        422,
        "validation_failed",
    ),
    (
        "duplicate-envelope",
        b'{"remote_session": {"title": "a"}, "remote_session": {}}',
        422,
        "validation_failed",
    ),
    ("huge-float", b'{"remote_session": {"estimated_duration": 1e999}}', 422, "validation_failed"),
    (
        "huge-int",
        b'{"remote_session": {"estimated_duration": ' + b"9" * 5000 + b"}}",
        422,
        "validation_failed",
    ),
    (
        "big-int",
        b'{"remote_session": {"estimated_duration": 100000000000000000}}',
        422,
        "validation_failed",
    ),
    ("tiny-float", b'{"remote_session": {"estimated_duration": 1e-400}}', 422, "validation_failed"),
    (
        "deep-array",
        b'{"remote_session": {"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
        422,
        "validation_failed",
    ),
    (
        "deep-object",
        b'{"remote_session": ' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"}",
        422,
        "validation_failed",
    ),
    ("deep-unclosed", b"[" * 10_000, 400, "malformed_json"),
    ("deep-trailing-data", b"[" * 5_000 + b"]" * 5_000 + b"x", 400, "malformed_json"),
    (
        "deep-inside-an-unfinished-body",
        b'{"remote_session": {"title": ' + b"[" * 10_000,
        400,
        "malformed_json",
    ),
    (
        "moderately-deep",
        b'{"remote_session": {"title": ' + b"[" * 40 + b"]" * 40 + b"}}",
        422,
        "validation_failed",
    ),
    (
        "bool-duration",
        b'{"remote_session": {"estimated_duration": true}}',
        422,
        "validation_failed",
    ),
    ("null-title", b'{"remote_session": {"title": null}}', 422, "validation_failed"),
    ("object-title", b'{"remote_session": {"title": {"a": 1}}}', 422, "validation_failed"),
    ("array-envelope", b'{"remote_session": [{"title": "x"}]}', 422, "validation_failed"),
    ("string-envelope", b'{"remote_session": "title=x"}', 422, "validation_failed"),
    ("null-invite", b'{"remote_session": {"invites": [null]}}', 422, "validation_failed"),
    (
        "nested-invites",
        b'{"remote_session": {"invites": [["a@example.com"]]}}',
        422,
        "validation_failed",
    ),
    (
        "invite-email-number",
        b'{"remote_session": {"invites": [{"email": 1}]}}',
        422,
        "validation_failed",
    ),
    (
        "long-unknown-key",
        b'{"remote_session": {"' + b"k" * 5000 + b'": 1}}',
        422,
        "validation_failed",
    ),
    (
        "many-unknown-keys",
        b'{"remote_session": {' + b",".join(b'"k%d": 1' % i for i in range(500)) + b"}}",
        422,
        "validation_failed",
    ),
    ("bom", b'\xef\xbb\xbf{"remote_session": {"title": "x"}}', 400, "malformed_json"),
    (
        "at-limit-invalid",
        b'{"remote_session": {"title": "' + b"x" * (MiB - 40) + b'"}}',
        422,
        "validation_failed",
    ),
    (
        "over-limit",
        b'{"remote_session": {"title": "' + b"x" * MiB + b'"}}',
        413,
        "payload_too_large",
    ),
]


@pytest.mark.parametrize(
    ("body", "status", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_body(mock: MockUnderTest, body: bytes, status: int, code: str) -> None:
    before = mock.stored()
    response = mock.patch(body)
    assert response.status_code == status, response.text[:500]
    error = response.json()
    assert error["code"] == code
    assert isinstance(error["messages"], str)
    assert len(error["messages"]) <= 2000
    for detail in error.get("details", []):
        assert len(detail["field"]) <= 255
    assert len(error.get("details", [])) <= 200
    assert mock.stored() == before
    assert mock.outbox() == []


def test_duplicate_key_names_the_field(mock: MockUnderTest) -> None:
    response = mock.patch(b'{"remote_session": {"title": "a", "title": "b"}}')
    assert response.json()["details"][0]["field"] == "remote_session.title"


def test_oversized_chunked_body_413(mock: MockUnderTest) -> None:
    """No Content-Length: the mock counts while it streams and stops past 1 MiB."""

    def chunks() -> Iterator[bytes]:
        yield b'{"remote_session": {"title": "'
        for _ in range(40):
            yield b"x" * 64 * 1024
        yield b'"}}'

    headers = {**mock.auth(), "Content-Type": "application/json"}
    response = mock.client.patch(mock.url(), content=chunks(), headers=headers)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_chunked_body_within_limit_accepted(mock: MockUnderTest) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"remote_session": '
        yield b'{"title": "chunked"}}'

    headers = {**mock.auth(), "Content-Type": "application/json"}
    response = mock.client.patch(mock.url(), content=chunks(), headers=headers)
    assert response.status_code == 200
    assert response.json()["sessions"][0]["title"] == "chunked"


def test_declared_oversize_refused_before_reading(mock: MockUnderTest) -> None:
    """A Content-Length over the limit is refused on the header alone."""

    def chunks() -> Iterator[bytes]:
        for _ in range(3):
            yield b"x" * 1024

    headers = {
        **mock.auth(),
        "Content-Type": "application/json",
        "Content-Length": str(5 * MiB),
    }
    response = mock.client.patch(mock.url(), content=chunks(), headers=headers)
    assert response.status_code == 413
