"""The embedded mock and its admin API (start it in-process, create and read stored Sessions), for
embedded runs only: nothing here ever feeds a verdict about a live server.

Only the mock's app factory and ``target_environment`` are imported, so the suite stays an
independent reading of the rules; the world snapshots for repro scripts read the in-process
app's stored Sessions (``app.state.mock``), never its rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from contract_tests.support.facts import facts

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


def start_embedded(bugs: tuple[str, ...]) -> tuple[MockAdmin, dict[str, str]]:
    """A fresh in-process mock (with ``bugs`` planted): its admin API and its ``PREVAIL_*``
    variables. The admin's client is entered; close it when the run ends."""
    from starlette.testclient import TestClient

    from prevail_contract.mock import create_app, target_environment

    app = create_app(bugs=bugs)
    env = target_environment(app, EMBEDDED_HOST)
    client: httpx.Client = TestClient(app, base_url=EMBEDDED_HOST, raise_server_exceptions=False)
    client.__enter__()
    return MockAdmin(client, app), env


#: The id of the stand-in locked Session a repro world gets when the run left none.
PLACEHOLDER_LOCKED = "repro-locked-placeholder"


def world_snapshot(admin: MockAdmin) -> tuple[Any, ...]:
    """The Sessions the embedded mock holds now, for repro scripts (its stored Sessions are
    immutable values, so this is a tuple of references, not a copy)."""
    return tuple(admin.app.state.mock.worlds.main.sessions())


def world_document(
    admin: MockAdmin, snapshots: list[Any], company: str, editable: tuple[str, ...]
) -> dict[str, Any] | None:
    """A fixtures document for a sandbox holding the Sessions of ``snapshots[0]``, plus any
    made later in the window, as they were then; ``None`` when it cannot name its targets.

    The API keys are placeholders (a sandbox gets fresh ones); the targets are chosen from the
    Sessions themselves (a stand-in locked Session is added when a planted bug left none).
    """
    state = admin.app.state.mock
    sessions: dict[str, dict[str, Any]] = {}
    for snapshot in snapshots:
        for stored in snapshot:
            if stored.remote_session_id not in sessions:
                entry = dict(stored.stored(state.session_order))
                entry.pop("invites", None)  # the invitees (with their levels) say it all
                sessions[stored.remote_session_id] = entry
    orgs = list(state.fixtures.organizations.values())
    by_org: dict[str, list[dict[str, Any]]] = {}
    for entry in sessions.values():
        by_org.setdefault(entry["organization"], []).append(entry)
    own = by_org.get(company, [])
    editable_own = [s for s in own if s.get("state") in editable]
    locked = [s for s in own if s.get("state") not in editable]
    foreign = [s for o, items in by_org.items() if o != company for s in items]
    closed = [o.slug for o in orgs if not o.self_service]
    if not editable_own or not foreign or not closed:
        return None
    locked_states = [s for s in facts().states if s not in editable]
    if not locked and locked_states:
        stand_in = {**editable_own[0], "remote_session_id": PLACEHOLDER_LOCKED}
        stand_in["state"] = locked_states[0]
        sessions[PLACEHOLDER_LOCKED] = stand_in
        locked = [stand_in]
    return {
        "organizations": [
            {
                "slug": o.slug,
                "api_key": "0" * 32,  # replaced by the sandbox
                "self_service": o.self_service,
                "members": sorted(o.members),
            }
            for o in orgs
        ],
        "sessions": list(sessions.values()),
        "targets": {
            "organization": company,
            "session": editable_own[0]["remote_session_id"],
            "locked_session": locked[0]["remote_session_id"],
            "foreign_session": foreign[0]["remote_session_id"],
            "no_self_service_organization": closed[0],
        },
    }
