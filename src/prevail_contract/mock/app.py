"""The mock's ASGI application: builds everything once from the spec and routes the requests.

``create_app`` reads the spec (its schemas, facts and ``x-check-order``), the fixtures and the
planted bugs, builds the edit's check pipeline, and mounts each operation of the spec's
registry (:mod:`prevail_contract.spec.operation_registry`), answered by its own module
``mock.operations.<operationId>``, and the admin API (``admin``, ``sandboxes``,
``faults_api``), all behind the fault injection (``fault_injection``). Nothing is built per
request. With ``contract="documented"`` it serves the documented-only reading of the same
spec (:func:`prevail_contract.spec.documented_view.documented_spec`, presented as
:mod:`.presentation` says) through the same code.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from prevail_contract.errors import ConfigError, SpecError
from prevail_contract.mock import admin, faults_api, sandboxes
from prevail_contract.mock.auth import LEEWAY_RULE, Authenticator
from prevail_contract.mock.body import BodyReader
from prevail_contract.mock.bugs import check_bugs
from prevail_contract.mock.facts import read_facts
from prevail_contract.mock.fault_injection import FaultInjection
from prevail_contract.mock.faults import FaultBook
from prevail_contract.mock.fixtures import load_fixtures
from prevail_contract.mock.pipeline import Services, build_pipeline, documented_order
from prevail_contract.mock.presentation import Presentation, presentation
from prevail_contract.mock.responses import exception_handlers
from prevail_contract.mock.state import MockState
from prevail_contract.mock.store import MAIN_WORLD, WorldGoneError, Worlds, open_worlds
from prevail_contract.mock.validation import BodyValidator
from prevail_contract.spec import Spec, load_spec
from prevail_contract.spec.documented_view import documented_spec
from prevail_contract.spec.operation_registry import operation_registry
from prevail_contract.spec.time_zones import unloadable_zones

__all__ = ["create_app"]

log = logging.getLogger("prevail_contract.mock")


def create_app(
    fixtures: Path | None = None,
    *,
    spec: Spec | Path | str | None = None,
    bugs: Collection[str] = (),
    validate_responses: bool = False,
    admin_api: bool = True,
    admin_token: str | None = None,
    store: str | None = None,
    sandbox_ttl: float = sandboxes.DEFAULT_TTL,
    contract: str = "full",
    store_check: bool = True,
) -> Starlette:
    """A mock of the Edit Sessions API with its own state loaded from ``fixtures``.

    ``spec`` is the spec to serve (a loaded ``Spec`` or a file; default ``$PREVAIL_SPEC`` or
    the kit's own). ``bugs`` holds rule ids (see ``bugs.PLANTABLE_BUGS``) the mock should
    break on purpose; ``validate_responses`` checks every answer of the operation against the
    spec and turns a mismatch into a 500 that names it. ``admin_api`` False leaves the admin
    API out (404); with ``admin_token`` it wants ``Authorization: Bearer <admin_token>``.
    ``store`` is ``None``/``"memory"`` (this app only) or a Redis URL (shared by every app
    pointed at it); sandboxes expire after ``sandbox_ttl`` idle seconds. A Redis store that
    cannot be reached is a ``ConfigError`` unless ``store_check`` is False (worker processes:
    they start and answer 503 ``store_unavailable`` until it is back). ``contract`` is
    ``full`` (the contract: documented and assumed) or ``documented`` (every assumed refusal
    and behaviour relaxed, every documented rule kept; see :mod:`.presentation`).
    """
    if not (math.isfinite(sandbox_ttl) and sandbox_ttl > 0):
        raise ConfigError(
            f"--sandbox-ttl must be a positive, finite number of seconds, got {sandbox_ttl}"
        )
    shown = presentation(contract)
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    check_bugs(spec, bugs)
    if shown.documented:
        spec = documented_spec(spec)
    facts = read_facts(spec)
    loaded = load_fixtures(spec, fixtures)
    missing_zones = unloadable_zones(spec)
    if missing_zones:  # the kit ships tzdata: such a name is a typo, and its Sessions unorderable
        raise SpecError(
            f"spec {spec.path}: x-iana-zones names zones zoneinfo cannot load: "
            f"{', '.join(missing_zones)} (not in the IANA time zone database)"
        )
    session_schema = spec.document["components"]["schemas"]["Session"]
    worlds = open_worlds(store, loaded, check=store_check)
    directory = sandboxes.Directory(worlds)
    authenticator = Authenticator(
        spec,
        directory.main,
        find=directory.find,
        lenient="auth-required" in bugs,
        flaws=frozenset(b for b in bugs if b.startswith("auth-required:")),
        long_leeway=LEEWAY_RULE in bugs or shown.documented,
    )
    services = Services(
        spec=spec,
        facts=facts,
        authenticator=authenticator,
        worlds=worlds,
        reader=BodyReader(spec, facts.max_body),
        validator=BodyValidator(spec, bugs),
        presentation=shown,
    )
    order = documented_order(facts.check_order) if shown.documented else facts.check_order
    state = MockState(
        spec=spec,
        facts=facts,
        fixtures=loaded,
        store=worlds.main,
        worlds=worlds,
        bugs=frozenset(bugs),
        validate_responses=validate_responses,
        body_validator=services.validator,
        session_order=tuple(session_schema.get("properties") or ()),
        authenticator=authenticator,
        services=services,
        steps=build_pipeline(services, order, bugs),
        presentation=shown,
        faults=FaultBook(),
        admin_api=admin_api,
    )
    app = Starlette(
        routes=_routes(state, admin_api, admin_token, sandbox_ttl), lifespan=_lifespan(worlds)
    )
    app.add_middleware(FaultInjection, book=state.faults, spec=spec)
    for kind, handler in exception_handlers(_served_paths(spec)).items():
        app.add_exception_handler(kind, handler)  # type: ignore[arg-type]

    async def world_gone(request: Request, exc: Exception) -> Response:
        return state.presentation.error(sandboxes.gone_error(spec))

    app.add_exception_handler(WorldGoneError, world_gone)
    # A path with a trailing slash is 404, not a redirect built from the Host header.
    app.router.redirect_slashes = False
    app.state.mock = state
    if bugs:
        log.warning("planted bugs active: %s", ", ".join(sorted(bugs)))
    if shown.documented:
        log.warning("serving the documented-only reading of the contract (assumed rules relaxed)")
    return app


def _routes(
    state: MockState, admin_api: bool, admin_token: str | None, sandbox_ttl: float
) -> list[Route]:
    spec, worlds = state.spec, state.worlds
    routes = _operation_routes(state)
    if admin_api:
        extra = sandboxes.routes(worlds, spec, state.session_order, sandbox_ttl)
        extra += faults_api.routes(state.faults, worlds, spec)
        routes += admin.routes(
            state.store,
            spec,
            state.session_order,
            admin_token,
            extra=extra,
            on_reset=lambda: state.faults.clear(MAIN_WORLD),
        )
    return routes


def _lifespan(worlds: Worlds) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """Closes the store's connections when the server stops."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await worlds.aclose()

    return lifespan


def _operation_routes(state: MockState) -> list[Route]:
    """One route per path of the spec, answered by the modules of the operations on it
    (``mock.operations.<operationId>``, as the registry names them)."""
    spec = state.spec
    handlers: dict[str, dict[str, ASGIApp]] = {}
    for entry in operation_registry(spec):
        handler = entry.mock_module().endpoint(state, entry)
        if handler is not None:
            handlers.setdefault(entry.operation.path, {})[entry.method] = handler
    routes: list[Route] = []
    for path, by_method in handlers.items():
        only = next(iter(by_method.values())) if len(by_method) == 1 else None
        dispatch = MethodDispatch(by_method, state.presentation)
        routes.append(Route(spec.base_path + path, only or dispatch))
    return routes


class MethodDispatch:
    """The operations sharing one path, chosen by method (``HEAD`` takes ``GET``'s); another
    method is answered 405 here, ``Allow`` naming them all. (A path with one operation is
    answered by its module alone, 405s included.)"""

    def __init__(self, by_method: dict[str, ASGIApp], presentation: Presentation) -> None:
        self.by_method = by_method
        self.presentation = presentation
        self.allowed = ", ".join(sorted(by_method))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = str(scope.get("method", "")).upper()
        if method == "HEAD" and "HEAD" not in self.by_method:
            method = "GET"
        handler = self.by_method.get(method)
        if handler is None:
            handler = self.presentation.method_not_allowed(method, self.allowed)
        await handler(scope, receive, send)


def _served_paths(spec: Spec) -> str:
    """``GET /api/v1/sessions and PATCH /api/v1/sessions/{remote_session_id}``."""
    served = sorted(f"{op.method.upper()} {spec.base_path}{op.path}" for op in spec.operations)
    return " and ".join(served)
