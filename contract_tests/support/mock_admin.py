"""The embedded mock and its admin API (start it in-process, create and read stored Sessions), for
embedded runs only: nothing here ever feeds a verdict about a live server.

Only the mock's app factory and ``target_environment`` are imported, so the suite stays an
independent reading of the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

#: Host name the in-process mock answers on.
EMBEDDED_HOST = "http://mock"
#: Prefix of the embedded mock's admin API (never part of a verdict, not counted as API traffic).
ADMIN_PREFIX = "/__mock__/"


@dataclass
class MockAdmin:
    """The admin API of the in-process mock, reached through the run's own client."""

    client: httpx.Client
    app: Any

    def session(self, session_id: str) -> dict[str, Any] | None:
        """The mock's stored copy of a Session (None when it has none)."""
        response = self.client.get(f"{EMBEDDED_HOST}{ADMIN_PREFIX}sessions/{session_id}")
        return dict(response.json()) if response.status_code == 200 else None

    def create(self, organization: str, state: str, **fields: Any) -> str:
        """Create a Session in the mock and return its id."""
        response = self.client.post(
            f"{EMBEDDED_HOST}{ADMIN_PREFIX}sessions",
            json={"organization": organization, "state": state, **fields},
        )
        if response.status_code != 201:
            raise RuntimeError(f"mock admin API refused to create a session: {response.text}")
        created = response.json()
        sid = created.get("remote_session_id")
        if not isinstance(sid, str):
            raise RuntimeError(f"mock admin API answered no remote_session_id: {created}")
        return sid


def start_embedded(
    bugs: tuple[str, ...], contract: str = "full"
) -> tuple[MockAdmin, dict[str, str]]:
    """A fresh in-process mock (with ``bugs`` planted, serving the ``contract`` reading): its
    admin API and its ``PREVAIL_*`` variables. The admin's client is entered; close it when
    the run ends."""
    from starlette.testclient import TestClient

    from prevail_contract.mock import create_app, target_environment

    app = create_app(bugs=bugs, contract=contract)
    env = target_environment(app, EMBEDDED_HOST)
    client: httpx.Client = TestClient(app, base_url=EMBEDDED_HOST, raise_server_exceptions=False)
    client.__enter__()
    return MockAdmin(client, app), env
