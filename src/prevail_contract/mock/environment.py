"""The ``PREVAIL_*`` variables that point a contract run (or an integrator) at a mock.

Which variables there are, and in which order, is the spec's ``x-fixture-variables`` table (the
rows with a ``mock`` value); this module only knows how the mock produces each value (a
producer answering ``None`` leaves its variable out: no admin API, no fresh Session).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette

from prevail_contract.errors import SpecError
from prevail_contract.mock.auth import make_token
from prevail_contract.mock.facts import editable_states
from prevail_contract.mock.fixtures import Fixtures, Organization
from prevail_contract.spec import Spec
from prevail_contract.spec.fixture_variables import read_variables

#: Lifetime of the tokens handed out, in seconds.
#: Where the admin API is mounted.
ADMIN_PREFIX = "/__mock__"
#: The mock's admin token may come from this variable instead of the command line (kept out of
#: ps); ``check --sandbox`` reads it too, to ask a served mock for a sandbox.
ADMIN_TOKEN_VARIABLE = "PREVAIL_MOCK_ADMIN_TOKEN"  # noqa: S105 (a variable name)
TOKEN_LIFETIME = 3600


@dataclass(frozen=True)
class _Context:
    base_path: str
    base_url: str
    fixtures: Fixtures
    org: Organization
    other: Organization
    editable: tuple[str, ...]
    #: The admin API of this world (``None``: the mock serves none).
    admin_root: str | None


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


def _fresh_sessions(c: _Context) -> str | None:
    """The Organization's Sessions in the first editable state (``scheduled``) other than the
    one the run edits throughout: each may be edited once by a run."""
    fresh = [
        s.remote_session_id
        for s in c.fixtures.sessions
        if s.organization == c.org.slug
        and s.state == c.editable[0]
        and s.remote_session_id != c.fixtures.targets.session
    ]
    return ",".join(fresh) or None


#: variable -> how the mock produces its value.
PRODUCERS: dict[str, Callable[[_Context], str | None]] = {
    "PREVAIL_BASE_URL": lambda c: c.base_url.rstrip("/") + c.base_path,
    "PREVAIL_TOKEN": lambda c: make_token(c.org, TOKEN_LIFETIME),
    "PREVAIL_COMPANY_ID": lambda c: c.org.slug,
    "PREVAIL_API_KEY": lambda c: c.org.api_key,
    "PREVAIL_SESSION_ID": lambda c: c.fixtures.targets.session,
    "PREVAIL_LOCKED_SESSION_ID": lambda c: c.fixtures.targets.locked_session,
    "PREVAIL_LOCKED_SESSION_IDS": _locked_sessions,
    "PREVAIL_FRESH_SESSION_IDS": _fresh_sessions,
    "PREVAIL_DISPOSABLE_SESSION_IDS": lambda c: (
        ",".join(c.fixtures.targets.disposable_sessions) or None
    ),
    "PREVAIL_FOREIGN_SESSION_ID": lambda c: c.fixtures.targets.foreign_session,
    "PREVAIL_NO_SELF_SERVICE_TOKEN": lambda c: make_token(c.other, TOKEN_LIFETIME),
    "PREVAIL_NO_SELF_SERVICE_SESSION_ID": _no_self_service_session,
    "PREVAIL_MOCK_ADMIN_URL": lambda c: c.admin_root,
}


def target_environment(app: Starlette, base_url: str) -> dict[str, str]:
    """The variables for ``app`` served at ``base_url`` (e.g. ``http://127.0.0.1:8000``)."""
    state: Any = app.state.mock
    admin_root = base_url.rstrip("/") + ADMIN_PREFIX if state.admin_api else None
    return fixtures_environment(state.fixtures, state.spec, base_url, admin_root)


def fixtures_environment(
    fixtures: Fixtures, spec: Spec, base_url: str, admin_root: str | None = None
) -> dict[str, str]:
    """The variables for the world loaded from ``fixtures`` (the default one or a sandbox);
    ``admin_root`` is that world's admin API, if the mock serves one."""
    targets = fixtures.targets
    context = _Context(
        base_path=str(spec.base_path),
        base_url=base_url,
        fixtures=fixtures,
        org=fixtures.organizations[targets.organization],
        other=fixtures.organizations[targets.no_self_service_organization],
        editable=editable_states(spec),
        admin_root=admin_root,
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
        value = producer(context)
        if value is not None:
            env[row.name] = value
    return env
