"""The served mock's request log: one line per request with method, path, status, code, time."""

from __future__ import annotations

import argparse
import io
import re

from starlette.testclient import TestClient

from prevail_contract.mock import create_app, target_environment
from prevail_contract.mock.access_log import wrap

LINE = re.compile(r"\d\d:\d\d:\d\d (?P<rest>.+) \d+\.\d ms")


def _logged(quiet: bool = False) -> tuple[TestClient, io.StringIO, dict[str, str]]:
    app = create_app()
    env = target_environment(app, "http://mock")
    stream = io.StringIO()
    client = TestClient(wrap(app, argparse.Namespace(quiet=quiet), stream), base_url="http://mock")
    return client, stream, env


def test_each_request_is_one_line_naming_the_refusal_code() -> None:
    client, stream, env = _logged()
    url = f"/api/v1/sessions/{env['PREVAIL_SESSION_ID']}"
    auth = {"Authorization": f"Bearer {env['PREVAIL_TOKEN']}"}
    client.patch(url, json={"remote_session": {"title": "Renamed"}}, headers=auth)
    client.patch(url, json={"remote_session": {}}, headers=auth)
    client.patch(url + "?jwt_payload=secret", json={"remote_session": {}})
    lines = stream.getvalue().splitlines()
    rests = [m.group("rest") for m in map(LINE.fullmatch, lines) if m]
    assert len(rests) == len(lines) == 3, lines
    assert rests[0] == f"PATCH {url} 200"
    assert rests[1] == f"PATCH {url} 422 validation_failed"
    assert rests[2] == f"PATCH {url} 401 unauthorized"
    assert "secret" not in stream.getvalue()


def test_quiet_logs_nothing() -> None:
    client, stream, _ = _logged(quiet=True)
    client.get("/api/v1/nowhere")
    assert stream.getvalue() == ""
