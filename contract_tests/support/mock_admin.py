"""The mock's admin API (create and read stored Sessions), for runs against a mock only: the
embedded one started here in-process, or one served at ``PREVAIL_BASE_URL`` whose admin API
``PREVAIL_MOCK_ADMIN_URL`` names (an explicit signal; nothing here is ever sent to a server
without it). What it shows is set-up and evidence of a mock, never a verdict about a live API.

Only the mock's app factory and ``target_environment`` are imported, so the suite stays an
independent reading of the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from prevail_contract.check.config import TargetConfig
from prevail_contract.check.mock_signal import admin_headers, admin_problem, admin_root, refusal
from prevail_contract.check.session_ids import session_path
from prevail_contract.errors import ConfigError

#: Host name the in-process mock answers on.
EMBEDDED_HOST = "http://mock"
#: Prefix of the embedded mock's admin API (never part of a verdict, not counted as API traffic).
ADMIN_PREFIX = "/__mock__/"
#: Seconds an admin call of a served mock may take.
ADMIN_TIMEOUT = 15.0
#: Other ids tried when a Session id the run asks for exists already (a mock served to several
#: runs): ``ID-2``, ``ID-3``, ...
RENAMES = 50


@dataclass
class MockAdmin:
    """The admin API of one mock world: ``root`` is ``.../__mock__`` (or a sandbox's own)."""

    client: httpx.Client
    root: str
    headers: dict[str, str] = field(default_factory=dict)
    #: The in-process app (embedded runs only).
    app: Any = None

    def session(self, session_id: str) -> dict[str, Any] | None:
        """The mock's stored copy of a Session (None when it has none)."""
        response = self.client.get(
            f"{self.root}/sessions/{session_path(session_id)}", headers=self.headers
        )
        return dict(response.json()) if response.status_code == 200 else None

    def create(self, organization: str, state: str, **fields: Any) -> str:
        """Create a Session in the mock and return its id (a taken id gets a suffix)."""
        wanted = fields.pop("remote_session_id", None)
        for attempt in range(1, RENAMES + 1):
            named = {} if wanted is None else {"remote_session_id": _renamed(wanted, attempt)}
            response = self.client.post(
                f"{self.root}/sessions",
                json={"organization": organization, "state": state, **fields, **named},
                headers=self.headers,
            )
            if response.status_code == 409 and wanted is not None and "exists" in response.text:
                continue
            if response.status_code != 201:
                raise RuntimeError(
                    f"mock admin API refused to create a session: {response.text[:300]}"
                )
            sid = response.json().get("remote_session_id")
            if not isinstance(sid, str):
                raise RuntimeError(f"mock admin API answered no remote_session_id: {sid!r}")
            return sid
        raise RuntimeError(f"mock admin API: {wanted!r} and {RENAMES - 1} renames all exist")


def _renamed(session_id: str, attempt: int) -> str:
    return session_id if attempt == 1 else f"{session_id}-{attempt}"


def served_admin(config: TargetConfig, session_id: str) -> MockAdmin | None:
    """The admin API ``PREVAIL_MOCK_ADMIN_URL`` names, checked against the run's Session;
    ``None`` without the variable. A URL that does not answer like the mock's admin API is a
    :class:`ConfigError`: the run must not take a real server for a mock."""
    root = admin_root(config)
    if root is None:
        return None
    admin = MockAdmin(httpx.Client(timeout=ADMIN_TIMEOUT), root, admin_headers(config))
    problem = admin_problem(admin.client, root, admin.headers, session_id)
    if problem is not None:
        admin.client.close()
        raise ConfigError(refusal(root, problem))
    return admin


def start_embedded(bugs: tuple[str, ...]) -> tuple[MockAdmin, dict[str, str]]:
    """A fresh in-process mock (with ``bugs`` planted): its admin API and its ``PREVAIL_*``
    variables. The admin's client is entered; close it when the run ends."""
    from starlette.testclient import TestClient

    from prevail_contract.mock import create_app, target_environment

    app = create_app(bugs=bugs)
    env = target_environment(app, EMBEDDED_HOST)
    client: httpx.Client = TestClient(app, base_url=EMBEDDED_HOST, raise_server_exceptions=False)
    client.__enter__()
    return MockAdmin(client, EMBEDDED_HOST + ADMIN_PREFIX.rstrip("/"), app=app), env
