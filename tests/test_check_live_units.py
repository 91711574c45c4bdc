"""Units of the live-run completeness work: the method guard, the fixture variables it adds
(fresh Sessions, the mock's admin URL), and the preflight telling "not this API" from "this API
breaking an assumed detail"."""

from __future__ import annotations

import json

import httpx
import pytest

from contract_tests.support.watch import _changes, _culprit, _Probe, _View
from prevail_contract.check.preflight import Answer, judge
from prevail_contract.errors import ConfigError
from prevail_contract.mock import create_app, target_environment
from prevail_contract.runtime.config import TargetConfig, fresh_sessions, from_sources
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.guard import UnsafeRequestError, guard_client
from prevail_contract.runtime.mock_signal import admin_problem, admin_root
from prevail_contract.runtime.safety import InviteBudget, Masker

CONFIG = TargetConfig(base_url="https://api.invalid/api/v1", session_id="s1", token="t0ken-value")
SESSION = "PREVAIL_SESSION_ID (--session-id)"
LIVE = {
    "PREVAIL_BASE_URL": "http://127.0.0.1:9/api/v1",
    "PREVAIL_SESSION_ID": "s1",
    "PREVAIL_TOKEN": "t",
}


def _guarded(live: bool) -> tuple[httpx.Client, list[str]]:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.path}")
        return httpx.Response(405)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    guard_client(client, InviteBudget(None), live=live)
    return client, sent


def test_a_live_run_sends_unsafe_methods_only_to_made_up_ids() -> None:
    client, sent = _guarded(live=True)
    body = json.dumps({"remote_session": {"title": "x"}}).encode()
    json_type = {"Content-Type": "application/json"}
    for method in ("DELETE", "PUT", "POST"):
        with pytest.raises(UnsafeRequestError, match="made-up absent id"):
            client.request(
                method, "http://h/api/v1/sessions/real-id", content=body, headers=json_type
            )
        client.request(method, "http://h/api/v1/sessions/no-such-session-7", content=body)
    with pytest.raises(UnsafeRequestError):
        client.delete("http://h/api/v1/sessions")
    # a body declared JSON that does not parse cannot be applied: the list may get it
    client.post("http://h/api/v1/sessions", content=b'{"remote_session": {', headers=json_type)
    with pytest.raises(UnsafeRequestError):  # the same bytes as form data could be applied
        client.post("http://h/api/v1/sessions", content=b"title=x")
    client.patch("http://h/api/v1/sessions/real-id", content=body, headers=json_type)
    client.get("http://h/api/v1/sessions/real-id")
    assert sent == [
        "DELETE /api/v1/sessions/no-such-session-7",
        "PUT /api/v1/sessions/no-such-session-7",
        "POST /api/v1/sessions/no-such-session-7",
        "POST /api/v1/sessions",
        "PATCH /api/v1/sessions/real-id",
        "GET /api/v1/sessions/real-id",
    ]


def test_a_mock_is_not_method_guarded() -> None:
    client, sent = _guarded(live=False)
    client.delete("http://h/api/v1/sessions/real-id")
    assert sent == ["DELETE /api/v1/sessions/real-id"]


def test_fresh_session_ids_are_checked_and_kept_in_order() -> None:
    assert fresh_sessions(" b2, a1 ,b2,") == ["b2", "a1"]
    with pytest.raises(ConfigError, match="PREVAIL_FRESH_SESSION_IDS"):
        from_sources({**LIVE, "PREVAIL_FRESH_SESSION_IDS": "ok-1,bad id/.."})
    config = from_sources({**LIVE, "PREVAIL_FRESH_SESSION_IDS": "f1,f2"})
    assert config.value("fresh_session_ids") == "f1,f2"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:10/__mock__",  # another port
        "https://127.0.0.1:9/__mock__",  # another scheme
        "http://staging.example.test/__mock__",  # another host
        "http://127.0.0.1:9/__mock__?x=1",
    ],
)
def test_the_admin_url_must_be_the_base_urls_own(url: str) -> None:
    with pytest.raises(
        ConfigError, match=r"PREVAIL_MOCK_ADMIN_URL .* never set it for a real server"
    ):
        from_sources({**LIVE, "PREVAIL_MOCK_ADMIN_URL": url})
    config = from_sources({**LIVE, "PREVAIL_MOCK_ADMIN_URL": "http://127.0.0.1:9/__mock__/"})
    assert admin_root(config) == "http://127.0.0.1:9/__mock__"


def test_the_admin_token_is_a_secret_of_the_run() -> None:
    config = from_sources({**LIVE, "PREVAIL_MOCK_ADMIN_TOKEN": "admin-token-0123456789"})
    assert "admin-token-0123456789" in config.secrets


def test_only_the_mocks_admin_api_passes_as_one() -> None:
    from starlette.testclient import TestClient

    app = create_app()
    sid = target_environment(app, "http://mock")["PREVAIL_SESSION_ID"]
    with TestClient(app, base_url="http://mock") as client:
        assert admin_problem(client, "http://mock/__mock__", {}, sid) is None
        assert admin_problem(client, "http://mock/__mock__", {}, "no-such") is not None
        assert admin_problem(client, "http://mock/api/v1", {}, sid) is not None
    guarded = create_app(admin_token="admin-token-0123456789")
    with TestClient(guarded, base_url="http://mock") as client:
        problem = admin_problem(client, "http://mock/__mock__", {}, sid)
        assert problem is not None
        assert "PREVAIL_MOCK_ADMIN_TOKEN" in problem
        headers = {"Authorization": "Bearer admin-token-0123456789"}
        assert admin_problem(client, "http://mock/__mock__", headers, sid) is None


def _answer(
    status: int, body: object, content_type: str = "application/json", location: str | None = None
) -> Answer:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Answer(status, content_type, raw, location)


@pytest.mark.parametrize(
    "answer",
    [
        _answer(422, {"messages": "remote_session is empty"}),  # no code
        _answer(422, {"code": 42, "messages": "x"}),  # a code of another type
        _answer(422, {"error": "validation"}),
        _answer(200, {"sessions": [{"remote_session_id": "s1", "state": "ready"}]}),
    ],
)
def test_this_api_breaking_an_assumed_detail_goes_on(answer: Answer) -> None:
    judge(CONFIG, answer, Masker(), session_var=SESSION)


def test_a_locked_session_refused_without_a_code_goes_on() -> None:
    locked = "PREVAIL_LOCKED_SESSION_ID (--locked-session-id)"
    judge(
        CONFIG,
        _answer(409, {"messages": "not editable"}),
        Masker(),
        session_var=locked,
        locked=True,
    )


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (_answer(301, b"", "text/html", "https://login.example.test/"), "redirects"),
        (_answer(302, b"", "", None), "redirects"),
        (_answer(200, b"<!doctype html><title>Welcome</title>", "text/html"), "JSON Error"),
        (_answer(404, {"error": "Not Found"}), "does not answer like the Prevail API"),
        (_answer(200, {"status": "ok"}), "does not answer like the Prevail API"),
        (_answer(500, {"message": "Internal"}), "does not answer like the Prevail API"),
    ],
)
def test_not_this_api_exits_2_naming_the_base_url(answer: Answer, said: str) -> None:
    with pytest.raises(ConfigError) as caught:
        judge(CONFIG, answer, Masker(), session_var=SESSION)
    message = str(caught.value)
    assert "PREVAIL_BASE_URL" in message
    assert said in message
    assert "\n" not in message


def test_a_401_without_a_code_names_the_credentials_and_the_url() -> None:
    with pytest.raises(ConfigError) as caught:
        judge(CONFIG, _answer(401, {"error": "unauthorized"}), Masker(), session_var=SESSION)
    assert "PREVAIL_TOKEN" in str(caught.value)
    assert "PREVAIL_BASE_URL" in str(caught.value)


def _refused(url: str, title: str | None, status: int = 401) -> Exchange:
    body = None if title is None else json.dumps({"remote_session": {"title": title}}).encode()
    return Exchange("PATCH", url, {}, body, status, {}, b"{}")


def test_a_change_between_two_reads_is_named_and_blamed_on_its_sender() -> None:
    before = {
        "s1": {"remote_session_id": "s1", "title": "Old", "state": "ready"},
        "s2": {"remote_session_id": "s2", "title": "Kept", "state": "active"},
        "gone": {"remote_session_id": "gone", "title": "x", "state": "ready"},
    }
    after = {
        "s1": {"remote_session_id": "s1", "title": "Probe 2", "state": "ready"},
        "s2": {"remote_session_id": "s2", "title": "Kept", "state": "canceled"},
        "no-such-session-1": {"remote_session_id": "no-such-session-1", "title": "y"},
    }
    view = _View("list", "GET /sessions")
    changes = {(sid, text.split(" ")[0]) for sid, text, _ in _changes(view, before, after, set())}
    assert changes == {
        ("s1", "title"),
        ("s2", "state"),
        ("gone", "is"),  # is no longer listed
        ("no-such-session-1", "appeared"),
    }
    probes = [
        _Probe(_refused("http://h/sessions/s1", "Probe 1"), "probe 1", None),
        _Probe(_refused("http://h/sessions/s1", "Probe 2"), "probe 2", None),
        _Probe(_refused("http://h/sessions/s2", "Probe 2"), "probe 3", None),
    ]
    culprit, alone = _culprit(probes, "s1", ("title", "Probe 2"))
    assert (culprit.what, alone) == ("probe 2", True)  # the sender that named the Session
    culprit, alone = _culprit(probes, "s2", ("state", "canceled"))
    assert (culprit.what, alone) == ("probe 3", True)  # the only one naming it
    culprit, alone = _culprit(probes, "elsewhere", None)
    assert (culprit.what, alone) == ("probe 3", False)


def test_through_an_edit_read_only_what_the_refusals_sent_counts() -> None:
    before = {"s1": {"title": "A", "estimated_duration": 1.0}}
    after = {"s1": {"title": "A", "estimated_duration": 2.0}}
    view = _View("edit", "an edit re-sending a current value")
    assert _changes(view, before, after, {"title"}) == []
    assert _changes(view, before, after, {"estimated_duration"})
