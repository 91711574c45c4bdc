"""Diff rules for composition: ``oneOf``/``anyOf`` variants paired (by ``$ref`` name, then type,
then position), ``not`` judged in reverse, unpaired ``allOf`` members."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from prevail_contract.diff.context import Ctx, Doc, SchemaWalk
from prevail_contract.diff.normalize import show_types, types_of


class CompositionRules(SchemaWalk):
    """The composition rules, as a mixin of the schema walker."""

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


def _variant_key(doc: Doc, node: Any) -> tuple[str | None, str]:
    resolved, name = doc.deref(node)
    kind = "?"
    if isinstance(resolved, dict):
        types = types_of(resolved)
        kind = show_types(types) if types is not None else str(resolved.get("title", "?"))
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
