"""The served mock for the hostile corpus: real uvicorn on loopback, admin API behind a token."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from prevail_contract.mock import create_app, target_environment
from tests.hostile.wire import Target
from tests.plugins.mock import serve

ADMIN_TOKEN = "hostile-corpus-admin-token-0123456789"
#: Shortened deadlines so that slow-client cases finish quickly (the defaults are 10 s).
HEADER_TIMEOUT = 1.0
BODY_READ_TIMEOUT = 2.0
MAX_CONNECTIONS = 300


@pytest.fixture(scope="module")
def hostile() -> Iterator[Target]:
    """One mock served for a module, with short read deadlines and a token on its admin API."""
    app = create_app(admin_token=ADMIN_TOKEN)
    options = {
        "header_timeout": HEADER_TIMEOUT,
        "body_read_timeout": BODY_READ_TIMEOUT,
        "max_connections": MAX_CONNECTIONS,
    }
    with serve(app, **options) as base_url:
        yield Target.from_url(base_url, target_environment(app, base_url), ADMIN_TOKEN)


@pytest.fixture
def target(hostile: Target) -> Target:
    """The served mock, reset to its fixtures."""
    assert admin(hostile).post("/__mock__/reset").status_code == 200
    return hostile


def admin(target: Target) -> httpx.Client:
    return httpx.Client(
        base_url=f"http://{target.host}:{target.port}",
        headers={"Authorization": f"Bearer {target.admin_token}"},
        timeout=10,
    )


def snapshot(target: Target) -> dict[str, Any]:
    """Every fixture target Session's stored state and the outbox, read via the admin API."""
    ids = [v for k, v in target.env.items() if k.endswith("SESSION_ID")]
    with admin(target) as client:
        state = {i: client.get(f"/__mock__/sessions/{i}").json() for i in ids}
        state["outbox"] = client.get("/__mock__/outbox").json()
    return state


def token(target: Target, **claims: Any) -> str:
    """A token of the Self-Service Organization signed with its key; ``claims`` override."""
    payload: dict[str, Any] = {"slug": target.env["PREVAIL_COMPANY_ID"], "exp": time.time() + 600}
    payload.update(claims)
    return jwt.encode(payload, target.env["PREVAIL_API_KEY"], algorithm="HS256")


def edit(title: str = "Hostile corpus") -> bytes:
    return json.dumps({"remote_session": {"title": title}}).encode()
