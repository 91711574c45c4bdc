"""Diff rules for the constraints on one value: type, nullability, enum, format, pattern, bounds,
multipleOf and uniqueItems, each judged by whether it narrows or widens what is valid."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import jsonschema

from prevail_contract.diff.context import Ctx, SchemaWalk
from prevail_contract.diff.normalize import is_number, nullable, show_types, types_of

_WIDENING_FORMATS = {("int32", "int64"), ("float", "double")}


#: String formats the client generator turns into another Python type.
_CLIENT_TYPES = {
    "date": "datetime.date",
    "date-time": "datetime.datetime",
    "uuid": "UUID",
    "binary": "File",
}


class ConstraintRules(SchemaWalk):
    """The constraint rules, as a mixin of the schema walker."""

    def _type(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> bool:
        before, after = types_of(old), types_of(new)
        if before == after:
            return False
        narrows, widens = _type_direction(before, after)
        self.directional(
            ctx,
            "type",
            "type-changed",
            f"type changed from {show_types(before)} to {show_types(after)}",
            narrows=narrows,
            widens=widens,
        )
        return before is not None and after is not None and not _overlap(before, after)

    def _nullability(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        was, now = nullable(old), nullable(new)
        if now and not was:
            self.directional(
                ctx,
                "nullable",
                "nullable-added",
                "now nullable",
                note="responses may now hold null where old clients expect a value",
            )
        elif was and not now:
            self.directional(
                ctx,
                "nullable",
                "nullable-removed",
                "no longer nullable",
            )

    def _enum(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        before, after = _enum_values(old), _enum_values(new)
        if before == after:
            return
        keyword = "enum" if "enum" in new or "enum" in old else "const"
        if before is None:
            assert after is not None
            self.directional(
                ctx,
                keyword,
                "enum-restriction-added",
                f"now restricted to {_show_values(after.values())}",
            )
            return
        if after is None:
            self.directional(
                ctx,
                keyword,
                "enum-restriction-removed",
                f"no longer restricted to {_show_values(before.values())}",
                note="responses may hold values old generated clients do not know",
            )
            return
        removed = [v for k, v in before.items() if k not in after]
        added = [v for k, v in after.items() if k not in before]
        if removed:
            self.directional(
                ctx,
                keyword,
                "enum-values-removed",
                f"enum value(s) {_show_values(removed)} removed",
            )
        if added:
            self.directional(
                ctx,
                keyword,
                "enum-values-added",
                f"enum value(s) {_show_values(added)} added",
                note="old generated clients raise on enum values they do not know",
            )

    def _format(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        before, after = old.get("format"), new.get("format")
        if before == after:
            return
        if before is None:
            self.directional(
                ctx,
                "format",
                "format-added",
                f"format {after} added{_client_type_note(old, before, after)}",
                fits=_enum_fits(old, {"format": after}),
            )
        elif after is None:
            self.directional(
                ctx,
                "format",
                "format-removed",
                f"format {before} removed{_client_type_note(old, before, after)}",
                note="clients that parse the value as a " + str(before) + " may fail",
            )
        else:
            widening = (before, after) in _WIDENING_FORMATS
            narrowing = (after, before) in _WIDENING_FORMATS
            self.directional(
                ctx,
                "format",
                "format-changed",
                f"format changed from {before} to {after}" + _client_type_note(old, before, after),
                narrows=not widening,
                widens=not narrowing,
                fits=_enum_fits(old, {"format": after}),
            )

    def _pattern(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        before, after = old.get("pattern"), new.get("pattern")
        if before == after:
            return
        if before is None:
            self.directional(
                ctx,
                "pattern",
                "pattern-added",
                f"pattern {after} added",
                fits=_enum_fits(old, {"pattern": after}),
            )
        elif after is None:
            self.directional(
                ctx,
                "pattern",
                "pattern-removed",
                f"pattern {before} removed",
            )
        else:
            self.directional(
                ctx,
                "pattern",
                "pattern-changed",
                f"pattern changed from {before} to {after}",
                fits=_enum_fits(old, {"pattern": after}),
            )

    def _bounds(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        for upper, lower in (("maximum", "minimum"),):
            self._numeric_bound(old, new, ctx, upper, upper=True)
            self._numeric_bound(old, new, ctx, lower, upper=False)
        for keyword in ("maxLength", "maxItems", "maxProperties"):
            self._count_bound(old, new, ctx, keyword, upper=True)
        for keyword in ("minLength", "minItems", "minProperties"):
            self._count_bound(old, new, ctx, keyword, upper=False)

    def _numeric_bound(
        self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx, keyword: str, *, upper: bool
    ) -> None:
        before, after = _bound(old, keyword, upper=upper), _bound(new, keyword, upper=upper)
        if before == after:
            return
        exclusive = "exclusiveMaximum" if upper else "exclusiveMinimum"
        shown = exclusive if exclusive in new or (after is None and exclusive in old) else keyword
        if after is None:
            tighter = False
        elif before is None:
            tighter = True
        else:
            value_tighter = after[0] < before[0] if upper else after[0] > before[0]
            tighter = value_tighter or (after[0] == before[0] and after[1] and not before[1])
        self.directional(
            ctx,
            shown,
            "bound-tightened" if tighter else "bound-relaxed",
            f"{'upper' if upper else 'lower'} bound changed from {_show_bound(before, upper)} "
            f"to {_show_bound(after, upper)}",
            fits=_enum_fits(old, {k: new[k] for k in (keyword, exclusive) if k in new}),
        )

    def _count_bound(
        self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx, keyword: str, *, upper: bool
    ) -> None:
        default = None if upper else 0
        before, after = old.get(keyword, default), new.get(keyword, default)
        if before == after:
            return
        if upper:
            tighter = before is None or (after is not None and after < before)
        else:
            tighter = bool(after is not None and before is not None and after > before)
        if before is None:
            what = f"{keyword} {after} added"
        elif after is None:
            what = f"{keyword} {before} removed"
        else:
            what = f"{keyword} changed from {before} to {after}"
        self.directional(
            ctx,
            keyword,
            "bound-tightened" if tighter else "bound-relaxed",
            what,
            fits=after is not None and _enum_fits(old, {keyword: after}),
        )

    def _multiple_of(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        before, after = old.get("multipleOf"), new.get("multipleOf")
        if before == after:
            return
        if before is None:
            narrows, widens = True, False
        elif after is None:
            narrows, widens = False, True
        else:
            ratio = Fraction(str(before)) / Fraction(str(after))
            widens = ratio.denominator == 1  # every old multiple is still a multiple
            narrows = (1 / ratio).denominator == 1 and not widens
            if not widens and not narrows:
                narrows = widens = True
        self.directional(
            ctx,
            "multipleOf",
            "multiple-of-changed",
            f"multipleOf changed from {before} to {after}",
            narrows=narrows,
            widens=widens,
            fits=after is not None and _enum_fits(old, {"multipleOf": after}),
        )

    def _unique_items(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        before, after = bool(old.get("uniqueItems")), bool(new.get("uniqueItems"))
        if after and not before:
            self.directional(
                ctx,
                "uniqueItems",
                "unique-items-added",
                "items must now be unique",
            )
        elif before and not after:
            self.directional(
                ctx,
                "uniqueItems",
                "unique-items-removed",
                "items no longer need to be unique",
            )


def _client_type_note(schema: dict[str, Any], before: Any, after: Any) -> str:
    """Say so when a format change changes the generated client's Python type."""
    if types_of(schema) not in (None, {"string"}):
        return ""
    was = _CLIENT_TYPES.get(str(before), "str")
    now = _CLIENT_TYPES.get(str(after), "str")
    if was == now:
        return ""
    return f" (the generated client's type for it changes from {was} to {now})"


def _type_direction(before: set[str] | None, after: set[str] | None) -> tuple[bool, bool]:
    """(narrows, widens) for a change of the allowed types; integer is inside number."""
    if before is None:
        return True, False
    if after is None:
        return False, True

    def covers(types: set[str], kind: str) -> bool:
        return kind in types or (kind == "integer" and "number" in types)

    narrows = any(not covers(after, t) for t in before)
    widens = any(not covers(before, t) for t in after)
    return narrows, widens


def _overlap(before: set[str], after: set[str]) -> bool:
    numeric = {"integer", "number"}
    return bool(before & after) or bool(before & numeric and after & numeric)


def _enum_values(schema: dict[str, Any]) -> dict[str, Any] | None:
    if isinstance(schema.get("enum"), list):
        values = [v for v in schema["enum"] if v is not None]
    elif "const" in schema and schema["const"] is not None:
        values = [schema["const"]]
    else:
        return None
    return {json.dumps(v, sort_keys=True): v for v in values}


def _enum_fits(old: dict[str, Any], constraint: dict[str, Any]) -> bool:
    """Whether every value the old schema's enum/const allows passes ``constraint``."""
    values = _enum_values(old)
    if not values or not constraint:
        return False
    validator = jsonschema.Draft202012Validator(
        constraint, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return all(validator.is_valid(value) for value in values.values())


def _show_values(values: Any) -> str:
    shown = [json.dumps(v) for v in values]
    return ", ".join(shown[:8]) + (f" and {len(shown) - 8} more" if len(shown) > 8 else "")


def _bound(schema: dict[str, Any], keyword: str, *, upper: bool) -> tuple[float, bool] | None:
    """The effective (value, exclusive) bound, from 3.1 numeric or 3.0 boolean exclusives."""
    exclusive_key = "exclusiveMaximum" if upper else "exclusiveMinimum"
    plain: Any = schema.get(keyword)
    exclusive: Any = schema.get(exclusive_key)
    if exclusive is True and is_number(plain):
        return (plain, True)
    candidates: list[tuple[float, bool]] = []
    if is_number(plain):
        candidates.append((plain, False))
    if is_number(exclusive):
        candidates.append((exclusive, True))
    if not candidates:
        return None
    if upper:
        return min(candidates, key=lambda c: (c[0], not c[1]))
    return max(candidates, key=lambda c: (c[0], c[1]))


def _show_bound(bound: tuple[float, bool] | None, upper: bool) -> str:
    if bound is None:
        return "none"
    sign = ("<" if bound[1] else "<=") if upper else (">" if bound[1] else ">=")
    return f"{sign} {bound[0]}"
