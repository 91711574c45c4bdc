"""Sandboxes against hostile use (issue 19, items 3 and 5): fixtures documents with aliases,
anchors and merge keys, documents over the caps, answers of bounded size that never echo the
document, the cap on live sandboxes, forged tokens that must not keep a sandbox alive, and a
TTL that must be finite. Each runs on the in-memory store and on a real Redis."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
import yaml

from prevail_contract.cli import main
from prevail_contract.mock import create_app, fixture_document
from prevail_contract.mock.fixtures import DEFAULT_FIXTURES
from prevail_contract.mock.store import base
from tests.plugins.mock import MockUnderTest
from tests.test_mock_redis import TITLE, _served, any_mock, in_sandbox, sandbox, store_url

__all__ = ["any_mock", "store_url"]  # fixtures used by name

#: An answer about a document is at most this long (the judge's bound is 64 KiB).
ANSWER_BOUND = 4 * 1024


def _post(mock: MockUnderTest, body: bytes) -> tuple[int, dict[str, Any], int]:
    response = mock.client.post("/__mock__/sandboxes", content=body)
    return response.status_code, response.json(), len(response.content)


def alias_bomb(levels: int = 8) -> bytes:
    """A ~600-byte document whose aliases stand for 9**levels strings."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{','.join([f'*a{level - 1}'] * 9)}]")
    lines += [
        "organizations: [{slug: x, api_key: k, self_service: true}]",
        f"sessions: [{{remote_session_id: s, organization: x, state: scheduled, "
        f"invites: *a{levels}}}]",
        "targets: {}",
    ]
    return "\n".join(lines).encode()


def default_document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(DEFAULT_FIXTURES.read_text())
    return document


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (alias_bomb(), "anchors and aliases"),
        (b"organizations: &orgs []\nsessions: []\ntargets: {}\n", "anchors and aliases"),
        (b"a: {x: 1}\nb: {<<: {x: 2}, y: 3}\n", "merge keys"),
    ],
    ids=["alias-bomb", "anchor", "merge-key"],
)
def test_aliases_anchors_and_merge_keys_are_refused_unbuilt(
    any_mock: MockUnderTest, body: bytes, says: str
) -> None:
    status, answer, size = _post(any_mock, body)
    assert status == 422, answer
    assert answer["code"] == "validation_failed"
    assert says in answer["messages"]
    assert answer["messages"].startswith("line ")
    assert size <= ANSWER_BOUND


def test_a_document_over_the_caps_is_refused_before_building(
    any_mock: MockUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[object] = []
    monkeypatch.setattr("prevail_contract.mock.fixtures.build_session", built.append)
    document = default_document()
    session = {k: v for k, v in document["sessions"][1].items() if k != "remote_session_id"}
    document["sessions"] += [
        {**session, "remote_session_id": f"extra-{i}"} for i in range(fixture_document.MAX_SESSIONS)
    ]
    status, answer, _ = _post(any_mock, json.dumps(document).encode())
    assert status == 422, answer
    assert f"at most {fixture_document.MAX_SESSIONS}" in answer["messages"]
    document = default_document()
    document["sessions"][0]["invites"] = [
        f"g{i}@example.com" for i in range(fixture_document.MAX_INVITEES + 1)
    ]
    status, answer, _ = _post(any_mock, json.dumps(document).encode())
    assert status == 422, answer
    assert "invitees" in answer["messages"]
    assert built == []  # no Session was built for either
    huge = b"# " + b"x" * fixture_document.MAX_DOCUMENT_BYTES + b"\n"
    status, answer, _ = _post(any_mock, huge)
    assert status == 413
    assert answer["code"] == "payload_too_large"


def test_a_json_document_is_read_as_json_within_the_same_caps(any_mock: MockUnderTest) -> None:
    """json.dumps writes an astral character as an escape pair, which YAML's reader refuses;
    the repro scripts post such documents (a stored title with an emoji)."""
    document = default_document()
    document["sessions"][0]["title"] = "Launch \U0001f680 review"
    status, answer, _ = _post(any_mock, json.dumps(document).encode())
    assert status == 201, answer
    many = json.dumps({"padding": [0] * fixture_document.MAX_EVENTS}).encode()
    status, answer, _ = _post(any_mock, many)
    assert status == 422, answer
    assert f"more than {fixture_document.MAX_EVENTS} values" in answer["messages"]


def test_errors_name_the_place_without_echoing_the_document(any_mock: MockUnderTest) -> None:
    document = default_document()
    big = {"deep": [["x" * 1000] * 20] * 5}
    document["sessions"][0]["invitees"] = [big]
    document["sessions"][1]["colour" * 100] = "red"
    for broken in (0, 1):
        attempt = default_document()
        attempt["sessions"][broken] = document["sessions"][broken]
        status, answer, size = _post(any_mock, json.dumps(attempt).encode())
        assert status == 422, answer
        assert f"sessions[{broken}]" in answer["messages"]
        assert size <= ANSWER_BOUND
        assert "x" * 100 not in answer["messages"]
        assert "colour" * 20 not in answer["messages"]


def test_live_sandboxes_are_capped(
    any_mock: MockUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "MAX_SANDBOXES", 2)
    first = sandbox(any_mock)
    sandbox(any_mock)
    status, answer, _ = _post(any_mock, b"")
    assert status == 409
    assert answer["code"] == "too_many_sandboxes"
    delete = any_mock.client.delete(f"/__mock__/sandboxes/{first['sandbox_id']}")
    assert delete.status_code == 204
    sandbox(any_mock)  # room again
    monkeypatch.setattr(base, "MAX_SANDBOXES", 100)
    sessions = len(any_mock.app.state.mock.fixtures.sessions)
    monkeypatch.setattr(base, "MAX_SANDBOX_SESSIONS", sessions * 3 - 1)  # two are live
    status, answer, _ = _post(any_mock, b"")
    assert status == 409
    assert "Sessions in all" in answer["messages"]


def test_a_forged_token_does_not_keep_a_sandbox_alive(store_url: str) -> None:
    served = _served(create_app(store=store_url, sandbox_ttl=1.5))
    mock = next(served)
    answer = sandbox(mock)
    box = in_sandbox(mock, answer)
    assert box.patch(TITLE).status_code == 200  # the real token is verified (and remembered)
    forged = jwt.encode(
        {"slug": box.env["PREVAIL_COMPANY_ID"], "exp": int(time.time()) + 600},
        "a key that is not the sandbox's " * 2,
        algorithm="HS256",
    )
    for _ in range(5):  # forged requests more often than the TTL, for longer than it
        time.sleep(0.5)
        assert box.patch(TITLE, token=forged).status_code == 401
    refused = box.patch(TITLE)
    assert refused.status_code == 401  # the real token: its sandbox sat idle and is gone
    assert "sandbox" in refused.json()["messages"]
    served.close()


@pytest.mark.parametrize("ttl", ["inf", "nan", "-inf", "1e400"])
def test_a_ttl_that_is_not_finite_exits_2(ttl: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mock", "--port", "0", f"--sandbox-ttl={ttl}"]) == 2
    error = capsys.readouterr().err.strip().splitlines()[0]
    assert "--sandbox-ttl must be a positive, finite number" in error
