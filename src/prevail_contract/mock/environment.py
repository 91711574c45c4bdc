"""The ``PREVAIL_*`` variables that point a contract run (or an integrator) at a mock."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from prevail_contract.mock.auth import make_token
from prevail_contract.mock.fixtures import EDITABLE_STATES, Fixtures

#: Lifetime of the tokens handed out, in seconds.
TOKEN_LIFETIME = 3600


def target_environment(app: Starlette, base_url: str) -> dict[str, str]:
    """The variables for ``app`` served at ``base_url`` (e.g. ``http://127.0.0.1:8000``)."""
    state: Any = app.state.mock
    return fixtures_environment(state.fixtures, str(state.spec.base_path), base_url)


def fixtures_environment(fixtures: Fixtures, base_path: str, base_url: str) -> dict[str, str]:
    """The variables for the world loaded from ``fixtures`` (the default one or a sandbox)."""
    targets = fixtures.targets
    org = fixtures.organizations[targets.organization]
    other = fixtures.organizations[targets.no_self_service_organization]
    return {
        "PREVAIL_BASE_URL": base_url.rstrip("/") + base_path,
        "PREVAIL_TOKEN": make_token(org, TOKEN_LIFETIME),
        "PREVAIL_COMPANY_ID": org.slug,
        "PREVAIL_API_KEY": org.api_key,
        "PREVAIL_SESSION_ID": targets.session,
        "PREVAIL_LOCKED_SESSION_ID": targets.locked_session,
        "PREVAIL_FOREIGN_SESSION_ID": targets.foreign_session,
        "PREVAIL_NO_SELF_SERVICE_TOKEN": make_token(other, TOKEN_LIFETIME),
        # Not in the agreed interface, but lets a contract run probe 403 with one fault only.
        "PREVAIL_NO_SELF_SERVICE_SESSION_ID": next(
            s.remote_session_id
            for s in fixtures.sessions
            if s.organization == other.slug and s.state in EDITABLE_STATES
        ),
    }
