"""The generated client: exact round-trips, nothing unset sent, tolerant parsing, clear errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prevail_sessions_client import AuthenticatedClient
from prevail_sessions_client.api.sessions import edit_session
from prevail_sessions_client.models import (
    EditSessionRequest,
    EditSessionResponse,
    Error,
    InviteObject,
    RemoteSessionEdit,
)
from prevail_sessions_client.models.access_level import AccessLevel
from prevail_sessions_client.types import UNSET

from prevail_contract.spec import Spec

BASE_URL = "https://api.invalid/api/v1"


class Recorder:
    """An httpx transport that records each request and answers a canned response."""

    def __init__(self, status: int = 200, body: Any = None) -> None:
        self.status = status
        self.body = body
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json=self.body)


@pytest.fixture
def recorder(spec: Spec) -> Recorder:
    return Recorder(200, spec.example("EditResponseDocumented").value)


@pytest.fixture
def client(recorder: Recorder) -> Iterator[AuthenticatedClient]:
    transport = httpx.MockTransport(recorder)
    with AuthenticatedClient(
        base_url=BASE_URL, token="t0ken", httpx_args={"transport": transport}
    ) as c:
        yield c


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_documented_response_round_trips_byte_for_byte(spec: Spec) -> None:
    example = spec.example("EditResponseDocumented").value
    model = EditSessionResponse.from_dict(example)
    assert _dumps(model.to_dict()) == _dumps(example)


def test_documented_request_round_trips_byte_for_byte(spec: Spec) -> None:
    example = spec.example("EditRequestDocumented").value
    model = EditSessionRequest.from_dict(example)
    assert _dumps(model.to_dict()) == _dumps(example)


def test_invite_object_request_round_trips(spec: Spec) -> None:
    example = spec.example("EditRequestInviteObjects").value
    model = EditSessionRequest.from_dict(example)
    invites = model.remote_session.invites
    assert isinstance(invites, list)
    assert isinstance(invites[1], InviteObject)
    assert invites[1].access_level is AccessLevel.HOST
    assert _dumps(model.to_dict()) == _dumps(example)


def test_patch_with_only_title_sends_only_title(
    client: AuthenticatedClient, recorder: Recorder
) -> None:
    body = EditSessionRequest(remote_session=RemoteSessionEdit(title="Renamed"))
    response = edit_session.sync_detailed("example-remote-session-id", client=client, body=body)
    assert response.status_code == 200
    (request,) = recorder.requests
    assert request.method == "PATCH"
    assert request.url == f"{BASE_URL}/sessions/example-remote-session-id"
    assert request.headers["authorization"] == "Bearer t0ken"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"remote_session": {"title": "Renamed"}}
    assert RemoteSessionEdit(title="Renamed").start_date is UNSET


def test_session_id_is_escaped_in_the_path(client: AuthenticatedClient, recorder: Recorder) -> None:
    body = EditSessionRequest(remote_session=RemoteSessionEdit(title="x"))
    edit_session.sync_detailed("a/b", client=client, body=body)
    assert recorder.requests[0].url.raw_path.endswith(b"/sessions/a%2Fb")


def test_unknown_open_values_parse_without_raising(spec: Spec) -> None:
    session = dict(spec.example("EditResponseDocumented").value["sessions"][0])
    session |= {"state": "archived", "transcript_status": "queued", "new_field": [1]}
    parsed = EditSessionResponse.from_dict({"sessions": [session]}).sessions[0]
    assert parsed.state == "archived"
    assert parsed.transcript_status == "queued"
    assert parsed.additional_properties["new_field"] == [1]
    error = Error.from_dict({"code": "rate_limited", "messages": "slow down"})
    assert error.code == "rate_limited"


ERROR_EXAMPLES = {
    400: "ErrorMalformedJson",
    401: "ErrorUnauthorized",
    403: "ErrorSelfServiceDisabled",
    404: "ErrorSessionNotFound",
    409: "ErrorSessionNotEditable",
    413: "ErrorPayloadTooLarge",
    415: "ErrorUnsupportedMediaType",
    422: "ErrorIncompleteSchedule",
}


@pytest.mark.parametrize(("status", "example"), sorted(ERROR_EXAMPLES.items()))
def test_each_error_status_is_distinguishable(
    spec: Spec, recorder: Recorder, client: AuthenticatedClient, status: int, example: str
) -> None:
    recorder.status, recorder.body = status, spec.example(example).value
    body = EditSessionRequest(remote_session=RemoteSessionEdit(title="x"))
    response = edit_session.sync_detailed("example-remote-session-id", client=client, body=body)
    assert response.status_code == status
    assert isinstance(response.parsed, Error)
    assert response.parsed.code == spec.example(example).value["code"]


def test_every_declared_error_status_has_a_case(spec: Spec) -> None:
    responses = spec.operation_by_id("edit_session").node["responses"]
    declared = {int(s) for s in responses if s.startswith("4")}
    assert declared == set(ERROR_EXAMPLES)
