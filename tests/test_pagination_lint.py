"""``lint`` checks the ``x-pagination`` that the client's paging helpers are generated from."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from prevail_contract.lint.pagination_checks import check_pagination
from prevail_contract.spec import Spec

Doc = dict[str, Any]
WHERE = "GET /sessions response 200 x-pagination: "


def _paging(document: Doc) -> dict[str, Any]:
    paging: dict[str, Any] = document["paths"]["/sessions"]["get"]["responses"]["200"][
        "x-pagination"
    ]
    return paging


def _schemas(document: Doc) -> dict[str, Any]:
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


def _set(document: Doc, key: str, value: Any) -> None:
    _paging(document)[key] = value


def test_the_spec_paging_is_consistent(spec: Spec) -> None:
    assert check_pagination(spec) == []


CASES: dict[str, tuple[Callable[[Doc], None], str]] = {
    "unknown size parameter": (
        lambda d: _set(d, "size", "per_page"),
        "size: no query parameter 'per_page' (query parameters: end_time, items, page, start_time)",
    ),
    "page size the parameter refuses": (
        lambda d: _schemas(d)["ListSessionsResponse"]["properties"]["sessions"].update(
            maxItems=150
        ),
        "size: pages are asked for with 'sessions''s maxItems (150), but parameter 'items' "
        "has maximum 100; make them equal",
    ),
    "optional pages field": (
        lambda d: _schemas(d)["Pagy"]["required"].remove("pages"),
        "pages: field 'pages' must be required (in 'pagy.pages')",
    ),
    "missing pages field": (
        lambda d: _set(d, "pages", "pagy.last"),
        "pages: no field 'last' (fields: count, items, page, pages) (in 'pagy.last')",
    ),
    "results not an array": (
        lambda d: _set(d, "results", "pagy"),
        "results: field 'pagy' must be an array with maxItems",
    ),
    "first page is not the default": (
        lambda d: d["components"]["parameters"]["Page"]["schema"].update(default=2),
        "page: parameter 'page' has default 2 but minimum 1; the walk starts at the default, "
        "which must be the first page",
    ),
    "page without a default": (
        lambda d: d["components"]["parameters"]["Page"]["schema"].pop("default"),
        "page: parameter 'page' needs an integer default (the first page)",
    ),
    "unknown key": (
        lambda d: _set(d, "cursor", "next"),
        "must be an object with exactly the keys page, size, results, pages",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_x_pagination_is_named(spec: Spec, case: str) -> None:
    mutate, message = CASES[case]
    document = copy.deepcopy(spec.document)
    mutate(document)
    assert check_pagination(Spec(document)) == [WHERE + message]


def test_a_second_paged_response_and_a_paged_refusal_are_named(spec: Spec) -> None:
    document = copy.deepcopy(spec.document)
    refusal = document["components"]["responses"]["Unauthorized"]
    refusal["x-pagination"] = dict(_paging(document))
    problems = check_pagination(Spec(document))
    assert "GET /sessions: x-pagination on responses 200, 401; keep one" in problems
    assert "GET /sessions response 401 x-pagination: sits on response 401, not on a success " in (
        "\n".join(problems)
    )
