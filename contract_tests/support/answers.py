"""Reading answers: the Session inside a success body, and two answers compared as a whole
(status, headers with the volatile ones left out, and the body with the requested id masked),
so that another Organization's Session can be held to answering exactly like an unknown id."""

from __future__ import annotations

import json
from typing import Any

from prevail_contract.runtime.exchange import Exchange

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


def fingerprint(ex: Exchange, requested_id: str) -> dict[str, Any]:
    """What an answer says, part by part (``status``, ``header NAME``, ``body PATH``), with the
    requested id masked and the always-volatile headers left out."""
    parts: dict[str, Any] = {"status": ex.status}
    for name, value in ex.response_headers.items():
        if name.lower() not in VOLATILE_HEADERS:
            parts[f"header {name.lower()}"] = value
    text = ex.response_body.decode("utf-8", "replace")
    try:
        # masked after parsing: an id escaped in the JSON text (\\u002d, \\/) is still found
        body: Any = _masked(json.loads(text), requested_id)
    except (ValueError, RecursionError):
        body = text.replace(requested_id, MASK)
    _flatten(body, "body", parts)
    return parts


def _masked(value: Any, requested_id: str) -> Any:
    if isinstance(value, str):
        return value.replace(requested_id, MASK)
    if isinstance(value, dict):
        return {_masked(k, requested_id): _masked(v, requested_id) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, requested_id) for v in value]
    return value


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _flatten(item, f"{path}/{key}", out)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            _flatten(item, f"{path}/{index}", out)
    else:
        out[path] = value


def volatile_parts(a: Exchange, a_id: str, b: Exchange, b_id: str) -> frozenset[str]:
    """The parts in which two answers to the same question differ: a per-request value (a
    request id or counter in the body, a time) that no comparison may hold against a server."""
    fa, fb = fingerprint(a, a_id), fingerprint(b, b_id)
    return frozenset(k for k in set(fa) | set(fb) if fa.get(k, _ABSENT) != fb.get(k, _ABSENT))


_ABSENT = object()


def differences(
    a: Exchange, a_id: str, b: Exchange, b_id: str, volatile: frozenset[str] = frozenset()
) -> list[str]:
    """Where two answers differ once the requested ids are masked and the ``volatile`` parts
    (see :func:`volatile_parts`) are left out (empty: alike)."""
    fa, fb = fingerprint(a, a_id), fingerprint(b, b_id)
    out: list[str] = []
    for part in sorted(set(fa) | set(fb), key=lambda k: (k != "status", k)):
        if part in volatile:
            continue
        left, right = fa.get(part, _ABSENT), fb.get(part, _ABSENT)
        if left != right:
            shown = ["(absent)" if v is _ABSENT else json.dumps(v)[:200] for v in (left, right)]
            out.append(f"{part}: {shown[0]} vs {shown[1]}")
    return out


def session_of(body: Any) -> dict[str, Any] | None:
    """The Session inside a success body, tolerating a missing envelope.

    Rules other than ``response-envelope`` must keep working when the envelope is wrong, so
    that only the rule actually broken is reported.
    """
    if isinstance(body, dict):
        sessions = body.get("sessions")
        if isinstance(sessions, list) and sessions and isinstance(sessions[0], dict):
            return sessions[0]
        if "remote_session_id" in body or "title" in body:
            return body
    return None
