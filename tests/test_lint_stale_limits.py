"""A limit changed in the schema alone leaves stale numbers behind, and lint names each place.

Each case changes one limit in a copy of the spec and nothing else, as a hurried edit would;
lint must then name every statement, description, example and summary that still states the
old number, with where it stands.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from prevail_contract.lint.cli import lint
from tests.plugins.spec import Mutation

WriteCopy = Callable[[Mutation], Path]
PATCH = "PATCH /sessions/{remote_session_id}"
GET = "GET /sessions"


def _edit_field(name: str, keyword: str, value: float) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        doc["components"]["schemas"]["RemoteSessionEdit"]["properties"][name][keyword] = value

    return mutate


def _items(keyword: str, value: int) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        doc["components"]["parameters"]["Items"]["schema"][keyword] = value

    return mutate


def _payload(doc: dict[str, Any]) -> None:
    rules = doc["paths"]["/sessions/{remote_session_id}"]["patch"]["x-rules"]
    rule = next(r for r in rules if isinstance(r, dict) and r["id"] == "payload-limit")
    rule["x-limits"][0]["value"] = 524288


def _zone(doc: dict[str, Any]) -> None:
    zones = doc["components"]["schemas"]["TimeZoneName"]
    zones["enum"].append("Ciudad Juarez")
    zones["x-iana-zones"]["Ciudad Juarez"] = "America/Ciudad_Juarez"


def _leeway(doc: dict[str, Any]) -> None:
    doc["components"]["securitySchemes"]["bearerAuth"]["x-exp-leeway-seconds"] = 30


TITLE = "#/components/schemas/RemoteSessionEdit/properties/title"
INVITES = "#/components/schemas/RemoteSessionEdit/properties/invites"
DURATION = "#/components/schemas/RemoteSessionEdit/properties/estimated_duration"

CASES: dict[str, tuple[Mutation, list[str]]] = {
    "title maxLength 255 -> 100": (
        _edit_field("title", "maxLength", 100),
        [
            f"{PATCH} rule field-limits: the statement says 255 about title",
            f"{PATCH} rule field-limits: the statement does not state title maxLength 100",
            f"{TITLE}: the description says 255",
            "ErrorValidationFailedLimit (PATCH /sessions/{remote_session_id} rule field-limits): "
            "its message says 255",
            "RejectedTitleTooLong (PATCH /sessions/{remote_session_id} rule field-limits): "
            "breaks title maxLength 100 at 256, not just past it: make it 101",
        ],
    ),
    "invites maxItems 100 -> 50": (
        _edit_field("invites", "maxItems", 50),
        [
            f"{PATCH} rule field-limits: the statement says 100 about invites",
            f"{INVITES}: the description says 100",
        ],
    ),
    "estimated_duration maximum 24 -> 12": (
        _edit_field("estimated_duration", "maximum", 12),
        [
            f"{PATCH} rule field-limits: the statement says 24 about estimated_duration",
            f"{DURATION}: the description says 24",
        ],
    ),
    "estimated_duration multipleOf 0.25 -> 0.5": (
        _edit_field("estimated_duration", "multipleOf", 0.5),
        [
            f"{PATCH} rule field-limits: the statement says 0.25 about estimated_duration",
            f"{DURATION}: the description says 0.25",
        ],
    ),
    "estimated_duration exclusiveMinimum 0 -> 0.5": (
        _edit_field("estimated_duration", "exclusiveMinimum", 0.5),
        [
            f"{PATCH} rule field-limits: the statement says 0 about estimated_duration",
            f"{DURATION}: the description says 0,",
        ],
    ),
    "items maximum 100 -> 50": (
        _items("maximum", 50),
        [
            f"{GET} rule list-pagination-consistent: the statement says 100 about items",
            f"{GET} rule list-query-validated: the statement says 100 about items",
            f"{GET}: the description says 100 about items",
            "#/components/parameters/Items: the description says 100",
            "ErrorValidationFailedQuery (GET /sessions rule list-query-validated): its message "
            "says 100",
            "ListRequestItemsTooLarge (GET /sessions rule list-query-validated): breaks items "
            "maximum 50 at 101, not just past it: make it 51",
        ],
    ),
    "items default 20 -> 10": (
        _items("default", 10),
        [
            f"{GET} rule list-pagination-consistent: the statement says 20 about items",
            f"{GET}: the description says 20 about items",
        ],
    ),
    "request body bytes 1048576 -> 524288": (
        _payload,
        [
            f"{PATCH} rule payload-limit: the statement says 1 MiB",
            f"{PATCH} rule payload-limit: the statement says 1,048,576",
            "ErrorPayloadTooLarge (PATCH /sessions/{remote_session_id} rule payload-limit): its "
            "message says 1048576",
            "RejectedOversizedBody (PATCH /sessions/{remote_session_id} rule payload-limit): its "
            "summary says 1 MiB",
            "RejectedOversizedBody (PATCH /sessions/{remote_session_id} rule payload-limit): "
            "padded to 1048577 bytes, not just past request body bytes 524288: pad to 524289",
            "#/components/responses/PayloadTooLarge: the description says 1 MiB",
        ],
    ),
    "a 152nd zone name": (_zone, ["#/components/schemas/TimeZoneName: the description says 151"]),
    "exp leeway 60 -> 30": (
        _leeway,
        ["#/components/securitySchemes/bearerAuth: the description says 60"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_stale_number_is_named_where_it_stands(spec_copy: WriteCopy, case: str) -> None:
    mutate, expected = CASES[case]
    results = {r.name: r for r in lint(spec_copy(mutate), spectral=False)}
    errors = results["stated limits"].errors
    missing = [e for e in expected if not any(line.startswith(e) for line in errors)]
    assert not missing, "\n".join(["not reported:", *missing, "reported:", *errors])
