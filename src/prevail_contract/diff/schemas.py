"""Compare two JSON Schemas (OpenAPI 3.0/3.1 flavour) and classify each difference by side.

Part of the diff gate (the kinds are listed in :mod:`prevail_contract.diff.kinds`). A request
schema must not narrow, a response schema must not widen. This module follows refs, bounds the
walk and dispatches to the rule mixins: :mod:`.constraints`, :mod:`.objects` and
:mod:`.composition`, on schemas brought into one form by :mod:`.normalize`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from prevail_contract.diff.composition import CompositionRules
from prevail_contract.diff.constraints import ConstraintRules
from prevail_contract.diff.context import Ctx
from prevail_contract.diff.normalize import ANNOTATIONS, NULL_MARK, normalize
from prevail_contract.diff.objects import ObjectRules

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
    NULL_MARK,
}


#: The open enum of the spec: known values listed, any value allowed.
OPEN_ENUM = "x-extensible-enum"

#: How many places one changed shared schema is reported at (bounds the output when a
#: schema is reachable along many paths).
_MAX_LOCATIONS = 32


class SchemaRules(ConstraintRules, ObjectRules, CompositionRules):
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
            self._schema(normalize(old, self.base), normalize(new, self.head), ctx)
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
        self._open_enum(old, new, ctx)
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

    def _open_enum(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        """The known values of an open enum (``x-extensible-enum``): the type still allows any
        value, so only a request's removed value can break (the API no longer promises it)."""
        before, after = _open_values(old), _open_values(new)
        removed = [v for k, v in before.items() if k not in after]
        added = [v for k, v in after.items() if k not in before]
        if removed:
            self.directional(
                ctx,
                OPEN_ENUM,
                "open-enum-values-removed",
                f"known value(s) {_shown(removed)} no longer listed",
            )
        if added:
            self.directional(
                ctx, OPEN_ENUM, "open-enum-values-added", f"known value(s) {_shown(added)} added"
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
        for key in sorted((set(old) | set(new)) - _HANDLED - ANNOTATIONS):
            if key.startswith("x-") or old.get(key) == new.get(key):
                continue
            self.directional(
                ctx,
                key,
                "schema-changed",
                f"{key} changed (direction not worked out, so treated as breaking)",
            )


def _open_values(schema: dict[str, Any]) -> dict[str, Any]:
    raw = schema.get(OPEN_ENUM)
    values = raw if isinstance(raw, list) else []
    return {json.dumps(v, sort_keys=True): v for v in values}


def _shown(values: list[Any]) -> str:
    shown = [json.dumps(v) for v in values]
    return ", ".join(shown[:8]) + (f" and {len(shown) - 8} more" if len(shown) > 8 else "")


def _makes_class(schema: dict[str, Any]) -> bool:
    """Whether the client generator turns this named schema into a class (model or enum)."""
    return bool(
        schema.get("properties")
        or schema.get("type") == "object"
        or "enum" in schema
        or "allOf" in schema
    )
