"""Sandboxes: isolated worlds made and removed through the admin API, each found by its tokens.

A sandbox is a copy of a fixtures document (the served one, or one posted to
``POST /__mock__/sandboxes``) whose Organizations are renamed ``{slug}.{sandbox id}`` and get
fresh random API keys; Session ids stay as they are, so the documented example works in every
sandbox. A token names its Organization by the ``slug`` claim exactly as the real API expects,
so the world is read from the slug and a client only gets different credentials. A request is
served inside its token's world: another sandbox's Session is 404, as for a foreign
Organization. A sandbox idle for longer than its TTL is removed; only a request with a verified
token (or an admin read) restarts its idle time. A posted document is read by
``fixture_document`` (no aliases or merge keys, capped) and built in a worker thread; the
store caps the live sandboxes (``store.MAX_SANDBOXES``, ``store.MAX_SANDBOX_SESSIONS``).
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from prevail_contract.errors import ConfigError
from prevail_contract.mock import offload
from prevail_contract.mock.admin import (
    AdminBodyTooLargeError,
    create_in,
    read_limited,
)
from prevail_contract.mock.environment import fixtures_environment
from prevail_contract.mock.errors import ApiError, dump_json
from prevail_contract.mock.facts import size_text
from prevail_contract.mock.fixture_document import (
    MAX_DOCUMENT_BYTES,
    DocumentError,
    check_counts,
    cut,
    read_document,
)
from prevail_contract.mock.fixtures import MIN_KEY_BYTES, Fixtures, Organization, fixtures_from
from prevail_contract.mock.store import (
    SandboxLimitError,
    Store,
    WorldGoneError,
    Worlds,
    new_sandbox_id,
)
from prevail_contract.spec import Spec

PREFIX = "/__mock__/sandboxes"
#: Idle seconds after which a sandbox is removed (``--sandbox-ttl``).
DEFAULT_TTL = 3600.0
_SLUG = re.compile(r"(?s:.+)\.(sbx-[0-9a-f]{16})")
_HEADERS = {"content-type": "application/json"}


def sandbox_of(slug: str) -> str | None:
    """The sandbox id an Organization slug carries, if any."""
    match = _SLUG.fullmatch(slug)
    return match.group(1) if match else None


def namespaced(fixtures: Fixtures, sandbox_id: str) -> Fixtures:
    """``fixtures`` with every Organization renamed into the sandbox and given a fresh key."""
    slugs = {slug: f"{slug}.{sandbox_id}" for slug in fixtures.organizations}
    orgs = {
        slugs[o.slug]: replace(o, slug=slugs[o.slug], api_key=secrets.token_urlsafe(32))
        for o in fixtures.organizations.values()
    }
    sessions = tuple(replace(s, organization=slugs[s.organization]) for s in fixtures.sessions)
    targets = replace(
        fixtures.targets,
        organization=slugs[fixtures.targets.organization],
        no_self_service_organization=slugs[fixtures.targets.no_self_service_organization],
    )
    return Fixtures(Path(f"sandbox {sandbox_id}"), orgs, sessions, targets)


class Directory:
    """Organizations by slug for the authenticator: the default world's, then a sandbox's.

    A sandbox is looked up without touching its idle time: the token naming it is not
    verified yet, and a forged one must not keep the sandbox alive (``world_of`` touches it
    once the token is verified).
    """

    def __init__(self, worlds: Worlds) -> None:
        self.worlds = worlds

    @property
    def main(self) -> Mapping[str, Organization]:
        """The default world's Organizations."""
        return self.worlds.main.organizations

    async def find(self, slug: str) -> Organization | None:
        """The Organization of ``slug``, in the default world or a live sandbox."""
        org = self.worlds.main.organization(slug)
        if org is None:
            sandbox_id = sandbox_of(slug)
            world = await self.worlds.peek_sandbox(sandbox_id) if sandbox_id else None
            org = world.organization(slug) if world else None
        return org


async def world_for(worlds: Worlds, org: Organization) -> Store | None:
    """The world an authenticated Organization lives in (a sandbox's idle time restarts);
    None if its sandbox is gone."""
    if org.slug in worlds.main.organizations:
        return worlds.main
    sandbox_id = sandbox_of(org.slug)
    return await worlds.sandbox(sandbox_id) if sandbox_id else None


def gone_error(spec: Spec) -> ApiError:
    """401 for a token whose sandbox is gone."""
    return ApiError.for_rule(
        spec,
        "auth-required",
        "Authentication failed: this token's sandbox was deleted or sat idle past its "
        "TTL; create a new one with POST /__mock__/sandboxes.",
        headers={"WWW-Authenticate": "Bearer"},
    )


async def world_of(spec: Spec, worlds: Worlds, org: Organization) -> Store:
    """The world (default or sandbox) an authenticated Organization lives in; 401 if its
    sandbox is gone."""
    store = await world_for(worlds, org)
    if store is None:
        raise gone_error(spec)
    return store


def _json(body: Any, status: int = 200) -> Response:
    return Response(dump_json(body), status, headers=_HEADERS)


def _error(status: int, code: str, messages: str) -> Response:
    return _json({"code": code, "messages": cut(messages)}, status)


def _posted_fixtures(spec: Spec, raw: bytes) -> Fixtures:
    """A posted fixtures document (plain YAML or JSON, within the caps of
    ``fixture_document``); its API keys are placeholders, replaced."""
    document = read_document(raw)
    check_counts(document)
    if isinstance(document, Mapping) and isinstance(document.get("organizations"), list):
        document = copy.deepcopy(dict(document))
        for org in document["organizations"]:
            if isinstance(org, dict):
                org["api_key"] = "0" * MIN_KEY_BYTES
    return fixtures_from(spec, document, Path("the posted fixtures"))


def _gone(sandbox_id: str) -> Response:
    return _error(404, "sandbox_not_found", f"No sandbox {sandbox_id[:40]!r} (deleted or expired).")


def routes(worlds: Worlds, spec: Spec, order: tuple[str, ...], ttl: float) -> list[Route]:
    """``POST /__mock__/sandboxes``, ``DELETE`` one, its outbox, and its Sessions (created
    and read as the default world's are under ``/__mock__/sessions``)."""

    async def opened(request: Request) -> Store | Response:
        sandbox_id = str(request.path_params["sandbox_id"])
        world = await worlds.sandbox(sandbox_id)
        if world is None:
            return _gone(sandbox_id)
        return world

    async def create(request: Request) -> Response:
        try:
            raw = await read_limited(request, MAX_DOCUMENT_BYTES)
        except AdminBodyTooLargeError:
            return _error(
                413,
                "payload_too_large",
                f"The fixtures document is over {size_text(MAX_DOCUMENT_BYTES)}.",
            )
        try:
            source = (
                await offload.in_thread(lambda: _posted_fixtures(spec, raw))
                if raw.strip()
                else worlds.main.fixtures
            )
        except DocumentError as exc:
            code = {400: "malformed_body", 413: "payload_too_large"}.get(exc.status)
            return _error(exc.status, code or "validation_failed", str(exc))
        except ConfigError as exc:
            return _error(422, "validation_failed", str(exc))
        except (TypeError, ValueError, RecursionError) as exc:
            problem = f"The fixtures document is not usable ({type(exc).__name__})."
            return _error(422, "validation_failed", problem)
        sandbox_id = new_sandbox_id()
        fixtures = namespaced(source, sandbox_id)
        try:
            await worlds.create_sandbox(sandbox_id, fixtures, ttl)
        except SandboxLimitError as exc:
            return _error(
                409,
                "too_many_sandboxes",
                f"No sandbox was made: {exc}; delete the ones you are done with "
                f"(DELETE {PREFIX}/ID) or let idle ones expire.",
            )
        base = f"{request.url.scheme}://{request.url.netloc}"
        environment = fixtures_environment(fixtures, spec, base, f"{base}{PREFIX}/{sandbox_id}")
        body = {"sandbox_id": sandbox_id, "idle_ttl_seconds": ttl, "environment": environment}
        return _json(body, 201)

    async def delete(request: Request) -> Response:
        sandbox_id = str(request.path_params["sandbox_id"])
        if not await worlds.delete_sandbox(sandbox_id):
            return _error(404, "sandbox_not_found", f"No sandbox {sandbox_id[:40]!r}.")
        return Response(status_code=204)

    async def outbox(request: Request) -> Response:
        world = await opened(request)
        if isinstance(world, Response):
            return world
        try:
            messages = await world.outbox()
        except WorldGoneError:
            return _gone(str(request.path_params["sandbox_id"]))
        return _json({"messages": [m.as_json() for m in messages]})

    async def create_session(request: Request) -> Response:
        world = await opened(request)
        if isinstance(world, Response):
            return world
        try:
            return await create_in(world, spec, order, request)
        except WorldGoneError:
            return _gone(str(request.path_params["sandbox_id"]))

    async def read_session(request: Request) -> Response:
        world = await opened(request)
        if isinstance(world, Response):
            return world
        session_id = str(request.path_params["remote_session_id"])
        try:
            session = await world.get(session_id)
        except WorldGoneError:
            return _gone(str(request.path_params["sandbox_id"]))
        if session is None:
            return _error(404, "session_not_found", f"No Session with id {session_id[:100]!r}.")
        return _json(session.stored(order))

    return [
        Route(PREFIX, create, methods=["POST"]),
        Route(f"{PREFIX}/{{sandbox_id}}", delete, methods=["DELETE"]),
        Route(f"{PREFIX}/{{sandbox_id}}/outbox", outbox, methods=["GET"]),
        Route(f"{PREFIX}/{{sandbox_id}}/sessions", create_session, methods=["POST"]),
        Route(
            f"{PREFIX}/{{sandbox_id}}/sessions/{{remote_session_id}}",
            read_session,
            methods=["GET"],
        ),
    ]
