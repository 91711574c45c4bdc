"""Compare two JSON Schemas (OpenAPI 3.0/3.1 flavour) and classify each difference by side.

Part of the diff gate; the rules are listed in :mod:`prevail_contract.diff.compare`. A
request schema must not narrow, a response schema must not widen; ``allOf`` is merged,
``oneOf``/``anyOf`` variants are paired, a null variant counts as nullability, and ``not`` is
judged in reverse.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from fractions import Fraction
from typing import Any

import jsonschema

from prevail_contract.diff.context import Ctx, Doc, Recorder

_NULL_MARK = "x-diff-nullable"

#: Keywords that only describe: never compared.
_ANNOTATIONS = {
    "description",
    "title",
    "summary",
    "example",
    "examples",
    "externalDocs",
    "$comment",
    "xml",
    "$id",
    "$schema",
    "$anchor",
    "$defs",
    "definitions",
}
#: Keywords this module compares itself (with a direction).
_HANDLED = {
    "type",
    "nullable",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "enum",
    "const",
    "format",
    "pattern",
    "multipleOf",
    "uniqueItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "readOnly",
    "writeOnly",
    "default",
    "deprecated",
    "discriminator",
    "$ref",
    _NULL_MARK,
}
#: How many places one changed shared schema is reported at (bounds the output when a
#: schema is reachable along many paths).
_MAX_LOCATIONS = 32
_WIDENING_FORMATS = {("int32", "int64"), ("float", "double")}


# -- schema normalisation ----------------------------------------------------------------


def _types(schema: dict[str, Any]) -> set[str] | None:
    """The declared types, without ``null``; ``None`` when any type is allowed."""
    raw = schema.get("type")
    if not isinstance(raw, str | list):
        return None
    listed = {raw} if isinstance(raw, str) else {str(t) for t in raw}
    listed.discard("null")
    return listed


def _nullable(schema: dict[str, Any]) -> bool:
    raw = schema.get("type")
    listed = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    enum = schema.get("enum")
    return bool(
        "null" in listed
        or schema.get("nullable") is True
        or schema.get(_NULL_MARK)
        or (isinstance(enum, list) and None in enum)
        or ("const" in schema and schema["const"] is None)
    )


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and (
        schema.get("type") == "null" or schema.get("type") == ["null"] or schema == {"const": None}
    )


_TIGHTEST_MAX = ("maximum", "maxLength", "maxItems", "maxProperties")
_TIGHTEST_MIN = ("minimum", "minLength", "minItems", "minProperties")


def _merge_into(target: dict[str, Any], member: dict[str, Any], residual: list[Any]) -> None:
    """Merge one flattened ``allOf`` member into ``target`` (both describe the same value)."""
    leftover: dict[str, Any] = {}
    for key, value in member.items():
        if key in _ANNOTATIONS:
            continue
        if key not in target:
            target[key] = copy.copy(value) if isinstance(value, dict | list) else value
        elif target[key] == value:
            continue
        elif key == "properties":
            merged = dict(target[key])
            for name, sub in value.items():
                merged[name] = sub if name not in merged else {"allOf": [merged[name], sub]}
            target[key] = merged
        elif key == "required":
            target[key] = list(dict.fromkeys([*target[key], *value]))
        elif key == "type":
            mine, theirs = _types(target), _types(member)
            if mine is not None and theirs is not None:
                target[key] = sorted(mine & theirs) or sorted(mine)
        elif key in _TIGHTEST_MAX and _is_number(value) and _is_number(target[key]):
            target[key] = min(target[key], value)
        elif key in _TIGHTEST_MIN and _is_number(value) and _is_number(target[key]):
            target[key] = max(target[key], value)
        elif key == "enum" and isinstance(value, list):
            target[key] = [v for v in target[key] if v in value]
        else:
            leftover[key] = value
    if leftover:
        residual.append(leftover)


_NUMBERS = ("minimum", "maximum", "multipleOf")
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")
_OBJECTS = ("properties", "dependentRequired", "discriminator", "patternProperties")
_LISTS = ("required", "enum", "allOf", "anyOf", "oneOf")


def _well_typed(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy without keywords whose value has the wrong JSON type, so that a malformed
    schema is compared by its well-formed parts instead of crashing the gate (``lint``
    reports the malformed parts)."""
    out = dict(schema)
    for key, value in schema.items():
        number = isinstance(value, int | float) and not isinstance(value, bool)
        bad = (
            (key in _NUMBERS and not number)
            or (key == "multipleOf" and number and value <= 0)
            or (key in _COUNTS and not (number and float(value).is_integer()))
            or (key in ("exclusiveMinimum", "exclusiveMaximum") and not (number or value is True))
            or (key in _OBJECTS and not isinstance(value, dict))
            or (key in _LISTS and not isinstance(value, list))
            or (key in ("pattern", "format") and not isinstance(value, str))
            or (
                key in ("items", "not", "additionalProperties")
                and not isinstance(value, dict | bool)
            )
            or (
                key == "type"
                and not (
                    isinstance(value, str)
                    or (isinstance(value, list) and all(isinstance(t, str) for t in value))
                )
            )
        )
        if bad:
            del out[key]
    if isinstance(out.get("required"), list):
        out["required"] = [r for r in out["required"] if isinstance(r, str)]
    if isinstance(out.get("dependentRequired"), dict):
        out["dependentRequired"] = {
            k: [x for x in v if isinstance(x, str)]
            for k, v in out["dependentRequired"].items()
            if isinstance(v, list)
        }
    return out


#: String formats the client generator turns into another Python type.
_CLIENT_TYPES = {
    "date": "datetime.date",
    "date-time": "datetime.datetime",
    "uuid": "UUID",
    "binary": "File",
}


def _client_type_note(schema: dict[str, Any], before: Any, after: Any) -> str:
    """Say so when a format change changes the generated client's Python type."""
    if _types(schema) not in (None, {"string"}):
        return ""
    was = _CLIENT_TYPES.get(str(before), "str")
    now = _CLIENT_TYPES.get(str(after), "str")
    if was == now:
        return ""
    return f" (the generated client's type for it changes from {was} to {now})"


def _makes_class(schema: dict[str, Any]) -> bool:
    """Whether the client generator turns this named schema into a class (model or enum)."""
    return bool(
        schema.get("properties")
        or schema.get("type") == "object"
        or "enum" in schema
        or "allOf" in schema
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class SchemaRules(Recorder):
    """The schema rules, as a mixin of the document walker."""

    def schema(self, old_raw: Any, new_raw: Any, ctx: Ctx) -> None:
        """Compare two schema nodes (refs followed) at ``ctx``."""
        old, old_name = self.base.deref(old_raw)
        new, new_name = self.head.deref(new_raw)
        if new_name or old_name:
            ctx = replace(ctx, component=new_name or old_name)
        if isinstance(old, bool) or isinstance(new, bool):
            old = {} if old is True else ({"not": {}} if old is False else old)
            new = {} if new is True else ({"not": {}} if new is False else new)
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        if old_name and new_name and old_name != new_name:
            self._model_renamed(old_name, old, new_name, new, ctx)
        key = (id(old), id(new), ctx.side, ctx.inverted)
        if key in self._stack or key in self._unchanged:
            return  # recursive (compared further up) or already known to be equal
        self._visits[key] = self._visits.get(key, 0) + 1
        if self._visits[key] > _MAX_LOCATIONS:
            return  # the same change is already listed at enough places
        self._stack.add(key)
        before = len(self.changes)
        try:
            self._schema(self._normalize(old, self.base), self._normalize(new, self.head), ctx)
        finally:
            self._stack.discard(key)
        if len(self.changes) == before:
            # Shared schemas are compared once per use so that each change gets its own
            # location; a pair that showed no change is not walked again.
            self._unchanged.add(key)

    def _model_renamed(
        self, old_name: str, old: dict[str, Any], new_name: str, new: dict[str, Any], ctx: Ctx
    ) -> None:
        """A named object or enum schema swapped for another name renames a client class."""
        if not (_makes_class(old) or _makes_class(new)):
            return
        seen = (old_name, new_name, ctx.side)
        if seen in self._renames:
            return
        self._renames.add(seen)
        self.fixed(
            replace(ctx, component=None),
            "$ref",
            "model-renamed",
            f"schema {old_name} replaced by {new_name}: the generated client's model class "
            f"{old_name} is now {new_name}, so code that imports or builds it breaks (the wire "
            "format is judged separately)",
        )

    def _normalize(self, schema: dict[str, Any], doc: Doc) -> dict[str, Any]:
        """Merge ``allOf`` members and turn a ``null`` variant into a nullability mark."""
        out = _well_typed(schema)
        if isinstance(out.get("allOf"), list):
            members = out.pop("allOf")
            residual: list[Any] = []
            for member in members:
                node, _ = doc.deref(member)
                if isinstance(node, dict):
                    _merge_into(out, self._normalize(node, doc), residual)
                else:
                    residual.append(member)
            if residual:
                out["allOf"] = residual
        for key in ("anyOf", "oneOf"):
            variants = out.get(key)
            if not isinstance(variants, list):
                continue
            resolved = [doc.deref(v)[0] for v in variants]
            if not any(_is_null_schema(v) for v in resolved):
                continue
            kept = [v for v, r in zip(variants, resolved, strict=True) if not _is_null_schema(r)]
            out[_NULL_MARK] = True
            if len(kept) == 1:
                del out[key]
                node, _ = doc.deref(kept[0])
                if isinstance(node, dict):
                    _merge_into(out, self._normalize(node, doc), [])
            else:
                out[key] = kept
        return out

    def _schema(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        if old.get("$ref") != new.get("$ref") and ("$ref" in old or "$ref" in new):
            self.directional(
                ctx,
                "$ref",
                "schema-changed",
                f"unresolved $ref changed from {old.get('$ref') or 'an inline schema'} to "
                f"{new.get('$ref') or 'an inline schema'}",
            )
        if self._access(old, new, ctx):
            return
        if self._type(old, new, ctx):
            return  # disjoint types: the other keywords no longer describe the same value
        self._nullability(old, new, ctx)
        self._enum(old, new, ctx)
        self._format(old, new, ctx)
        self._pattern(old, new, ctx)
        self._bounds(old, new, ctx)
        self._multiple_of(old, new, ctx)
        self._unique_items(old, new, ctx)
        self._properties(old, new, ctx)
        self._additional_properties(old, new, ctx)
        self._dependent_required(old, new, ctx)
        if "items" in old or "items" in new:
            self.schema(old.get("items", {}), new.get("items", {}), ctx.at("[]"))
        self._compositions(old, new, ctx)
        self._discriminator(old, new, ctx)
        self._informational(old, new, ctx)
        self._unmodelled(old, new, ctx)

    def _access(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> bool:
        """A field that became readOnly (request) or writeOnly (response) is gone there."""
        hidden = "readOnly" if ctx.side == "request" else "writeOnly"
        if new.get(hidden) and not old.get(hidden) and ctx.path:
            self.fixed(
                ctx,
                hidden,
                "field-removed",
                f"field {ctx.path} became {hidden}, so it is gone from {ctx.side}s: clients "
                "that use it break",
            )
            return True
        return False

    def _type(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> bool:
        before, after = _types(old), _types(new)
        if before == after:
            return False
        narrows, widens = _type_direction(before, after)
        self.directional(
            ctx,
            "type",
            "type-changed",
            f"type changed from {_show_types(before)} to {_show_types(after)}",
            narrows=narrows,
            widens=widens,
        )
        return before is not None and after is not None and not _overlap(before, after)

    def _nullability(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        was, now = _nullable(old), _nullable(new)
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

    def _properties(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        old_props: dict[str, Any] = old.get("properties") or {}
        new_props: dict[str, Any] = new.get("properties") or {}
        old_required = set(old.get("required") or [])
        new_required = set(new.get("required") or [])
        hidden = "readOnly" if ctx.side == "request" else "writeOnly"

        def visible(doc: Doc, node: Any) -> bool:
            resolved, _ = doc.deref(node)
            return not (isinstance(resolved, dict) and resolved.get(hidden))

        old_visible = {n: s for n, s in old_props.items() if visible(self.base, s)}
        hidden_in_old = set(old_props) - set(old_visible)
        for name, schema in old_visible.items():
            field = ctx.at(name)
            if name not in new_props:
                self.fixed(
                    field,
                    None,
                    "field-removed",
                    f"field {field.path} removed: "
                    + (
                        "clients that send it are refused or ignored, and the generated model "
                        "loses it"
                        if ctx.side == "request"
                        else "clients that read it get nothing"
                    ),
                )
                continue
            if name in new_required and name not in old_required:
                self.directional(
                    field,
                    "required",
                    "field-became-required",
                    f"field {field.path} is now required",
                )
            elif name in old_required and name not in new_required:
                self.directional(
                    field,
                    "required",
                    "field-became-optional",
                    f"field {field.path} is no longer required",
                    note="clients may now get responses without it",
                )
            self.schema(schema, new_props[name], field)
        for name, schema in new_props.items():
            if name in old_visible or not visible(self.head, schema):
                continue
            field = ctx.at(name)
            if name in hidden_in_old:
                self.fixed(
                    field,
                    None,
                    "field-added",
                    f"field {field.path} is now part of {ctx.side}s (no longer {hidden})",
                )
            elif ctx.side == "request" and name in new_required and not ctx.inverted:
                self.fixed(
                    field,
                    None,
                    "field-added-required",
                    f"new required field {field.path}: requests without it are refused",
                )
            else:
                self.fixed(
                    field,
                    None,
                    "field-added",
                    f"new {'optional ' if ctx.side == 'request' else ''}field {field.path}"
                    + (
                        ": clients must already ignore fields they do not know"
                        if ctx.side == "response"
                        else ": existing requests stay valid"
                    ),
                )
        known = set(old_props) | set(new_props)
        for name in sorted(new_required - old_required - known):
            self.directional(
                ctx,
                "required",
                "required-entry-added",
                f"{name} is now required",
            )
        for name in sorted(old_required - new_required - known):
            self.directional(
                ctx,
                "required",
                "required-entry-removed",
                f"{name} is no longer required",
            )

    def _additional_properties(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        before, after = old.get("additionalProperties"), new.get("additionalProperties")
        if before == after:
            return
        open_before = before is None or before is True or before == {}
        open_after = after is None or after is True or after == {}
        if open_before and open_after:
            return
        if after is False:
            self.directional(
                ctx,
                "additionalProperties",
                "additional-properties-restricted",
                "additionalProperties turned false: fields the schema does not list are refused",
            )
        elif before is False:
            self.directional(
                ctx,
                "additionalProperties",
                "additional-properties-allowed",
                "additionalProperties no longer false: unlisted fields are allowed",
            )
        elif open_before:
            self.directional(
                ctx,
                "additionalProperties",
                "additional-properties-restricted",
                "additionalProperties now constrained by a schema",
            )
        elif open_after:
            self.directional(
                ctx,
                "additionalProperties",
                "additional-properties-allowed",
                "additionalProperties no longer constrained",
            )
        else:
            self.schema(before, after, ctx.at("*"))

    def _dependent_required(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        before = old.get("dependentRequired") or {}
        after = new.get("dependentRequired") or {}
        for name in sorted(set(before) | set(after)):
            was, now = set(before.get(name, [])), set(after.get(name, []))
            if now - was:
                self.directional(
                    ctx,
                    f"dependentRequired {name}",
                    "dependent-required-added",
                    f"when {name} is present, {', '.join(sorted(now - was))} must now be too",
                )
            if was - now:
                self.directional(
                    ctx,
                    f"dependentRequired {name}",
                    "dependent-required-removed",
                    f"when {name} is present, {', '.join(sorted(was - now))} no longer must be",
                )

    def _compositions(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        old_key = "oneOf" if "oneOf" in old else "anyOf" if "anyOf" in old else None
        new_key = "oneOf" if "oneOf" in new else "anyOf" if "anyOf" in new else None
        if old_key and new_key:
            if old_key != new_key:
                self.directional(
                    ctx,
                    new_key,
                    "composition-changed",
                    f"{old_key} changed to {new_key}",
                    narrows=new_key == "oneOf",
                    widens=new_key == "anyOf",
                )
            self._variants(old[old_key], new[new_key], ctx, new_key)
        elif old_key:
            self.directional(
                ctx,
                old_key,
                "composition-removed",
                f"{old_key} removed",
            )
        elif new_key:
            self.directional(
                ctx,
                new_key,
                "composition-added",
                f"{new_key} added",
            )
        if "not" in old and "not" in new:
            self.schema(old["not"], new["not"], replace(ctx.at("not"), inverted=not ctx.inverted))
        elif "not" in old:
            self.directional(
                ctx,
                "not",
                "not-removed",
                "`not` removed",
            )
        elif "not" in new:
            self.directional(
                ctx,
                "not",
                "not-added",
                "`not` added",
            )
        old_all, new_all = old.get("allOf") or [], new.get("allOf") or []
        for index in range(max(len(old_all), len(new_all))):
            if index >= len(new_all):
                self.directional(
                    ctx,
                    "allOf",
                    "all-of-member-removed",
                    f"allOf member {index} removed",
                )
            elif index >= len(old_all):
                self.directional(
                    ctx,
                    "allOf",
                    "all-of-member-added",
                    f"allOf member {index} added",
                )
            else:
                self.schema(old_all[index], new_all[index], ctx.at(f"allOf[{index}]"))

    def _variants(self, old: list[Any], new: list[Any], ctx: Ctx, keyword: str) -> None:
        pairs, removed, added = _pair_variants(self.base, old, self.head, new)
        for i in removed:
            self.directional(
                ctx,
                keyword,
                "variant-removed",
                f"{keyword} variant {_variant_label(self.base, old[i], i)} removed",
            )
        for j in added:
            self.directional(
                ctx,
                keyword,
                "variant-added",
                f"{keyword} variant {_variant_label(self.head, new[j], j)} added",
                note="responses may take a shape old clients do not parse",
            )
        for i, j in pairs:
            label = _variant_label(self.head, new[j], j)
            self.schema(old[i], new[j], ctx.at(f"{keyword}[{label}]"))

    def _discriminator(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        before, after = old.get("discriminator") or {}, new.get("discriminator") or {}
        if before == after or not before:
            return
        changed = [
            key
            for key in ("propertyName", "mapping")
            if before.get(key) != after.get(key)
            and not (
                key == "mapping"
                and set((before.get(key) or {}).items()) <= set((after.get(key) or {}).items())
                and ctx.side == "request"
            )
        ]
        if changed:
            self.fixed(
                ctx,
                "discriminator",
                "discriminator-changed",
                f"discriminator {' and '.join(changed)} changed: payloads are told apart "
                "differently",
            )

    def _informational(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        if "default" in old and "default" in new and old["default"] != new["default"]:
            self.fixed(
                ctx,
                "default",
                "default-changed",
                f"default changed from {old['default']!r} to {new['default']!r} "
                "(informational: clients that rely on the default see other behaviour)",
            )
        if new.get("deprecated") and not old.get("deprecated"):
            self.fixed(
                ctx,
                "deprecated",
                "field-deprecated",
                "marked deprecated (informational)",
            )

    def _unmodelled(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        for key in sorted((set(old) | set(new)) - _HANDLED - _ANNOTATIONS):
            if key.startswith("x-") or old.get(key) == new.get(key):
                continue
            self.directional(
                ctx,
                key,
                "schema-changed",
                f"{key} changed (direction not worked out, so treated as breaking)",
            )


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


def _show_types(types: set[str] | None) -> str:
    return "any" if types is None else "/".join(sorted(types))


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
    if exclusive is True and _is_number(plain):
        return (plain, True)
    candidates: list[tuple[float, bool]] = []
    if _is_number(plain):
        candidates.append((plain, False))
    if _is_number(exclusive):
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


def _variant_key(doc: Doc, node: Any) -> tuple[str | None, str]:
    resolved, name = doc.deref(node)
    kind = "?"
    if isinstance(resolved, dict):
        types = _types(resolved)
        kind = _show_types(types) if types is not None else str(resolved.get("title", "?"))
    return name, kind


def _variant_label(doc: Doc, node: Any, index: int) -> str:
    name, kind = _variant_key(doc, node)
    return name or (kind if kind not in ("?", "any") else str(index))


def _pair_variants(
    base: Doc, old: list[Any], head: Doc, new: list[Any]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair oneOf/anyOf variants by component name, then by type, then by position."""
    old_keys = [_variant_key(base, v) for v in old]
    new_keys = [_variant_key(head, v) for v in new]
    left, right = list(range(len(old))), list(range(len(new)))
    pairs: list[tuple[int, int]] = []

    def take(match: Any) -> None:
        for i in list(left):
            candidates = [j for j in right if match(old_keys[i], new_keys[j])]
            if len(candidates) >= 1:
                pairs.append((i, candidates[0]))
                left.remove(i)
                right.remove(candidates[0])

    take(lambda a, b: a[0] is not None and a[0] == b[0])
    take(lambda a, b: a[0] is None and b[0] is None and a[1] == b[1] and a[1] not in ("?", "any"))
    take(lambda a, b: a[1] == b[1] and a[1] not in ("?", "any"))
    for i, j in zip(list(left), list(right), strict=False):
        pairs.append((i, j))
        left.remove(i)
        right.remove(j)
    return sorted(pairs), left, right
