"""The explaining validator's keywords, bounded so that a huge body costs a few errors' work.

jsonschema checks ``items`` one element at a time even when the array is already longer than
``maxItems`` allows, and writes the whole instance into the messages of ``maxItems`` and
``additionalProperties``: half a million numbers in ``invites`` cost a minute. Here an array
over its ``maxItems`` is refused for its length alone (its elements are not looked at: the
verdict is the same, the body is refused), and those messages name sizes and a few names
instead of the value. The fast validator (jsonschema-rs) never needs this: it stops at the
first failure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema
from jsonschema.protocols import Validator

#: Unexpected member names written into one ``additionalProperties`` message.
NAMES_SHOWN = 5


def _items(base: Any) -> Any:
    def items(
        validator: Validator, items: Any, instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[jsonschema.ValidationError]:
        limit = schema.get("maxItems")
        if isinstance(instance, list) and isinstance(limit, int) and len(instance) > limit:
            return  # refused by maxItems already; its elements are not worth a look
        yield from base(validator, items, instance, schema)

    return items


def _max_items(
    validator: Validator, limit: int, instance: Any, schema: Mapping[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if validator.is_type(instance, "array") and len(instance) > limit:
        yield jsonschema.ValidationError(f"has {len(instance)} items, more than {limit}")


def _additional_properties(base: Any) -> Any:
    def additional(
        validator: Validator, allowed: Any, instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[jsonschema.ValidationError]:
        if allowed is not False or not validator.is_type(instance, "object"):
            yield from base(validator, allowed, instance, schema)
            return
        known = schema.get("properties") or {}
        if "patternProperties" in schema:
            yield from base(validator, allowed, instance, schema)
            return
        extras = [name for name in instance if name not in known]
        if extras:
            shown = ", ".join(repr(str(name)[:40]) for name in extras[:NAMES_SHOWN])
            more = f" and {len(extras) - NAMES_SHOWN} more" if len(extras) > NAMES_SHOWN else ""
            yield jsonschema.ValidationError(f"unexpected members {shown}{more}")

    return additional


def bounded(cls: Any) -> Any:
    """``cls`` (a jsonschema validator class) with ``items``, ``maxItems`` and
    ``additionalProperties`` bounded as the module says."""
    keywords = cls.VALIDATORS
    return jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        cls,
        {
            "items": _items(keywords["items"]),
            "maxItems": _max_items,
            "additionalProperties": _additional_properties(keywords["additionalProperties"]),
        },
    )
