"""The operation registry: a new read-only operation is a spec entry plus its own two modules.

``get_session`` (``GET /sessions/{remote_session_id}``, one Session) is added to a copy of the
spec, and its modules live in the tests' plugin directory (``tests/plugins/operations``), not
in the kit: the mock routes it, the suite's registry finds its module, lint, the docs page and
diff handle it, with no edit anywhere else. The other tests hold each ``x-operation`` fact to
what reads it: lint, the live guard, the mock's routing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from contract_tests.support import st_checks
from prevail_contract.diff import compare_documents
from prevail_contract.docs.sections import rules_markdown
from prevail_contract.errors import SpecError
from prevail_contract.lint.cli import lint
from prevail_contract.mock import create_app, target_environment
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.guard import UnsafeRequestError, check_method
from prevail_contract.runtime.session_ids import unknown_session_id
from prevail_contract.spec import Spec, read_document
from prevail_contract.spec.operation_registry import operation_registry, registry_problems
from tests.plugins.spec import Mutation

WriteCopy = Callable[[Mutation], Path]
ONE = "/sessions/{remote_session_id}"


def add_get_session(doc: dict[str, Any]) -> None:
    """``GET /sessions/{remote_session_id}``: a read of one Session, beside the edit."""
    doc["paths"][ONE]["get"] = {
        "operationId": "get_session",
        "x-operation": {"role": "read", "nature": "read", "live": "free"},
        "tags": ["sessions"],
        "summary": "Read one Session",
        "description": "The Session, if it belongs to the caller's Organization.",
        "responses": {
            "200": {
                "description": "The Session.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Session"}}
                },
            },
            "401": {"$ref": "#/components/responses/Unauthorized"},
            "404": {"$ref": "#/components/responses/SessionNotFound"},
        },
        "x-rules": ["auth-required", "org-ownership"],
    }


@pytest.fixture
def with_get(spec_copy: WriteCopy) -> Path:
    return spec_copy(add_get_session)


@pytest.fixture
def served(
    with_get: Path, extra_operation_modules: None
) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    app = create_app(spec=with_get)
    with TestClient(app, base_url="http://mock") as client:
        yield client, target_environment(app, "http://mock")


def test_the_mock_routes_the_new_operation_to_its_own_module(
    served: tuple[httpx.Client, dict[str, str]],
) -> None:
    client, env = served
    url = f"{env['PREVAIL_BASE_URL']}/sessions/{env['PREVAIL_SESSION_ID']}"
    auth = {"Authorization": f"Bearer {env['PREVAIL_TOKEN']}"}
    answer = client.get(url, headers=auth)
    assert answer.status_code == 200, answer.text
    assert answer.json()["remote_session_id"] == env["PREVAIL_SESSION_ID"]
    assert client.get(url).status_code == 401
    missing = f"{env['PREVAIL_BASE_URL']}/sessions/{unknown_session_id(7)}"
    assert client.get(missing, headers=auth).status_code == 404
    # the edit on the same path still answers its own method; an undeclared one is 405
    edited = client.patch(url, headers=auth, json={"remote_session": {"title": "Read me"}})
    assert edited.status_code == 200, edited.text
    assert client.get(url, headers=auth).json()["title"] == "Read me"
    refused = client.delete(url, headers=auth)
    assert (refused.status_code, refused.headers["allow"]) == (405, "GET, PATCH")


def test_the_registry_names_the_new_operations_modules(
    with_get: Path, extra_operation_modules: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = Spec(read_document(with_get), with_get)
    registry = operation_registry(spec)
    entry = registry["get_session"]
    assert (entry.role, entry.nature, entry.live, entry.method) == ("read", "read", "free", "GET")
    assert entry.mock_module_name == "prevail_contract.mock.operations.get_session"
    assert entry.suite_module().SHAPE_RULE == "response-shape"
    assert registry.match("GET", "/api/v1/sessions/abc") is entry
    assert registry.match("HEAD", "/api/v1/sessions/abc") is entry
    assert registry.match("PATCH", "/api/v1/sessions/abc") is registry.role("edit")
    assert registry.match("DELETE", "/api/v1/sessions/abc") is None
    # the suite's schemathesis filing asks the new operation's own suite module
    monkeypatch.setenv("PREVAIL_SPEC", str(with_get))
    case = SimpleNamespace(
        method="GET",
        operation=SimpleNamespace(
            method="GET", definition=SimpleNamespace(raw=entry.operation.node)
        ),
    )
    accepted = Exchange("GET", "http://x/api/v1/sessions/abc", {}, None, 200, {}, b"{}")
    assert st_checks.operation_of(case) == "get_session"
    assert st_checks.rules_checked(case, accepted) == {"error-status-codes", "response-shape"}


def test_lint_docs_and_diff_take_the_new_operation(
    with_get: Path, extra_operation_modules: None, spec: Spec
) -> None:
    layers = {r.name: r.errors for r in lint(with_get, spectral=False)}
    assert layers["operations (x-operation)"] == []
    assert all(not errors for errors in layers.values()), layers
    head = Spec(read_document(with_get), with_get)
    page = rules_markdown(head.rules, None, head.operations)
    assert f"### GET {ONE}: Read one Session\n\nA read (changes nothing); role `read`" in page
    changes = compare_documents(spec.document, head.document)
    assert [(c.kind, c.classification) for c in changes] == [("operation-added", "non-breaking")]


def test_without_its_modules_lint_and_the_mock_name_what_is_missing(with_get: Path) -> None:
    layers = {r.name: r.errors for r in lint(with_get, spectral=False)}
    assert layers["operations (x-operation)"] == [
        "module prevail_contract.mock.operations.get_session is missing: each operation has "
        "its own module in prevail_contract.mock.operations",
        "module contract_tests.operations.get_session is missing: each operation has its own "
        "module in contract_tests.operations",
    ]
    with pytest.raises(SpecError, match=r"mock\.operations\.get_session is missing"):
        create_app(spec=with_get)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (None, "x-operation is missing"),
        ({"role": "read", "nature": "write", "live": "free"}, "nature is 'write' but GET"),
        ({"role": "read", "nature": "read", "live": "anything"}, "live of a read must be one of"),
        ({"role": "edit", "nature": "read", "live": "free"}, "role 'edit' is also get_session's"),
        ({"role": "Read", "nature": "read", "live": "free", "x": 1}, "unknown keys ['x']"),
    ],
)
def test_lint_holds_each_entry_to_its_rules(
    spec_copy: WriteCopy, entry: dict[str, Any] | None, problem: str
) -> None:
    def change(doc: dict[str, Any]) -> None:
        add_get_session(doc)
        if entry is None:
            del doc["paths"][ONE]["get"]["x-operation"]
        else:
            doc["paths"][ONE]["get"]["x-operation"] = entry

    path = spec_copy(change)
    problems = registry_problems(Spec(read_document(path), path), modules=False)
    assert any(problem in p for p in problems), problems


def test_a_write_turned_read_and_back_is_what_diff_reports(spec: Spec) -> None:
    head = copy.deepcopy(spec.document)
    edit = head["paths"][ONE]["patch"]
    edit["x-operation"]["live"] = "absent-only"
    changes = compare_documents(spec.document, head)
    assert [(c.kind, c.classification) for c in changes] == [
        ("operation-role-changed", "non-breaking")
    ]
    base = copy.deepcopy(spec.document)
    base["paths"]["/sessions"]["get"]["x-operation"]["nature"] = "write"
    base["paths"]["/sessions"]["get"]["x-operation"]["live"] = "given-sessions"
    changed = {c.kind: c.classification for c in compare_documents(spec.document, base)}
    assert changed["operation-became-write"] == "breaking"


def test_the_live_guard_keeps_an_absent_only_operation_off_real_sessions(
    spec_copy: WriteCopy, spec: Spec
) -> None:
    def cancel_only_absent(doc: dict[str, Any]) -> None:
        doc["paths"][ONE]["patch"]["x-operation"]["live"] = "absent-only"

    registry = operation_registry(Spec(read_document(spec_copy(cancel_only_absent))))
    real = httpx.Request("PATCH", "https://staging.invalid/api/v1/sessions/s-1", content=b"{}")
    with pytest.raises(UnsafeRequestError, match="edit_session's x-operation live policy"):
        check_method(real, registry)
    absent = f"https://staging.invalid/api/v1/sessions/{unknown_session_id(7)}"
    check_method(httpx.Request("PATCH", absent, content=b"{}"), registry)
    # the kit's own spec: an edit may go to a given Session, a list anywhere
    own = operation_registry(spec)
    check_method(real, own)
    check_method(httpx.Request("GET", "https://staging.invalid/api/v1/sessions"), own)
