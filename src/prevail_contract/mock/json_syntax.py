"""JSON syntax of an edit's body: its media type (415), parsing (400) and the hygiene scan.

The hygiene scan finds what JSON Schema cannot state (duplicate keys, non-finite, oversized or
overlong numbers, NUL characters, unpaired surrogates, nesting depth), so that such input
reaches neither the validator nor the store. It visits each value once and keeps at most
``MAX_PER_FIELD`` problems of a field and ``MAX_PROBLEMS`` in all, so a huge body costs time
linear in its size and a bounded answer. ``_brackets_balanced`` is hand-written because the
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
#: Longest number literal read, in characters (mock limit, assumed): 17 significant digits
#: tell every double apart, and 32 leave room for a sign, a point and an exponent. A longer
#: one is refused (422) instead of being rounded (``0.`` and a million nines is not 1).
MAX_NUMBER_LENGTH = 32
#: Problems the scan reports about one field, and in all by default (mock limits).
MAX_PER_FIELD = 3
MAX_PROBLEMS = 100


class _DuplicateKeys(dict[str, Any]):
    """A JSON object in which some member names were repeated."""

    duplicates: tuple[str, ...] = ()


class _OutOfRange(float):
    """A number literal too long to be read (``MAX_NUMBER_LENGTH``)."""


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
    return int(text) if len(text) <= MAX_NUMBER_LENGTH else _OutOfRange("inf")


def _float(text: str) -> float:
    return float(text) if len(text) <= MAX_NUMBER_LENGTH else _OutOfRange("inf")


def _constant(text: str) -> Any:
    raise ValueError(f"{text} is not a JSON value")


_DECODER = json.JSONDecoder(
    object_pairs_hook=_object, parse_int=_integer, parse_float=_float, parse_constant=_constant
)


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


def check_content_encoding(spec: Spec, encodings: list[str]) -> None:
    """Refuse (415, the media-type rule) a body sent with a ``Content-Encoding`` but
    ``identity``: the mock reads bodies as sent and decompresses none."""
    named = [part.strip() for value in encodings for part in value.split(",") if part.strip()]
    coded = [name for name in named if name.lower() != "identity"]
    if coded:
        raise ApiError.for_rule(
            spec,
            "media-type",
            "Content encodings are not accepted: send the body unencoded as application/json; "
            f"got Content-Encoding {', '.join(coded)[:60]!r}.",
        )


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


class _Problems:
    """Problems found so far: at most ``MAX_PER_FIELD`` a field, ``limit`` in all."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.details: list[Detail] = []
        self.per_field: dict[str, int] = {}

    @property
    def full(self) -> bool:
        return len(self.details) >= self.limit

    def add(self, path: tuple[str | int, ...], message: str, *, at: str | None = None) -> None:
        where = field_path(path) if at is None else at
        seen = self.per_field.get(where, 0)
        if seen < MAX_PER_FIELD and not self.full:
            self.per_field[where] = seen + 1
            self.details.append(Detail(where, message))


def scan(document: Any, limit: int = MAX_PROBLEMS) -> list[Detail]:
    """Problems JSON Schema cannot express: duplicate keys, bad numbers, NUL, surrogates, depth.

    Each value is visited once; scalars are checked where they are found, and a path is built
    only for a problem, so a body of half a million numbers costs a fraction of a second.
    """
    problems = _Problems(limit)
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack and not problems.full:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            problems.add(path, f"Nested too deeply (over {MAX_DEPTH}).")
            continue
        if isinstance(value, dict):
            for name in getattr(value, "duplicates", ()):
                problems.add((*path, name), "Sent more than once; send each field once.")
            for key, item in value.items():
                if not _clean(key):
                    problems.add(path, _DIRTY_KEY, at=field_path(path) or "(body)")
                    continue
                problem = _scalar_problem(item)
                if problem is _CONTAINER:
                    stack.append((item, (*path, key)))
                elif problem is not None:
                    problems.add((*path, key), problem)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                problem = _scalar_problem(item)
                if problem is _CONTAINER:
                    stack.append((item, (*path, index)))
                elif problem is not None:
                    problems.add((*path, index), problem)
                    if problems.full:
                        break
        else:
            problem = _scalar_problem(value)
            if problem is not None and problem is not _CONTAINER:
                problems.add(path, problem)
    return sorted(problems.details, key=lambda d: d.field)


_RANGE = f"Number out of range: send a finite number of magnitude at most {MAX_SAFE_INTEGER}."
_TOO_LONG = (
    f"Number written with more than {MAX_NUMBER_LENGTH} characters: send at most 17 "
    "significant digits."
)
_DIRTY_TEXT = "Must not contain NUL characters or unpaired surrogate escapes."
_DIRTY_KEY = "A member name contains NUL characters or unpaired surrogate escapes."
#: ``_scalar_problem``'s answer for an object or array (to be looked into).
_CONTAINER = "container"


def _scalar_problem(value: Any) -> str | None:
    """What is wrong with a scalar (None if nothing), or ``_CONTAINER``."""
    kind = type(value)
    if kind is str:
        return None if _clean(value) else _DIRTY_TEXT
    if kind is int:
        return None if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER else _RANGE
    if kind is float:
        return None if math.isfinite(value) else _RANGE
    if kind is _OutOfRange:
        return _TOO_LONG
    if kind is bool or value is None:
        return None
    if isinstance(value, dict | list):
        return _CONTAINER
    return None


def _clean(text: str) -> bool:
    if text.isascii():
        return "\x00" not in text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text
