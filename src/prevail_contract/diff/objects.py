"""Diff rules for object schemas: fields added, removed, made required or optional, hidden by
readOnly/writeOnly, additionalProperties, dependentRequired and the discriminator."""

from __future__ import annotations

from typing import Any

from prevail_contract.diff.context import Ctx, Doc, SchemaWalk


class ObjectRules(SchemaWalk):
    """The object rules, as a mixin of the schema walker."""

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
