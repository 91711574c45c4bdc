"""Turning the explaining validator's errors into ``details`` a person can act on.

Only a body the fast validator refuses reaches this module: each jsonschema error becomes the
field path it concerns and what is accepted there, in words, with the spec's own examples
(a property's ``examples``, else the operation's request examples) and enum values. Errors
are taken one at a time and the taking stops at ``MAX_PER_FIELD`` details of one field and at
the ``Error`` schema's ``details.maxItems`` in all, so a huge body is explained in a few steps.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from typing import Any

import jsonschema

from prevail_contract.mock.errors import Detail
from prevail_contract.mock.json_syntax import field_path
from prevail_contract.spec import Spec
from prevail_contract.spec.operation_registry import EDIT_ROLE, operation_registry

#: Details about one field, at most (mock limit).
MAX_PER_FIELD = 3
#: Details in all when the spec's ``Error.details`` has no ``maxItems`` (mock limit).
MAX_DETAILS = 100
#: Unknown members named, at most, for one object.
MAX_NAMED = 1000
#: jsonschema errors looked at per detail allowed, at most (many add nothing new).
ERRORS_PER_DETAIL = 4


class Explainer:
    """Explains refusals of an ``EditSessionRequest``; built once per app."""

    def __init__(self, spec: Spec) -> None:
        schemas = spec.document["components"]["schemas"]
        #: The body's one top-level member (``EditSessionRequest``'s first property).
        self.envelope = str(next(iter(schemas["EditSessionRequest"]["properties"])))
        edit = schemas["RemoteSessionEdit"]
        self.edit_fields = tuple(edit["properties"])
        self.time_zones = spec.time_zones()
        self.by_iana: dict[str, str] = {}
        for name, iana in self.time_zones.items():
            self.by_iana.setdefault(iana.casefold(), name)
        self.levels = " | ".join(f'"{v}"' for v in schemas["AccessLevel"].get("enum") or ())
        self.example = _examples(spec, self.envelope, edit["properties"])
        self.example["email"] = (schemas["InviteEmail"].get("examples") or [None])[0]
        #: The patterns an address is held to (its documented form and the assumed grammar).
        email = schemas["InviteEmail"]
        self.email_patterns = {
            str(node["pattern"])
            for node in (email, *(email.get("allOf") or ()))
            if isinstance(node, Mapping) and "pattern" in node
        }

    def details(
        self, errors: Iterable[jsonschema.ValidationError], limit: int = MAX_DETAILS
    ) -> list[Detail]:
        """One ``Detail`` per distinct problem of ``errors``, sorted by field path."""
        return self.explain(errors, limit)[0]

    def explain(
        self, errors: Iterable[jsonschema.ValidationError], limit: int = MAX_DETAILS
    ) -> tuple[list[Detail], bool]:
        """The details of ``errors`` (as ``details``) and whether every error was looked at:
        False when the limits stopped the taking early (there may be more)."""
        out: dict[tuple[str, str], Detail] = {}
        per_field: dict[str, int] = {}
        taken = 0
        complete = True
        for error in errors:
            taken += 1
            found = self._explain(error)
            if len(found) > limit - len(out):
                complete = False
            for detail in found[: limit - len(out)]:
                key = (detail.field, detail.message)
                if key in out or per_field.get(detail.field, 0) >= MAX_PER_FIELD:
                    continue
                per_field[detail.field] = per_field.get(detail.field, 0) + 1
                out[key] = detail
            if len(out) >= limit or taken >= ERRORS_PER_DETAIL * limit:
                return sorted(out.values(), key=lambda d: d.field), False
        return sorted(out.values(), key=lambda d: d.field), complete

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
                f'wrap the fields to change in "{self.envelope}"'
                if missing == [self.envelope]
                else "this field must be sent"
            )
            return [Detail(field_path((*path, m)), f"Required; {hint}.") for m in missing]
        if keyword == "additionalProperties":
            allowed = list(schema.get("properties") or ())
            extra = [k for k in instance if k not in allowed][:MAX_NAMED]
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
                return self.details(subs)
        email = self.example.get("email")
        return [
            Detail(
                here,
                f'Must be an email address such as "{email}" or an object '
                f'{{"email": ..., "access_level": {self.levels}}}; '
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
                    f"{len(self.time_zones)} Rails time zone names{such}."
                )
            return (
                f"Must be one of the {len(self.time_zones)} Rails time zone names{such}; "
                "IANA ids are not accepted."
            )
        is_email = keyword == "pattern" and value in self.email_patterns
        if name == "email" or schema.get("format") == "email" or is_email:
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


def _examples(spec: Spec, envelope: str, props: Mapping[str, Any]) -> dict[str, Any]:
    """A value of each edit field from the spec: the property's first ``examples`` entry, else
    the first of the operation's request examples that sends the field."""
    out = {name: (node.get("examples") or [None])[0] for name, node in props.items()}
    edit = operation_registry(spec).role(EDIT_ROLE).operation
    content = edit.node.get("requestBody", {}).get("content", {})
    for media in content.values():
        for example in (media.get("examples") or {}).values():
            value = spec.deref(example).get("value")
            sent = value.get(envelope) if isinstance(value, Mapping) else None
            for name, item in (sent or {}).items():
                if out.get(name) is None and isinstance(item, str):
                    out[name] = item
    return out


def _is_iana(value: Any) -> bool:
    if not isinstance(value, str) or "/" not in value or len(value) > 64:
        return False
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


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
