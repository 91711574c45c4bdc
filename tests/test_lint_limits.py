"""A limit stated in prose or shown by an example must agree with the schema's current value."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from prevail_contract import cli
from prevail_contract.lint.cli import lint
from prevail_contract.lint.stated_numbers import attributed, numbers
from tests.plugins.spec import Mutation

WriteCopy = Callable[[Mutation], Path]
PATCH = "/sessions/{remote_session_id}"


def _limit_errors(path: Path) -> list[str]:
    return {r.name: r for r in lint(path, spectral=False)}["stated limits"].errors


def _rule(doc: dict[str, Any], rule_id: str) -> dict[str, Any]:
    rule: dict[str, Any] = next(
        r for r in doc["paths"][PATCH]["patch"]["x-rules"] if r["id"] == rule_id
    )
    return rule


def _title(doc: dict[str, Any]) -> dict[str, Any]:
    title: dict[str, Any] = doc["components"]["schemas"]["RemoteSessionEdit"]["properties"]["title"]
    return title


def _examples(doc: dict[str, Any]) -> dict[str, Any]:
    examples: dict[str, Any] = doc["components"]["examples"]
    return examples


def _lower_title_limit(doc: dict[str, Any]) -> None:
    _title(doc)["maxLength"] = 100


def _lower_and_restate(doc: dict[str, Any]) -> None:
    _lower_title_limit(doc)
    rule = _rule(doc, "field-limits")
    rule["statement"] = rule["statement"].replace("1 to 255", "1 to 100")
    _title(doc)["description"] = _title(doc)["description"].replace("1 to 255", "1 to 100")
    detail = _examples(doc)["ErrorValidationFailedLimit"]["value"]["details"][0]
    detail["message"] = detail["message"].replace("255", "100")
    rejected = _examples(doc)["RejectedTitleTooLong"]
    rejected["summary"] = "A title of 101 characters"
    rejected["value"]["remote_session"]["title"] = "x" * 101


def test_a_lowered_limit_with_a_stale_statement_fails_lint(
    spec_copy: WriteCopy, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = spec_copy(_lower_title_limit)
    assert cli.main(["lint", "--spec", str(stale), "--skip-spectral"]) == 1
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "rule field-limits" in line]
    assert any("statement says 255" in line and "title maxLength 100" in line for line in lines)
    assert any("does not state title maxLength 100" in line for line in lines)
    # the title's own description and the error example still say 255 too
    assert "RemoteSessionEdit/properties/title: the description says 255" in out
    assert "ErrorValidationFailedLimit (PATCH" in out


def test_the_restated_copy_passes_lint(
    spec_copy: WriteCopy, capsys: pytest.CaptureFixture[str]
) -> None:
    fixed = spec_copy(_lower_and_restate)
    assert cli.main(["lint", "--spec", str(fixed), "--skip-spectral"]) == 0, capsys.readouterr().out


def test_a_rejected_example_that_no_longer_breaks_the_limit_is_an_error(
    spec_copy: WriteCopy,
) -> None:
    def raise_limit(doc: dict[str, Any]) -> None:
        _title(doc)["maxLength"] = 300
        # still refused, but by the pattern: it no longer shows the length limit
        value = _examples(doc)["RejectedTitleTooLong"]["value"]["remote_session"]
        value["title"] += "\u0007"

    errors = _limit_errors(spec_copy(raise_limit))
    assert any(
        "RejectedTitleTooLong" in e and "breaks none" in e and "title maxLength 300" in e
        for e in errors
    )


def test_a_padded_example_within_the_size_limit_is_an_error(spec_copy: WriteCopy) -> None:
    def shrink(doc: dict[str, Any]) -> None:
        _examples(doc)["RejectedOversizedBody"]["x-request-setup"]["pad-to-bytes"] = 1000

    errors = _limit_errors(spec_copy(shrink))
    assert any(
        "RejectedOversizedBody" in e and "within request body bytes 1048576" in e for e in errors
    )


def test_a_statement_missing_a_declared_limit_is_an_error(spec_copy: WriteCopy) -> None:
    def restate(doc: dict[str, Any]) -> None:
        rule = _rule(doc, "field-limits")
        rule["statement"] = rule["statement"].replace("at most 100 items", "a few items")

    errors = _limit_errors(spec_copy(restate))
    assert errors == [
        f"PATCH {PATCH} rule field-limits: the statement does not state invites maxItems 100 "
        "(from x-limits)"
    ]


def test_a_number_in_a_rule_without_declared_limits_is_an_error(spec_copy: WriteCopy) -> None:
    def add_number(doc: dict[str, Any]) -> None:
        _rule(doc, "invites-no-duplicates")["statement"] += " At most 3 reminders are sent."

    errors = _limit_errors(spec_copy(add_number))
    assert any("invites-no-duplicates" in e and "says 3" in e and "x-limits" in e for e in errors)


def test_a_declaration_that_does_not_resolve_is_an_error(spec_copy: WriteCopy) -> None:
    def misdeclare(doc: dict[str, Any]) -> None:
        _rule(doc, "field-limits")["x-limits"][0]["keyword"] = "maxItems"

    errors = _limit_errors(spec_copy(misdeclare))
    assert any("x-limits[0]" in e and "no numeric 'maxItems'" in e for e in errors)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A body larger than 1 MiB (1,048,576 bytes).", ["1048576", "1048576"]),
        ("`title` has 1 to 255 characters.", ["1", "255"]),
        ("a multiple of 0.25 above 0 and at most 24.", ["0.25", "0", "24"]),
        ('HS256, a zero-padded 12-hour `hh:mm` clock, `02:30 PM`, "3 items".', []),
    ],
)
def test_numbers_are_read_with_their_units(text: str, expected: list[str]) -> None:
    assert [value for _, value in numbers(text)] == [Decimal(e) for e in expected]


def test_a_number_is_about_the_field_named_last_before_it() -> None:
    text = "pages are chosen with `page` (from 1) and `items` (1 to 100,\n default 20); sorted"
    assert [(name, shown) for name, shown, _ in attributed(text, {"page", "items", "pages"})] == [
        ("page", "1"),
        ("items", "1"),
        ("items", "100"),
        ("items", "20"),
    ]
