"""The lint command passes on the spec and each layer catches the fault it exists for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from prevail_contract import cli
from prevail_contract.lint.cli import lint
from tests.plugins.spec import Mutation

WriteCopy = Callable[[Mutation], Path]


def _errors(path: Path, layer: str, *, spectral: bool = False) -> list[str]:
    results = {r.name: r for r in lint(path, spectral=spectral)}
    return results[layer].errors


def test_repository_spec_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["lint"]) == 0
    out = capsys.readouterr().out
    layers = ("openapi-spec-validator", "spectral", "local refs", "examples", "rule catalogue")
    for layer in (*layers, "stated limits"):
        assert f"{layer}" in out
    assert "error" not in out


def _schemas(doc: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = doc["components"]["schemas"]
    return schemas


def test_invalid_openapi_stops_at_the_first_layer(spec_copy: WriteCopy) -> None:
    path = spec_copy(lambda doc: doc["info"].pop("title"))
    results = lint(path, spectral=False)
    assert [r.name for r in results] == ["local refs", "openapi-spec-validator"]
    assert any("title" in e for e in results[1].errors)


def test_spectral_owasp_catches_an_unbounded_string(spec_copy: WriteCopy) -> None:
    def unbound(doc: dict[str, Any]) -> None:
        del _schemas(doc)["RemoteSessionEdit"]["properties"]["title"]["maxLength"]

    errors = _errors(spec_copy(unbound), "spectral (spectral:oas + OWASP)", spectral=True)
    assert any("string-limit" in e and "title" in e for e in errors)


def test_a_rejected_example_the_schema_accepts_is_an_error(spec_copy: WriteCopy) -> None:
    def complete(doc: dict[str, Any]) -> None:
        value = doc["components"]["examples"]["RejectedPartialSchedule"]["value"]
        value["remote_session"]["time_zone"] = "Hawaii"

    errors = _errors(spec_copy(complete), "examples")
    assert any("RejectedPartialSchedule" in e and "accepts it" in e for e in errors)


def test_a_response_example_off_its_schema_is_an_error(spec_copy: WriteCopy) -> None:
    def break_example(doc: dict[str, Any]) -> None:
        session = doc["components"]["examples"]["EditResponseDocumented"]["value"]["sessions"][0]
        session["invites"] = "amethyst@example.com"

    errors = _errors(spec_copy(break_example), "examples")
    assert any("EditResponseDocumented" in e and "invites" in e for e in errors)


def test_an_error_example_with_the_wrong_code_is_an_error(spec_copy: WriteCopy) -> None:
    def recode(doc: dict[str, Any]) -> None:
        doc["components"]["examples"]["ErrorIncompleteSchedule"]["value"]["code"] = "oops"

    errors = _errors(spec_copy(recode), "examples")
    assert any("ErrorIncompleteSchedule" in e and "schedule-all-three" in e for e in errors)


def test_an_unused_example_is_an_error(spec_copy: WriteCopy) -> None:
    def orphan(doc: dict[str, Any]) -> None:
        doc["components"]["examples"]["Orphan"] = {"summary": "x", "value": {}}

    assert any("Orphan" in e for e in _errors(spec_copy(orphan), "examples"))


def _patch_rules(doc: dict[str, Any]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = doc["paths"]["/sessions/{remote_session_id}"]["patch"]["x-rules"]
    return rules


def _drop_rule(doc: dict[str, Any], rule_id: str) -> None:
    rules = _patch_rules(doc)
    rules[:] = [r for r in rules if r["id"] != rule_id]


def test_a_rule_a_schema_names_must_be_in_the_catalogue(spec_copy: WriteCopy) -> None:
    errors = _errors(spec_copy(lambda doc: _drop_rule(doc, "schedule-all-three")), "rule catalogue")
    assert any("RemoteSessionEdit/x-rules" in e and "schedule-all-three" in e for e in errors)


def test_a_response_no_rule_produces_is_an_error(spec_copy: WriteCopy) -> None:
    errors = _errors(spec_copy(lambda doc: _drop_rule(doc, "editable-states")), "rule catalogue")
    assert any("response 409 is produced by no rule" in e for e in errors)


def test_an_error_code_no_rule_answers_is_an_error(spec_copy: WriteCopy) -> None:
    def add_code(doc: dict[str, Any]) -> None:
        _schemas(doc)["Error"]["properties"]["code"]["x-extensible-enum"].append("rate_limited")

    errors = _errors(spec_copy(add_code), "rule catalogue")
    assert any("'rate_limited'" in e and "answered by no rule" in e for e in errors)


def test_a_rule_naming_a_missing_example_stops_at_the_refs(spec_copy: WriteCopy) -> None:
    def misname(doc: dict[str, Any]) -> None:
        rule = next(r for r in _patch_rules(doc) if r["id"] == "media-type")
        rule["examples"]["request"] = {"$ref": "#/components/examples/NoSuchExample"}

    errors = _errors(spec_copy(misname), "local refs")
    assert any("x-rules" in e and "NoSuchExample" in e for e in errors)


def test_a_status_outside_the_responses_needs_its_own_response(spec_copy: WriteCopy) -> None:
    def orphan_status(doc: dict[str, Any]) -> None:
        del next(r for r in _patch_rules(doc) if r["id"] == "method-not-allowed")["response"]

    errors = _errors(spec_copy(orphan_status), "rule catalogue")
    assert any("method-not-allowed" in e and "405 is not among" in e for e in errors)


def test_a_rule_statement_must_be_a_sentence(spec_copy: WriteCopy) -> None:
    def shorten(doc: dict[str, Any]) -> None:
        next(r for r in _patch_rules(doc) if r["id"] == "id-stable")["statement"] = "Stable"

    errors = _errors(spec_copy(shorten), "rule catalogue")
    assert any("id-stable" in e and "full sentence" in e for e in errors)


def test_a_rule_with_an_unknown_code_is_an_error(spec_copy: WriteCopy) -> None:
    def recode(doc: dict[str, Any]) -> None:
        op = doc["paths"]["/sessions/{remote_session_id}"]["patch"]
        next(r for r in op["x-rules"] if r["id"] == "media-type")["code"] = "bad_media"

    errors = _errors(spec_copy(recode), "rule catalogue")
    assert any("media-type" in e and "bad_media" in e for e in errors)


def test_a_file_ref_is_an_error(spec_copy: WriteCopy) -> None:
    def external(doc: dict[str, Any]) -> None:
        _schemas(doc)["EditSessionRequest"]["properties"]["remote_session"] = {
            "$ref": "other.yaml#/RemoteSessionEdit"
        }

    errors = _errors(spec_copy(external), "local refs")
    assert any("other.yaml" in e for e in errors)


def test_lint_failure_exits_1_and_lists_the_error(
    spec_copy: WriteCopy, capsys: pytest.CaptureFixture[str]
) -> None:
    def orphan(doc: dict[str, Any]) -> None:
        doc["components"]["examples"]["Orphan"] = {"summary": "x", "value": {}}

    path = spec_copy(orphan)
    assert cli.main(["lint", "--spec", str(path), "--skip-spectral"]) == 1
    captured = capsys.readouterr()
    assert "Orphan" in captured.out
    assert "lint errors" in captured.err


def test_a_catalogue_that_does_not_load_is_a_lint_error(
    spec_copy: WriteCopy, capsys: pytest.CaptureFixture[str]
) -> None:
    def declare_twice(doc: dict[str, Any]) -> None:
        edit = doc["paths"]["/sessions/{remote_session_id}"]["patch"]["x-rules"]
        listed = doc["paths"]["/sessions"]["get"]["x-rules"]
        listed.append(dict(next(r for r in edit if isinstance(r, dict))))

    path = spec_copy(declare_twice)
    assert cli.main(["lint", "--spec", str(path), "--skip-spectral"]) == 1
    out = capsys.readouterr().out
    assert "rule catalogue: 1 error(s)" in out
    assert "GET /sessions x-rules[" in out
    assert "duplicate rule id 'auth-required'" in out


def test_a_field_added_without_its_violation_rules_is_an_error(spec_copy: WriteCopy) -> None:
    def add_field(doc: dict[str, Any]) -> None:
        edit = _schemas(doc)["RemoteSessionEdit"]["properties"]
        edit["notes"] = {"type": "string", "maxLength": 500}

    errors = _errors(spec_copy(add_field), "rule catalogue")
    assert any("properties/notes" in e and "x-violation-rules" in e for e in errors), errors
