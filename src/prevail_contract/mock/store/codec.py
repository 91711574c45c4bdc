"""JSON forms of the store's values, for stores that keep them outside the process."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from prevail_contract.mock.fixtures import Fixtures, Invitee, Organization, StoredSession, Targets
from prevail_contract.mock.store.base import OutboxMessage


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def session_data(session: StoredSession) -> dict[str, Any]:
    return {
        "id": session.remote_session_id,
        "organization": session.organization,
        "fields": dict(session.fields),
        "invitees": [[i.email, i.access_level] for i in session.invitees],
    }


def encode_session(session: StoredSession) -> str:
    return _dump(session_data(session))


def decode_session(raw: str | bytes) -> StoredSession:
    data = json.loads(raw)
    return StoredSession(
        data["id"],
        data["organization"],
        data["fields"],
        tuple(Invitee(email, level) for email, level in data["invitees"]),
    )


def encode_message(message: OutboxMessage) -> str:
    return _dump(message.as_json())


def decode_message(raw: str | bytes) -> OutboxMessage:
    return OutboxMessage(**json.loads(raw))


def encode_organizations(orgs: Mapping[str, Organization]) -> str:
    return _dump(
        [
            {
                "slug": o.slug,
                "api_key": o.api_key,
                "self_service": o.self_service,
                "members": sorted(o.members),
            }
            for o in orgs.values()
        ]
    )


def decode_organizations(raw: str | bytes) -> dict[str, Organization]:
    return {
        item["slug"]: Organization(
            item["slug"], item["api_key"], item["self_service"], frozenset(item["members"])
        )
        for item in json.loads(raw)
    }


def encode_fixtures(fixtures: Fixtures) -> str:
    """Sessions and targets (the Organizations are kept apart, see ``encode_organizations``)."""
    return _dump(
        {
            "path": str(fixtures.path),
            "sessions": [session_data(s) for s in fixtures.sessions],
            "targets": asdict(fixtures.targets),
        }
    )


def decode_fixtures(raw: str | bytes, organizations: Mapping[str, Organization]) -> Fixtures:
    data = json.loads(raw)
    sessions = tuple(decode_session(_dump(s)) for s in data["sessions"])
    return Fixtures(Path(data["path"]), organizations, sessions, Targets(**data["targets"]))
