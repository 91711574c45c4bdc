"""The gate's version rule: a breaking change needs a new major ``info.version``, an additive one
(it breaks nothing but changes the contract, so the generated client differs) a new minor one,
and an informational one none."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from prevail_contract.diff import DiffReport, compare_documents
from prevail_contract.diff.model import minor_version
from tests.plugins.diff import Doc, RunDiff, minimal_doc, only_change

S = {"type": "string"}
SpecPair = Callable[[Doc, Doc], tuple[Path, Path]]
PATH_PARAMETER = {"name": "item_id", "in": "path", "required": True, "schema": S}


def _with_operation(doc: Doc) -> Doc:
    head = copy.deepcopy(doc)
    head["paths"]["/items"] = {
        "get": {
            "operationId": "list_items",
            "responses": {"200": {"description": "Items.", "content": {"application/json": {}}}},
        }
    }
    return head


def _open_code(*values: str) -> dict[str, Any]:
    return {"code": {"type": "string", "x-extensible-enum": list(values)}}


#: Additive changes: (base document, head document) at version 1.0.0.
ADDITIVE: dict[str, tuple[Doc, Doc]] = {
    "new operation": (minimal_doc(), _with_operation(minimal_doc())),
    "new optional request field": (
        minimal_doc(request_props={"a": S}),
        minimal_doc(request_props={"a": S, "b": S}),
    ),
    "new response field": (
        minimal_doc(response_props={"a": S}),
        minimal_doc(response_props={"a": S, "b": S}),
    ),
    "new value in an open enum": (
        minimal_doc(response_props=_open_code("late")),
        minimal_doc(response_props=_open_code("late", "gone")),
    ),
    "new optional parameter": (
        minimal_doc(),
        minimal_doc(parameters=[PATH_PARAMETER, {"name": "q", "in": "query", "schema": S}]),
    ),
    "new response status": (
        minimal_doc(),
        minimal_doc(responses={"404": {"description": "Not found."}}),
    ),
    "request limit relaxed": (
        minimal_doc(request_props={"a": {**S, "maxLength": 10}}),
        minimal_doc(request_props={"a": {**S, "maxLength": 20}}),
    ),
}


def _versioned(doc: Doc, version: str) -> Doc:
    out = copy.deepcopy(doc)
    out["info"]["version"] = version
    return out


def _report(base: Doc, head: Doc) -> DiffReport:
    return DiffReport(
        "base",
        "head",
        base["info"]["version"],
        head["info"]["version"],
        compare_documents(base, head),
    )


@pytest.mark.parametrize("case", sorted(ADDITIVE))
def test_an_additive_change_needs_a_new_minor_version(case: str) -> None:
    base, head = ADDITIVE[case]
    same = _report(base, head)
    assert not same.breaking, [c.reason for c in same.breaking]
    assert same.additive, f"{case}: no change found"
    assert same.exit_code == 1
    assert same.verdict.startswith("failed: ")
    assert "raise info.version from 1.0.0 to at least 1.1.0 (it is 1.0.0)" in same.verdict
    for version, code in (("1.0.1", 1), ("1.1.0", 0), ("2.0.0", 0)):
        assert _report(base, _versioned(head, version)).exit_code == code, (case, version)


def test_an_open_enum_value_is_additive_both_ways_and_breaks_a_request_when_removed() -> None:
    grown = only_change(
        minimal_doc(response_props=_open_code("a")),
        minimal_doc(response_props=_open_code("a", "b")),
    )
    assert (grown.kind, grown.classification, grown.bump) == (
        "open-enum-values-added",
        "non-breaking",
        "minor",
    )
    assert '"b"' in grown.reason
    shrunk_response = only_change(
        minimal_doc(response_props=_open_code("a", "b")),
        minimal_doc(response_props=_open_code("a")),
    )
    assert (shrunk_response.classification, shrunk_response.bump) == ("non-breaking", "minor")
    shrunk_request = only_change(
        minimal_doc(request_props=_open_code("a", "b")), minimal_doc(request_props=_open_code("a"))
    )
    assert (shrunk_request.kind, shrunk_request.classification) == (
        "open-enum-values-removed",
        "breaking",
    )
    assert "requests that were valid may now be refused" in shrunk_request.reason


def test_an_informational_change_needs_no_new_version() -> None:
    rule = {"id": "r1", "source": "assumed", "kind": "behaviour", "statement": "s", "status": 200}
    change = only_change(minimal_doc(), minimal_doc(operation={"x-rules": [rule]}))
    assert (change.kind, change.bump) == ("rule-added", "none")
    report = _report(minimal_doc(), minimal_doc(operation={"x-rules": [rule]}))
    assert report.exit_code == 0
    assert report.verdict == "passed: 1 change(s), none breaking or additive (informational)"


def test_a_breaking_and_an_additive_change_need_a_major_version() -> None:
    base = minimal_doc(response_props={"a": S, "b": S})
    head = minimal_doc(response_props={"a": S, "c": S})  # b removed (breaking), c added
    assert _report(base, _versioned(head, "1.1.0")).verdict.startswith(
        "failed: 1 breaking change(s)"
    )
    assert _report(base, _versioned(head, "2.0.0")).exit_code == 0


def test_a_version_that_went_down_or_does_not_read_is_no_bump() -> None:
    base, head = ADDITIVE["new response field"]
    assert _report(_versioned(base, "1.4.0"), _versioned(head, "1.3.9")).exit_code == 1
    unreadable = _report(_versioned(base, "spring"), _versioned(head, "summer"))
    assert unreadable.exit_code == 1
    assert "to at least a MAJOR.MINOR.PATCH version" in unreadable.verdict


@pytest.mark.parametrize(
    ("version", "parsed"),
    [
        ("1.4.0", (1, 4)),
        ("v2", (2, 0)),
        ("1.4.0-rc1", (1, 4)),
        ("3.0rc1", (3, 0)),
        ("10.12", (10, 12)),
        ("", None),
        ("latest", None),
        ("9" * 5000, None),
        ("\u0662.1", None),
    ],
)
def test_minor_version_reads_major_and_minor(version: str, parsed: tuple[int, int] | None) -> None:
    assert minor_version(version) == parsed


def test_the_cli_fails_an_unbumped_additive_change_and_says_why(
    run_diff: RunDiff, spec_pair: SpecPair
) -> None:
    base, head = spec_pair(*ADDITIVE["new response field"])
    run = run_diff("--spec", head, "--base-spec", base, "--no-client-diff")
    assert run.code == 1
    assert "0 breaking, 1 non-breaking change(s) (1 additive: a new minor version)" in run.out
    assert (
        "Result: failed: 1 additive change(s) need a new minor version, so that two different "
        "clients never share one: raise info.version from 1.0.0 to at least 1.1.0 (it is 1.0.0)"
    ) in run.out
    markdown = run_diff("--spec", head, "--base-spec", base, "--format", "markdown")
    assert markdown.out.startswith("### ❌ Contract diff: failed: 1 additive change(s)")
    report = json.loads(run_diff("--spec", head, "--base-spec", base, "--format", "json").out)
    assert (report["additive"], report["minor_bump"], report["exit_code"]) == (True, False, 1)
    assert [c["bump"] for c in report["changes"]] == ["minor"]
