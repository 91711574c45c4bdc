"""JSON syntax of an edit's body: its media type (415), parsing (400) and the hygiene scan.

The hygiene scan finds what JSON Schema cannot state (duplicate keys, non-finite or oversized
numbers, NUL characters, unpaired surrogates, nesting depth), so that such input reaches
neither the validator nor the store. ``_brackets_balanced`` is hand-written because the
standard parser is recursive and no installed parser checks syntax without recursing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from prevail_contract.mock.errors import ApiError, Detail
from prevail_contract.spec import Spec

#: Numbers beyond 2**53 cannot be exchanged exactly (RFC 7493, I-JSON).
MAX_SAFE_INTEGER = 2**53
#: The contract's bodies nest 4 levels deep; anything far deeper is refused unparsed.
MAX_DEPTH = 32
#: Longest digit string parsed as an integer; longer ones count as out of range.
MAX_INT_DIGITS = 20


class _DuplicateKeys(dict[str, Any]):
    """A JSON object in which some member names were repeated."""

    duplicates: tuple[str, ...] = ()


class _OutOfRange(float):
    """An integer literal too long to be a usable number."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    out = _DuplicateKeys(obj)
    seen: set[str] = set()
    repeated: list[str] = []
    for key, _ in pairs:
        if key in seen:
            repeated.append(key)
        seen.add(key)
    out.duplicates = tuple(repeated)
    return out


def _integer(text: str) -> int | float:
    return int(text) if len(text) <= MAX_INT_DIGITS else _OutOfRange("inf")


def _constant(text: str) -> Any:
    raise ValueError(f"{text} is not a JSON value")


_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_int=_integer, parse_constant=_constant)


def check_media_type(spec: Spec, content_type: str | None, accepted: str) -> None:
    """Refuse (415) any media type but ``accepted`` (the spec's request body's), parameters
    allowed (charset UTF-8 only)."""
    if content_type is None:
        raise _media(spec, accepted, "no Content-Type header was sent")
    media, *params = content_type.split(";")
    if media.strip().lower() != accepted:
        raise _media(spec, accepted, f"got {content_type.strip()[:100]!r}")
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise _media(spec, accepted, f"charset must be UTF-8, got {value.strip()[:40]!r}")


def _media(spec: Spec, accepted: str, got: str) -> ApiError:
    return ApiError.for_rule(spec, "media-type", f"Send the body as {accepted} (UTF-8); {got}.")


def parse_json(spec: Spec, raw: bytes) -> Any:
    """The parsed body, or 400 ``malformed_json`` saying where parsing stopped."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _malformed(spec, f"it is not valid UTF-8 (byte {exc.start})") from exc
    if not text.strip():
        raise _malformed(spec, "it is empty")
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise _malformed(spec, f"{exc.msg.lower()} at {where}") from exc
    except ValueError as exc:
        raise _malformed(spec, str(exc)) from exc
    except RecursionError as exc:
        if not _brackets_balanced(text):
            raise _malformed(spec, "its brackets do not balance") from exc
        raise ApiError.for_rule(
            spec,
            "request-envelope",
            f"The request body nests arrays or objects too deeply; at most {MAX_DEPTH} "
            "levels are accepted.",
        ) from exc


def _brackets_balanced(text: str) -> bool:
    """Whether ``[``/``{`` and their closers pair up, outside strings, with nothing after.

    Used only when the JSON parser gave up on nesting depth, to answer a document that can
    never parse (unclosed, or with trailing data) as malformed rather than as too deep. The
    standard parser is recursive, and no installed parser checks syntax without recursing.
    """
    stack: list[str] = []
    closed = False
    in_string = escaped = False
    pairs = {"]": "[", "}": "{"}
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if closed and not char.isspace():
            return False
        if char == '"':
            in_string = True
        elif char in "[{":
            stack.append(char)
        elif char in pairs:
            if not stack or stack.pop() != pairs[char]:
                return False
            closed = not stack
    return closed and not in_string


def _malformed(spec: Spec, why: str) -> ApiError:
    return ApiError.for_rule(spec, "malformed-json", f"The body is not valid JSON: {why}.")


def field_path(parts: Iterable[str | int]) -> str:
    """``remote_session.invites[2].email`` style path."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def scan(document: Any) -> list[Detail]:
    """Problems JSON Schema cannot express: duplicate keys, bad numbers, NUL, surrogates, depth."""
    details: list[Detail] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            details.append(Detail(field_path(path), f"Nested too deeply (over {MAX_DEPTH})."))
            continue
        if isinstance(value, dict):
            for name in getattr(value, "duplicates", ()):
                details.append(
                    Detail(field_path((*path, name)), "Sent more than once; send each field once.")
                )
            for key, item in value.items():
                if not _clean(key):
                    details.append(Detail(field_path(path) or "(body)", _DIRTY_KEY))
                else:
                    stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, i)) for i, item in enumerate(value))
        elif isinstance(value, str):
            if not _clean(value):
                details.append(Detail(field_path(path), _DIRTY_TEXT))
        elif isinstance(value, int | float) and not _in_range(value):
            details.append(Detail(field_path(path), _RANGE))
    return sorted(details, key=lambda d: d.field)


_RANGE = f"Number out of range: send a finite number of magnitude at most {MAX_SAFE_INTEGER}."
_DIRTY_TEXT = "Must not contain NUL characters or unpaired surrogate escapes."
_DIRTY_KEY = "A member name contains NUL characters or unpaired surrogate escapes."


def _in_range(number: float) -> bool:
    if isinstance(number, float):
        return math.isfinite(number)
    return isinstance(number, bool) or abs(number) <= MAX_SAFE_INTEGER


def _clean(text: str) -> bool:
    if text.isascii():
        return "\x00" not in text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text
