"""The planted ``rejected-changes-nothing:KIND`` bugs: each stores the title of a request refused
for its one kind of refusal, and no other (``mock/leaks.py``)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator

import pytest

from prevail_contract.mock import create_app, target_environment
from prevail_contract.mock.facts import payload_limit
from prevail_contract.mock.leaks import LEAK_BUGS
from prevail_contract.spec import load_spec
from tests.plugins.mock import MockUnderTest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

LIMIT = payload_limit(load_spec())


def _body(title: str) -> dict[str, dict[str, str]]:
    return {"remote_session": {"title": title}}


def _auth(m: MockUnderTest) -> tuple[int, str]:
    return m.patch(_body("Leak auth"), token="not-a-token").status_code, m.env["PREVAIL_SESSION_ID"]


def _self_service(m: MockUnderTest) -> tuple[int, str]:
    sid = m.env["PREVAIL_NO_SELF_SERVICE_SESSION_ID"]
    token = m.env["PREVAIL_NO_SELF_SERVICE_TOKEN"]
    return m.patch(_body("Leak self-service"), session_id=sid, token=token).status_code, sid


def _ownership(m: MockUnderTest) -> tuple[int, str]:
    sid = m.env["PREVAIL_FOREIGN_SESSION_ID"]
    return m.patch(_body("Leak ownership"), session_id=sid).status_code, sid


def _media_type(m: MockUnderTest) -> tuple[int, str]:
    headers = {"Content-Type": "text/plain"}
    status = m.patch(_body("Leak media-type"), headers=headers).status_code
    return status, m.env["PREVAIL_SESSION_ID"]


def _size(m: MockUnderTest) -> tuple[int, str]:
    head = json.dumps(_body("Leak size")).encode()
    return m.patch(head + b" " * (LIMIT + 1 - len(head))).status_code, m.env["PREVAIL_SESSION_ID"]


def _state(m: MockUnderTest) -> tuple[int, str]:
    sid = m.env["PREVAIL_LOCKED_SESSION_ID"]
    return m.patch(_body("Leak state"), session_id=sid).status_code, sid


def _method(m: MockUnderTest) -> tuple[int, str]:
    headers = {**m.auth(), "Content-Type": "application/json"}
    content = json.dumps(_body("Leak method")).encode()
    status = m.client.put(m.url(), content=content, headers=headers).status_code
    return status, m.env["PREVAIL_SESSION_ID"]


#: kind -> (the refusal, its status); each sends a title of its own.
KINDS: dict[str, tuple[Callable[[MockUnderTest], tuple[int, str]], int]] = {
    "auth": (_auth, 401),
    "self-service": (_self_service, 403),
    "ownership": (_ownership, 404),
    "media-type": (_media_type, 415),
    "size": (_size, 413),
    "state": (_state, 409),
    "method": (_method, 405),
}


def _mock(bugs: tuple[str, ...]) -> Iterator[MockUnderTest]:
    app = create_app(bugs=bugs)
    with TestClient(app, base_url="http://mock") as client:
        yield MockUnderTest(app, target_environment(app, "http://mock"), client)


def _leaked(m: MockUnderTest, kind: str) -> bool:
    probe, status = KINDS[kind]
    answered, sid = probe(m)
    assert answered == status, (kind, answered)
    return bool(m.stored(sid)["title"] == f"Leak {kind}")


def test_every_leak_kind_is_declared() -> None:
    assert {f"rejected-changes-nothing:{kind}" for kind in KINDS} == set(LEAK_BUGS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_leak_stores_the_title_of_its_refusal_only(kind: str) -> None:
    for m in _mock((f"rejected-changes-nothing:{kind}",)):
        assert _leaked(m, kind), f"{kind}: the refused title was not stored"
        others = [k for k in KINDS if k != kind and _leaked(m, k)]
        assert not others, f"rejected-changes-nothing:{kind} also leaked {others}"


def test_a_clean_mock_stores_no_refused_title(mock: MockUnderTest) -> None:
    assert not [kind for kind in KINDS if _leaked(mock, kind)]
