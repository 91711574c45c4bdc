"""The mock's admin API (create and read stored Sessions), for runs against a mock only: the
embedded one started here in-process, or one served at ``PREVAIL_BASE_URL`` whose admin API
``PREVAIL_MOCK_ADMIN_URL`` names (an explicit signal; nothing here is ever sent to a server
without it). What it shows is set-up and evidence of a mock, never a verdict about a live API.

Only the mock's app factory and ``target_environment`` are imported, so the suite stays an
independent reading of the rules; the world snapshots for repro scripts read the in-process
app's stored Sessions (``app.state.mock``), never its rules.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx

from contract_tests.support.facts import facts
from contract_tests.support.in_process import InProcessTransport, in_process_client
from prevail_contract.errors import ConfigError
from prevail_contract.runtime.config import TargetConfig
from prevail_contract.runtime.cookies import lean_cookies
from prevail_contract.runtime.mock_signal import admin_headers, admin_problem, admin_root, refusal
from prevail_contract.runtime.session_ids import session_path

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
    #: Runs a coroutine on the in-process app's loop and waits for it (embedded runs only).
    run: Callable[[Coroutine[Any, Any, Any]], Any] | None = None

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
    client = lean_cookies(httpx.Client(timeout=ADMIN_TIMEOUT))
    admin = MockAdmin(client, root, admin_headers(config))
    problem = admin_problem(admin.client, root, admin.headers, session_id)
    if problem is not None:
        admin.client.close()
        raise ConfigError(refusal(root, problem))
    return admin


def start_embedded(
    bugs: tuple[str, ...], contract: str = "full"
) -> tuple[MockAdmin, dict[str, str]]:
    """A fresh in-process mock (with ``bugs`` planted, serving the ``contract`` reading): its
    admin API and its ``PREVAIL_*`` variables. The admin's client has started the app; close
    it when the run ends."""
    from prevail_contract.mock import create_app, target_environment

    app = create_app(bugs=bugs, contract=contract)
    env = target_environment(app, EMBEDDED_HOST)
    transport = InProcessTransport(app)
    client = in_process_client(transport, EMBEDDED_HOST)
    root = EMBEDDED_HOST + ADMIN_PREFIX.rstrip("/")
    return MockAdmin(client, root, app=app, run=transport.run), env


#: The id of the stand-in locked Session a repro world gets when the run left none.
PLACEHOLDER_LOCKED = "repro-locked-placeholder"


class World:
    """The embedded mock's world as repro scripts need it (``repro.WorldAccess``): snapshots
    of its stored Sessions, their stored form, and a sandbox document holding them.

    Stored Sessions are immutable values, so a snapshot is a tuple of references, not a copy.
    It remembers the state each Session was first seen in: one first seen in a state that
    cannot be edited and seen editable later was changed by a breach, which a sandbox world
    undoes (the repro then shows that breach again instead of building on it).
    """

    def __init__(self, admin: MockAdmin, company: str) -> None:
        self.admin = admin
        self.company = company
        state = admin.app.state.mock
        self.order: tuple[str, ...] = state.session_order
        self.fixture_ids = frozenset(s.remote_session_id for s in state.fixtures.sessions)
        self.organizations = tuple(state.fixtures.organizations)
        self._first_state: dict[str, str] = {}

    def snapshot(self) -> tuple[Any, ...]:
        """The Sessions the mock holds now."""
        # read on the app's own loop, never beside a request it is answering
        assert self.admin.run is not None, "a World is made for the embedded mock only"
        sessions = tuple(self.admin.run(self.admin.app.state.mock.worlds.main.sessions()))
        for stored in sessions:
            self._first_state.setdefault(stored.remote_session_id, stored.state)
        return sessions

    def entries(
        self, snapshot: tuple[Any, ...], skip: set[str] | None = None
    ) -> list[dict[str, Any]]:
        """The stored form of each Session (as the admin API creates and answers it), except
        the ids in ``skip``."""
        out = []
        for stored in snapshot:
            if skip is not None and stored.remote_session_id in skip:
                continue
            entry = dict(stored.stored(self.order))
            entry.pop("invites", None)  # the invitees (with their levels) say it all
            out.append(entry)
        return out

    def document(self, snapshots: list[tuple[Any, ...]]) -> dict[str, Any] | None:
        """A fixtures document for a sandbox holding the Sessions of ``snapshots[0]``, plus any
        made later, as first seen; ``None`` when it cannot name its targets."""
        editable = facts().editable_states
        sessions: dict[str, dict[str, Any]] = {}
        for snapshot in snapshots:
            for entry in self.entries(snapshot):
                sessions.setdefault(entry["remote_session_id"], entry)
        for sid, entry in sessions.items():
            first = self._first_state.get(sid)
            if first is not None and first not in editable and entry.get("state") in editable:
                entry["state"] = first  # made editable by a breach: undone
        own = [s for s in sessions.values() if s["organization"] == self.company]
        editable_own = [s for s in own if s.get("state") in editable]
        locked = [s for s in own if s.get("state") not in editable]
        foreign = [s for s in sessions.values() if s["organization"] != self.company]
        state = self.admin.app.state.mock
        orgs = list(state.fixtures.organizations.values())
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
                "organization": self.company,
                "session": editable_own[0]["remote_session_id"],
                "locked_session": locked[0]["remote_session_id"],
                "foreign_session": foreign[0]["remote_session_id"],
                "no_self_service_organization": closed[0],
            },
        }
