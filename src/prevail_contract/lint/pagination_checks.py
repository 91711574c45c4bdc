"""Lint of ``x-pagination``: what the generated client's paging helpers read must resolve and agree.

A list operation's success response may carry ``x-pagination: {page, size, results, pages}``:
the query parameters choosing the page and the page size, the array field holding a page's
items and the dotted path of the field holding the number of pages. The client template
(``openapi/client-templates/endpoint_paging.py.jinja``) walks the list with them: it starts at
the page parameter's ``default``, asks for pages of the results field's ``maxItems`` and stops
at the pages field. These checks say, before generation, which name does not resolve and why,
and that the page size asked for is one the size parameter accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prevail_contract.spec import Spec
from prevail_contract.spec.operations import Operation, json_schema

EXTENSION = "x-pagination"
KEYS = ("page", "size", "results", "pages")


def check_pagination(spec: Spec) -> list[str]:
    """Every problem with an ``x-pagination`` of the spec, one line each (empty: none)."""
    problems: list[str] = []
    for operation in spec.operations:
        paged = [
            (status, response)
            for status, response in operation.responses(spec.deref).items()
            if isinstance(response, Mapping) and EXTENSION in response
        ]
        if len(paged) > 1:
            statuses = ", ".join(status for status, _ in paged)
            problems.append(f"{operation.label}: {EXTENSION} on responses {statuses}; keep one")
        for status, response in paged:
            where = f"{operation.label} response {status} {EXTENSION}"
            problems += [f"{where}: {p}" for p in _problems(spec, operation, status, response)]
    return problems


def _problems(
    spec: Spec, operation: Operation, status: str, response: Mapping[str, Any]
) -> list[str]:
    paging = response[EXTENSION]
    if not isinstance(paging, Mapping) or set(paging) != set(KEYS):
        return [f"must be an object with exactly the keys {', '.join(KEYS)}"]
    if not all(isinstance(paging[k], str) and paging[k] for k in KEYS):
        return [f"each of {', '.join(KEYS)} must be a non-empty name"]
    problems: list[str] = []
    if not status.startswith("2"):
        problems.append(f"sits on response {status}, not on a success response")
    if operation.node.get("requestBody"):
        problems.append("the operation takes a request body; a list to walk is a read")
    query = _query_parameters(spec, operation)
    page, size = query.get(paging["page"]), query.get(paging["size"])
    for key, found in (("page", page), ("size", size)):
        if found is None:
            known = ", ".join(sorted(query)) or "none"
            problems.append(
                f"{key}: no query parameter {paging[key]!r} (query parameters: {known})"
            )
        elif found.get("type") != "integer":
            problems.append(f"{key}: parameter {paging[key]!r} is not an integer")
    if page is not None and not _is_int(page.get("default")):
        problems.append(
            f"page: parameter {paging['page']!r} needs an integer default (the first page)"
        )
    elif page is not None and page.get("minimum") != page.get("default"):
        problems.append(
            f"page: parameter {paging['page']!r} has default {page.get('default')} but minimum "
            f"{page.get('minimum')}; the walk starts at the default, which must be the first page"
        )
    schema = spec.deref(json_schema(response) or {})
    results = _required_field(spec, schema, paging["results"])
    if isinstance(results, str):
        problems.append(f"results: {results}")
    elif results.get("type") != "array" or not _is_int(results.get("maxItems")):
        problems.append(f"results: field {paging['results']!r} must be an array with maxItems")
    elif "$ref" not in (results.get("items") or {}):
        problems.append(
            f"results: the items of {paging['results']!r} must be a named schema ($ref)"
        )
    elif size is not None and results["maxItems"] != size.get("maximum"):
        problems.append(
            f"size: pages are asked for with {paging['results']!r}'s maxItems "
            f"({results['maxItems']}), but parameter {paging['size']!r} has maximum "
            f"{size.get('maximum')}; make them equal"
        )
    node: Any = schema
    for step in paging["pages"].split("."):
        node = _required_field(spec, node, step)
        if isinstance(node, str):
            problems.append(f"pages: {node} (in {paging['pages']!r})")
            break
    else:
        if node.get("type") != "integer":
            problems.append(f"pages: field {paging['pages']!r} is not an integer")
    return problems


def _query_parameters(spec: Spec, operation: Operation) -> dict[str, Mapping[str, Any]]:
    """The schemas of the operation's query parameters (path item ones too), by name."""
    found: dict[str, Mapping[str, Any]] = {}
    for raw in [
        *(operation.path_item.get("parameters") or []),
        *(operation.node.get("parameters") or []),
    ]:
        parameter = spec.deref(raw)
        if isinstance(parameter, Mapping) and parameter.get("in") == "query":
            schema = spec.deref(parameter.get("schema") or {})
            found[str(parameter.get("name"))] = schema if isinstance(schema, Mapping) else {}
    return found


def _required_field(spec: Spec, schema: Any, name: str) -> Mapping[str, Any] | str:
    """The schema of required field ``name`` of an object schema, or why there is none."""
    if not isinstance(schema, Mapping):
        return f"cannot look up {name!r}: not an object schema"
    properties = schema.get("properties") or {}
    if name not in properties:
        return f"no field {name!r} (fields: {', '.join(sorted(properties)) or 'none'})"
    if name not in (schema.get("required") or []):
        return f"field {name!r} must be required"
    field = spec.deref(properties[name])
    return field if isinstance(field, Mapping) else f"field {name!r} has no schema"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
