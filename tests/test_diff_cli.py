"""``prevail-contract diff`` end to end: exit codes, git bases, output formats, the own spec."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from prevail_contract.spec import paths
from tests.plugins.diff import Doc, RunDiff, git, minimal_doc, write_doc

S = {"type": "string"}
SpecPair = Callable[[Doc, Doc], tuple[Path, Path]]


def test_no_change_exits_0(run_diff: RunDiff, spec_pair: SpecPair) -> None:
    base, head = spec_pair(minimal_doc(), minimal_doc())
    run = run_diff("--spec", head, "--base-spec", base, "--no-client-diff")
    assert run.code == 0
    assert "No changes to the contract." in run.out


def test_non_breaking_only_with_a_minor_bump_exits_0(
    run_diff: RunDiff, spec_pair: SpecPair
) -> None:
    base, head = spec_pair(
        minimal_doc(response_props={"a": S}),
        minimal_doc(response_props={"a": S, "b": S}, version="1.1.0"),
    )
    run = run_diff("--spec", head, "--base-spec", base, "--no-client-diff")
    assert run.code == 0
    assert "Non-breaking changes (1):" in run.out
    assert "[field-added, response]" in run.out
    assert "0 breaking, 1 non-breaking change(s) (1 additive: a new minor version)" in run.out
    assert "Result: passed: 1 change(s), none breaking; info.version goes from 1.0.0 to 1.1.0" in (
        run.out
    )


def test_breaking_exits_1(run_diff: RunDiff, spec_pair: SpecPair) -> None:
    base, head = spec_pair(
        minimal_doc(request_props={"title": {**S, "maxLength": 255}}),
        minimal_doc(request_props={"title": {**S, "maxLength": 100}}),
    )
    run = run_diff("--spec", head, "--base-spec", base, "--no-client-diff")
    assert run.code == 1
    assert "Breaking changes (1):" in run.out
    assert "PATCH /items/{item_id} request body item.title maxLength" in run.out
    assert "Result: failed: 1 breaking change(s)" in run.out


@pytest.mark.parametrize(
    ("head_version", "code", "said"),
    [
        ("2.0.0", 0, "allowed because info.version goes from 1.4.0 to 2.0.0"),
        ("1.5.0", 1, "Result: failed: 1 breaking change(s)"),
    ],
    ids=["major bump excuses", "minor bump does not"],
)
def test_only_a_major_bump_excuses_a_breaking_change(
    run_diff: RunDiff, spec_pair: SpecPair, head_version: str, code: int, said: str
) -> None:
    base, head = spec_pair(
        minimal_doc(response_props={"a": S, "b": S}, version="1.4.0"),
        minimal_doc(response_props={"a": S}, version=head_version),
    )
    run = run_diff("--spec", head, "--base-spec", base, "--no-client-diff")
    assert run.code == code
    assert "Breaking changes (1):" in run.out
    assert said in run.out


def test_base_and_base_spec_together_is_a_usage_error(
    run_diff: RunDiff, spec_pair: SpecPair
) -> None:
    base, head = spec_pair(minimal_doc(), minimal_doc())
    with pytest.raises(SystemExit) as exc:
        run_diff("--spec", head, "--base", "HEAD", "--base-spec", base)
    assert exc.value.code == 2


def test_unknown_format_is_a_usage_error(run_diff: RunDiff) -> None:
    with pytest.raises(SystemExit) as exc:
        run_diff("--format", "html")
    assert exc.value.code == 2


def test_missing_base_spec_file_exits_2(run_diff: RunDiff, tmp_path: Path) -> None:
    head = write_doc(tmp_path / "head.yaml", minimal_doc())
    run = run_diff("--spec", head, "--base-spec", tmp_path / "nope.yaml")
    assert run.code == 2
    assert "spec file not found" in run.err


def test_spec_outside_a_git_checkout_exits_2(run_diff: RunDiff, tmp_path: Path) -> None:
    head = write_doc(tmp_path / "lonely" / "openapi.yaml", minimal_doc())
    run = run_diff("--spec", head, "--no-client-diff")
    assert run.code == 2
    assert "not inside a git checkout" in run.err


def test_base_ref_in_a_temporary_git_repo(run_diff: RunDiff, git_repo: Path) -> None:
    spec = git_repo / "openapi" / "openapi.yaml"
    write_doc(spec, minimal_doc(request_props={"name": {**S, "pattern": "^[a-z]+$"}}))
    run = run_diff("--spec", spec, "--base", "HEAD", "--no-client-diff")
    assert run.code == 1
    assert "openapi/openapi.yaml at HEAD" in run.out
    assert "[pattern-added, request]" in run.out


def test_default_base_is_the_merge_base_with_main(run_diff: RunDiff, git_repo: Path) -> None:
    spec = git_repo / "openapi" / "openapi.yaml"
    git(git_repo, "checkout", "--quiet", "-b", "feature")
    write_doc(spec, minimal_doc(response_props={"id": S, "extra": S}))
    git(git_repo, "commit", "--quiet", "-am", "add a response field")
    write_doc(spec, minimal_doc(response_props={"extra": S}))  # uncommitted: id removed
    run = run_diff("--spec", spec, "--no-client-diff", "--format", "json")
    report = json.loads(run.out)
    assert run.code == 1
    assert "merge base of HEAD and main" in report["base"]
    kinds = sorted((c["kind"], c["classification"]) for c in report["changes"])
    assert kinds == [("field-added", "non-breaking"), ("field-removed", "breaking")]


def test_unknown_ref_exits_2(run_diff: RunDiff, git_repo: Path) -> None:
    spec = git_repo / "openapi" / "openapi.yaml"
    run = run_diff("--spec", spec, "--base", "no-such-branch", "--no-client-diff")
    assert run.code == 2
    assert "unknown git ref 'no-such-branch'" in run.err


def test_spec_absent_at_ref_exits_2(run_diff: RunDiff, git_repo: Path) -> None:
    moved = write_doc(git_repo / "api" / "openapi.yaml", minimal_doc())
    run = run_diff("--spec", moved, "--base", "HEAD", "--no-client-diff")
    assert run.code == 2
    assert "api/openapi.yaml does not exist at HEAD" in run.err


def test_json_format(run_diff: RunDiff, spec_pair: SpecPair) -> None:
    base, head = spec_pair(
        minimal_doc(request_props={"a": S}),
        minimal_doc(request_props={"a": {**S, "format": "email"}}),
    )
    run = run_diff("--spec", head, "--base-spec", base, "--format", "json")
    report = json.loads(run.out)
    assert run.code == 1
    assert report["breaking"] is True
    assert report["base"].endswith("base.yaml")
    assert report["head"].endswith("head.yaml")
    assert report["changes"] == [
        {
            "kind": "format-added",
            "side": "request",
            "location": "PATCH /items/{item_id} request body item.a format",
            "classification": "breaking",
            "bump": "major",
            "reason": report["changes"][0]["reason"],
        }
    ]
    assert report["client_api"]["status"] == "skipped"  # off by default for json


def test_markdown_format_is_a_table(run_diff: RunDiff, spec_pair: SpecPair) -> None:
    base, head = spec_pair(
        minimal_doc(response_props={"a": S}, version="1.0.0"),
        minimal_doc(response_props={"a": {"type": ["string", "null"]}}, version="1.1.0"),
    )
    run = run_diff("--spec", head, "--base-spec", base, "--format", "markdown", "--no-client-diff")
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0].startswith("### ❌ Contract diff: failed: 1 breaking change(s)")
    assert "| | Location | Change | Side | Reason |" in lines
    row = next(line for line in lines if "nullable-added" in line)
    assert row.startswith("| 🔴 breaking | `PATCH /items/{item_id} response 200 body a nullable` |")


def test_repository_spec_against_itself_has_no_changes(run_diff: RunDiff) -> None:
    spec = paths.spec_path()
    run = run_diff("--spec", spec, "--base-spec", spec, "--format", "json", "--client-diff")
    report = json.loads(run.out)
    assert run.code == 0
    assert report["changes"] == []
    assert report["breaking"] is False
    assert report["client_api"] == {"status": "compared", "note": "", "changes": []}
