"""The suite reads a ``Content-Type`` as RFC 9110 says: type and subtype in any case."""

from __future__ import annotations

import json

import pytest

from contract_tests.support.expect import error_shape
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.media import is_json, media_type
from prevail_contract.runtime.verdict import Verdicts
from prevail_contract.spec import Spec


@pytest.mark.parametrize(
    ("header", "kind", "json_"),
    [
        ("application/json", "application/json", True),
        ("Application/JSON; Charset=UTF-8", "application/json", True),
        (" APPLICATION/JSON ;charset=utf-8", "application/json", True),
        ("application/problem+json", "application/problem+json", True),
        ("text/plain; charset=utf-8", "text/plain", False),
        ("text/json-like", "text/json-like", False),
        ("json", "", False),
        ("", "", False),
        (None, "", False),
    ],
)
def test_media_types_are_read_case_insensitively(
    header: str | None, kind: str, json_: bool
) -> None:
    assert media_type(header) == kind
    assert is_json(header) is json_


@pytest.mark.parametrize(
    ("content_type", "refused_as_not_json"),
    [
        ("application/json", False),
        ("Application/JSON; Charset=UTF-8", False),
        ("APPLICATION/JSON", False),
        ("text/plain", True),
    ],
)
def test_a_refusals_media_type_is_judged_case_insensitively(
    spec: Spec, content_type: str, refused_as_not_json: bool
) -> None:
    body = json.dumps(spec.example("ErrorUnauthorized").value).encode()
    ex = Exchange("PATCH", "http://h/s", {}, b"{}", 401, {"content-type": content_type}, body)
    verdicts = Verdicts()
    error_shape(spec, verdicts, ex, "probe")
    said = [f.summary for f in verdicts.findings if f.rule == "error-shape"]
    assert bool(said) is refused_as_not_json, said
    if said:
        assert said == [f"probe: refusal sent as {content_type!r}, not JSON"]
