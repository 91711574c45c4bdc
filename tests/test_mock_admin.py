"""The mock's admin API: reset, create, read, outbox, environment."""

from __future__ import annotations

import asyncio

from prevail_contract.mock import create_app, target_environment
from tests.plugins.mock import MockUnderTest

TITLE = {"remote_session": {"title": "Renamed"}}


def test_reset_restores_fixtures_and_empties_outbox(mock: MockUnderTest) -> None:
    original = mock.stored()
    assert (
        mock.patch({"remote_session": {"title": "x", "invites": ["a@example.com"]}}).status_code
        == 200
    )
    created = mock.client.post(
        "/__mock__/sessions", json={"organization": "acme-legal", "state": "ready"}
    )
    assert created.status_code == 201
    assert mock.outbox()
    response = mock.client.post("/__mock__/reset")
    assert response.status_code == 200
    assert mock.stored() == original
    assert mock.outbox() == []
    gone = mock.client.get(f"/__mock__/sessions/{created.json()['remote_session_id']}")
    assert gone.status_code == 404


def test_create_session_with_fields_then_edit_it(mock: MockUnderTest) -> None:
    response = mock.client.post(
        "/__mock__/sessions",
        json={
            "organization": "acme-legal",
            "state": "scheduled",
            "remote_session_id": "made-by-test",
            "title": "Created",
            "invites": [
                "first@example.com",
                {"email": "quartz@example.com", "access_level": "host"},
            ],
        },
    )
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["remote_session_id"] == "made-by-test"
    assert stored["organization"] == "acme-legal"
    assert stored["state"] == "scheduled"
    assert stored["invites"] == ["first@example.com", "quartz@example.com"]
    assert stored["invitees"][1] == {"email": "quartz@example.com", "access_level": "host"}
    assert mock.stored("made-by-test") == stored
    edited = mock.patch(TITLE, session_id="made-by-test")
    assert edited.status_code == 200
    assert edited.json()["sessions"][0]["state"] == "ready"


def test_create_session_refuses_bad_input(mock: MockUnderTest) -> None:
    cases = [
        ({"state": "ready"}, 422),
        ({"organization": "nobody", "state": "ready"}, 422),
        ({"organization": "acme-legal", "state": "ready", "start_time": "25:00"}, 422),
        ({"organization": "acme-legal", "state": "ready", "colour": "red"}, 422),
        (
            {
                "organization": "acme-legal",
                "state": "ready",
                "remote_session_id": "example-remote-session-id",
            },
            409,
        ),
    ]
    for body, status in cases:
        response = mock.client.post("/__mock__/sessions", json=body)
        assert response.status_code == status, (body, response.text)
        assert "code" in response.json()
        assert "messages" in response.json()
    assert mock.client.post("/__mock__/sessions", content=b"{").status_code == 400
    deep = b"[" * 100_000 + b"]" * 100_000
    assert mock.client.post("/__mock__/sessions", content=deep).status_code == 400
    bad_id = {"organization": "acme-legal", "state": "ready", "remote_session_id": "a/b"}
    assert mock.client.post("/__mock__/sessions", json=bad_id).status_code == 422


def test_read_unknown_session_404(mock: MockUnderTest) -> None:
    response = mock.client.get("/__mock__/sessions/nope")
    assert response.status_code == 404
    assert response.json()["code"] == "session_not_found"


def test_outbox_lists_and_clears(mock: MockUnderTest) -> None:
    mock.patch({"remote_session": {"invites": ["one@example.com", "two@example.com"]}})
    messages = mock.outbox()
    assert [m["to"] for m in messages] == ["one@example.com", "two@example.com"]
    assert set(messages[0]) == {"to", "remote_session_id", "access_level", "subject"}
    assert mock.client.delete("/__mock__/outbox").status_code == 204
    assert mock.outbox() == []


def test_environment_endpoint(mock: MockUnderTest) -> None:
    env = mock.client.get("/__mock__/environment").json()
    assert env["PREVAIL_BASE_URL"] == "http://mock/api/v1"
    assert set(env) == set(mock.env)
    assert mock.patch(TITLE, token=env["PREVAIL_TOKEN"]).status_code == 200


def test_admin_wrong_method_is_json(mock: MockUnderTest) -> None:
    response = mock.client.get("/__mock__/reset")
    assert response.status_code == 405
    assert "code" in response.json()


def test_each_app_has_its_own_state(mock: MockUnderTest) -> None:
    from prevail_contract.mock import create_app

    assert mock.patch(TITLE).status_code == 200
    other = create_app()
    stored = asyncio.run(other.state.mock.store.get(mock.env["PREVAIL_SESSION_ID"]))
    assert stored.fields["title"] != "Renamed"


def test_the_printed_variables_name_the_admin_api_and_fresh_sessions(mock: MockUnderTest) -> None:
    env = mock.env
    assert env["PREVAIL_MOCK_ADMIN_URL"] == "http://mock/__mock__"
    fresh = env["PREVAIL_FRESH_SESSION_IDS"].split(",")
    assert len(fresh) >= 3
    assert env["PREVAIL_SESSION_ID"] not in fresh
    for sid in fresh:
        stored = mock.stored(sid)
        assert stored["state"] == "scheduled"
        assert stored["organization"] == env["PREVAIL_COMPANY_ID"]
    assert "PREVAIL_MOCK_ADMIN_URL" not in target_environment(create_app(admin_api=False), "h")


def test_a_sandbox_has_its_own_admin_api_for_sessions(mock: MockUnderTest) -> None:
    answer = mock.client.post("/__mock__/sandboxes").json()
    env = answer["environment"]
    root = env["PREVAIL_MOCK_ADMIN_URL"]
    assert root == f"http://mock/__mock__/sandboxes/{answer['sandbox_id']}"
    created = mock.client.post(
        f"{root}/sessions",
        json={"organization": env["PREVAIL_COMPANY_ID"], "state": "active", "title": "In it"},
    )
    assert created.status_code == 201, created.text
    sid = created.json()["remote_session_id"]
    assert mock.client.get(f"{root}/sessions/{sid}").json()["title"] == "In it"
    assert mock.client.get(f"/__mock__/sessions/{sid}").status_code == 404  # not the main world
    elsewhere = mock.client.post(
        f"{root}/sessions", json={"organization": mock.env["PREVAIL_COMPANY_ID"], "state": "ready"}
    )
    assert elsewhere.status_code == 422  # an Organization of another world
