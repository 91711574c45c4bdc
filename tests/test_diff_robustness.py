"""The gate never crashes on a malformed or oddly edited spec: it compares what it can."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from prevail_contract.diff import DiffReport, compare_documents, render
from prevail_contract.spec import load_spec
from tests.plugins.diff import minimal_doc

DOCUMENT = load_spec().document


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


PATHS = list(_paths(DOCUMENT))
ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    3.5,
    "x",
    [],
    {},
    ["a"],
    {"type": "null"},
    {"type": ["string", "null"]},
    {"$ref": "#/nowhere"},
    {"$ref": "#/components/schemas/Session"},
    {"allOf": [{}, {"type": "integer"}]},
    {"not": {}},
]

edits = st.lists(
    st.tuples(st.sampled_from(PATHS), st.booleans(), st.sampled_from(ODD_VALUES)),
    min_size=1,
    max_size=4,
)


def _apply(document: dict[str, Any], edit: list[tuple[tuple[Any, ...], bool, Any]]) -> None:
    for path, delete, value in edit:
        parent: Any = document
        try:
            for part in path[:-1]:
                parent = parent[part]
            if delete and isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this path


@settings(max_examples=150, deadline=None, derandomize=True)
@given(edit=edits)
def test_any_edit_is_compared_without_crashing(
    edit: list[tuple[tuple[Any, ...], bool, Any]],
) -> None:
    head = copy.deepcopy(DOCUMENT)
    _apply(head, edit)
    for base, new in ((DOCUMENT, head), (head, DOCUMENT)):
        changes = compare_documents(base, new)
        for change in changes:
            assert change.kind
            assert change.location
            assert change.reason
        report = DiffReport("base", "head", "1.0.0", "1.0.0", changes)
        assert render(report, "markdown")


def test_schema_shared_along_many_paths_stays_fast_and_bounded() -> None:
    depth = 25  # 2**25 paths lead to the last schema
    schemas: dict[str, Any] = {}
    for index in range(depth):
        child = {"$ref": f"#/components/schemas/S{index + 1}"} if index + 1 < depth else {}
        schemas[f"S{index}"] = {"type": "object", "properties": {"a": child, "b": child}}
    base = minimal_doc(
        response_props={"root": {"$ref": "#/components/schemas/S0"}}, schemas=schemas
    )
    head = copy.deepcopy(base)
    assert compare_documents(base, head) == []
    head["components"]["schemas"]["S20"]["properties"]["c"] = {"type": "string"}
    changes = compare_documents(base, head)
    assert {c.kind for c in changes} == {"field-added"}
    assert 1 <= len(changes) <= 32
