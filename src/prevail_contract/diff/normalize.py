"""Bring a schema into the one form the diff rules compare: well-typed keywords, ``allOf``
merged, a ``null`` variant turned into a nullability mark.

Hand-written because no installed library normalises OpenAPI 3.0/3.1 schemas for comparison;
the merge keeps the tightest bound of each member, which is all the diff rules need.
"""

from __future__ import annotations

import copy
from typing import Any

from prevail_contract.diff.context import Doc

NULL_MARK = "x-diff-nullable"


#: Keywords that only describe: never compared.
ANNOTATIONS = {
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


def types_of(schema: dict[str, Any]) -> set[str] | None:
    """The declared types, without ``null``; ``None`` when any type is allowed."""
    raw = schema.get("type")
    if not isinstance(raw, str | list):
        return None
    listed = {raw} if isinstance(raw, str) else {str(t) for t in raw}
    listed.discard("null")
    return listed


def nullable(schema: dict[str, Any]) -> bool:
    raw = schema.get("type")
    listed = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    enum = schema.get("enum")
    return bool(
        "null" in listed
        or schema.get("nullable") is True
        or schema.get(NULL_MARK)
        or (isinstance(enum, list) and None in enum)
        or ("const" in schema and schema["const"] is None)
    )


def show_types(types: set[str] | None) -> str:
    """Types for a reason text: ``integer/string``, or ``any``."""
    return "any" if types is None else "/".join(sorted(types))


def is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and (
        schema.get("type") == "null" or schema.get("type") == ["null"] or schema == {"const": None}
    )


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TIGHTEST_MAX = ("maximum", "maxLength", "maxItems", "maxProperties")


_TIGHTEST_MIN = ("minimum", "minLength", "minItems", "minProperties")


def _merge_into(target: dict[str, Any], member: dict[str, Any], residual: list[Any]) -> None:
    """Merge one flattened ``allOf`` member into ``target`` (both describe the same value)."""
    leftover: dict[str, Any] = {}
    for key, value in member.items():
        if key in ANNOTATIONS:
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
            mine, theirs = types_of(target), types_of(member)
            if mine is not None and theirs is not None:
                target[key] = sorted(mine & theirs) or sorted(mine)
        elif key in _TIGHTEST_MAX and is_number(value) and is_number(target[key]):
            target[key] = min(target[key], value)
        elif key in _TIGHTEST_MIN and is_number(value) and is_number(target[key]):
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


def well_typed(schema: dict[str, Any]) -> dict[str, Any]:
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


def normalize(schema: dict[str, Any], doc: Doc) -> dict[str, Any]:
    """Merge ``allOf`` members and turn a ``null`` variant into a nullability mark."""
    out = well_typed(schema)
    if isinstance(out.get("allOf"), list):
        members = out.pop("allOf")
        residual: list[Any] = []
        for member in members:
            node, _ = doc.deref(member)
            if isinstance(node, dict):
                _merge_into(out, normalize(node, doc), residual)
            else:
                residual.append(member)
        if residual:
            out["allOf"] = residual
    for key in ("anyOf", "oneOf"):
        variants = out.get(key)
        if not isinstance(variants, list):
            continue
        resolved = [doc.deref(v)[0] for v in variants]
        if not any(is_null_schema(v) for v in resolved):
            continue
        kept = [v for v, r in zip(variants, resolved, strict=True) if not is_null_schema(r)]
        out[NULL_MARK] = True
        if len(kept) == 1:
            del out[key]
            node, _ = doc.deref(kept[0])
            if isinstance(node, dict):
                _merge_into(out, normalize(node, doc), [])
        else:
            out[key] = kept
    return out
