"""The store interface on both engines: fixtures loaded once per store, atomic updates from
separate clients, ordered listing, sandboxes (isolation, deletion, idle expiry) and the
``--store``/``--workers`` configuration errors."""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Awaitable, Callable, Generator, Iterator
from typing import Any, TypeVar

import jwt
import pytest
import yaml

from prevail_contract.cli import main
from prevail_contract.mock import create_app, target_environment
from prevail_contract.mock.fixtures import DEFAULT_FIXTURES, Invitee, StoredSession
from prevail_contract.mock.store import OutboxMessage, Store
from prevail_contract.spec import Spec
from tests.plugins.mock import MockUnderTest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TITLE = {"remote_session": {"title": "Renamed in a test"}}


@pytest.fixture(params=["memory", "redis"])
def store_url(request: pytest.FixtureRequest) -> str:
    """Each test runs on the in-memory store and on a real Redis."""
    if request.param == "memory":
        return "memory"
    url: str = request.getfixturevalue("redis_url")
    return url


T = TypeVar("T")


def _served(app: Any) -> Generator[MockUnderTest, None, None]:
    with TestClient(app, base_url="http://mock") as client:  # its lifespan closes the store
        yield MockUnderTest(app, target_environment(app, "http://mock"), client)


def in_app_loop(mock: MockUnderTest, use: Callable[..., Awaitable[T]], *args: Any) -> T:
    """``use(*args)`` run in the event loop that serves ``mock`` (a Redis client's connections
    belong to one loop)."""
    assert isinstance(mock.client, TestClient)
    assert mock.client.portal is not None
    return mock.client.portal.call(use, *args)


def on_own_loop(app: Any, use: Callable[[Store], Awaitable[T]]) -> T:
    """``use(app's default world)`` in a loop of its own, the store closed after."""

    async def main() -> T:
        try:
            return await use(app.state.mock.store)
        finally:
            await app.state.mock.worlds.aclose()

    return asyncio.run(main())


@pytest.fixture
def any_mock(store_url: str) -> Iterator[MockUnderTest]:
    yield from _served(create_app(store=store_url, sandbox_ttl=60))


def sandbox(mock: MockUnderTest, document: dict[str, Any] | None = None) -> dict[str, Any]:
    content = yaml.safe_dump(document).encode() if document is not None else b""
    response = mock.client.post("/__mock__/sandboxes", content=content)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def in_sandbox(mock: MockUnderTest, answer: dict[str, Any]) -> MockUnderTest:
    return MockUnderTest(mock.app, answer["environment"], mock.client)


def sandbox_outbox(mock: MockUnderTest, sandbox_id: str) -> list[dict[str, Any]]:
    response = mock.client.get(f"/__mock__/sandboxes/{sandbox_id}/outbox")
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def test_fixtures_are_loaded_once_per_redis_store(redis_url: str) -> None:
    served = _served(create_app(store=redis_url))
    first = next(served)
    assert first.patch(TITLE).status_code == 200
    second_app = create_app(store=redis_url)  # a second worker on the same store
    seen = on_own_loop(second_app, lambda s: s.get(first.env["PREVAIL_SESSION_ID"]))
    assert seen is not None
    assert seen.fields["title"] == "Renamed in a test"
    on_own_loop(second_app, lambda s: s.reset())
    assert first.stored()["title"] != "Renamed in a test"
    served.close()


def test_updates_from_separate_redis_clients_lose_nothing(redis_url: str) -> None:
    apps = [create_app(store=redis_url) for _ in range(2)]
    stores: list[Store] = [app.state.mock.store for app in apps]
    session_id = "example-remote-session-id"

    def invite(email: str) -> Any:
        def change(
            current: StoredSession | None,
        ) -> tuple[StoredSession, list[OutboxMessage], None]:
            assert current is not None
            new = StoredSession(
                current.remote_session_id,
                current.organization,
                current.fields,
                (*current.invitees, Invitee(email, "participant")),
            )
            return new, [OutboxMessage(email, session_id, "participant", "invited")], None

        return change

    async def work(writer: int) -> None:
        for i in range(25):
            await stores[writer % 2].update(session_id, invite(f"t{writer}-{i}@example.com"))

    async def main() -> tuple[StoredSession | None, list[OutboxMessage]]:
        try:
            await asyncio.gather(*(work(n) for n in range(8)))
            return await stores[0].get(session_id), await stores[1].outbox()
        finally:
            for app in apps:
                await app.state.mock.worlds.aclose()

    stored, outbox = asyncio.run(main())
    wanted = {f"t{t}-{i}@example.com" for t in range(8) for i in range(25)}
    assert stored is not None
    emails = [i.email for i in stored.invitees]
    assert sorted(e for e in emails if e in wanted) == sorted(wanted)
    assert sorted(m.to for m in outbox) == sorted(wanted)


def test_list_sessions_is_one_organizations_in_creation_order(any_mock: MockUnderTest) -> None:
    store: Store = any_mock.app.state.mock.store
    fixtures = store.fixtures
    org = fixtures.targets.organization
    created = any_mock.client.post(
        "/__mock__/sessions", json={"organization": org, "state": "ready"}
    ).json()
    listed = in_app_loop(any_mock, store.list_sessions, org)
    expected = [s.remote_session_id for s in fixtures.sessions if s.organization == org]
    assert [s.remote_session_id for s in listed] == [*expected, created["remote_session_id"]]
    assert listed[-1].stored() == {k: created[k] for k in listed[-1].stored()}
    assert all(s.organization == org for s in listed)


def test_sandbox_answers_its_own_variables(any_mock: MockUnderTest, spec: Spec) -> None:
    answer = sandbox(any_mock)
    env, main_env = answer["environment"], any_mock.env
    assert set(env) == set(main_env)
    assert env["PREVAIL_BASE_URL"] == main_env["PREVAIL_BASE_URL"]
    assert env["PREVAIL_COMPANY_ID"] == f"{main_env['PREVAIL_COMPANY_ID']}.{answer['sandbox_id']}"
    assert env["PREVAIL_API_KEY"] != main_env["PREVAIL_API_KEY"]
    assert env["PREVAIL_SESSION_ID"] == main_env["PREVAIL_SESSION_ID"]
    box = in_sandbox(any_mock, answer)
    response = box.patch(spec.example("EditRequestDocumented").value)
    assert response.status_code == 200
    assert response.json() == spec.example("EditResponseDocumented").value
    # a token minted with the sandbox's key works too
    minted = jwt.encode(
        {"slug": env["PREVAIL_COMPANY_ID"], "exp": int(time.time()) + 60},
        env["PREVAIL_API_KEY"],
        algorithm="HS256",
    )
    assert box.patch(TITLE, token=minted).status_code == 200


def test_sandboxes_and_the_default_world_never_see_each_other(any_mock: MockUnderTest) -> None:
    a = sandbox(any_mock)
    document = yaml.safe_load(DEFAULT_FIXTURES.read_text())
    document["sessions"].append(
        {
            "from_example": "EditResponseDocumented",
            "organization": "acme-legal",
            "state": "scheduled",
            "remote_session_id": "only-in-b",
        }
    )
    b = sandbox(any_mock, document)
    box_a, box_b = in_sandbox(any_mock, a), in_sandbox(any_mock, b)
    invite = {"remote_session": {"title": "In A", "invites": ["a-only@example.com"]}}
    assert box_a.patch(invite).status_code == 200
    # neither B nor the default world changed, and only A's outbox holds the email
    for world in (b["sandbox_id"],):
        stored = any_mock.client.get(
            f"/__mock__/sandboxes/{world}/sessions/{box_b.env['PREVAIL_SESSION_ID']}"
        ).json()
        assert stored["title"] != "In A"
    assert any_mock.stored()["title"] != "In A"
    assert any_mock.outbox() == []
    assert sandbox_outbox(any_mock, b["sandbox_id"]) == []
    assert [m["to"] for m in sandbox_outbox(any_mock, a["sandbox_id"])] == ["a-only@example.com"]
    # another world's Session is 404, exactly like a foreign Organization's
    assert box_b.patch(TITLE, session_id="only-in-b").status_code == 200
    for outsider in (box_a, any_mock):
        refused = outsider.patch(TITLE, session_id="only-in-b")
        assert refused.status_code == 404
        assert refused.json()["code"] == "session_not_found"


def test_deleted_sandbox_refuses_its_tokens(any_mock: MockUnderTest) -> None:
    answer = sandbox(any_mock)
    box = in_sandbox(any_mock, answer)
    assert box.patch(TITLE).status_code == 200
    path = f"/__mock__/sandboxes/{answer['sandbox_id']}"
    assert any_mock.client.delete(path).status_code == 204
    refused = box.patch(TITLE)
    assert refused.status_code == 401
    assert "sandbox" in refused.json()["messages"]
    assert any_mock.client.get(f"{path}/outbox").status_code == 404
    assert any_mock.client.delete(path).status_code == 404
    assert any_mock.patch(TITLE).status_code == 200  # the default world is untouched


def test_idle_sandbox_expires_and_use_keeps_it_alive(store_url: str) -> None:
    served = _served(create_app(store=store_url, sandbox_ttl=1.5))
    mock = next(served)
    answer = sandbox(mock)
    box = in_sandbox(mock, answer)
    for _ in range(4):  # used more often than the TTL, for longer than it: stays
        time.sleep(0.5)
        assert box.patch(TITLE).status_code == 200
    time.sleep(2.5)
    assert box.patch(TITLE).status_code == 401
    assert mock.client.get(f"/__mock__/sandboxes/{answer['sandbox_id']}/outbox").status_code == 404
    served.close()


def test_posted_fixtures_are_checked(any_mock: MockUnderTest) -> None:
    response = any_mock.client.post("/__mock__/sandboxes", content=b"organizations: [")
    assert response.status_code == 400
    document = yaml.safe_load(DEFAULT_FIXTURES.read_text())
    del document["targets"]
    response = any_mock.client.post("/__mock__/sandboxes", content=yaml.safe_dump(document))
    assert response.status_code == 422
    assert "targets" in response.json()["messages"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--workers", "2"], "--store redis://"),
        (["--workers", "0"], "--workers 0"),
        (["--store", "sqlite:///x"], "--store must be"),
        (["--store", "redis://127.0.0.1:1/0"], "cannot use the Redis store"),
        (["--sandbox-ttl", "0"], "--sandbox-ttl"),
    ],
)
def test_store_and_worker_mistakes_exit_2_in_one_line(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mock", "--port", "0", *args]) == 2
    # one line saying what is wrong, then the subcommand's usage pointer
    error, usage = capsys.readouterr().err.strip().splitlines()
    assert says in error
    assert usage.startswith("usage: prevail-contract mock")


def test_check_sandbox_needs_a_served_mock(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--sandbox"]) == 2
    assert "--sandbox needs --base-url" in capsys.readouterr().err
