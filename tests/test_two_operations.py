"""Lint, the examples check and diff on a spec with one more operation (``GET /session_pages``)."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from prevail_contract import cli
from prevail_contract.diff import compare_documents
from prevail_contract.errors import SpecError
from prevail_contract.lint.cli import lint
from prevail_contract.spec import Spec
from tests.plugins.spec import Mutation
from tests.plugins.two_operations import LIST_PATH, add_list_operation, list_rule

WriteCopy = Callable[[Mutation], Path]
GET = f"GET {LIST_PATH}"
#: The second operation brings its own mock and suite modules (``tests/plugins/operations``).
pytestmark = pytest.mark.usefixtures("extra_operation_modules")


def _two(change: Mutation | None = None) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        add_list_operation(doc)
        if change is not None:
            change(doc)

    return mutate


def _layers(path: Path) -> dict[str, list[str]]:
    """Lint's errors by layer; a spec the loader already refuses gives its one error to every
    layer (the loader checks rule ids and example refs before lint's layers run)."""
    try:
        return {r.name: r.errors for r in lint(path, spectral=False)}
    except SpecError as exc:
        message = str(exc)
        return defaultdict(lambda: [message])


def test_a_two_operation_spec_lints_clean(
    spec_copy: WriteCopy, capsys: pytest.CaptureFixture[str]
) -> None:
    path = spec_copy(_two())
    assert cli.main(["lint", "--spec", str(path), "--skip-spectral"]) == 0, capsys.readouterr().out


def test_a_stale_limit_in_the_second_operation_is_named(spec_copy: WriteCopy) -> None:
    def lower(doc: dict[str, Any]) -> None:
        doc["components"]["parameters"]["PageSize"]["schema"]["maximum"] = 50

    errors = _layers(spec_copy(_two(lower)))["stated limits"]
    assert any(
        e.startswith(f"{GET} rule pages-items-limit: the statement says 100")
        and "items maximum 50" in e
        for e in errors
    )


def test_a_rule_id_used_by_both_operations_is_an_error(spec_copy: WriteCopy) -> None:
    def reuse(doc: dict[str, Any]) -> None:
        list_rule(doc, "pages-auth-required")["id"] = "auth-required"

    errors = _layers(spec_copy(_two(reuse)))["rule catalogue"]
    assert any(
        ("'auth-required' is declared 2 times" in e and "PATCH" in e and GET in e)
        or (f"{GET} x-rules[0]: duplicate rule id 'auth-required'" in e and "edit_session" in e)
        for e in errors
    )


def test_the_second_operations_responses_need_rules(spec_copy: WriteCopy) -> None:
    def drop(doc: dict[str, Any]) -> None:
        rules = doc["paths"][LIST_PATH]["get"]["x-rules"]
        rules[:] = [r for r in rules if r["id"] != "pages-items-limit"]

    errors = _layers(spec_copy(_two(drop)))["rule catalogue"]
    assert f"{GET} response 422 is produced by no rule of x-rules" in errors


def test_a_schema_names_only_rules_of_operations_that_use_it(spec_copy: WriteCopy) -> None:
    def misplace(doc: dict[str, Any]) -> None:
        doc["components"]["schemas"]["RemoteSessionEdit"]["x-rules"].append("pages-scoped")

    errors = _layers(spec_copy(_two(misplace)))["rule catalogue"]
    assert any(
        "RemoteSessionEdit/x-rules names rule 'pages-scoped' of GET" in e
        and "does not use components/schemas/RemoteSessionEdit" in e
        for e in errors
    )


def test_a_rule_example_of_the_second_operation_must_be_named(spec_copy: WriteCopy) -> None:
    def misname(doc: dict[str, Any]) -> None:
        rule = list_rule(doc, "pages-items-limit")
        rule["examples"]["response"] = {"$ref": "#/components/schemas/Error"}

    errors = _layers(spec_copy(_two(misname)))["rule catalogue"]
    assert any(
        "pages-items-limit: its response example must be a $ref" in e
        or "rule example ref '#/components/schemas/Error' must point under" in e
        for e in errors
    )


def test_the_second_operations_examples_are_checked_against_its_schemas(
    spec_copy: WriteCopy,
) -> None:
    def off_schema(doc: dict[str, Any]) -> None:
        doc["components"]["examples"]["PagesResponsePage"]["value"]["page"] = 1

    errors = _layers(spec_copy(_two(off_schema)))["examples"]
    assert any("PagesResponsePage" in e and f"{GET} rule pages-scoped" in e for e in errors)
    assert any("PagesResponsePage" in e and "paths/~1session_pages/get" in e for e in errors)


def test_an_error_example_with_the_wrong_code_in_the_second_operation(
    spec_copy: WriteCopy,
) -> None:
    def recode(doc: dict[str, Any]) -> None:
        doc["components"]["examples"]["ErrorPagesItems"]["value"]["code"] = "incomplete_schedule"

    errors = _layers(spec_copy(_two(recode)))["examples"]
    assert any("ErrorPagesItems" in e and "pages-items-limit" in e for e in errors)


@pytest.fixture
def two_docs(spec: Spec) -> tuple[dict[str, Any], dict[str, Any]]:
    base = copy.deepcopy(spec.document)
    add_list_operation(base)
    return base, copy.deepcopy(base)


def test_diff_adds_the_second_operation_without_breaking(spec: Spec) -> None:
    head = copy.deepcopy(spec.document)
    add_list_operation(head)
    changes = compare_documents(spec.document, head)
    assert [c.kind for c in changes] == ["operation-added"]
    assert changes[0].location == GET
    assert not changes[0].breaking


def test_diff_judges_the_second_operations_parameter_and_response(
    two_docs: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    base, head = two_docs
    head["components"]["parameters"]["PageSize"]["schema"]["maximum"] = 50
    del head["paths"][LIST_PATH]["get"]["responses"]["422"]
    changes = {(c.kind, c.location): c.classification for c in compare_documents(base, head)}
    assert changes == {
        ("bound-tightened", f"{GET} parameter query items maximum"): "breaking",
        ("response-status-removed", f"{GET} response 422"): "breaking",
    }


def test_diff_lists_each_operations_rule_changes_under_it(
    two_docs: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    base, head = two_docs
    list_rule(head, "pages-items-limit")["status"] = 400
    rules = head["paths"][LIST_PATH]["get"]["x-rules"]
    rules[:] = [r for r in rules if r["id"] != "pages-scoped"]
    changes = [(c.kind, c.location) for c in compare_documents(base, head)]
    assert changes == [
        ("rule-removed", f"{GET} x-rules pages-scoped"),
        ("rule-changed", f"{GET} x-rules pages-items-limit status"),
    ]


def test_diff_removing_the_second_operation_breaks(
    two_docs: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    base, head = two_docs
    del head["paths"][LIST_PATH]
    changes = compare_documents(base, head)
    assert [(c.kind, c.location, c.breaking) for c in changes] == [("operation-removed", GET, True)]
