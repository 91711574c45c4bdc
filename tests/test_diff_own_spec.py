"""The gate on edits a maintainer might make to this repository's own spec."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from prevail_contract.diff import compare_documents
from prevail_contract.spec import Spec

Edit = Callable[[dict[str, Any]], None]


def op(doc: dict[str, Any]) -> dict[str, Any]:
    edit = Spec(doc).operation_by_id("edit_session")
    operation: dict[str, Any] = doc["paths"][edit.path][edit.method]
    return operation


def schema(doc: dict[str, Any], name: str) -> dict[str, Any]:
    node: dict[str, Any] = doc["components"]["schemas"][name]
    return node


def edit_prop(name: str, prop: str, **changes: Any) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        schema(doc, name)["properties"][prop].update(changes)

    return apply


def drop_prop(name: str, prop: str) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        del schema(doc, name)["properties"][prop]

    return apply


def add_prop(name: str, prop: str, required: bool = False) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        schema(doc, name)["properties"][prop] = {"type": "string", "maxLength": 100}
        if required:
            schema(doc, name).setdefault("required", []).append(prop)

    return apply


def enum(name: str, add: str | None = None, remove: str | None = None) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        values = schema(doc, name)["enum"]
        if add:
            values.append(add)
        if remove:
            values.remove(remove)

    return apply


def security(*alternatives: dict[str, list[str]]) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        doc["security"] = list(alternatives)

    return apply


def param(**parameter: Any) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        op(doc)["parameters"] = [parameter]

    return apply


def remove_status(status: str) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        del op(doc)["responses"][status]

    return apply


def describe(doc: dict[str, Any]) -> None:
    doc["info"]["description"] = "Reworded."
    op(doc)["summary"] = "Reworded."
    schema(doc, "Session")["description"] = "Reworded."


EDITS: list[tuple[str, Edit, str, bool]] = [
    (
        "title maxLength lowered",
        edit_prop("RemoteSessionEdit", "title", maxLength=100),
        "bound-tightened",
        True,
    ),
    (
        "title maxLength raised",
        edit_prop("RemoteSessionEdit", "title", maxLength=500),
        "bound-relaxed",
        False,
    ),
    (
        "optional request field added",
        add_prop("RemoteSessionEdit", "location"),
        "field-added",
        False,
    ),
    (
        "required request field added",
        add_prop("RemoteSessionEdit", "location", required=True),
        "field-added-required",
        True,
    ),
    (
        "request field removed",
        drop_prop("RemoteSessionEdit", "estimated_duration"),
        "field-removed",
        True,
    ),
    (
        "duration step coarser",
        edit_prop("RemoteSessionEdit", "estimated_duration", multipleOf=0.5),
        "multiple-of-changed",
        True,
    ),
    (
        "start_time pattern changed",
        edit_prop("RemoteSessionEdit", "start_time", pattern="^[0-2][0-9]:[0-5][0-9]$"),
        "pattern-changed",
        True,
    ),
    ("time zone removed", enum("TimeZoneName", remove="Samoa"), "enum-values-removed", True),
    ("access level added on request", enum("AccessLevel", add="owner"), "enum-values-added", False),
    ("response field added", add_prop("Session", "room"), "field-added", False),
    (
        "response field removed",
        drop_prop("Session", "provider_specific_details"),
        "field-removed",
        True,
    ),
    (
        "response field made nullable",
        edit_prop("Session", "state", type=["string", "null"]),
        "nullable-added",
        True,
    ),
    (
        "response enum introduced",
        edit_prop("Session", "state", enum=["ready", "active"]),
        "enum-restriction-added",
        False,
    ),
    ("error message longer", edit_prop("Error", "messages", maxLength=4000), "bound-relaxed", True),
    ("409 removed", remove_status("409"), "response-status-removed", True),
    ("query token dropped", security({"bearerAuth": []}), "security-alternative-removed", True),
    (
        "required header added",
        param(name="Idempotency-Key", **{"in": "header"}, required=True, schema={"type": "string"}),
        "parameter-added-required",
        True,
    ),
    (
        "optional query added",
        param(name="dry_run", **{"in": "query"}, schema={"type": "boolean"}),
        "parameter-added",
        False,
    ),
]


@pytest.mark.parametrize(
    ("edit", "kind", "breaking"), [pytest.param(*e[1:], id=e[0]) for e in EDITS]
)
def test_edit_of_own_spec(spec: Spec, edit: Edit, kind: str, breaking: bool) -> None:
    head = copy.deepcopy(spec.document)
    edit(head)
    found = compare_documents(spec.document, head)
    # a shared component (Session, security) changes once per operation that uses it
    assert {c.kind for c in found} == {kind}, found
    assert found[0].breaking is breaking


def test_wording_changes_are_not_contract_changes(spec: Spec) -> None:
    head = copy.deepcopy(spec.document)
    describe(head)
    assert compare_documents(spec.document, head) == []


def test_own_spec_against_itself(spec: Spec) -> None:
    assert compare_documents(spec.document, copy.deepcopy(spec.document)) == []
