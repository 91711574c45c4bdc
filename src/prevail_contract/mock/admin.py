"""The mock's admin API under ``/__mock__/``: reset, create and read Sessions, the outbox.

It is for test set-up and inspection only and is not part of the contract. Without an admin
token it is open (the CLI allows that only on a loopback bind); with one, every admin request
must carry ``Authorization: Bearer <admin token>`` or gets 401. Bodies are read as a stream
and refused (413) once past ``MAX_ADMIN_BODY``; at most ``MAX_SESSIONS`` Sessions are stored.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from prevail_contract.errors import ConfigError, MockError
from prevail_contract.mock import offload
from prevail_contract.mock.environment import ADMIN_PREFIX as PREFIX
from prevail_contract.mock.environment import target_environment
from prevail_contract.mock.errors import dump_json
from prevail_contract.mock.facts import size_text
from prevail_contract.mock.fixture_document import cut
from prevail_contract.mock.fixtures import StoredSession, build_session, example_session
from prevail_contract.mock.store import Store
from prevail_contract.spec import Spec

#: The spec example the defaults of a created Session are taken from.
DEFAULTS_EXAMPLE = "EditResponseDocumented"
MAX_ADMIN_BODY = 1024 * 1024
#: Most Sessions the store holds, fixtures included (mock limit, assumed).
MAX_SESSIONS = 10_000
_HEADERS = {"content-type": "application/json"}
_CLOSE = {"connection": "close"}

Handler = Callable[[Request], Awaitable[Response]]


def _json(body: Any, status: int = 200) -> Response:
    return Response(dump_json(body), status, headers=_HEADERS)


def _error(
    status: int, code: str, messages: str, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        dump_json({"code": code, "messages": messages}),
        status,
        headers={**_HEADERS, **(headers or {})},
    )


class AdminBodyTooLargeError(MockError):
    """The admin body passed ``MAX_ADMIN_BODY``."""


async def read_limited(request: Request, limit: int = MAX_ADMIN_BODY) -> bytes:
    """The body, read as a stream and given up on (``AdminBodyTooLargeError``) past ``limit``."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise AdminBodyTooLargeError
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise AdminBodyTooLargeError
        chunks.append(chunk)
    return b"".join(chunks)


def _guarded(handler: Handler, token: str | None) -> Handler:
    """``handler``, answering 401 first unless the request carries the admin token."""
    if token is None:
        return handler
    expected = f"Bearer {token}".encode()

    async def guarded(request: Request) -> Response:
        sent = request.headers.getlist("authorization")
        if len(sent) != 1 or not hmac.compare_digest(sent[0].strip().encode(), expected):
            return _error(
                401,
                "unauthorized",
                "The admin API wants 'Authorization: Bearer <admin token>' (the token given "
                "with --admin-token).",
                {"WWW-Authenticate": "Bearer"},
            )
        return await handler(request)

    return guarded


def routes(
    store: Store,
    spec: Spec,
    order: tuple[str, ...],
    token: str | None = None,
    extra: Sequence[Route] = (),
    on_reset: Callable[[], object] | None = None,
) -> list[Route]:
    """The admin routes bound to one store, plus ``extra`` admin routes (the sandboxes' and the
    faults'); with ``token`` each wants it as a Bearer token. ``on_reset`` runs on each reset."""

    async def reset(request: Request) -> Response:
        await store.reset()
        if on_reset is not None:
            on_reset()
        return _json({"sessions": await store.count(), "outbox": 0})

    async def create_session(request: Request) -> Response:
        return await create_in(store, spec, order, request)

    async def read_session(request: Request) -> Response:
        session_id = str(request.path_params["remote_session_id"])
        session = await store.get(session_id)
        if session is None:
            return _error(404, "session_not_found", f"No Session with id {session_id[:100]!r}.")
        return _json(session.stored(order))

    async def outbox(request: Request) -> Response:
        if request.method == "DELETE":
            await store.clear_outbox()
            return Response(status_code=204)
        return _json({"messages": [m.as_json() for m in await store.outbox()]})

    async def environment(request: Request) -> Response:
        base = f"{request.url.scheme}://{request.url.netloc}"
        return _json(target_environment(request.app, base))

    return [
        Route(f"{PREFIX}/reset", _guarded(reset, token), methods=["POST"]),
        Route(f"{PREFIX}/sessions", _guarded(create_session, token), methods=["POST"]),
        Route(
            f"{PREFIX}/sessions/{{remote_session_id}}",
            _guarded(read_session, token),
            methods=["GET"],
        ),
        Route(f"{PREFIX}/outbox", _guarded(outbox, token), methods=["GET", "DELETE"]),
        Route(f"{PREFIX}/environment", _guarded(environment, token), methods=["GET"]),
        *(
            Route(r.path, _guarded(r.endpoint, token), methods=sorted(r.methods or ()))
            for r in extra
        ),
    ]


async def create_in(store: Store, spec: Spec, order: tuple[str, ...], request: Request) -> Response:
    """``POST .../sessions``: a Session made from the posted fields in ``store`` (a world)."""
    try:
        raw = await read_limited(request)
    except AdminBodyTooLargeError:
        return _error(
            413,
            "payload_too_large",
            f"The admin body is larger than {size_text(MAX_ADMIN_BODY)}.",
            _CLOSE,
        )
    except ClientDisconnect:
        return _error(400, "malformed_json", "The body was cut off.", _CLOSE)
    if await store.count() >= MAX_SESSIONS:
        return _error(
            409,
            "too_many_sessions",
            f"The mock holds at most {MAX_SESSIONS} Sessions; POST {PREFIX}/reset first.",
        )
    built = await offload.run(len(raw), lambda: _new_session(spec, store, raw))
    if isinstance(built, Response):
        return built
    session = built
    if not await store.add(session):
        return _error(
            409, "session_exists", f"A Session with id {session.remote_session_id!r} exists."
        )
    return _json(session.stored(order), 201)


def _new_session(spec: Spec, store: Store, raw: bytes) -> StoredSession | Response:
    """The Session a create request's body describes, or the refusal to answer (parsing and
    the spec check may take a while on a large body: ``offload`` runs this in a thread)."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        return _error(400, "malformed_json", f"The body is not usable JSON: {cut(str(exc), 200)}.")
    if not isinstance(body, Mapping):
        return _error(422, "validation_failed", 'Send an object {"organization", "state"}.')
    missing = [k for k in ("organization", "state") if not isinstance(body.get(k), str)]
    if missing:
        return _error(422, "validation_failed", f"Required string field(s): {', '.join(missing)}.")
    values = _defaults(spec)
    values.update(body)
    session_id = values.setdefault("remote_session_id", f"mock-{secrets.token_hex(6)}")
    values.setdefault("provider_specific_details", _provider_details(str(session_id)))
    try:
        return build_session(spec, values, store.organizations, "the new Session")
    except ConfigError as exc:
        return _error(422, "validation_failed", cut(str(exc), 1000))


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
