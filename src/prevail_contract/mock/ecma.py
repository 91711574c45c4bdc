"""The explaining validator's ``pattern`` keyword read as ECMA-262 reads it, like jsonschema-rs.

JSON Schema patterns are ECMA-262 regular expressions, but Python's jsonschema runs them with
``re.search``, where ``$`` also matches before a final line break and ``\\d``/``\\w`` take
any Unicode digit or letter. The mock's two validators must reach one verdict, so this module
rewrites a pattern once (``$`` outside a character class becomes ``\\Z``; ``\\d`` and ``\\w``
become their ASCII classes) and plugs it into a jsonschema validator class. Hand-written
because neither jsonschema nor any installed library offers an ECMA-262 ``pattern``; the
rewrite covers the constructs the spec's patterns use, and
``tests/test_mock_fast_validation.py`` holds it to jsonschema-rs's verdicts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema
from jsonschema.protocols import Validator

from prevail_contract.spec import FORMAT_CHECKER

_OUTSIDE = {"$": r"\Z", r"\d": "[0-9]", r"\w": "[A-Za-z0-9_]"}
_INSIDE = {r"\d": "0-9", r"\w": "A-Za-z0-9_"}


def to_python(pattern: str) -> str:
    """``pattern`` (ECMA-262) rewritten so that Python's ``re.search`` gives the same answer."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            token = pattern[i : i + 2]
            table = _INSIDE if in_class else _OUTSIDE
            out.append(table.get(token, token))
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # A ']' right after '[' or '[^' is a literal in Python; keep it inside the class.
            lead = pattern[i + 1 : i + 3]
            skip = 2 if lead == "^]" else 1 if lead[:1] == "]" else 0
            out.append(pattern[i : i + 1 + skip])
            i += 1 + skip
            continue
        elif char == "$":
            char = _OUTSIDE["$"]
        out.append(char)
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=256)
def compiled(pattern: str) -> re.Pattern[str]:
    """The Python regular expression for an ECMA-262 ``pattern``, compiled once."""
    return re.compile(to_python(pattern))


def _pattern(
    validator: Validator, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if validator.is_type(instance, "string") and not compiled(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


EcmaValidator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator, {"pattern": _pattern}
)


def validator(schema: Mapping[str, Any]) -> Validator:
    """A 2020-12 validator of a self-contained ``schema`` (no ``$ref``), formats checked."""
    made: Validator = EcmaValidator(schema, format_checker=FORMAT_CHECKER)
    return made
