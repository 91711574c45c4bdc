"""Request-body checks of the mock: media type, JSON parsing, the all-three rule, the schema.

The schema check is the spec's own ``EditSessionRequest``, compiled twice: in jsonschema-rs,
which decides quickly that a body is valid, and through ``Spec.validator`` (jsonschema,
formats checked), which runs only for a body the first refuses and whose errors this module
turns into ``details`` a person can act on. ``tests/test_mock_fast_validation.py`` holds
the two to the same verdicts.

Two checks are hand-written because JSON Schema cannot state them: the JSON hygiene scan
(duplicate keys, non-finite or oversized numbers, NUL characters, unpaired surrogates,
nesting depth), which keeps such input from reaching the validator or the store, and the
all-three rule, which must answer ``incomplete_schedule`` before any other 422.
"""

from __future__ import annotations

import json
import math
import zoneinfo
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import jsonschema
import jsonschema_rs

from prevail_contract.mock import ecma
from prevail_contract.mock.errors import ApiError, Detail
from prevail_contract.spec import Spec, is_email

MEDIA_TYPE = "application/json"
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


def check_media_type(spec: Spec, content_type: str | None) -> None:
    """Refuse (415) anything but ``application/json``, parameters allowed (charset UTF-8 only)."""
    if content_type is None:
        raise _media(spec, "no Content-Type header was sent")
    media, *params = content_type.split(";")
    if media.strip().lower() != MEDIA_TYPE:
        raise _media(spec, f"got {content_type.strip()[:100]!r}")
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise _media(spec, f"charset must be UTF-8, got {value.strip()[:40]!r}")


def _media(spec: Spec, got: str) -> ApiError:
    return ApiError.for_rule(spec, "media-type", f"Send the body as {MEDIA_TYPE} (UTF-8); {got}.")


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


def inline_refs(spec: Spec, node: Any) -> Any:
    """``node`` with every local ``$ref`` replaced by its target (the spec's schemas are not
    recursive), built once at start: validating then skips the registry look-ups, which
    otherwise take half of the validation time.
    """
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str):
            local = ref.split("#", 1)[1] if "#" in ref else ref
            target = inline_refs(spec, spec.resolve("#" + local))
            siblings = {k: inline_refs(spec, v) for k, v in node.items() if k != "$ref"}
            return {"allOf": [target], **siblings} if siblings else target
        return {k: inline_refs(spec, v) for k, v in node.items()}
    if isinstance(node, list):
        return [inline_refs(spec, v) for v in node]
    return node


class BodyValidator:
    """Checks an ``EditSessionRequest`` body against the spec; built once per app."""

    def __init__(self, spec: Spec, bugs: Collection[str] = ()) -> None:
        self.spec = spec
        self.bugs = frozenset(bugs)
        schema = inline_refs(spec, spec.schema_ref("EditSessionRequest"))
        #: Patterns read as ECMA-262 (``$`` is the end of the text), as jsonschema-rs does.
        self.validator = ecma.validator(schema)
        #: The same schema in the Rust validator: a body it accepts skips the Python pass,
        #: which is only needed to explain a refusal (25x faster on the hot path).
        self.fast = jsonschema_rs.Draft202012Validator(
            schema, validate_formats=True, formats={"email": is_email}
        )
        schemas = spec.document["components"]["schemas"]
        edit = schemas["RemoteSessionEdit"]
        #: The schedule fields that go together (the schema's ``dependentRequired`` keys).
        self.schedule_fields: tuple[str, ...] = tuple(edit.get("dependentRequired") or ())
        self.time_zones = spec.time_zones()
        self.by_iana: dict[str, str] = {}
        for name, iana in self.time_zones.items():
            self.by_iana.setdefault(iana.casefold(), name)
        self.edit_fields = tuple(edit["properties"])
        #: Invitees one Session may have over all its edits (``Session.invites.maxItems``).
        self.max_invitees: int | None = schemas["Session"]["properties"]["invites"].get("maxItems")
        props = edit["properties"]
        self.example = {name: (node.get("examples") or [None])[0] for name, node in props.items()}
        self.example["email"] = (schemas["InviteEmail"].get("examples") or [None])[0]

    def validate(self, document: Any) -> dict[str, Any]:
        """The ``remote_session`` object of a valid body, or a 422 ``ApiError``."""
        if (
            "request-envelope" in self.bugs
            and isinstance(document, dict)
            and "remote_session" not in document
        ):
            document = {"remote_session": document}
        edit = document.get("remote_session") if isinstance(document, dict) else None
        if isinstance(edit, dict) and "schedule-all-three" not in self.bugs:
            self._check_schedule(edit)
        details = scan(document)
        if not details and not self.fast.is_valid(document):
            errors = self.validator.iter_errors(document)
            details = self._details(e for e in errors if not self._ignored(e))
        if details:
            root = [d for d in details if not d.field]
            if root:
                raise ApiError.for_rule(
                    self.spec,
                    "request-envelope",
                    'The request body must be a JSON object {"remote_session": {...}}; '
                    + root[0].message,
                )
            count = len({d.field for d in details})
            noun = "field" if count == 1 else "fields"
            raise ApiError.for_rule(
                self.spec,
                "field-formats",
                f"The request body has {count} invalid {noun}.",
                details,
            )
        assert isinstance(edit, dict)
        return edit

    def check_invitee_total(self, count: int) -> None:
        """422 if an edit would leave a Session with more invitees than the spec allows."""
        if self.max_invitees is not None and count > self.max_invitees:
            raise ApiError.for_rule(
                self.spec,
                "field-limits",
                f"A Session has at most {self.max_invitees} invitees; this edit would make "
                f"{count}.",
                [Detail("remote_session.invites", f"Would pass {self.max_invitees} invitees.")],
            )

    def _check_schedule(self, edit: Mapping[str, Any]) -> None:
        sent = [f for f in self.schedule_fields if f in edit]
        if not sent or len(sent) == len(self.schedule_fields):
            return
        missing = [f for f in self.schedule_fields if f not in edit]
        together = ", ".join(self.schedule_fields[:-1]) + f" and {self.schedule_fields[-1]}"
        sent_text = " or ".join(sent)
        raise ApiError.for_rule(
            self.spec,
            "schedule-all-three",
            f"To change the schedule send {together} together; missing: {', '.join(missing)}.",
            [Detail(f"remote_session.{m}", f"Required when {sent_text} is sent.") for m in missing],
        )

    def _ignored(self, error: jsonschema.ValidationError) -> bool:
        """Errors a planted bug makes the mock overlook."""
        if "schedule-all-three" in self.bugs and (
            error.validator == "dependentRequired" or "allOf" in error.schema_path
        ):
            return True
        if "field-formats" in self.bugs:
            if error.validator in ("pattern", "format", "enum") and error.path:
                return error.path[-1] in ("start_date", "start_time", "time_zone", "email")
            if error.validator == "oneOf" and isinstance(error.instance, str):
                return True
        return False

    def _details(self, errors: Iterable[jsonschema.ValidationError]) -> list[Detail]:
        out: dict[tuple[str, str], Detail] = {}
        for error in errors:
            for detail in self._explain(error):
                out.setdefault((detail.field, detail.message), detail)
        return sorted(out.values(), key=lambda d: d.field)

    def _explain(self, error: jsonschema.ValidationError) -> list[Detail]:
        path = tuple(error.absolute_path)
        here = field_path(path)
        name = path[-1] if path and isinstance(path[-1], str) else None
        keyword = error.validator
        value: Any = error.validator_value
        instance: Any = error.instance
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        if keyword == "required":
            have = instance if isinstance(instance, dict) else {}
            missing = [k for k in value if k not in have]
            hint = (
                'wrap the fields to change in "remote_session"'
                if missing == ["remote_session"]
                else "this field must be sent"
            )
            return [Detail(field_path((*path, m)), f"Required; {hint}.") for m in missing]
        if keyword == "additionalProperties":
            allowed = list(schema.get("properties") or ())
            extra = [k for k in instance if k not in allowed]
            accepted = (
                f"accepted top-level field is {allowed[0]}"
                if len(allowed) == 1
                else f"accepted fields are {', '.join(allowed)}"
            )
            return [Detail(field_path((*path, k)), f"Unknown field; {accepted}.") for k in extra]
        if keyword == "minProperties":
            return [
                Detail(
                    here,
                    "Must hold at least one field to change; accepted fields are "
                    f"{', '.join(self.edit_fields)}.",
                )
            ]
        if keyword == "type":
            want = _TYPE_WORDS.get(str(value), str(value))
            return [Detail(here, f"Must be {want}; got {_json_type(instance)}.")]
        if keyword == "oneOf":
            return self._explain_one_of(error, here)
        if keyword in ("pattern", "format", "enum"):
            if instance == "" and schema.get("minLength", 0) > 0:
                return []  # the minLength error says it better
            message = self._format_message(name, keyword, value, instance, schema)
            return [Detail(here, message)]
        if keyword == "minLength":
            return [Detail(here, f"Must be at least {value} character{'s' * (value != 1)} long.")]
        if keyword == "maxLength":
            return [Detail(here, f"Must be at most {value} characters long.")]
        if keyword == "maxItems":
            return [Detail(here, f"Must have at most {value} items; got {len(instance)}.")]
        if keyword == "multipleOf":
            return [Detail(here, f"Must be a multiple of {value}; got {instance}.")]
        if keyword == "exclusiveMinimum":
            return [Detail(here, f"Must be greater than {value}; got {instance}.")]
        if keyword == "maximum":
            return [Detail(here, f"Must be at most {value}; got {instance}.")]
        if keyword == "minimum":
            return [Detail(here, f"Must be at least {value}; got {instance}.")]
        return [Detail(here, error.message[:300])]

    def _explain_one_of(self, error: jsonschema.ValidationError, here: str) -> list[Detail]:
        """Explain a failed ``oneOf`` through the branch meant for the value's JSON type."""
        branches: dict[int, list[jsonschema.ValidationError]] = {}
        for sub in error.context or ():
            branches.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
        for subs in branches.values():
            if not any(s.validator == "type" and not s.relative_path for s in subs):
                return self._details(subs)
        email = self.example.get("email")
        return [
            Detail(
                here,
                f'Must be an email address such as "{email}" or an object '
                f'{{"email": ..., "access_level": "host" | "participant"}}; '
                f"got {_json_type(error.instance)}.",
            )
        ]

    def _format_message(
        self, name: str | None, keyword: str, value: Any, instance: Any, schema: Mapping[str, Any]
    ) -> str:
        example = self.example.get(name or "")
        such = f' such as "{example}"' if example else ""
        if name == "start_time":
            return f"Must be a 12-hour time{such} (hh:mm AM or hh:mm PM, hour zero-padded)."
        if name == "start_date":
            if keyword == "format":
                return f"Must be a real calendar date written YYYY-MM-DD{such}."
            return f"Must be a date written YYYY-MM-DD{such}."
        if name == "time_zone":
            rails = self.by_iana.get(str(instance).casefold())
            if rails is not None:
                return f'IANA zone ids are not accepted; send the Rails zone name, here "{rails}".'
            if _is_iana(instance):
                return (
                    "IANA zone ids are not accepted; send one of the "
                    f"{len(self.time_zones)} Rails time zone names, such as "
                    '"Pacific Time (US & Canada)".'
                )
            return (
                f"Must be one of the {len(self.time_zones)} Rails time zone names, such as "
                '"Pacific Time (US & Canada)" or "London"; IANA ids are not accepted.'
            )
        if name == "email" or schema.get("format") == "email":
            return (
                f'Must be an email address such as "{self.example.get("email")}" (an ASCII '
                "local part, @ and a dotted domain name)."
            )
        if name == "title" and keyword == "pattern":
            return (
                "Must not contain control characters, format characters or line separators, "
                "such as line breaks (a final one too), tabs, NUL, U+2028 or U+202E."
            )
        if keyword == "enum":
            return f"Must be one of {', '.join(str(v) for v in value[:10])}."
        if keyword == "format":
            return f"Must be a valid {value}."
        return f"Does not have the accepted form ({value})."


def _is_iana(value: Any) -> bool:
    if not isinstance(value, str) or "/" not in value or len(value) > 64:
        return False
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def unknown_iana_zones(time_zones: Mapping[str, str]) -> list[str]:
    """The spec's IANA zones (``x-iana-zones``) that this machine's zoneinfo cannot load."""
    missing = []
    for iana in sorted(set(time_zones.values())):
        try:
            zoneinfo.ZoneInfo(iana)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            missing.append(iana)
    return missing


_TYPE_WORDS = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "object": "an object",
    "array": "an array",
    "boolean": "true or false",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
