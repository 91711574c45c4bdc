"""Compare two answers as a whole: status, headers (volatile ones left out) and the body with
the requested id masked, so that another Organization's Session can be held to answering
exactly like an unknown id."""

from __future__ import annotations

import json
from typing import Any

from prevail_contract.check.exchange import Exchange

#: Headers that differ between any two answers (time, length, tracing), never compared.
VOLATILE_HEADERS = frozenset(
    {
        "date",
        "content-length",
        "age",
        "expires",
        "last-modified",
        "etag",
        "set-cookie",
        "server-timing",
        "x-request-id",
        "request-id",
        "x-correlation-id",
        "x-trace-id",
        "traceparent",
        "tracestate",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "ratelimit-remaining",
        "ratelimit-reset",
    }
)
MASK = "<requested id>"


def fingerprint(ex: Exchange, requested_id: str) -> tuple[int, dict[str, str], Any]:
    """What an answer says, with everything that may honestly differ removed."""
    headers = {
        k.lower(): v for k, v in ex.response_headers.items() if k.lower() not in VOLATILE_HEADERS
    }
    text = ex.response_body.decode("utf-8", "replace").replace(requested_id, MASK)
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = text
    return ex.status, headers, body


def differences(a: Exchange, a_id: str, b: Exchange, b_id: str) -> list[str]:
    """Where two answers differ once the requested ids are masked (empty: alike)."""
    (sa, ha, ba), (sb, hb, bb) = fingerprint(a, a_id), fingerprint(b, b_id)
    out: list[str] = []
    if sa != sb:
        out.append(f"status {sa} vs {sb}")
    for name in sorted(set(ha) | set(hb)):
        if ha.get(name) != hb.get(name):
            out.append(f"header {name}: {ha.get(name)!r} vs {hb.get(name)!r}")
    if ba != bb:
        out.append(f"body {json.dumps(ba)[:200]} vs {json.dumps(bb)[:200]}")
    return out
