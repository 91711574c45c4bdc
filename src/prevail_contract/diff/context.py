"""The diff walk's shared parts: documents with ``$ref`` resolution, where the walk is, and
how a classified change is recorded (each kind's verdict comes from :mod:`.kinds`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from prevail_contract.diff.kinds import BY_SIDE, Kind, kind
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

    def emit(self, kind_name: str, side: Side, location: str, reason: str) -> None:
        """Record a change of a kind whose verdict is fixed (the registry gives it)."""
        rule = kind(kind_name)
        self.changes.append(
            Change(kind_name, side, location, rule.classification, reason, rule.informational)
        )

    def directional(
        self,
        ctx: Ctx,
        keyword: str | None,
        kind_name: str,
        what: str,
        *,
        narrows: bool | None = None,
        widens: bool | None = None,
        note: str = "",
        fits: bool = False,
    ) -> None:
        """Emit a change whose verdict depends on the side: narrowing requests and widening
        responses break clients. The registry gives the direction unless it ``varies``, when
        the caller works it out. ``fits``: every value the old ``enum`` allowed still passes
        the new constraint, so it does not narrow in practice."""
        rule = kind(kind_name)
        if rule.verdict != BY_SIDE:
            raise ValueError(f"diff kind {kind_name} has a fixed verdict: emit it with emit()")
        narrows, widens = _direction(rule, narrows, widens)
        response_widening_ok = rule.response_widening_ok
        if fits and narrows and not ctx.inverted:
            narrows = False
            what += " (every value the enum allows still satisfies it)"
        if ctx.inverted:
            narrows, widens = widens, narrows
        if not narrows and not widens:
            where = f" (schema {ctx.component})" if ctx.component else ""
            self._record(
                kind_name,
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
        self._record(
            kind_name,
            ctx.side,
            ctx.location(keyword),
            BREAKING if breaking else NON_BREAKING,
            f"{what}{where}: {effect}{extra}",
        )

    def fixed(self, ctx: Ctx, keyword: str | None, kind_name: str, reason: str) -> None:
        """Emit a change whose verdict is the same on either side (e.g. a field removed)."""
        where = f" (schema {ctx.component})" if ctx.component else ""
        self.emit(kind_name, ctx.side, ctx.location(keyword), f"{reason}{where}")

    def _record(
        self, kind_name: str, side: Side, location: str, verdict: Classification, reason: str
    ) -> None:
        informational = kind(kind_name).informational
        self.changes.append(Change(kind_name, side, location, verdict, reason, informational))


def _direction(rule: Kind, narrows: bool | None, widens: bool | None) -> tuple[bool, bool]:
    """(narrows, widens) from the registry, or from the caller for a kind whose direction varies."""
    fixed = {"narrows": (True, False), "widens": (False, True), "both": (True, True)}
    if rule.direction == "varies":
        if narrows is None or widens is None:
            raise ValueError(f"diff kind {rule.name} varies: say whether it narrows and widens")
        return narrows, widens
    if narrows is not None or widens is not None or rule.direction not in fixed:
        raise ValueError(f"diff kind {rule.name}'s direction comes from the registry")
    return fixed[rule.direction]


# -- helpers -----------------------------------------------------------------------------


class SchemaWalk(Recorder):
    """A recorder that compares schemas: what the schema rule mixins build on."""

    def schema(self, old_raw: Any, new_raw: Any, ctx: Ctx) -> None:
        """Compare two schema nodes at ``ctx`` (implemented by the schema walker)."""
        raise NotImplementedError
