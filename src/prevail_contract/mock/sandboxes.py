"""Sandboxes: isolated worlds made and removed through the admin API, each found by its tokens.

A sandbox is a copy of a fixtures document (the served one, or one posted to
``POST /__mock__/sandboxes``) whose Organizations are renamed ``{slug}.{sandbox id}`` and get
fresh random API keys; Session ids stay as they are, so the documented example works in every
sandbox. A token names its Organization by the ``slug`` claim exactly as the real API expects,
so the world is read from the slug and a client only gets different credentials. A request is
served inside its token's world: another sandbox's Session is 404, as for a foreign
Organization. A sandbox idle for longer than its TTL is removed.
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from prevail_contract.errors import ConfigError
from prevail_contract.mock.admin import (
    MAX_ADMIN_BODY,
    AdminBodyTooLargeError,
    create_in,
    read_limited,
)
from prevail_contract.mock.environment import fixtures_environment
from prevail_contract.mock.errors import ApiError, dump_json
from prevail_contract.mock.facts import size_text
from prevail_contract.mock.fixtures import MIN_KEY_BYTES, Fixtures, Organization, fixtures_from
from prevail_contract.mock.store import Store, Worlds, new_sandbox_id
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


class Directory(Mapping[str, Organization]):
    """Organizations by slug for the authenticator: the default world's, then a sandbox's."""

    def __init__(self, worlds: Worlds) -> None:
        self.worlds = worlds

    def __getitem__(self, slug: str) -> Organization:
        org = self.worlds.main.organization(slug)
        if org is None:
            sandbox_id = sandbox_of(slug)
            world = self.worlds.sandbox(sandbox_id) if sandbox_id else None
            org = world.organization(slug) if world else None
        if org is None:
            raise KeyError(slug)
        return org

    def __iter__(self) -> Iterator[str]:
        return iter(self.worlds.main.organizations)

    def __len__(self) -> int:
        return len(self.worlds.main.organizations)


def world_for(worlds: Worlds, org: Organization) -> Store | None:
    """The world an authenticated Organization lives in; None if its sandbox is gone."""
    if org.slug in worlds.main.organizations:
        return worlds.main
    sandbox_id = sandbox_of(org.slug)
    return worlds.sandbox(sandbox_id) if sandbox_id else None


def world_of(spec: Spec, worlds: Worlds, org: Organization) -> Store:
    """The world (default or sandbox) an authenticated Organization lives in; 401 if its
    sandbox is gone."""
    store = world_for(worlds, org)
    if store is None:
        raise ApiError.for_rule(
            spec,
            "auth-required",
            "Authentication failed: this token's sandbox was deleted or sat idle past its "
            "TTL; create a new one with POST /__mock__/sandboxes.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return store


def _json(body: Any, status: int = 200) -> Response:
    return Response(dump_json(body), status, headers=_HEADERS)


def _error(status: int, code: str, messages: str) -> Response:
    return _json({"code": code, "messages": messages}, status)


def _posted_fixtures(spec: Spec, raw: bytes) -> Fixtures:
    """A posted fixtures document (YAML or JSON); its API keys are placeholders, replaced."""
    try:
        document = yaml.safe_load(raw)
    except (yaml.YAMLError, RecursionError) as exc:
        raise ValueError(f"The body is neither JSON nor YAML: {exc}") from exc
    if isinstance(document, Mapping) and isinstance(document.get("organizations"), list):
        document = copy.deepcopy(dict(document))
        for org in document["organizations"]:
            if isinstance(org, dict):
                org["api_key"] = "0" * MIN_KEY_BYTES
    return fixtures_from(spec, document, Path("the posted fixtures"))


def routes(worlds: Worlds, spec: Spec, order: tuple[str, ...], ttl: float) -> list[Route]:
    """``POST /__mock__/sandboxes``, ``DELETE`` one, its outbox, and its Sessions (created
    and read as the default world's are under ``/__mock__/sessions``)."""

    def opened(request: Request) -> Store | Response:
        sandbox_id = str(request.path_params["sandbox_id"])
        world = worlds.sandbox(sandbox_id)
        if world is None:
            return _error(
                404, "sandbox_not_found", f"No sandbox {sandbox_id[:40]!r} (deleted or expired)."
            )
        return world

    async def create(request: Request) -> Response:
        try:
            raw = await read_limited(request, MAX_ADMIN_BODY)
        except AdminBodyTooLargeError:
            return _error(
                413,
                "payload_too_large",
                f"The fixtures document is over {size_text(MAX_ADMIN_BODY)}.",
            )
        try:
            source = _posted_fixtures(spec, raw) if raw.strip() else worlds.main.fixtures
        except ConfigError as exc:  # before ValueError: a ConfigError is one
            return _error(422, "validation_failed", str(exc))
        except ValueError as exc:
            return _error(400, "malformed_body", str(exc))
        sandbox_id = new_sandbox_id()
        fixtures = namespaced(source, sandbox_id)
        worlds.create_sandbox(sandbox_id, fixtures, ttl)
        base = f"{request.url.scheme}://{request.url.netloc}"
        environment = fixtures_environment(fixtures, spec, base, f"{base}{PREFIX}/{sandbox_id}")
        body = {"sandbox_id": sandbox_id, "idle_ttl_seconds": ttl, "environment": environment}
        return _json(body, 201)

    async def delete(request: Request) -> Response:
        sandbox_id = str(request.path_params["sandbox_id"])
        if not worlds.delete_sandbox(sandbox_id):
            return _error(404, "sandbox_not_found", f"No sandbox {sandbox_id[:40]!r}.")
        return Response(status_code=204)

    async def outbox(request: Request) -> Response:
        world = opened(request)
        if isinstance(world, Response):
            return world
        return _json({"messages": [m.as_json() for m in world.outbox()]})

    async def create_session(request: Request) -> Response:
        world = opened(request)
        if isinstance(world, Response):
            return world
        return await create_in(world, spec, order, request)

    async def read_session(request: Request) -> Response:
        world = opened(request)
        if isinstance(world, Response):
            return world
        session_id = str(request.path_params["remote_session_id"])
        session = world.get(session_id)
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
