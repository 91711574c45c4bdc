"""Every schema node a request body or a successful answer reaches, with the field it constrains.

The provenance of a constraint (documented by Prevail or assumed by this contract) is marked on
the schema node that holds it; lint, the docs page and the documented-only reading of the
contract all walk the same nodes, in the same order, through this module.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from prevail_contract.spec.model import Spec
from prevail_contract.spec.operations import json_schema

Side = Literal["request", "response"]
#: The node's list of the keywords whose constraint is this contract's assumption.
MARKER = "x-assumed-keywords"
#: Keywords whose value is one subschema, and those whose value is a list of them.
_ONE = ("items", "not")
_MANY = ("allOf", "anyOf", "oneOf")


@dataclass(frozen=True)
class SchemaNode:
    """One schema node reached from an operation's request body or 2xx answer."""

    #: Where the node lives in the document, e.g. ``components/schemas/InviteEmail/allOf/0``.
    where: str
    node: Mapping[str, Any]
    side: Side
    #: The field the node constrains, dotted, ``[]`` for an array's items (``(body)``: the root),
    #: with the variant named for a branch of ``oneOf``/``anyOf`` (``invites[] (InviteEmail)``).
    field: str
    #: operationId of the operation it was first reached from.
    operation: str


def schema_nodes(spec: Spec, side: Side | None = None) -> Iterator[SchemaNode]:
    """Each node once, operation by operation: the request body first, then the 2xx answers."""
    seen: set[int] = set()
    for op in spec.operations:
        roots: list[tuple[Side, Any, str]] = []
        request = spec.deref(op.node.get("requestBody") or {})
        if isinstance(request, Mapping) and request:
            roots.append(("request", json_schema(request), f"{op.label} request body"))
        for status, response in op.responses(spec.deref).items():
            if status.startswith("2"):
                roots.append(("response", json_schema(response), f"{op.label} {status} answer"))
        for which, schema, where in roots:
            if schema is None or (side is not None and which != side):
                continue
            yield from _visit(spec, schema, where, "(body)", which, op.operation_id, seen)


def _visit(
    spec: Spec, raw: Any, where: str, field: str, side: Side, operation: str, seen: set[int]
) -> Iterator[SchemaNode]:
    ref = raw.get("$ref") if isinstance(raw, Mapping) else None
    if isinstance(ref, str):
        where = ref.removeprefix("#/")
    node = spec.deref(raw)
    if not isinstance(node, Mapping) or id(node) in seen:
        return
    seen.add(id(node))
    yield SchemaNode(where, node, side, field, operation)
    for key in ("properties", "patternProperties"):
        for name, child in (node.get(key) or {}).items():
            inner = str(name) if field == "(body)" else f"{field}.{name}"
            yield from _visit(spec, child, f"{where}/{key}/{name}", inner, side, operation, seen)
    extra = node.get("additionalProperties")
    if isinstance(extra, Mapping):
        yield from _visit(spec, extra, f"{where}/additionalProperties", f"{field}.*", side,
                          operation, seen)  # fmt: skip
    for key in _ONE:
        if isinstance(node.get(key), Mapping):
            inner = f"{field}[]" if key == "items" else field
            yield from _visit(spec, node[key], f"{where}/{key}", inner, side, operation, seen)
    for key in _MANY:
        for index, part in enumerate(node.get(key) or ()):
            inner = field if key == "allOf" else f"{field} ({_variant(part, index)})"
            yield from _visit(spec, part, f"{where}/{key}/{index}", inner, side, operation, seen)


def _variant(part: Any, index: int) -> str:
    """A branch's name: the schema it refers to, else its title, else its position."""
    ref = part.get("$ref") if isinstance(part, Mapping) else None
    if isinstance(ref, str):
        return ref.rsplit("/", 1)[-1]
    title = part.get("title") if isinstance(part, Mapping) else None
    return str(title) if title else f"variant {index + 1}"


def assumed_keywords(node: Mapping[str, Any]) -> frozenset[str]:
    """The keywords a node marks as assumed (none when it has no marker)."""
    marker = node.get(MARKER)
    return frozenset(str(k) for k in marker) if isinstance(marker, list) else frozenset()
