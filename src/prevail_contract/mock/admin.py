"""The mock's admin API under ``/__mock__/``: reset, create and read Sessions, the outbox.

It is for test set-up and inspection only; it needs no token and is not part of the contract.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from prevail_contract.errors import ConfigError
from prevail_contract.mock.errors import dump_json
from prevail_contract.mock.fixtures import build_session, example_session
from prevail_contract.mock.store import Store
from prevail_contract.spec import Spec

PREFIX = "/__mock__"
#: The spec example the defaults of a created Session are taken from.
DEFAULTS_EXAMPLE = "EditResponseDocumented"
MAX_ADMIN_BODY = 1024 * 1024
_HEADERS = {"content-type": "application/json"}


def _json(body: Any, status: int = 200) -> Response:
    return Response(dump_json(body), status, headers=_HEADERS)


def _error(status: int, code: str, messages: str) -> Response:
    return _json({"code": code, "messages": messages}, status)


def routes(
    store: Store, spec: Spec, order: tuple[str, ...], extra: Sequence[BaseRoute] = ()
) -> list[BaseRoute]:
    """The admin routes bound to one store, plus ``extra`` admin routes (the sandboxes')."""

    async def reset(request: Request) -> Response:
        store.reset()
        return _json({"sessions": len(store.sessions()), "outbox": 0})

    async def create_session(request: Request) -> Response:
        raw = await request.body()
        if len(raw) > MAX_ADMIN_BODY:
            return _error(413, "payload_too_large", "The admin body is larger than 1 MiB.")
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            return _error(400, "malformed_json", f"The body is not usable JSON: {exc}.")
        if not isinstance(body, Mapping):
            return _error(422, "validation_failed", 'Send an object {"organization", "state"}.')
        missing = [k for k in ("organization", "state") if not isinstance(body.get(k), str)]
        if missing:
            return _error(
                422, "validation_failed", f"Required string field(s): {', '.join(missing)}."
            )
        values = _defaults(spec)
        values.update(body)
        session_id = values.setdefault("remote_session_id", f"mock-{secrets.token_hex(6)}")
        values.setdefault("provider_specific_details", _provider_details(str(session_id)))
        try:
            session = build_session(spec, values, store.organizations, "the new Session")
        except ConfigError as exc:
            return _error(422, "validation_failed", str(exc))
        if not store.add(session):
            return _error(409, "session_exists", f"A Session with id {session_id!r} exists.")
        return _json(session.stored(order), 201)

    async def read_session(request: Request) -> Response:
        session_id = str(request.path_params["remote_session_id"])
        session = store.get(session_id)
        if session is None:
            return _error(404, "session_not_found", f"No Session with id {session_id[:100]!r}.")
        return _json(session.stored(order))

    async def outbox(request: Request) -> Response:
        if request.method == "DELETE":
            store.clear_outbox()
            return Response(status_code=204)
        return _json({"messages": [m.as_json() for m in store.outbox()]})

    async def environment(request: Request) -> Response:
        from prevail_contract.mock.environment import target_environment

        base = f"{request.url.scheme}://{request.url.netloc}"
        return _json(target_environment(request.app, base))

    return [
        Route(f"{PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{PREFIX}/sessions", create_session, methods=["POST"]),
        Route(f"{PREFIX}/sessions/{{remote_session_id}}", read_session, methods=["GET"]),
        Route(f"{PREFIX}/outbox", outbox, methods=["GET", "DELETE"]),
        Route(f"{PREFIX}/environment", environment, methods=["GET"]),
        *extra,
    ]


def _defaults(spec: Spec) -> dict[str, Any]:
    """Field values of a created Session that the request leaves out: the spec's example."""
    values = example_session(spec, DEFAULTS_EXAMPLE, "admin defaults")
    for name in ("remote_session_id", "invites", "provider_specific_details", "state"):
        values.pop(name, None)
    return values


def _provider_details(session_id: str) -> dict[str, Any]:
    meeting_id = 10_000_000_000 + secrets.randbelow(89_999_999_999)
    return {
        "meeting_id": meeting_id,
        "password": secrets.token_hex(5),
        "provider_join_url": f"https://zoom.us/j/{meeting_id}?pwd={secrets.token_urlsafe(12)}",
        "prevail_join_url": f"https://staging.prevail.ai/sessions/{session_id}/zoom_meeting",
    }
