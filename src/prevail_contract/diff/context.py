"""The diff walk's shared parts: documents with ``$ref`` resolution, where the walk is, and
how a classified change is recorded (the direction rules live in :mod:`.compare`'s docstring).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Literal

from prevail_contract.diff.model import BREAKING, NON_BREAKING, Change, Classification, Side

SCHEMA_PREFIX = "#/components/schemas/"


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (malformed parts are skipped)."""
    return value if isinstance(value, dict) else {}


def arr(value: Any) -> list[Any]:
    """``value`` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


class Doc:
    """One OpenAPI document with ``$ref`` resolution."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, ref: str) -> Any:
        node: Any = self.document
        for raw in ref[2:].split("/") if ref != "#" else []:
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return None
        return node

    def deref(self, node: Any) -> tuple[Any, str | None]:
        """Follow local ``$ref`` chains; return the node and the last schema component name.

        An external or dangling ref is returned as is, so that it is compared by its text.
        """
        name: str | None = None
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#") or ref in seen:
                return node, name
            seen.add(ref)
            target = self.resolve(ref)
            if target is None:
                return node, name
            if ref.startswith(SCHEMA_PREFIX):
                name = ref[len(SCHEMA_PREFIX) :]
            node = target
        return node, name


# -- walking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ctx:
    """Where the walk is and how a difference there is judged."""

    side: Literal["request", "response"]
    #: ``PATCH /x request body``, ``PATCH /x parameter query q``, ...
    where: str
    #: Field path inside the schema, e.g. ``remote_session.invites[]``.
    path: str = ""
    #: Inside an odd number of ``not``: narrowing and widening swap.
    inverted: bool = False
    #: The last named schema component passed through, for the reason text.
    component: str | None = None

    def at(self, segment: str) -> Ctx:
        if segment.startswith("["):
            return replace(self, path=self.path + segment)
        return replace(self, path=f"{self.path}.{segment}" if self.path else segment)

    def location(self, keyword: str | None = None) -> str:
        return " ".join(part for part in (self.where, self.path, keyword) if part)


class Recorder:
    """Holds both documents and collects the changes the rules emit."""

    def __init__(self, base: dict[str, Any], head: dict[str, Any]) -> None:
        self.base = Doc(base)
        self.head = Doc(head)
        self.changes: list[Change] = []
        self._stack: set[tuple[int, int, str, bool]] = set()
        self._unchanged: set[tuple[int, int, str, bool]] = set()
        self._visits: dict[tuple[int, int, str, bool], int] = {}
        #: (old name, new name, side) of component renames already reported.
        self._renames: set[tuple[str, str, str]] = set()

    def emit(
        self,
        kind: str,
        side: Side,
        location: str,
        classification: Classification,
        reason: str,
    ) -> None:
        self.changes.append(Change(kind, side, location, classification, reason))

    def directional(
        self,
        ctx: Ctx,
        keyword: str | None,
        kind: str,
        what: str,
        *,
        narrows: bool,
        widens: bool,
        response_widening_ok: bool = False,
        note: str = "",
        fits: bool = False,
    ) -> None:
        """Emit a change whose verdict depends on the side: narrowing requests and widening
        responses break clients. ``fits``: every value the old ``enum`` allowed still passes
        the new constraint, so it does not narrow in practice."""
        if fits and narrows and not ctx.inverted:
            narrows = False
            what += " (every value the enum allows still satisfies it)"
        if ctx.inverted:
            narrows, widens = widens, narrows
        if not narrows and not widens:
            where = f" (schema {ctx.component})" if ctx.component else ""
            self.emit(
                kind,
                ctx.side,
                ctx.location(keyword),
                NON_BREAKING,
                f"{what}{where}: no value changes from valid to invalid",
            )
            return
        if ctx.side == "request":
            breaking = narrows
            effect = (
                "requests that were valid may now be refused"
                if narrows
                else "the API accepts more than before"
            )
        else:
            breaking = widens and not response_widening_ok
            if widens and response_widening_ok:
                effect = "clients must already ignore what they do not know"
            elif widens:
                effect = note or "responses may now hold values old clients were not promised"
            else:
                effect = "responses stay within what clients already handle"
        extra = " (inside `not`, so the effect is reversed)" if ctx.inverted else ""
        where = f" (schema {ctx.component})" if ctx.component else ""
        self.emit(
            kind,
            ctx.side,
            ctx.location(keyword),
            BREAKING if breaking else NON_BREAKING,
            f"{what}{where}: {effect}{extra}",
        )

    def fixed(
        self,
        ctx: Ctx,
        keyword: str | None,
        kind: str,
        classification: Classification,
        reason: str,
    ) -> None:
        """Emit a change whose verdict is the same on either side (e.g. a field removed)."""
        where = f" (schema {ctx.component})" if ctx.component else ""
        self.emit(kind, ctx.side, ctx.location(keyword), classification, f"{reason}{where}")


# -- helpers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One operation of a document: its path template, method, path item and operation."""

    path: str
    method: str
    path_item: dict[str, Any]
    op: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        """(method, path with parameter names blanked): renaming ``{id}`` keeps the key."""
        return (self.method, re.sub(r"\{[^}]+\}", "{}", self.path))

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def op_id(self) -> str | None:
        value = self.op.get("operationId")
        return str(value) if value else None
