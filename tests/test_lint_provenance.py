"""Lint's provenance layer: a constraint the spec's own prose calls assumed is never filed under
a documented rule, and the marker, the mapping and the prose agree (edited spec copies)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from prevail_contract.lint.cli import lint
from prevail_contract.lint.provenance_checks import check_provenance
from prevail_contract.spec import Spec
from tests.plugins.spec import Mutation

WriteCopy = Callable[[Mutation], Path]


def _errors(path: Path) -> list[str]:
    return {r.name: r for r in lint(path, spectral=False)}["provenance"].errors


def _schemas(doc: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = doc["components"]["schemas"]
    return schemas


def test_the_kit_spec_files_every_constraint_as_its_prose_says(spec: Spec) -> None:
    assert check_provenance(spec) == []


def test_the_issue_18_email_filing_is_refused(spec_copy: WriteCopy) -> None:
    """The email as it was: the prose says the exact check is assumed, every keyword went to
    the documented field-formats, and no keyword was marked."""

    def old_email(doc: dict[str, Any]) -> None:
        email = _schemas(doc)["InviteEmail"]
        email.pop("allOf")
        email.pop("x-assumed-keywords")
        email["description"] = "An ASCII dot-atom address (the exact check is assumed)."
        email["x-violation-rules"] = {
            "type": "field-formats",
            "format": "field-formats",
            "maxLength": "field-formats",
            "pattern": "field-formats",
        }

    errors = _errors(spec_copy(old_email))
    assert any(
        "components/schemas/InviteEmail" in e and "description calls part of it assumed" in e
        for e in errors
    ), errors


def test_a_marked_keyword_filed_under_a_documented_rule_is_refused(spec_copy: WriteCopy) -> None:
    def documented_length(doc: dict[str, Any]) -> None:
        title = _schemas(doc)["RemoteSessionEdit"]["properties"]["title"]
        title["x-violation-rules"]["maxLength"] = "field-formats"

    errors = _errors(spec_copy(documented_length))
    assert any(
        "properties/title" in e and "'maxLength' is assumed" in e and "'field-formats'" in e
        for e in errors
    ), errors


def test_a_keyword_filed_under_assumed_rules_only_must_be_marked(spec_copy: WriteCopy) -> None:
    def unmarked(doc: dict[str, Any]) -> None:
        _schemas(doc)["RemoteSessionEdit"]["properties"]["invites"]["x-assumed-keywords"] = []

    errors = _errors(spec_copy(unmarked))
    assert any("properties/invites" in e and "'maxItems'" in e for e in errors), errors


def test_the_marker_names_only_keywords_the_node_has(spec_copy: WriteCopy) -> None:
    def stray(doc: dict[str, Any]) -> None:
        _schemas(doc)["AccessLevel"]["x-assumed-keywords"] = ["maxLength"]
        _schemas(doc)["AccessLevel"]["description"] += " Its length is assumed."

    errors = _errors(spec_copy(stray))
    assert any(
        "AccessLevel" in e and "'maxLength', which the node does not have" in e for e in errors
    )


def test_a_marked_node_says_assumed_in_its_prose(spec_copy: WriteCopy) -> None:
    def silent(doc: dict[str, Any]) -> None:
        _schemas(doc)["InviteObject"]["description"] = "An address with its access level."

    errors = _errors(spec_copy(silent))
    assert any("InviteObject" in e and "does not say so" in e for e in errors), errors


def test_response_nodes_are_held_to_their_prose_too(spec_copy: WriteCopy) -> None:
    def unmarked(doc: dict[str, Any]) -> None:
        del _schemas(doc)["Session"]["x-assumed-keywords"]

    errors = _errors(spec_copy(unmarked))
    assert any("components/schemas/Session " in e and "(sessions[])" in e for e in errors), errors


def test_an_empty_marker_acknowledges_an_assumption_that_is_no_keyword(
    spec_copy: WriteCopy,
) -> None:
    def without(doc: dict[str, Any]) -> None:
        del _schemas(doc)["TimeZoneName"]["x-assumed-keywords"]

    errors = _errors(spec_copy(without))
    assert any("TimeZoneName" in e and "x-assumed-keywords: []" in e for e in errors), errors
