"""Faithful variants of the mock's list: an Organization with thousands of Sessions, Sessions in
states and transcript statuses the spec does not list (its enums are extensible), extra members
in the list body and in ``pagy``, and pages answered slowly.

Sessions are put straight into the served app's store before the run (the variant is the
server, so it may hold what it likes); the wrappers are ASGI, like those of ``variants``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from prevail_contract.mock.fixtures import Invitee, StoredSession

#: States and transcript statuses a newer server may show (not in the spec's lists).
NEW_STATES = ("archived", "rescheduling", "on_hold")
NEW_TRANSCRIPT_STATUSES = ("completed", "failed", "queued_for_review")
#: Zones the seeded Sessions are spread over (names of the spec's ``TimeZoneName``).
SEED_ZONES = ("UTC", "Tokyo", "Hawaii", "Berlin", "Eastern Time (US & Canada)")


def _mock(app: Any) -> Any:
    return app.state.mock


def seeded_sessions(
    app: Any, count: int, *, prefix: str = "bulk", states: Iterable[str] = ("scheduled",)
) -> list[StoredSession]:
    """``count`` Sessions of the target Organization, one every nine days from 2027 (edited
    Sessions land among them), at varied times and zones, their states cycling through
    ``states``."""
    org = _mock(app).fixtures.targets.organization
    cycle = list(states)
    first = dt.date(2027, 1, 1)
    out: list[StoredSession] = []
    for index in range(count):
        hour = 1 + index % 12
        fields = {
            "title": f"Bulk Session {index}",
            "start_date": (first + dt.timedelta(days=index * 9)).isoformat(),
            "start_time": f"{hour:02d}:{(index * 7) % 60:02d} {'AM' if index % 2 else 'PM'}",
            "time_zone": SEED_ZONES[index % len(SEED_ZONES)],
            "state": cycle[index % len(cycle)],
            "estimated_duration": 1.0,
            "transcript_status": NEW_TRANSCRIPT_STATUSES[index % 3] if index % 5 == 0 else "none",
        }
        invitees = (Invitee(f"bulk{index}@example.com", "participant"),)
        out.append(StoredSession(f"{prefix}-{index:05d}", org, fields, invitees))
    return out


def seed(app: Any, sessions: Iterable[StoredSession]) -> Any:
    """Put ``sessions`` into the served app's store; returns ``app`` (for ``wrap=``)."""
    store = _mock(app).store
    for session in sessions:
        asyncio.run(store.add(session))
    return app


def with_new_enum_values(app: Any) -> Any:
    """The mock, whose Organization also holds Sessions in states and transcript statuses the
    spec does not list (they cannot be edited: not in ``x-editable-states``)."""
    return seed(app, seeded_sessions(app, 9, prefix="newer", states=NEW_STATES))


def with_many_sessions(app: Any, count: int = 3000) -> Any:
    """The mock, whose Organization holds ``count`` more Sessions (editable and not)."""
    return seed(app, seeded_sessions(app, count, states=("scheduled", "ready", "active")))


def pagy_extras(status: int, body: Any) -> Any:
    """More in the list envelope than the spec names: links and meta beside ``pagy``, and the
    pagy gem's other members inside it (an edit's answer is left alone)."""
    if status != 200 or not isinstance(body, dict) or not isinstance(body.get("pagy"), dict):
        return body
    pagy = dict(body["pagy"])
    page, pages = pagy.get("page"), pagy.get("pages")
    if isinstance(page, int) and isinstance(pages, int):
        pagy.update(
            {
                "prev": page - 1 if page > 1 else None,
                "next": page + 1 if page < pages else None,
                "last": pages,
                "in": len(body.get("sessions") or []),
                "series": [n for n in range(page - 2, page + 3) if 1 <= n <= pages],
                "vars": {"size": [1, 4, 4, 1], "page_param": "page"},
            }
        )
    links = {"self": f"/api/v1/sessions?page={page}", "first": "/api/v1/sessions?page=1"}
    return {
        "meta": {"api_version": "v1", "generated_at": "2026-11-24T00:00:00Z"},
        **body,
        "pagy": pagy,
        "links": links,
    }


class SlowList:
    """Answers each request to the list after ``delay`` seconds (a slow query on big data)."""

    def __init__(self, app: ASGIApp, *, delay: float, path: str = "/api/v1/sessions") -> None:
        self.app, self.delay, self.path = app, delay, path
        self.slowed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") == self.path:
            self.slowed += 1
            await asyncio.sleep(self.delay)
        await self.app(scope, receive, send)
