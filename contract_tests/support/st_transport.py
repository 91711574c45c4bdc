"""A schemathesis transport that sends every request through the target's guarded sender.

schemathesis 4.x sends its generated cases and its checks' own extra requests (``ignored_auth``'s
no-token and invalid-token probes, the coverage phase's cases) through ``schema.transport``; the
schema built here answers that with :class:`SuiteTransport`, so each of them gets the pinned
Session (a made-up absent id for a method the path does not declare, against a live server, and
for an operation whose live policy keeps it off the run's Session, such as a cancel),
reserved invite addresses, the invite cap, the run's bounds and the request count, and is
recorded like any other exchange. There is no public setter for a schema's transport, hence
the small subclass made by :func:`route_through`.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from typing import Any, TypeVar

import httpx
from schemathesis.core.transport import Response
from schemathesis.transport import BaseTransport
from schemathesis.transport.requests import REQUESTS_TRANSPORT, RequestsTransport

from contract_tests.support.facts import facts
from contract_tests.support.target import Target
from prevail_contract.runtime.safety import make_body_safe
from prevail_contract.runtime.session_ids import unknown_session_id

#: What schemathesis puts in ``Authorization``; the real token replaces it only at sending time,
#: so that no case repr (shown in tracebacks and Hypothesis reports) ever holds the token.
TOKEN_STAND_IN = "contract-check-token"
#: The lane (a copy of the target on a Session of its own) the calling thread sends its cases
#: through, when it is not the run's target (``test_schemathesis``).
LANE: ContextVar[Target | None] = ContextVar("schemathesis_lane", default=None)
SchemaT = TypeVar("SchemaT")


class SuiteTransport(RequestsTransport):
    """Serialises like schemathesis's own HTTP transport, sends through :meth:`Target.send`."""

    def __init__(self, target: Target) -> None:
        super().__init__()
        # the serializers schemathesis registered (and any registered later): the same mapping
        self._serializers = REQUESTS_TRANSPORT._serializers
        self.target = target

    def send(self, case: Any, *, session: Any = None, **kwargs: Any) -> Response:
        target = LANE.get() or self.target
        if isinstance(case.path_parameters, dict) and "remote_session_id" in case.path_parameters:
            case.path_parameters["remote_session_id"] = session_of_case(case, target)
        if isinstance(case.query, dict):
            case.query.pop("jwt_payload", None)  # the header carries the token
        case.body = make_body_safe(case.body)
        data = self.serialize_case(
            case,
            base_url=target.api_base,
            headers=kwargs.get("headers"),
            params=kwargs.get("params"),
        )
        headers = {str(k): str(v) for k, v in (data.get("headers") or {}).items()}
        if not any(k.lower() == "accept" and "json" in v for k, v in headers.items()):
            headers = {k: v for k, v in headers.items() if k.lower() != "accept"}
            headers["Accept"] = "application/json"  # documented request header
        for name, value in list(headers.items()):
            if name.lower() == "authorization" and TOKEN_STAND_IN in value:
                headers[name] = value.replace(TOKEN_STAND_IN, target.token)
        ours = any(k.lower() == "authorization" and target.token in v for k, v in headers.items())
        body: bytes | None = None
        if "json" in data:
            payload = data["json"] if ours else _without_invites(data["json"])
            body = httpx.Request("POST", "http://x", json=payload).content
        elif data.get("data") is not None:
            raw = data["data"]
            body = raw if isinstance(raw, bytes) else str(raw).encode()
        params = {str(k): str(v) for k, v in (data.get("params") or {}).items()}
        exchange = target.send(
            str(data["method"]),
            str(data["url"]),
            headers=headers,
            body=body,
            params=params or None,
            purpose="schemathesis",
        )
        request = httpx.Request(exchange.method, exchange.url, headers=headers, content=body)
        # the body is already decoded: drop the headers that would make httpx decode it again
        shown = {
            k: v
            for k, v in exchange.response_headers.items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        }
        # kept as UTF-8: a target's header may hold what ASCII (httpx's default) cannot encode
        response = httpx.Response(
            exchange.status,
            headers=httpx.Headers(shown, encoding="utf-8"),
            content=exchange.response_body,
            request=request,
        )
        response._elapsed = dt.timedelta(seconds=exchange.elapsed)  # schemathesis reads .elapsed
        return Response.from_httpx(response, verify=True)


def session_of_case(case: Any, target: Target) -> str | None:
    """The Session id a case is sent to: the target's Session, or (a live server getting an
    undeclared method, or an operation the run's Session may not get, such as a cancel) an id
    no real Session can have; ``None`` for a case without a Session in its path."""
    if (
        not isinstance(case.path_parameters, dict)
        or "remote_session_id" not in case.path_parameters
    ):
        return None
    undeclared = str(case.method).upper() != str(case.operation.method).upper()
    if (undeclared and not target.is_mock) or not _for_run_session(case, target):
        return unknown_session_id(target.seed)
    return target.session_id


def _for_run_session(case: Any, target: Target) -> bool:
    """Whether the case's operation may be sent to the run's own Session: not one whose live
    policy keeps it to disposable Sessions or absent ids (its change cannot be undone)."""
    on_path = target.operations.on_path(case.path)
    declared = next((e for e in on_path if e.method == str(case.method).upper()), None)
    return declared is None or declared.live not in ("disposable-sessions", "absent-only")


def _without_invites(body: Any) -> Any:
    """``body`` without invitees: what schemathesis's own auth probes (no token, a forged one)
    send, since their refusal does not depend on the body and invites would spend the budget."""
    field = facts().invite_field
    if not isinstance(body, dict):
        return body
    return {
        k: {ik: iv for ik, iv in v.items() if ik != field} if isinstance(v, dict) else v
        for k, v in body.items()
    }


def route_through(schema: SchemaT, transport: BaseTransport[Any]) -> SchemaT:
    """Make ``schema`` (and every operation and check using it) send through ``transport``."""
    base = type(schema)
    routed = type(f"Routed{base.__name__}", (base,), {"transport": property(lambda _: transport)})
    schema.__class__ = routed
    return schema
