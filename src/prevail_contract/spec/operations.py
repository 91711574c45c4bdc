"""One operation of an OpenAPI document, and the walk that finds every operation under ``paths``.

The loaded :class:`~prevail_contract.spec.Spec`, the lint checks and the diff walker all see
operations through this one class. The walk takes the caller's ``$ref`` resolution, because
the spec is strict about refs while the diff reads old documents that may not resolve.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The HTTP methods an OpenAPI path item may hold operations under.
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

#: Follows a node's ``$ref`` chain and returns the node it ends at.
Deref = Callable[[Any], Any]


@dataclass(frozen=True)
class Operation:
    """One operation: where it is, its node, its path item and the ids of the rules on it.

    ``rules`` are the ids of its ``x-rules`` entries in order: those it declares and those,
    written as plain ids, that another operation declares and that apply here too (filled in
    by :class:`~prevail_contract.spec.Spec`; empty when the walk is all that ran).
    """

    #: The ``operationId``, or ``"patch /path"`` when the document gives none.
    operation_id: str
    path: str
    method: str
    node: Mapping[str, Any]
    rules: tuple[str, ...] = ()
    #: The path item holding it (its ``parameters`` apply to the operation too).
    path_item: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``GET /sessions``, as reports and messages name the operation."""
        return f"{self.method.upper()} {self.path}"

    @property
    def key(self) -> tuple[str, str]:
        """(method, path with parameter names blanked): renaming ``{id}`` keeps the key."""
        return (self.method, re.sub(r"\{[^}]+\}", "{}", self.path))

    @property
    def declared_id(self) -> str | None:
        """The ``operationId`` the document gives, or ``None``."""
        value = self.node.get("operationId")
        return str(value) if value else None

    @property
    def entries(self) -> list[Mapping[str, Any]]:
        """The ``x-rules`` entries that are objects (rules declared here in full)."""
        raw = self.node.get("x-rules")
        return [e for e in raw if isinstance(e, Mapping)] if isinstance(raw, list) else []

    def responses(self, deref: Deref) -> dict[str, Mapping[str, Any]]:
        """The responses by status text, refs followed with ``deref``."""
        raw = self.node.get("responses")
        if not isinstance(raw, Mapping):
            return {}
        return {str(status): deref(node) for status, node in raw.items()}

    def request_schema(self, deref: Deref) -> Any:
        """The JSON request body's schema, or ``None`` when the operation takes no body."""
        return json_schema(deref(self.node.get("requestBody") or {}))


def walk_operations(document: Mapping[str, Any], deref: Deref) -> Iterator[Operation]:
    """Every operation under ``paths``, in document order; malformed parts are passed over."""
    paths = document.get("paths")
    if not isinstance(paths, Mapping):
        return
    for path, raw_item in paths.items():
        item = deref(raw_item)
        if not isinstance(item, Mapping):
            continue
        for method in HTTP_METHODS:
            node = item.get(method)
            if isinstance(node, Mapping):
                op_id = str(node.get("operationId") or f"{method} {path}")
                yield Operation(op_id, str(path), method, node, path_item=item)


def json_schema(holder: Any) -> Any:
    """The ``application/json`` schema of a request body or response, or ``None``."""
    if not isinstance(holder, Mapping):
        return None
    content = holder.get("content")
    media = content.get("application/json") if isinstance(content, Mapping) else None
    return media.get("schema") if isinstance(media, Mapping) else None
