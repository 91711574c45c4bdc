"""The ``PREVAIL_*`` variables that point a contract run (or an integrator) at a mock.

Which variables there are, and in which order, is the spec's ``x-fixture-variables`` table (the
rows with a ``mock`` value); this module only knows how the mock produces each value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette

from prevail_contract.errors import SpecError
from prevail_contract.fixture_variables import read_variables
from prevail_contract.mock.auth import make_token
from prevail_contract.mock.facts import editable_states
from prevail_contract.mock.fixtures import Fixtures, Organization
from prevail_contract.spec import Spec

#: Lifetime of the tokens handed out, in seconds.
TOKEN_LIFETIME = 3600


@dataclass(frozen=True)
class _Context:
    base_path: str
    base_url: str
    fixtures: Fixtures
    org: Organization
    other: Organization
    editable: tuple[str, ...]


def _no_self_service_session(c: _Context) -> str:
    return next(
        s.remote_session_id
        for s in c.fixtures.sessions
        if s.organization == c.other.slug and s.state in c.editable
    )


def _locked_sessions(c: _Context) -> str:
    """One Session of the Organization per non-editable state, as ``state:id`` pairs."""
    first = {
        s.state: s.remote_session_id
        for s in reversed(c.fixtures.sessions)
        if s.organization == c.org.slug and s.state not in c.editable
    }
    return ",".join(f"{state}:{sid}" for state, sid in first.items())


#: variable -> how the mock produces its value.
PRODUCERS: dict[str, Callable[[_Context], str]] = {
    "PREVAIL_BASE_URL": lambda c: c.base_url.rstrip("/") + c.base_path,
    "PREVAIL_TOKEN": lambda c: make_token(c.org, TOKEN_LIFETIME),
    "PREVAIL_COMPANY_ID": lambda c: c.org.slug,
    "PREVAIL_API_KEY": lambda c: c.org.api_key,
    "PREVAIL_SESSION_ID": lambda c: c.fixtures.targets.session,
    "PREVAIL_LOCKED_SESSION_ID": lambda c: c.fixtures.targets.locked_session,
    "PREVAIL_LOCKED_SESSION_IDS": _locked_sessions,
    "PREVAIL_FOREIGN_SESSION_ID": lambda c: c.fixtures.targets.foreign_session,
    "PREVAIL_NO_SELF_SERVICE_TOKEN": lambda c: make_token(c.other, TOKEN_LIFETIME),
    "PREVAIL_NO_SELF_SERVICE_SESSION_ID": _no_self_service_session,
}


def target_environment(app: Starlette, base_url: str) -> dict[str, str]:
    """The variables for ``app`` served at ``base_url`` (e.g. ``http://127.0.0.1:8000``)."""
    state: Any = app.state.mock
    return fixtures_environment(state.fixtures, state.spec, base_url)


def fixtures_environment(fixtures: Fixtures, spec: Spec, base_url: str) -> dict[str, str]:
    """The variables for the world loaded from ``fixtures`` (the default one or a sandbox)."""
    targets = fixtures.targets
    context = _Context(
        base_path=str(spec.base_path),
        base_url=base_url,
        fixtures=fixtures,
        org=fixtures.organizations[targets.organization],
        other=fixtures.organizations[targets.no_self_service_organization],
        editable=editable_states(spec),
    )
    env: dict[str, str] = {}
    for row in read_variables(spec):
        if row.mock is None:
            continue
        producer = PRODUCERS.get(row.name)
        if producer is None:
            raise SpecError(
                f"x-fixture-variables says the mock sets {row.name}, but the mock cannot "
                f"produce it (it knows {', '.join(PRODUCERS)})"
            )
        env[row.name] = producer(context)
    return env
