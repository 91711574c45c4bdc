"""The mock's ASGI application: routing (edit and list), the Edit Sessions handler, check order.

Checks run in the contract's order: token (401), Self-Service (403), lookup and ownership
(404), media type (415), size (413), JSON (400), body (422), state (409). The state check and
the change itself are one atomic store step (``Store.update``), so a concurrent edit, from this
process or another worker, cannot slip between them. A token's world (the default one or a
sandbox) is the store every lookup of its request uses.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jsonschema
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from prevail_contract.errors import ConfigError
from prevail_contract.mock import admin, sandboxes
from prevail_contract.mock.auth import Authenticator, token_from
from prevail_contract.mock.errors import ApiError, dump_json
from prevail_contract.mock.fixtures import Fixtures, Organization, StoredSession, load_fixtures
from prevail_contract.mock.listing import LIST_ABSENT, LIST_BUGS, ListSessionsEndpoint
from prevail_contract.mock.rules import apply_edit, check_editable, check_owned, check_self_service
from prevail_contract.mock.store import OutboxMessage, Store, Worlds, open_worlds
from prevail_contract.mock.validation import (
    BodyValidator,
    check_media_type,
    parse_json,
    unknown_iana_zones,
)
from prevail_contract.spec import Spec, load_spec

log = logging.getLogger("prevail_contract.mock")

#: Rules whose breaking can be planted with ``bugs`` (``--bug RULE_ID``).
PLANTABLE_BUGS = (
    "auth-required",
    "self-service-required",
    "org-ownership",
    "editable-states",
    "schedule-all-three",
    "field-formats",
    "request-envelope",
    "id-stable",
    "fields-applied",
    "state-ready-after-edit",
    "invites-additive",
    "response-envelope",
    # applies the title of a request refused for its body (422) or state (409)
    "rejected-changes-nothing",
    *LIST_BUGS,
)
#: Switches that are not rules: they make the mock a server that lacks something.
SWITCHES = (LIST_ABSENT,)
EDIT_OPERATION = "edit_session"
LIST_OPERATION = "list_sessions"
#: Narrower planted bugs, ``rule:kind``: each breaks its rule in one way only, for proving
#: that a particular probe of the contract suite is needed to catch it.
PLANTED_VARIANTS = (
    "auth-required:any-org-key",
    "auth-required:exp-optional",
    "self-service-required:query",
    "org-ownership:query",
    "editable-states:query",
    "editable-states:initial",
    "check-order:state-first",
    "org-ownership:leaky-message",
    "field-formats:zone-case",
)
#: Largest accepted body (rule ``payload-limit``).
MAX_BODY = 1024 * 1024
#: How much of a refused oversized body is read and thrown away so that the client can read
#: the 413 on a clean connection; past this the connection is simply closed.
DRAIN_LIMIT = 8 * MAX_BODY
#: Seconds a body may take to arrive, and to be drained after a 413, before the mock stops
#: waiting and closes the connection (a client that declares more than it sends).
BODY_TIMEOUT = 10.0
DRAIN_TIMEOUT = 1.0
CLOSE = {"connection": "close"}
JSON_HEADERS = {"content-type": "application/json"}
ALLOWED_METHOD = "PATCH"


@dataclass
class MockState:
    """Everything one app instance serves from: spec, fixtures, store and checkers."""

    spec: Spec
    fixtures: Fixtures
    store: Store
    worlds: Worlds
    bugs: frozenset[str]
    validate_responses: bool
    body_validator: BodyValidator
    session_order: tuple[str, ...]
    authenticator: Authenticator
    response_validators: dict[int, jsonschema.Draft202012Validator] = field(default_factory=dict)


def create_app(
    fixtures: Path | None = None,
    *,
    bugs: Collection[str] = (),
    validate_responses: bool = False,
    admin_api: bool = True,
    admin_token: str | None = None,
    store: str | None = None,
    sandbox_ttl: float = sandboxes.DEFAULT_TTL,
) -> Starlette:
    """A mock of the Edit Sessions API with its own state loaded from ``fixtures``.

    ``bugs`` holds rule ids (see ``PLANTABLE_BUGS``) the mock should break on purpose;
    ``validate_responses`` checks every answer of the operation against the spec and turns a
    mismatch into a 500 that names it. ``admin_api`` False leaves the admin API out (404);
    with ``admin_token`` it wants ``Authorization: Bearer <admin_token>``. ``store`` is
    ``None``/``"memory"`` (this app only) or a Redis URL (shared by every app pointed at it);
    sandboxes expire after ``sandbox_ttl`` idle seconds.
    """
    if not sandbox_ttl > 0:
        raise ConfigError(f"--sandbox-ttl must be a positive number of seconds, got {sandbox_ttl}")
    spec = load_spec()
    unknown = sorted(set(bugs) - set(PLANTABLE_BUGS) - set(SWITCHES) - set(PLANTED_VARIANTS))
    if unknown:
        choices = ", ".join((*PLANTABLE_BUGS, *SWITCHES, *PLANTED_VARIANTS))
        raise ConfigError(f"unknown planted bug {', '.join(unknown)}; choose from {choices}")
    for bug in set(bugs) - set(SWITCHES):
        spec.rule(bug.split(":")[0])
    loaded = load_fixtures(spec, fixtures)
    missing_zones = unknown_iana_zones(spec.time_zones())
    if missing_zones:
        log.warning("zoneinfo cannot load these IANA zones of the spec: %s", missing_zones)
    session_schema = spec.document["components"]["schemas"]["Session"]
    worlds = open_worlds(store, loaded)
    state = MockState(
        spec=spec,
        fixtures=loaded,
        store=worlds.main,
        worlds=worlds,
        bugs=frozenset(bugs),
        validate_responses=validate_responses,
        body_validator=BodyValidator(spec, bugs),
        session_order=tuple(session_schema.get("properties") or ()),
        authenticator=Authenticator(
            spec,
            sandboxes.Directory(worlds),
            lenient="auth-required" in bugs,
            flaws=frozenset(b for b in bugs if b.startswith("auth-required:")),
        ),
        response_validators=_response_validators(spec) if validate_responses else {},
    )
    edit_path = spec.operation_by_id(EDIT_OPERATION).path
    routes = [Route(spec.base_path + edit_path, EditSessionEndpoint(state))]
    if LIST_ABSENT not in bugs:
        list_endpoint = ListSessionsEndpoint(
            spec,
            state.authenticator,
            lambda org: world_of(state, org).sessions(),
            {s.remote_session_id: s for s in loaded.sessions},
            state.session_order,
            state.bugs,
        )
        routes.append(
            Route(spec.base_path + spec.operation_by_id(LIST_OPERATION).path, list_endpoint)
        )
    routes += [
        *(
            admin.routes(
                state.store,
                spec,
                state.session_order,
                admin_token,
                extra=sandboxes.routes(worlds, spec, state.session_order, sandbox_ttl),
            )
            if admin_api
            else ()
        ),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: _http_exception,
            Exception: _crash,
        },
    )
    # A path with a trailing slash is 404, not a redirect built from the Host header.
    app.router.redirect_slashes = False
    app.state.mock = state
    if bugs:
        log.warning("planted bugs active: %s", ", ".join(sorted(bugs)))
    return app


def world_of(state: MockState, org: Organization) -> Store:
    """The world (default or sandbox) an authenticated Organization lives in; 401 if its
    sandbox is gone."""
    store = sandboxes.world_for(state.worlds, org)
    if store is None:
        raise ApiError.for_rule(
            state.spec,
            "auth-required",
            "Authentication failed: this token's sandbox was deleted or sat idle past its "
            "TTL; create a new one with POST /__mock__/sandboxes.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return store


def _response_validators(spec: Spec) -> dict[int, jsonschema.Draft202012Validator]:
    out: dict[int, jsonschema.Draft202012Validator] = {}
    responses = spec.operation_by_id(EDIT_OPERATION).node.get("responses") or {}
    for status, response in responses.items():
        content = (spec.deref(response).get("content") or {}).get("application/json")
        if content and "schema" in content:
            out[int(status)] = spec.validator(content["schema"])
    return out


class EditSessionEndpoint:
    """``PATCH {base}/sessions/{remote_session_id}``; any other method answers 405."""

    def __init__(self, state: MockState) -> None:
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method != ALLOWED_METHOD:
            response = _method_not_allowed(request.method)
        else:
            try:
                response = self._ok(await self._edit(request))
            except ApiError as error:
                response = _error_response(error)
        if self.state.validate_responses:
            response = self._checked(response)
        await response(scope, receive, send)

    async def _edit(self, request: Request) -> StoredSession:
        state, spec, bugs = self.state, self.state.spec, self.state.bugs
        remote_session_id = str(request.path_params["remote_session_id"])
        bugs = _bugs_for(bugs, request)
        org = state.authenticator(token_from(spec, request.headers, request.query_params))
        store = world_of(state, org)
        check_self_service(spec, org, bugs)
        owned = check_owned(spec, store.get(remote_session_id), remote_session_id, org, bugs)
        if "check-order:state-first" in bugs:  # planted: 409 before the body is looked at
            check_editable(spec, owned, bugs)
        check_media_type(spec, request.headers.get("content-type"))
        raw = await _read_body(spec, request)
        payload = parse_json(spec, raw)
        if "field-formats:zone-case" in bugs:  # planted: " hawaii" taken for "Hawaii"
            payload = _fold_zone(spec, payload)
        try:
            edit = state.body_validator.validate(payload)
        except ApiError:
            self._leak_title(store, remote_session_id, payload)
            raise

        def change(
            current: StoredSession | None,
        ) -> tuple[StoredSession, list[OutboxMessage], StoredSession]:
            session = check_owned(spec, current, remote_session_id, org, bugs)
            check_editable(spec, session, bugs)
            updated, messages = apply_edit(session, edit, org, bugs)
            state.body_validator.check_invitee_total(len(updated.invitees))
            return updated, messages, updated

        try:
            return store.update(remote_session_id, change)
        except ApiError as error:
            if error.status == 409:
                self._leak_title(store, remote_session_id, payload)
            raise

    def _leak_title(self, store: Store, remote_session_id: str, payload: Any) -> None:
        """Planted ``rejected-changes-nothing``: a refused body's valid ``title`` is stored."""
        if "rejected-changes-nothing" not in self.state.bugs or not isinstance(payload, dict):
            return
        inner = payload.get("remote_session")
        title = inner.get("title") if isinstance(inner, dict) else None
        schemas = self.state.spec.document["components"]["schemas"]
        title_schema = schemas["RemoteSessionEdit"]["properties"]["title"]
        if not isinstance(title, str) or not self.state.spec.validator(title_schema).is_valid(
            title
        ):
            return

        def change(
            current: StoredSession | None,
        ) -> tuple[StoredSession, list[OutboxMessage], None]:
            assert current is not None
            return replace(current, fields={**current.fields, "title": title}), [], None

        store.update(remote_session_id, change)

    def _ok(self, session: StoredSession) -> Response:
        body: Any = session.session(self.state.session_order)
        if "id-stable" in self.state.bugs:
            body["remote_session_id"] = session.remote_session_id + "-v2"
        if "response-envelope" not in self.state.bugs:
            body = {"sessions": [body]}
        return Response(dump_json(body), 200, headers=JSON_HEADERS)

    def _checked(self, response: Response) -> Response:
        """The response itself if it matches the spec, else a 500 saying how it does not."""
        problem = response_problem(self.state, response)
        if problem is None:
            return response
        log.error("mock response does not match the spec: %s", problem)
        error = ApiError(
            500,
            "mock_response_invalid",
            f"The mock's own response does not match the spec: {problem}",
        )
        return _error_response(error)


def _fold_zone(spec: Spec, body: Any) -> Any:
    """The body with a ``time_zone`` matched ignoring case and spaces (planted bug only)."""
    inner = body.get("remote_session") if isinstance(body, dict) else None
    zone = inner.get("time_zone") if isinstance(inner, dict) else None
    if isinstance(inner, dict) and isinstance(zone, str):
        known = {z.casefold(): z for z in spec.time_zones()}
        inner["time_zone"] = known.get(zone.strip().casefold(), zone)
    return body


def _bugs_for(bugs: frozenset[str], request: Request) -> frozenset[str]:
    """The planted bugs active for this request: ``rule:query`` ones only when the token came
    in ``jwt_payload`` (no ``Authorization`` header)."""
    if not bugs or "authorization" in request.headers:
        return bugs
    return bugs | {b.split(":")[0] for b in bugs if b.endswith(":query")}


def response_problem(state: MockState, response: Response) -> str | None:
    """Why ``response`` breaks the spec's responses of the operation, or None if it does not."""
    status = response.status_code
    if status == 405:
        allow = response.headers.get("allow")
        return None if allow == ALLOWED_METHOD else f"405 without 'Allow: {ALLOWED_METHOD}'"
    validator = state.response_validators.get(status)
    if validator is None:
        return f"status {status} is not declared for the operation"
    try:
        body = json.loads(bytes(response.body))
    except ValueError:
        return f"the {status} body is not JSON"
    errors = list(validator.iter_errors(body))
    if not errors:
        return None
    first = min(errors, key=lambda e: len(e.absolute_path))
    where = ".".join(str(p) for p in first.absolute_path) or "(body)"
    return f"status {status}, at {where}: {first.message[:500]}"


async def _read_body(spec: Spec, request: Request) -> bytes:
    """The body, refusing (413) one over ``MAX_BODY`` without holding more than that in memory.

    A body that stalls past ``BODY_TIMEOUT`` or whose client goes away is answered as
    malformed JSON (it never became a complete document), on a connection that is closed.
    """
    declared = request.headers.get("content-length")
    stream = request.stream()
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        await _drain(request, stream, 0)
        raise _too_large(spec)
    chunks: list[bytes] = []
    total = 0
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            async for chunk in stream:
                total += len(chunk)
                if total > MAX_BODY:
                    await _drain(request, stream, total)
                    raise _too_large(spec)
                chunks.append(chunk)
    except TimeoutError as exc:
        raise _incomplete(spec, f"did not arrive within {BODY_TIMEOUT:g} s") from exc
    except ClientDisconnect as exc:
        raise _incomplete(spec, "was cut off: the client disconnected") from exc
    return b"".join(chunks)


async def _drain(request: Request, stream: AsyncIterator[bytes], seen: int) -> None:
    """Read and discard the rest of a refused body, up to ``DRAIN_LIMIT`` bytes and
    ``DRAIN_TIMEOUT`` seconds, so that a client still sending can read the 413."""
    if "100-continue" in request.headers.get("expect", "").lower():
        return
    try:
        async with asyncio.timeout(DRAIN_TIMEOUT):
            async for chunk in stream:
                seen += len(chunk)
                if seen > DRAIN_LIMIT:
                    return
    except (TimeoutError, ClientDisconnect):
        pass  # the 413 is still the answer, on a connection that is then closed


def _incomplete(spec: Spec, what: str) -> ApiError:
    return ApiError.for_rule(
        spec,
        "malformed-json",
        f"The body {what}, so it is not a complete JSON document.",
        headers=CLOSE,
    )


def _too_large(spec: Spec) -> ApiError:
    return ApiError.for_rule(
        spec,
        "payload-limit",
        f"The body is larger than {MAX_BODY} bytes (1 MiB); send a smaller body.",
        headers=CLOSE,
    )


def _error_response(error: ApiError) -> Response:
    return Response(
        dump_json(error.body()), error.status, headers={**JSON_HEADERS, **error.headers}
    )


def _method_not_allowed(method: str) -> Response:
    body = {
        "code": "method_not_allowed",
        "messages": f"{method} is not allowed here; this path accepts {ALLOWED_METHOD} only.",
    }
    return Response(dump_json(body), 405, headers={**JSON_HEADERS, "allow": ALLOWED_METHOD})


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        body = {
            "code": "not_found",
            "messages": f"No such path {request.url.path[:200]!r}; the API answers "
            "GET /api/v1/sessions and PATCH /api/v1/sessions/{remote_session_id}, and the "
            "mock admin API lives under /__mock__/.",
        }
        return Response(dump_json(body), 404, headers=JSON_HEADERS)
    headers: Mapping[str, str] = exc.headers or {}
    body = {"code": f"http_{exc.status_code}", "messages": str(exc.detail)}
    return Response(dump_json(body), exc.status_code, headers={**JSON_HEADERS, **headers})


async def _crash(request: Request, exc: Exception) -> Response:
    log.exception("the mock failed on %s %s", request.method, request.url.path)
    body = {
        "code": "mock_internal_error",
        "messages": f"The mock server failed: {type(exc).__name__}. This is a bug in the mock.",
    }
    return Response(dump_json(body), 500, headers=JSON_HEADERS)
