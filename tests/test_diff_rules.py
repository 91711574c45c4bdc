"""One test per classification rule of the diff gate: each builds a minimal document around
the one change under test and asserts the exact kind and classification."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.plugins.diff import OP, Doc, changes, minimal_doc, only_change

S = {"type": "string"}
BEARER = {"bearer": {"type": "http", "scheme": "bearer"}}
QUERY_KEY = {"key": {"type": "apiKey", "in": "query", "name": "token"}}


def req(**props: Any) -> Doc:
    """A document whose request object ``item`` has exactly these properties."""
    return minimal_doc(request_props=props)


def resp(**props: Any) -> Doc:
    """A document whose 200 response object has exactly these properties."""
    return minimal_doc(response_props=props)


def param(name: str, where: str = "query", *, required: bool = False, **schema: Any) -> Doc:
    """A document with ``item_id`` and one more parameter."""
    return minimal_doc(
        parameters=[
            {"name": "item_id", "in": "path", "required": True, "schema": S},
            {
                "name": name,
                "in": where,
                "required": required,
                "schema": {"type": "string", **schema},
            },
        ]
    )


CASES: list[tuple[str, Doc, Doc, str, str]] = [
    # -- request fields -------------------------------------------------------------------
    ("request field removed", req(a=S, b=S), req(a=S), "field-removed", "breaking"),
    ("request optional field added", req(a=S), req(a=S, b=S), "field-added", "non-breaking"),
    (
        "request required field added",
        minimal_doc(request_props={"a": S}),
        minimal_doc(request_props={"a": S, "b": S}, request_required=["b"]),
        "field-added-required",
        "breaking",
    ),
    (
        "request field became required",
        minimal_doc(request_props={"a": S}),
        minimal_doc(request_props={"a": S}, request_required=["a"]),
        "field-became-required",
        "breaking",
    ),
    (
        "request field became optional",
        minimal_doc(request_props={"a": S}, request_required=["a"]),
        minimal_doc(request_props={"a": S}),
        "field-became-optional",
        "non-breaking",
    ),
    (
        "request type changed",
        req(a={"type": "string"}),
        req(a={"type": "integer"}),
        "type-changed",
        "breaking",
    ),
    (
        "request type widened integer to number",
        req(a={"type": "integer"}),
        req(a={"type": "number"}),
        "type-changed",
        "non-breaking",
    ),
    (
        "request type narrowed number to integer",
        req(a={"type": "number"}),
        req(a={"type": "integer"}),
        "type-changed",
        "breaking",
    ),
    # -- request constraints --------------------------------------------------------------
    ("pattern added", req(a=S), req(a={**S, "pattern": "^[a-z]+$"}), "pattern-added", "breaking"),
    (
        "pattern changed",
        req(a={**S, "pattern": "^[a-z]+$"}),
        req(a={**S, "pattern": "^[a-z0-9]+$"}),
        "pattern-changed",
        "breaking",
    ),
    (
        "pattern removed",
        req(a={**S, "pattern": "^[a-z]+$"}),
        req(a=S),
        "pattern-removed",
        "non-breaking",
    ),
    (
        "maximum lowered",
        req(a={"type": "number", "maximum": 24}),
        req(a={"type": "number", "maximum": 12}),
        "bound-tightened",
        "breaking",
    ),
    (
        "maximum made exclusive",
        req(a={"type": "number", "maximum": 24}),
        req(a={"type": "number", "exclusiveMaximum": 24}),
        "bound-tightened",
        "breaking",
    ),
    (
        "exclusiveMinimum added",
        req(a={"type": "number"}),
        req(a={"type": "number", "exclusiveMinimum": 0}),
        "bound-tightened",
        "breaking",
    ),
    (
        "minimum lowered",
        req(a={"type": "number", "minimum": 1}),
        req(a={"type": "number", "minimum": 0}),
        "bound-relaxed",
        "non-breaking",
    ),
    (
        "maxLength lowered",
        req(a={**S, "maxLength": 255}),
        req(a={**S, "maxLength": 100}),
        "bound-tightened",
        "breaking",
    ),
    ("maxLength added", req(a=S), req(a={**S, "maxLength": 100}), "bound-tightened", "breaking"),
    (
        "minLength raised",
        req(a={**S, "minLength": 1}),
        req(a={**S, "minLength": 3}),
        "bound-tightened",
        "breaking",
    ),
    (
        "maxLength removed",
        req(a={**S, "maxLength": 255}),
        req(a=S),
        "bound-relaxed",
        "non-breaking",
    ),
    (
        "maxItems lowered",
        req(a={"type": "array", "items": S, "maxItems": 100}),
        req(a={"type": "array", "items": S, "maxItems": 10}),
        "bound-tightened",
        "breaking",
    ),
    (
        "minItems added",
        req(a={"type": "array", "items": S}),
        req(a={"type": "array", "items": S, "minItems": 1}),
        "bound-tightened",
        "breaking",
    ),
    (
        "multipleOf coarser",
        req(a={"type": "number", "multipleOf": 0.25}),
        req(a={"type": "number", "multipleOf": 0.5}),
        "multiple-of-changed",
        "breaking",
    ),
    (
        "multipleOf finer",
        req(a={"type": "number", "multipleOf": 0.5}),
        req(a={"type": "number", "multipleOf": 0.25}),
        "multiple-of-changed",
        "non-breaking",
    ),
    (
        "request enum value removed",
        req(a={**S, "enum": ["host", "participant"]}),
        req(a={**S, "enum": ["participant"]}),
        "enum-values-removed",
        "breaking",
    ),
    (
        "request enum value added",
        req(a={**S, "enum": ["host", "participant"]}),
        req(a={**S, "enum": ["host", "participant", "owner"]}),
        "enum-values-added",
        "non-breaking",
    ),
    (
        "request enum introduced",
        req(a=S),
        req(a={**S, "enum": ["x"]}),
        "enum-restriction-added",
        "breaking",
    ),
    (
        "request const added",
        req(a=S),
        req(a={**S, "const": "x"}),
        "enum-restriction-added",
        "breaking",
    ),
    ("format added", req(a=S), req(a={**S, "format": "email"}), "format-added", "breaking"),
    (
        "format removed",
        req(a={**S, "format": "email"}),
        req(a=S),
        "format-removed",
        "non-breaking",
    ),
    (
        "format widened int32 to int64",
        req(a={"type": "integer", "format": "int32"}),
        req(a={"type": "integer", "format": "int64"}),
        "format-changed",
        "non-breaking",
    ),
    (
        "uniqueItems added",
        req(a={"type": "array", "items": S}),
        req(a={"type": "array", "items": S, "uniqueItems": True}),
        "unique-items-added",
        "breaking",
    ),
    (
        "additionalProperties turned false",
        minimal_doc(request_props={"a": S}),
        minimal_doc(request_props={"a": S}, request_extra={"additionalProperties": False}),
        "additional-properties-restricted",
        "breaking",
    ),
    (
        "additionalProperties allowed again",
        minimal_doc(request_props={"a": S}, request_extra={"additionalProperties": False}),
        minimal_doc(request_props={"a": S}),
        "additional-properties-allowed",
        "non-breaking",
    ),
    (
        "dependentRequired added",
        minimal_doc(request_props={"a": S, "b": S}),
        minimal_doc(
            request_props={"a": S, "b": S}, request_extra={"dependentRequired": {"a": ["b"]}}
        ),
        "dependent-required-added",
        "breaking",
    ),
    (
        "dependentRequired removed",
        minimal_doc(
            request_props={"a": S, "b": S}, request_extra={"dependentRequired": {"a": ["b"]}}
        ),
        minimal_doc(request_props={"a": S, "b": S}),
        "dependent-required-removed",
        "non-breaking",
    ),
    (
        "request no longer nullable",
        req(a={"type": ["string", "null"]}),
        req(a=S),
        "nullable-removed",
        "breaking",
    ),
    (
        "request made nullable",
        req(a=S),
        req(a={"type": ["string", "null"]}),
        "nullable-added",
        "non-breaking",
    ),
    (
        "request field became readOnly",
        req(a=S, b=S),
        req(a=S, b={**S, "readOnly": True}),
        "field-removed",
        "breaking",
    ),
    # -- response fields ------------------------------------------------------------------
    ("response field removed", resp(a=S, b=S), resp(a=S), "field-removed", "breaking"),
    ("response field added", resp(a=S), resp(a=S, b=S), "field-added", "non-breaking"),
    (
        "response required field added",
        minimal_doc(response_props={"a": S}),
        minimal_doc(response_props={"a": S, "b": S}, response_required=["b"]),
        "field-added",
        "non-breaking",
    ),
    (
        "response field made nullable (type list)",
        resp(a=S),
        resp(a={"type": ["string", "null"]}),
        "nullable-added",
        "breaking",
    ),
    (
        "response field made nullable (anyOf null)",
        resp(a={"$ref": "#/components/schemas/Name"}),
        resp(a={"anyOf": [{"$ref": "#/components/schemas/Name"}, {"type": "null"}]}),
        "nullable-added",
        "breaking",
    ),
    (
        "response field made nullable (3.0 nullable)",
        resp(a=S),
        resp(a={**S, "nullable": True}),
        "nullable-added",
        "breaking",
    ),
    (
        "response enum value added",
        resp(a={**S, "enum": ["ready", "active"]}),
        resp(a={**S, "enum": ["ready", "active", "archived"]}),
        "enum-values-added",
        "breaking",
    ),
    (
        "response enum value removed",
        resp(a={**S, "enum": ["ready", "active"]}),
        resp(a={**S, "enum": ["ready"]}),
        "enum-values-removed",
        "non-breaking",
    ),
    (
        "response field no longer required",
        minimal_doc(response_props={"a": S}, response_required=["a"]),
        minimal_doc(response_props={"a": S}),
        "field-became-optional",
        "breaking",
    ),
    (
        "response field became required",
        minimal_doc(response_props={"a": S}),
        minimal_doc(response_props={"a": S}, response_required=["a"]),
        "field-became-required",
        "non-breaking",
    ),
    (
        "response type changed",
        resp(a={"type": "integer"}),
        resp(a={"type": "string"}),
        "type-changed",
        "breaking",
    ),
    (
        "response maxLength raised",
        resp(a={**S, "maxLength": 64}),
        resp(a={**S, "maxLength": 128}),
        "bound-relaxed",
        "breaking",
    ),
    (
        "response maxLength lowered",
        resp(a={**S, "maxLength": 128}),
        resp(a={**S, "maxLength": 64}),
        "bound-tightened",
        "non-breaking",
    ),
    (
        "response format removed",
        resp(a={**S, "format": "date"}),
        resp(a=S),
        "format-removed",
        "breaking",
    ),
    (
        "response additionalProperties allowed",
        minimal_doc(response_props={"a": S}, response_extra={"additionalProperties": False}),
        minimal_doc(response_props={"a": S}),
        "additional-properties-allowed",
        "non-breaking",
    ),
    (
        "response field became writeOnly",
        resp(a=S, b=S),
        resp(a=S, b={**S, "writeOnly": True}),
        "field-removed",
        "breaking",
    ),
    # -- operations, parameters, statuses ------------------------------------------------
    (
        "operation removed",
        minimal_doc(),
        {**minimal_doc(), "paths": {}},
        "operation-removed",
        "breaking",
    ),
    (
        "operation added",
        {**minimal_doc(), "paths": {}},
        minimal_doc(),
        "operation-added",
        "non-breaking",
    ),
    (
        "operationId renamed",
        minimal_doc(),
        minimal_doc(operation={"operationId": "edit_item"}),
        "operation-id-changed",
        "breaking",
    ),
    (
        "operation moved to another path",
        minimal_doc(),
        minimal_doc(path="/things/{item_id}"),
        "operation-moved",
        "breaking",
    ),
    (
        "operation deprecated",
        minimal_doc(),
        minimal_doc(operation={"deprecated": True}),
        "operation-deprecated",
        "non-breaking",
    ),
    ("parameter removed", param("q"), minimal_doc(), "parameter-removed", "breaking"),
    ("optional parameter added", minimal_doc(), param("q"), "parameter-added", "non-breaking"),
    (
        "required header added",
        minimal_doc(),
        param("X-Request-Id", "header", required=True),
        "parameter-added-required",
        "breaking",
    ),
    (
        "parameter became required",
        param("q"),
        param("q", required=True),
        "parameter-became-required",
        "breaking",
    ),
    (
        "parameter became optional",
        param("q", required=True),
        param("q"),
        "parameter-became-optional",
        "non-breaking",
    ),
    (
        "parameter constraint tightened",
        param("q", maxLength=255),
        param("q", maxLength=10),
        "bound-tightened",
        "breaking",
    ),
    (
        "path parameter renamed",
        minimal_doc(),
        minimal_doc(
            path="/items/{id}",
            parameters=[{"name": "id", "in": "path", "required": True, "schema": S}],
        ),
        "path-parameter-renamed",
        "breaking",
    ),
    (
        "response status removed",
        minimal_doc(responses={"404": {"description": "Not found."}}),
        minimal_doc(),
        "response-status-removed",
        "breaking",
    ),
    (
        "response status added",
        minimal_doc(),
        minimal_doc(responses={"404": {"description": "Not found."}}),
        "response-status-added",
        "non-breaking",
    ),
    (
        "response header removed",
        minimal_doc(
            responses={"201": {"description": "x", "headers": {"Location": {"schema": S}}}}
        ),
        minimal_doc(responses={"201": {"description": "x"}}),
        "response-header-removed",
        "breaking",
    ),
    (
        "request body became required",
        minimal_doc(operation={"requestBody": {"content": {"application/json": {"schema": S}}}}),
        minimal_doc(
            operation={
                "requestBody": {"required": True, "content": {"application/json": {"schema": S}}}
            }
        ),
        "request-body-became-required",
        "breaking",
    ),
    (
        "response media type removed",
        minimal_doc(
            responses={
                "202": {
                    "description": "x",
                    "content": {"application/json": {"schema": S}, "text/plain": {"schema": S}},
                }
            }
        ),
        minimal_doc(
            responses={"202": {"description": "x", "content": {"application/json": {"schema": S}}}}
        ),
        "media-type-removed",
        "breaking",
    ),
    (
        "server removed",
        {
            **minimal_doc(),
            "servers": [{"url": "https://api.example.com/v1"}, {"url": "https://old.example.com"}],
        },
        minimal_doc(),
        "server-removed",
        "breaking",
    ),
    # -- security -------------------------------------------------------------------------
    (
        "security scheme added as required",
        minimal_doc(security_schemes=BEARER),
        minimal_doc(security=[{"bearer": []}], security_schemes=BEARER),
        "security-added",
        "breaking",
    ),
    (
        "security removed",
        minimal_doc(security=[{"bearer": []}], security_schemes=BEARER),
        minimal_doc(security_schemes=BEARER),
        "security-removed",
        "non-breaking",
    ),
    (
        "security alternative removed",
        minimal_doc(security=[{"bearer": []}, {"key": []}], security_schemes=BEARER | QUERY_KEY),
        minimal_doc(security=[{"bearer": []}], security_schemes=BEARER | QUERY_KEY),
        "security-alternative-removed",
        "breaking",
    ),
    (
        "security alternative added",
        minimal_doc(security=[{"bearer": []}], security_schemes=BEARER | QUERY_KEY),
        minimal_doc(security=[{"bearer": []}, {"key": []}], security_schemes=BEARER | QUERY_KEY),
        "security-alternative-added",
        "non-breaking",
    ),
    (
        "security scheme type changed",
        minimal_doc(security=[{"bearer": []}], security_schemes=BEARER),
        minimal_doc(
            security=[{"bearer": []}],
            security_schemes={"bearer": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        ),
        "security-scheme-changed",
        "breaking",
    ),
    (
        "security scheme renamed, same definition",
        minimal_doc(security=[{"bearer": []}], security_schemes=BEARER),
        minimal_doc(
            security=[{"jwt": []}], security_schemes={"jwt": {"type": "http", "scheme": "bearer"}}
        ),
        "security-scheme-renamed",
        "non-breaking",
    ),
    (
        "security scopes added",
        minimal_doc(security=[{"bearer": []}], security_schemes=BEARER),
        minimal_doc(security=[{"bearer": ["sessions:write"]}], security_schemes=BEARER),
        "security-scopes-added",
        "breaking",
    ),
    # -- rule catalogue -------------------------------------------------------------------
    (
        "x-rules rule removed",
        minimal_doc(operation={"x-rules": [{"id": "a"}, {"id": "b"}]}),
        minimal_doc(operation={"x-rules": [{"id": "a"}]}),
        "rule-removed",
        "non-breaking",
    ),
    (
        "x-rules rule added",
        minimal_doc(operation={"x-rules": [{"id": "a"}]}),
        minimal_doc(operation={"x-rules": [{"id": "a"}, {"id": "b"}]}),
        "rule-added",
        "non-breaking",
    ),
    # -- composition ----------------------------------------------------------------------
    (
        "request oneOf variant removed",
        req(a={"oneOf": [S, {"type": "object", "properties": {"e": S}}]}),
        req(a={"oneOf": [S]}),
        "variant-removed",
        "breaking",
    ),
    (
        "request oneOf variant added",
        req(a={"oneOf": [S]}),
        req(a={"oneOf": [S, {"type": "integer"}]}),
        "variant-added",
        "non-breaking",
    ),
    (
        "response oneOf variant added",
        resp(a={"oneOf": [S]}),
        resp(a={"oneOf": [S, {"type": "integer"}]}),
        "variant-added",
        "breaking",
    ),
    (
        "field removed from an allOf member",
        minimal_doc(
            request_props={},
            request_extra={"allOf": [{"$ref": "#/components/schemas/Base"}]},
            schemas={"Base": {"type": "object", "properties": {"a": S, "b": S}}},
        ),
        minimal_doc(
            request_props={},
            request_extra={"allOf": [{"$ref": "#/components/schemas/Base"}]},
            schemas={"Base": {"type": "object", "properties": {"a": S}}},
        ),
        "field-removed",
        "breaking",
    ),
    (
        "enum value added inside not (request, reversed)",
        req(a={**S, "not": {"enum": ["x"]}}),
        req(a={**S, "not": {"enum": ["x", "y"]}}),
        "enum-values-added",
        "breaking",
    ),
    (
        "unmodelled keyword changed",
        req(a={"type": "object", "patternProperties": {"^x": S}}),
        req(a={"type": "object", "patternProperties": {"^y": S}}),
        "schema-changed",
        "breaking",
    ),
]


def body(required: bool | None = None) -> Doc:
    """A document whose request body is a plain string, optionally marked required."""
    request: dict[str, Any] = {"content": {"application/json": {"schema": S}}}
    if required is not None:
        request["required"] = required
    return minimal_doc(operation={"requestBody": request})


def no_body() -> Doc:
    doc = minimal_doc()
    del doc["paths"]["/items/{item_id}"]["patch"]["requestBody"]
    return doc


def header201(**header: Any) -> Doc:
    """A document with a 201 answer carrying a ``Location`` header (or none)."""
    headers = {"Location": {"schema": S, **header}} if header is not None else {}
    return minimal_doc(responses={"201": {"description": "x", "headers": headers}})


PET = {"type": "object", "properties": {"kind": S}}

MORE_CASES: list[tuple[str, Doc, Doc, str, str]] = [
    ("request body removed", body(True), no_body(), "request-body-removed", "breaking"),
    ("optional request body added", no_body(), body(), "request-body-added", "non-breaking"),
    (
        "required request body added",
        no_body(),
        body(True),
        "request-body-added-required",
        "breaking",
    ),
    (
        "request body became optional",
        body(True),
        body(False),
        "request-body-became-optional",
        "non-breaking",
    ),
    (
        "request media type added",
        body(True),
        minimal_doc(
            operation={
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": S}, "text/plain": {"schema": S}},
                }
            }
        ),
        "media-type-added",
        "non-breaking",
    ),
    (
        "response header added",
        minimal_doc(responses={"201": {"description": "x"}}),
        header201(),
        "response-header-added",
        "non-breaking",
    ),
    (
        "response header no longer required",
        header201(required=True),
        header201(),
        "response-header-became-optional",
        "breaking",
    ),
    (
        "response header now required",
        header201(),
        header201(required=True),
        "response-header-became-required",
        "non-breaking",
    ),
    (
        "parameter serialization changed",
        param("q"),
        minimal_doc(
            parameters=[
                {"name": "item_id", "in": "path", "required": True, "schema": S},
                {"name": "q", "in": "query", "style": "pipeDelimited", "schema": S},
            ]
        ),
        "parameter-style-changed",
        "breaking",
    ),
    (
        "parameter deprecated",
        param("q"),
        minimal_doc(
            parameters=[
                {"name": "item_id", "in": "path", "required": True, "schema": S},
                {"name": "q", "in": "query", "deprecated": True, "schema": S},
            ]
        ),
        "parameter-deprecated",
        "non-breaking",
    ),
    (
        "security scopes removed",
        minimal_doc(security=[{"bearer": ["sessions:write"]}], security_schemes=BEARER),
        minimal_doc(security=[{"bearer": []}], security_schemes=BEARER),
        "security-scopes-removed",
        "non-breaking",
    ),
    (
        "server added",
        minimal_doc(),
        {
            **minimal_doc(),
            "servers": [{"url": "https://api.example.com/v1"}, {"url": "https://eu.example.com"}],
        },
        "server-added",
        "non-breaking",
    ),
    (
        "x-rules rule status changed",
        minimal_doc(operation={"x-rules": [{"id": "a", "status": 422}]}),
        minimal_doc(operation={"x-rules": [{"id": "a", "status": 400}]}),
        "rule-changed",
        "non-breaking",
    ),
    (
        "request enum restriction removed",
        req(a={**S, "enum": ["x"]}),
        req(a=S),
        "enum-restriction-removed",
        "non-breaking",
    ),
    (
        "response enum restriction removed",
        resp(a={**S, "enum": ["x"]}),
        resp(a=S),
        "enum-restriction-removed",
        "breaking",
    ),
    (
        "uniqueItems removed",
        req(a={"type": "array", "items": S, "uniqueItems": True}),
        req(a={"type": "array", "items": S}),
        "unique-items-removed",
        "non-breaking",
    ),
    (
        "request required entry added in an anyOf branch",
        req(a={"type": "object", "anyOf": [{"required": ["x"]}, {"required": ["y"]}]}),
        req(a={"type": "object", "anyOf": [{"required": ["x", "z"]}, {"required": ["y"]}]}),
        "required-entry-added",
        "breaking",
    ),
    (
        "request required entry removed in an anyOf branch",
        req(a={"type": "object", "anyOf": [{"required": ["x", "z"]}, {"required": ["y"]}]}),
        req(a={"type": "object", "anyOf": [{"required": ["x"]}, {"required": ["y"]}]}),
        "required-entry-removed",
        "non-breaking",
    ),
    (
        "request anyOf introduced",
        req(a=S),
        req(a={**S, "anyOf": [{"maxLength": 3}, {"pattern": "^x"}]}),
        "composition-added",
        "breaking",
    ),
    (
        "request anyOf dropped",
        req(a={**S, "anyOf": [{"maxLength": 3}, {"pattern": "^x"}]}),
        req(a=S),
        "composition-removed",
        "non-breaking",
    ),
    (
        "request oneOf became anyOf",
        req(a={"oneOf": [S, {"type": "integer"}]}),
        req(a={"anyOf": [S, {"type": "integer"}]}),
        "composition-changed",
        "non-breaking",
    ),
    ("request not added", req(a=S), req(a={**S, "not": {"const": "x"}}), "not-added", "breaking"),
    (
        "request not removed",
        req(a={**S, "not": {"const": "x"}}),
        req(a=S),
        "not-removed",
        "non-breaking",
    ),
    (
        "unpaired allOf member added",
        req(a={"allOf": [{"anyOf": [S]}, {"anyOf": [S]}]}),
        req(a={"allOf": [{"anyOf": [S]}, {"anyOf": [S]}, {"anyOf": [{"type": "integer"}]}]}),
        "all-of-member-added",
        "breaking",
    ),
    (
        "unpaired allOf member removed",
        req(a={"allOf": [{"anyOf": [S]}, {"anyOf": [S]}, {"anyOf": [{"type": "integer"}]}]}),
        req(a={"allOf": [{"anyOf": [S]}, {"anyOf": [S]}]}),
        "all-of-member-removed",
        "non-breaking",
    ),
    (
        "discriminator property changed",
        resp(pet={"oneOf": [PET], "discriminator": {"propertyName": "kind"}}),
        resp(pet={"oneOf": [PET], "discriminator": {"propertyName": "type"}}),
        "discriminator-changed",
        "breaking",
    ),
    (
        "request default changed",
        req(a={**S, "default": "x"}),
        req(a={**S, "default": "y"}),
        "default-changed",
        "non-breaking",
    ),
    (
        "field deprecated",
        resp(a=S),
        resp(a={**S, "deprecated": True}),
        "field-deprecated",
        "non-breaking",
    ),
]


@pytest.mark.parametrize(
    ("base", "head", "kind", "classification"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES + MORE_CASES],
)
def test_rule(base: Doc, head: Doc, kind: str, classification: str) -> None:
    change = only_change(base, head)
    assert (change.kind, change.classification) == (kind, classification), change
    assert change.reason, "every change says why"


def test_minimal_doc_is_valid_openapi_31() -> None:
    validate(minimal_doc())
    validate(minimal_doc(security=[{"bearer": []}], security_schemes=BEARER))


def test_location_names_method_path_side_field_and_keyword() -> None:
    change = only_change(req(title={**S, "maxLength": 255}), req(title={**S, "maxLength": 100}))
    assert change.location == f"{OP} request body item.title maxLength"
    assert change.side == "request"
    assert "255" in change.reason
    assert "100" in change.reason
    assert "schema ItemEdit" in change.reason


def test_response_enum_value_added_says_why() -> None:
    change = only_change(
        resp(state={**S, "enum": ["ready"]}), resp(state={**S, "enum": ["ready", "new"]})
    )
    assert change.location == f"{OP} response 200 body state enum"
    assert "raise on enum values they do not know" in change.reason


def test_change_in_a_shared_component_is_listed_once_for_all_statuses() -> None:
    error = {"$ref": "#/components/schemas/Error"}
    responses = {
        code: {"description": "x", "content": {"application/json": {"schema": error}}}
        for code in ("400", "404")
    }

    def doc(max_length: int) -> Doc:
        return minimal_doc(
            responses=responses,
            schemas={
                "Error": {"type": "object", "properties": {"code": {**S, "maxLength": max_length}}}
            },
        )

    change = only_change(doc(64), doc(128))
    assert change.location == f"{OP} response 400|404 body code maxLength"


def test_descriptions_examples_and_extensions_are_not_compared() -> None:
    base = req(a={**S, "description": "old", "examples": ["x"], "x-note": 1})
    head = req(a={**S, "description": "new", "examples": ["y"], "x-note": 2})
    head["info"]["description"] = "changed"
    assert changes(base, head) == []


def test_recursive_schema_terminates() -> None:
    node: dict[str, Any] = {
        "type": "object",
        "properties": {"child": {"$ref": "#/components/schemas/Node"}, "v": S},
    }
    base = minimal_doc(
        response_props={"root": {"$ref": "#/components/schemas/Node"}}, schemas={"Node": node}
    )
    head_node = {**node, "properties": {**node["properties"], "v": {"type": "integer"}}}
    head = minimal_doc(
        response_props={"root": {"$ref": "#/components/schemas/Node"}}, schemas={"Node": head_node}
    )
    found = changes(base, head)
    assert [c.kind for c in found] == ["type-changed"]
    assert found[0].location == f"{OP} response 200 body root.v type"


def test_several_changes_are_all_reported_in_walk_order() -> None:
    base = minimal_doc(request_props={"a": S, "b": S}, response_props={"c": S})
    head = minimal_doc(request_props={"a": {**S, "maxLength": 5}}, response_props={"c": S, "d": S})
    assert [(c.kind, c.classification) for c in changes(base, head)] == [
        ("bound-tightened", "breaking"),
        ("field-removed", "breaking"),
        ("field-added", "non-breaking"),
    ]


def test_constraint_that_every_old_enum_value_meets_is_not_breaking() -> None:
    zones = {**S, "enum": ["Hawaii", "Alaska"]}
    change = only_change(req(zone=zones), req(zone={**zones, "maxLength": 64}))
    assert (change.kind, change.classification) == ("bound-tightened", "non-breaking")
    assert "every value the enum allows still satisfies it" in change.reason
    tight = only_change(req(zone=zones), req(zone={**zones, "maxLength": 5}))
    assert (tight.kind, tight.classification) == ("bound-tightened", "breaking")


def test_renamed_model_schema_breaks_the_generated_client() -> None:
    address = {"type": "object", "properties": {"city": S}}

    def doc(name: str) -> Doc:
        return minimal_doc(
            response_props={"address": {"$ref": f"#/components/schemas/{name}"}},
            schemas={name: address},
        )

    change = only_change(doc("Address"), doc("PostalAddress"))
    assert (change.kind, change.classification) == ("model-renamed", "breaking")
    assert change.location == f"{OP} response 200 body address $ref"
    assert "model class Address is now PostalAddress" in change.reason


def test_format_change_names_the_generated_client_type_change() -> None:
    change = only_change(resp(at=S), resp(at={**S, "format": "date-time"}))
    assert (change.kind, change.classification) == ("format-added", "non-breaking")
    assert "changes from str to datetime.datetime" in change.reason


def test_openapi_30_to_31_spelling_is_not_a_change() -> None:
    old = req(
        a={"type": "number", "minimum": 0, "exclusiveMinimum": True, "example": 1},
        b={"type": "string", "nullable": True},
    )
    new = req(
        a={"type": "number", "exclusiveMinimum": 0, "examples": [1]},
        b={"type": ["string", "null"]},
    )
    assert changes(old, new) == []
