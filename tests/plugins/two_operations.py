"""One more operation besides the spec's own, ``GET /session_pages``, with its parameters,
responses and x-rules, so that lint, the examples check and diff are tried on several."""

from __future__ import annotations

from typing import Any

LIST_PATH = "/session_pages"
ITEMS = "#/components/parameters/PageSize"


def _ref(section: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{section}/{name}"}


def add_list_operation(doc: dict[str, Any]) -> None:
    """Add ``GET /session_pages`` (operationId ``list_session_pages``) and what it refers to."""
    components = doc["components"]
    components["parameters"]["PageSize"] = {
        "name": "items",
        "in": "query",
        "required": False,
        "description": "Sessions a page (assumed).",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
    }
    components["schemas"]["SessionPage"] = {
        "type": "object",
        "description": "One page of the caller's Sessions.",
        "required": ["sessions"],
        "additionalProperties": False,
        "properties": {
            "sessions": {"type": "array", "maxItems": 100, "items": _ref("schemas", "Session")},
        },
        "x-rules": ["pages-scoped"],
    }
    session = components["examples"]["EditResponseDocumented"]["value"]["sessions"][0]
    components["examples"].update(
        {
            "PagesResponsePage": {"summary": "One page", "value": {"sessions": [session]}},
            "PagesWithoutToken": {
                "summary": "A list call without a token",
                "x-request-setup": {"token": "none"},
            },
            "PagesTooManyItems": {
                "summary": "More Sessions a page than allowed",
                "x-request-setup": {"query": {"items": 101}, "expect-schema": "invalid"},
            },
            "ErrorPagesItems": {
                "summary": "Page size out of range",
                "value": {
                    "code": "validation_failed",
                    "messages": "The request has 1 invalid parameter.",
                    "details": [{"field": "items", "message": "Must be at most 100."}],
                },
            },
        }
    )
    doc["paths"][LIST_PATH] = {
        "get": {
            "operationId": "list_session_pages",
            # its modules: tests/plugins/operations/{mock,suite}/list_session_pages.py
            "x-operation": {"role": "pages", "nature": "read", "live": "free"},
            "tags": ["sessions"],
            "summary": "List Sessions",
            "description": "The caller's Sessions, a page at a time.",
            "parameters": [_ref("parameters", "PageSize")],
            "responses": {
                "200": {
                    "description": "A page of Sessions.",
                    "content": {
                        "application/json": {
                            "schema": _ref("schemas", "SessionPage"),
                            "examples": {"page": _ref("examples", "PagesResponsePage")},
                        }
                    },
                },
                "401": _ref("responses", "Unauthorized"),
                "422": {
                    "description": "A query parameter is out of range (assumed status and code).",
                    "content": {"application/json": {"schema": _ref("schemas", "Error")}},
                },
            },
            "x-rules": [
                {
                    "id": "pages-auth-required",
                    "source": "documented",
                    "kind": "rejection",
                    "statement": "Listing needs the same signed JWT as an edit.",
                    "status": 401,
                    "code": "unauthorized",
                    "examples": {
                        "request": _ref("examples", "PagesWithoutToken"),
                        "response": _ref("examples", "ErrorUnauthorized"),
                    },
                },
                {
                    "id": "pages-items-limit",
                    "source": "assumed",
                    "kind": "rejection",
                    "statement": "A page holds 1 to 100 Sessions.",
                    "status": 422,
                    "code": "validation_failed",
                    "x-limits": [
                        {"schema": f"{ITEMS}/schema", "keyword": "minimum"},
                        {"schema": f"{ITEMS}/schema", "keyword": "maximum"},
                    ],
                    "examples": {
                        "request": _ref("examples", "PagesTooManyItems"),
                        "response": _ref("examples", "ErrorPagesItems"),
                    },
                },
                {
                    "id": "pages-scoped",
                    "source": "assumed",
                    "kind": "behaviour",
                    "statement": "A list shows only the caller's Organization's Sessions.",
                    "status": 200,
                    "examples": {"response": _ref("examples", "PagesResponsePage")},
                },
            ],
        }
    }


def list_rule(doc: dict[str, Any], rule_id: str) -> dict[str, Any]:
    """The GET operation's rule entry ``rule_id`` (to change it in place)."""
    rule: dict[str, Any] = next(
        r for r in doc["paths"][LIST_PATH]["get"]["x-rules"] if r["id"] == rule_id
    )
    return rule
