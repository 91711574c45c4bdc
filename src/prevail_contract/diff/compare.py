"""Walk two OpenAPI documents side by side and classify every contract difference.

A change is **breaking** when a client or integration that worked against the base spec can
fail against the head spec. Requests and responses are judged in opposite directions: a
request schema must not *narrow* (accept less than before), a response schema must not
*widen* (return something an old client was not promised). Local ``$ref``s are followed,
``allOf`` members are merged into one schema, ``oneOf``/``anyOf`` variants are paired (by
``$ref`` name, then type, then position), a ``{"type": "null"}`` variant counts as
nullability, and the inside of ``not`` is judged with the direction reversed.

The rules (``kind`` in brackets):

Operations and document
  - operation removed [operation-removed], moved to another path or method with the same
    operationId [operation-moved], operationId changed [operation-id-changed]: breaking;
    operation added [operation-added], deprecated [operation-deprecated]: non-breaking.
  - a server URL removed [server-removed]: breaking; added [server-added]: non-breaking.
  - security: authentication now required where none was [security-added], a way to
    authenticate removed, or its scheme's type/scheme/location/name changed
    [security-alternative-removed], scopes added [security-scopes-added]: breaking; a new
    way to authenticate [security-alternative-added], scopes removed
    [security-scopes-removed], authentication dropped [security-removed], a scheme renamed
    with the same definition [security-scheme-renamed]: non-breaking.
  - an ``x-rules`` rule id added or removed, or its status/code changed [rule-added,
    rule-removed, rule-changed]: non-breaking, informational (the gate cannot judge the
    meaning of a rule; the schema and status rules above catch its visible effects).

Parameters and bodies (request side)
  - parameter removed [parameter-removed], renamed (a path parameter at the same position)
    [path-parameter-renamed], added as required [parameter-added-required, e.g. a required
    header], made required [parameter-became-required], serialization changed
    [parameter-style-changed]: breaking; optional parameter added [parameter-added], made
    optional [parameter-became-optional]: non-breaking.
  - request body removed, added as required, made required: breaking; added as optional or
    made optional: non-breaking [request-body-*]. A media type removed: breaking; added:
    non-breaking [media-type-removed, media-type-added] (both sides).

Responses
  - a status removed [response-status-removed]: breaking; added [response-status-added]:
    non-breaking. A response header removed or made optional: breaking; added or made
    required: non-breaking [response-header-*].

Schemas (parameters, headers and bodies; ``narrows`` breaks requests, ``widens`` breaks
responses)
  - field removed [field-removed]: breaking on both sides. Field added: non-breaking
    [field-added], unless it is a required request field [field-added-required]. Field made
    required [field-became-required] narrows; made optional [field-became-optional] widens
    (so a response field no longer required is breaking). ``required`` entries for names
    without a property [required-entry-added/-removed] follow the same direction.
  - type changed [type-changed]: integer → number widens, number → integer narrows,
    anything else does both. Made nullable [nullable-added] widens; no longer nullable
    [nullable-removed] narrows.
  - constraints: min/max/exclusive bounds, minLength/maxLength, minItems/maxItems,
    minProperties/maxProperties [bound-tightened, bound-relaxed]; multipleOf
    [multiple-of-changed]; pattern [pattern-added/-removed/-changed]; format
    [format-added/-removed/-changed, int32 → int64 and float → double only widen]; enum and
    const [enum-values-removed narrows, enum-values-added widens — a response enum value
    added breaks generated clients that raise on unknown values; enum-restriction-added/
    -removed]; uniqueItems [unique-items-added/-removed]; additionalProperties turned false
    [additional-properties-restricted] narrows, allowed again [additional-properties-allowed]
    widens but is non-breaking on responses (clients must ignore unknown fields, the same
    reason a new response field is fine); dependentRequired [dependent-required-added/
    -removed].
  - oneOf/anyOf variant removed [variant-removed] narrows, added [variant-added] widens;
    a composition introduced [composition-added] narrows, dropped [composition-removed]
    widens; oneOf ↔ anyOf [composition-changed]; ``not`` added/removed [not-added,
    not-removed]; unpaired ``allOf`` members [all-of-member-added/-removed].
  - a field made readOnly is gone from requests, writeOnly gone from responses
    [field-removed]; a discriminator's property or mapping changed [discriminator-changed]:
    breaking. A changed default [default-changed] or deprecation [field-deprecated]:
    non-breaking, informational.
  - any other validation keyword that changed (if/then/else, patternProperties,
    propertyNames, contains, prefixItems, dependentSchemas, unevaluated*) [schema-changed]:
    the direction is not worked out, so it is reported as breaking to be safe.

Deliberately not checked: descriptions, summaries, titles, examples, tags, externalDocs,
``x-`` extensions other than the ``x-rules`` ids (so ``x-extensible-enum`` values may grow
freely), components no operation reaches, webhooks and callbacks, path- and
operation-level ``servers``, links, external (non-local) ``$ref`` targets (compared by their
text), and what a rule *means*: a status or field that keeps its shape but changes its
semantics is the reviewer's job.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Literal

from prevail_contract.diff.model import BREAKING, NON_BREAKING, Change, Classification, Side

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SCHEMA_PREFIX = "#/components/schemas/"
_NULL_MARK = "x-diff-nullable"

#: Keywords that only describe: never compared.
_ANNOTATIONS = {
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
    _NULL_MARK,
}
_WIDENING_FORMATS = {("int32", "int64"), ("float", "double")}


def compare_documents(base: dict[str, Any], head: dict[str, Any]) -> list[Change]:
    """Every classified difference between two OpenAPI documents, in walk order."""
    return _merge_statuses(_Walker(base, head).run())


# -- documents ---------------------------------------------------------------------------


class _Doc:
    """One OpenAPI document with ``$ref`` resolution."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, ref: str) -> Any:
        node: Any = self.document
        for raw in ref[2:].split("/") if ref != "#" else []:
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return None
        return node

    def deref(self, node: Any) -> tuple[Any, str | None]:
        """Follow local ``$ref`` chains; return the node and the last schema component name.

        An external or dangling ref is returned as is, so that it is compared by its text.
        """
        name: str | None = None
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#") or ref in seen:
                return node, name
            seen.add(ref)
            target = self.resolve(ref)
            if target is None:
                return node, name
            if ref.startswith(_SCHEMA_PREFIX):
                name = ref[len(_SCHEMA_PREFIX) :]
            node = target
        return node, name


# -- schema normalisation ----------------------------------------------------------------


def _types(schema: dict[str, Any]) -> set[str] | None:
    """The declared types, without ``null``; ``None`` when any type is allowed."""
    raw = schema.get("type")
    if raw is None:
        return None
    listed = {raw} if isinstance(raw, str) else {str(t) for t in raw}
    listed.discard("null")
    return listed


def _nullable(schema: dict[str, Any]) -> bool:
    raw = schema.get("type")
    listed = [raw] if isinstance(raw, str) else list(raw or [])
    enum = schema.get("enum")
    return bool(
        "null" in listed
        or schema.get("nullable") is True
        or schema.get(_NULL_MARK)
        or (isinstance(enum, list) and None in enum)
        or ("const" in schema and schema["const"] is None)
    )


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and (
        schema.get("type") == "null" or schema.get("type") == ["null"] or schema == {"const": None}
    )


_TIGHTEST_MAX = ("maximum", "maxLength", "maxItems", "maxProperties")
_TIGHTEST_MIN = ("minimum", "minLength", "minItems", "minProperties")


def _merge_into(target: dict[str, Any], member: dict[str, Any], residual: list[Any]) -> None:
    """Merge one flattened ``allOf`` member into ``target`` (both describe the same value)."""
    leftover: dict[str, Any] = {}
    for key, value in member.items():
        if key in _ANNOTATIONS:
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
            mine, theirs = _types(target), _types(member)
            if mine is not None and theirs is not None:
                target[key] = sorted(mine & theirs) or sorted(mine)
        elif key in _TIGHTEST_MAX and _is_number(value) and _is_number(target[key]):
            target[key] = min(target[key], value)
        elif key in _TIGHTEST_MIN and _is_number(value) and _is_number(target[key]):
            target[key] = max(target[key], value)
        elif key == "enum" and isinstance(value, list):
            target[key] = [v for v in target[key] if v in value]
        else:
            leftover[key] = value
    if leftover:
        residual.append(leftover)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- walking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ctx:
    """Where the walk is and how a difference there is judged."""

    side: Literal["request", "response"]
    #: ``PATCH /x request body``, ``PATCH /x parameter query q``, ...
    where: str
    #: Field path inside the schema, e.g. ``remote_session.invites[]``.
    path: str = ""
    #: Inside an odd number of ``not``: narrowing and widening swap.
    inverted: bool = False
    #: The last named schema component passed through, for the reason text.
    component: str | None = None

    def at(self, segment: str) -> _Ctx:
        if segment.startswith("["):
            return replace(self, path=self.path + segment)
        return replace(self, path=f"{self.path}.{segment}" if self.path else segment)

    def location(self, keyword: str | None = None) -> str:
        return " ".join(part for part in (self.where, self.path, keyword) if part)


class _Walker:
    def __init__(self, base: dict[str, Any], head: dict[str, Any]) -> None:
        self.base = _Doc(base)
        self.head = _Doc(head)
        self.changes: list[Change] = []
        self._stack: set[tuple[int, int, str, bool]] = set()

    # -- emitting ------------------------------------------------------------------------

    def emit(
        self,
        kind: str,
        side: Side,
        location: str,
        classification: Classification,
        reason: str,
    ) -> None:
        self.changes.append(Change(kind, side, location, classification, reason))

    def directional(
        self,
        ctx: _Ctx,
        keyword: str | None,
        kind: str,
        what: str,
        *,
        narrows: bool,
        widens: bool,
        response_widening_ok: bool = False,
        note: str = "",
    ) -> None:
        """Emit a change whose verdict depends on the side: narrowing requests and widening
        responses break clients."""
        if ctx.inverted:
            narrows, widens = widens, narrows
        if ctx.side == "request":
            breaking = narrows
            effect = (
                "requests that were valid may now be refused"
                if narrows
                else "the API accepts more than before"
            )
        else:
            breaking = widens and not response_widening_ok
            if widens and response_widening_ok:
                effect = "clients must already ignore what they do not know"
            elif widens:
                effect = note or "responses may now hold values old clients were not promised"
            else:
                effect = "responses stay within what clients already handle"
        extra = " (inside `not`, so the effect is reversed)" if ctx.inverted else ""
        where = f" (schema {ctx.component})" if ctx.component else ""
        self.emit(
            kind,
            ctx.side,
            ctx.location(keyword),
            BREAKING if breaking else NON_BREAKING,
            f"{what}{where}: {effect}{extra}",
        )

    def fixed(
        self,
        ctx: _Ctx,
        keyword: str | None,
        kind: str,
        classification: Classification,
        reason: str,
    ) -> None:
        where = f" (schema {ctx.component})" if ctx.component else ""
        self.emit(kind, ctx.side, ctx.location(keyword), classification, f"{reason}{where}")

    # -- document level ------------------------------------------------------------------

    def run(self) -> list[Change]:
        self._servers()
        base_ops, head_ops = _operations(self.base), _operations(self.head)
        head_by_id = {op.op_id: key for key, op in head_ops.items() if op.op_id}
        paired_heads: set[tuple[str, str]] = set()
        for key, old in base_ops.items():
            if key in head_ops:
                new = head_ops[key]
                paired_heads.add(key)
                self._operation(old, new)
            elif old.op_id and old.op_id in head_by_id and head_by_id[old.op_id] not in base_ops:
                new = head_ops[head_by_id[old.op_id]]
                paired_heads.add(head_by_id[old.op_id])
                self.emit(
                    "operation-moved",
                    "operation",
                    old.label,
                    BREAKING,
                    f"operation {old.op_id} moved from {old.label} to {new.label}: clients "
                    "still call the old method and URL",
                )
                self._operation(old, new)
            else:
                self.emit(
                    "operation-removed",
                    "operation",
                    old.label,
                    BREAKING,
                    f"operation {old.op_id or old.label} removed: clients that call it fail",
                )
        for key, new in head_ops.items():
            if key not in paired_heads:
                self.emit(
                    "operation-added",
                    "operation",
                    new.label,
                    NON_BREAKING,
                    f"new operation {new.op_id or new.label}: existing clients do not call it",
                )
        return self.changes

    def _servers(self) -> None:
        def urls(doc: _Doc) -> list[str]:
            servers = doc.document.get("servers") or []
            return [str(s.get("url", "")).rstrip("/") for s in servers if isinstance(s, dict)]

        old, new = urls(self.base), urls(self.head)
        for url in old:
            if url not in new:
                self.emit(
                    "server-removed",
                    "operation",
                    f"servers {url}",
                    BREAKING,
                    f"server URL {url} removed: clients configured with it no longer reach the API",
                )
        for url in new:
            if url not in old:
                self.emit(
                    "server-added",
                    "operation",
                    f"servers {url}",
                    NON_BREAKING,
                    f"server URL {url} added: an additional place to reach the API",
                )

    # -- operations ----------------------------------------------------------------------

    def _operation(self, old: _Operation, new: _Operation) -> None:
        label = new.label
        if old.op_id != new.op_id and new.key == old.key:
            self.emit(
                "operation-id-changed",
                "operation",
                f"{label} operationId",
                BREAKING,
                f"operationId changed from {old.op_id or '(none)'} to {new.op_id or '(none)'}: "
                "the generated client's function module is named after it",
            )
        if not old.op.get("deprecated") and new.op.get("deprecated"):
            self.emit(
                "operation-deprecated",
                "operation",
                f"{label} deprecated",
                NON_BREAKING,
                "operation marked deprecated: it still works, clients should plan to move",
            )
        self._security(old, new)
        self._parameters(old, new)
        self._request_body(old, new)
        self._responses(old, new)
        self._rules(old, new)

    def _rules(self, old: _Operation, new: _Operation) -> None:
        def rules(op: _Operation) -> dict[str, dict[str, Any]]:
            raw = op.op.get("x-rules") or []
            return {
                str(r["id"]): r for r in raw if isinstance(r, dict) and isinstance(r.get("id"), str)
            }

        before, after = rules(old), rules(new)
        for rule_id in before:
            if rule_id not in after:
                self.emit(
                    "rule-removed",
                    "operation",
                    f"{new.label} x-rules {rule_id}",
                    NON_BREAKING,
                    f"rule {rule_id} removed from the catalogue (informational: the gate "
                    "judges the schemas and statuses, not what a rule means)",
                )
        for rule_id, rule in after.items():
            if rule_id not in before:
                self.emit(
                    "rule-added",
                    "operation",
                    f"{new.label} x-rules {rule_id}",
                    NON_BREAKING,
                    f"rule {rule_id} added to the catalogue (informational)",
                )
                continue
            for field in ("status", "code"):
                was, now = before[rule_id].get(field), rule.get(field)
                if was != now:
                    self.emit(
                        "rule-changed",
                        "operation",
                        f"{new.label} x-rules {rule_id} {field}",
                        NON_BREAKING,
                        f"rule {rule_id} {field} changed from {was} to {now} (informational; "
                        "a removed response status is reported on its own)",
                    )

    # -- security ------------------------------------------------------------------------

    def _security(self, old: _Operation, new: _Operation) -> None:
        location = f"{new.label} security"
        before = _security_alternatives(self.base, old.op)
        after = _security_alternatives(self.head, new.op)
        if before == after:
            self._scheme_renames(old, new)
            return
        if not before and after:
            if not any(not alt for alt in after):
                self.emit(
                    "security-added",
                    "operation",
                    location,
                    BREAKING,
                    "authentication is now required ("
                    + " or ".join(_describe_alt({a: s}) for a, s in after.items())
                    + "): unauthenticated clients are refused",
                )
            return
        if before and not after:
            self.emit(
                "security-removed",
                "operation",
                location,
                NON_BREAKING,
                "authentication is no longer required: credentials clients send are ignored",
            )
            return
        for keys, scopes in before.items():
            if keys not in after:
                self.emit(
                    "security-alternative-removed",
                    "operation",
                    location,
                    BREAKING,
                    f"clients can no longer authenticate with {_describe_alt({keys: scopes})}"
                    + self._changed_schemes(old, new, keys)
                    + ": clients using it are refused",
                )
                continue
            added = after[keys] - scopes
            dropped = scopes - after[keys]
            if added:
                self.emit(
                    "security-scopes-added",
                    "operation",
                    location,
                    BREAKING,
                    f"{_describe_alt({keys: scopes})} now also needs scope(s) "
                    f"{', '.join(sorted(added))}: existing tokens may lack them",
                )
            if dropped:
                self.emit(
                    "security-scopes-removed",
                    "operation",
                    location,
                    NON_BREAKING,
                    f"{_describe_alt({keys: scopes})} no longer needs scope(s) "
                    f"{', '.join(sorted(dropped))}",
                )
        for keys, scopes in after.items():
            if keys not in before:
                self.emit(
                    "security-alternative-added",
                    "operation",
                    location,
                    NON_BREAKING,
                    f"clients may now also authenticate with {_describe_alt({keys: scopes})}",
                )

    def _changed_schemes(self, old: _Operation, new: _Operation, keys: frozenset[Any]) -> str:
        """Name the schemes of a removed alternative that still exist, changed, in head."""
        notes = []
        base_schemes = _schemes(self.base)
        head_schemes = _schemes(self.head)
        for name, signature in base_schemes.items():
            if signature in keys and name in head_schemes and head_schemes[name] != signature:
                notes.append(
                    f"scheme {name} changed from {_describe_sig(signature)} to "
                    f"{_describe_sig(head_schemes[name])}"
                )
        return f" ({'; '.join(notes)})" if notes else ""

    def _scheme_renames(self, old: _Operation, new: _Operation) -> None:
        used_before = _used_scheme_names(self.base, old.op)
        used_after = _used_scheme_names(self.head, new.op)
        base_schemes, head_schemes = _schemes(self.base), _schemes(self.head)
        for name in sorted(used_before - used_after):
            for other in sorted(used_after - used_before):
                if base_schemes.get(name) == head_schemes.get(other):
                    self.emit(
                        "security-scheme-renamed",
                        "operation",
                        f"{new.label} security {other}",
                        NON_BREAKING,
                        f"security scheme {name} renamed to {other} with the same definition: "
                        "nothing changes on the wire",
                    )

    # -- parameters ----------------------------------------------------------------------

    def _parameters(self, old: _Operation, new: _Operation) -> None:
        before = _parameters(self.base, old)
        after = _parameters(self.head, new)
        renames: dict[tuple[str, str], tuple[str, str]] = {}
        old_names = re.findall(r"\{([^}]+)\}", old.path)
        new_names = re.findall(r"\{([^}]+)\}", new.path)
        if len(old_names) == len(new_names):
            for was, now in zip(old_names, new_names, strict=True):
                if was != now and ("path", now) not in before and ("path", was) not in after:
                    renames[("path", was)] = ("path", now)
        for key, param in before.items():
            target = renames.get(key, key)
            location = f"{new.label} parameter {key[0]} {param.get('name', key[1])}"
            if target not in after:
                self.emit(
                    "parameter-removed",
                    "request",
                    location,
                    BREAKING,
                    f"{key[0]} parameter {param.get('name')} removed: clients that send it are "
                    "refused or silently ignored, and the generated function loses it",
                )
                continue
            other = after[target]
            if target != key:
                self.emit(
                    "path-parameter-renamed",
                    "request",
                    location,
                    BREAKING,
                    f"path parameter {key[1]} renamed to {target[1]}: the URL is the same but "
                    "the generated client's argument is renamed",
                )
            self._parameter(param, other, f"{new.label} parameter {target[0]} {target[1]}")
        renamed_to = set(renames.values())
        for key, param in after.items():
            if key in before or key in renamed_to:
                continue
            location = f"{new.label} parameter {key[0]} {param.get('name', key[1])}"
            if param.get("required"):
                self.emit(
                    "parameter-added-required",
                    "request",
                    location,
                    BREAKING,
                    f"new required {key[0]} parameter {param.get('name')}: clients that do "
                    "not send it are refused",
                )
            else:
                self.emit(
                    "parameter-added",
                    "request",
                    location,
                    NON_BREAKING,
                    f"new optional {key[0]} parameter {param.get('name')}",
                )

    def _parameter(self, old: dict[str, Any], new: dict[str, Any], where: str) -> None:
        was_required, is_required = bool(old.get("required")), bool(new.get("required"))
        if is_required and not was_required:
            self.emit(
                "parameter-became-required",
                "request",
                f"{where} required",
                BREAKING,
                "parameter is now required: clients that leave it out are refused",
            )
        elif was_required and not is_required:
            self.emit(
                "parameter-became-optional",
                "request",
                f"{where} required",
                NON_BREAKING,
                "parameter is now optional",
            )
        for key in ("style", "explode", "allowReserved"):
            if old.get(key) != new.get(key):
                self.emit(
                    "parameter-style-changed",
                    "request",
                    f"{where} {key}",
                    BREAKING,
                    f"{key} changed from {old.get(key)} to {new.get(key)}: the value is "
                    "serialized differently on the wire",
                )
        if not old.get("deprecated") and new.get("deprecated"):
            self.emit(
                "parameter-deprecated",
                "request",
                f"{where} deprecated",
                NON_BREAKING,
                "parameter marked deprecated (informational)",
            )
        ctx = _Ctx("request", where)
        self._content_or_schema(old, new, ctx)

    def _content_or_schema(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
        """Compare a parameter's or header's ``schema`` (or its one-entry ``content``)."""

        def schema_of(node: dict[str, Any]) -> Any:
            if "schema" in node:
                return node["schema"]
            content = node.get("content")
            if isinstance(content, dict) and content:
                media = next(iter(content.values()))
                return media.get("schema") if isinstance(media, dict) else None
            return None

        old_schema, new_schema = schema_of(old), schema_of(new)
        if old_schema is not None or new_schema is not None:
            self.schema(old_schema or {}, new_schema or {}, ctx)

    # -- bodies --------------------------------------------------------------------------

    def _request_body(self, old: _Operation, new: _Operation) -> None:
        before, _ = self.base.deref(old.op.get("requestBody"))
        after, _ = self.head.deref(new.op.get("requestBody"))
        where = f"{new.label} request body"
        if not isinstance(before, dict) and not isinstance(after, dict):
            return
        if not isinstance(before, dict):
            assert isinstance(after, dict)
            required = bool(after.get("required"))
            self.emit(
                "request-body-added-required" if required else "request-body-added",
                "request",
                where,
                BREAKING if required else NON_BREAKING,
                "a required request body was added: clients that send none are refused"
                if required
                else "an optional request body was added",
            )
            return
        if not isinstance(after, dict):
            self.emit(
                "request-body-removed",
                "request",
                where,
                BREAKING,
                "the request body was removed: what clients send is refused or ignored",
            )
            return
        if after.get("required") and not before.get("required"):
            self.emit(
                "request-body-became-required",
                "request",
                f"{where} required",
                BREAKING,
                "the request body is now required: clients that send none are refused",
            )
        elif before.get("required") and not after.get("required"):
            self.emit(
                "request-body-became-optional",
                "request",
                f"{where} required",
                NON_BREAKING,
                "the request body is now optional",
            )
        self._content(before, after, "request", where)

    def _content(
        self,
        before: dict[str, Any],
        after: dict[str, Any],
        side: Literal["request", "response"],
        where: str,
    ) -> None:
        old_content = before.get("content") or {}
        new_content = after.get("content") or {}
        for media in old_content:
            if media not in new_content:
                self.emit(
                    "media-type-removed",
                    side,
                    f"{where} {media}",
                    BREAKING,
                    f"media type {media} removed: "
                    + (
                        "clients that send it are refused"
                        if side == "request"
                        else "clients that expect it no longer get it"
                    ),
                )
        for media in new_content:
            if media not in old_content:
                self.emit(
                    "media-type-added",
                    side,
                    f"{where} {media}",
                    NON_BREAKING,
                    f"media type {media} added",
                )
        for media, old_media in old_content.items():
            if media not in new_content:
                continue
            new_media = new_content[media]
            label = where if media == "application/json" else f"{where} ({media})"
            old_schema = (old_media or {}).get("schema")
            new_schema = (new_media or {}).get("schema")
            if old_schema is None and new_schema is None:
                continue
            self.schema(old_schema or {}, new_schema or {}, _Ctx(side, label))

    def _responses(self, old: _Operation, new: _Operation) -> None:
        before = old.op.get("responses") or {}
        after = new.op.get("responses") or {}
        for status in before:
            if str(status) not in {str(s) for s in after}:
                self.emit(
                    "response-status-removed",
                    "response",
                    f"{new.label} response {status}",
                    BREAKING,
                    f"response {status} removed: clients that handle it may now meet an "
                    "undocumented answer",
                )
        by_text = {str(s): v for s, v in after.items()}
        for status in after:
            if str(status) not in {str(s) for s in before}:
                self.emit(
                    "response-status-added",
                    "response",
                    f"{new.label} response {status}",
                    NON_BREAKING,
                    f"response {status} added: a documented answer clients may want to handle",
                )
        for status, old_raw in before.items():
            if str(status) not in by_text:
                continue
            old_response, _ = self.base.deref(old_raw)
            new_response, _ = self.head.deref(by_text[str(status)])
            if not isinstance(old_response, dict) or not isinstance(new_response, dict):
                continue
            where = f"{new.label} response {status}"
            self._response_headers(old_response, new_response, where)
            self._content(old_response, new_response, "response", f"{where} body")

    def _response_headers(self, before: dict[str, Any], after: dict[str, Any], where: str) -> None:
        def headers(doc: _Doc, response: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
            out: dict[str, tuple[str, dict[str, Any]]] = {}
            for name, raw in (response.get("headers") or {}).items():
                node, _ = doc.deref(raw)
                if isinstance(node, dict):
                    out[str(name).lower()] = (str(name), node)
            return out

        old, new = headers(self.base, before), headers(self.head, after)
        for key, (name, header) in old.items():
            location = f"{where} header {name}"
            if key not in new:
                self.emit(
                    "response-header-removed",
                    "response",
                    location,
                    BREAKING,
                    f"response header {name} removed: clients that read it get nothing",
                )
                continue
            other = new[key][1]
            if header.get("required") and not other.get("required"):
                self.emit(
                    "response-header-became-optional",
                    "response",
                    f"{location} required",
                    BREAKING,
                    f"response header {name} is no longer always sent",
                )
            elif other.get("required") and not header.get("required"):
                self.emit(
                    "response-header-became-required",
                    "response",
                    f"{location} required",
                    NON_BREAKING,
                    f"response header {name} is now always sent",
                )
            self._content_or_schema(header, other, _Ctx("response", location))
        for key, (name, _) in new.items():
            if key not in old:
                self.emit(
                    "response-header-added",
                    "response",
                    f"{where} header {name}",
                    NON_BREAKING,
                    f"response header {name} added",
                )

    # -- schemas -------------------------------------------------------------------------

    def schema(self, old_raw: Any, new_raw: Any, ctx: _Ctx) -> None:
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
        key = (id(old), id(new), ctx.side, ctx.inverted)
        if key in self._stack:
            return  # a recursive schema: this pair is already being compared further up
        self._stack.add(key)
        try:
            self._schema(self._normalize(old, self.base), self._normalize(new, self.head), ctx)
        finally:
            self._stack.discard(key)

    def _normalize(self, schema: dict[str, Any], doc: _Doc) -> dict[str, Any]:
        """Merge ``allOf`` members and turn a ``null`` variant into a nullability mark."""
        out = dict(schema)
        if isinstance(out.get("allOf"), list):
            members = out.pop("allOf")
            residual: list[Any] = []
            for member in members:
                node, _ = doc.deref(member)
                if isinstance(node, dict):
                    _merge_into(out, self._normalize(node, doc), residual)
                else:
                    residual.append(member)
            if residual:
                out["allOf"] = residual
        for key in ("anyOf", "oneOf"):
            variants = out.get(key)
            if not isinstance(variants, list):
                continue
            resolved = [doc.deref(v)[0] for v in variants]
            if not any(_is_null_schema(v) for v in resolved):
                continue
            kept = [v for v, r in zip(variants, resolved, strict=True) if not _is_null_schema(r)]
            out[_NULL_MARK] = True
            if len(kept) == 1:
                del out[key]
                node, _ = doc.deref(kept[0])
                if isinstance(node, dict):
                    _merge_into(out, self._normalize(node, doc), [])
            else:
                out[key] = kept
        return out

    def _schema(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
        if old.get("$ref") != new.get("$ref") and ("$ref" in old or "$ref" in new):
            self.directional(
                ctx,
                "$ref",
                "schema-changed",
                f"unresolved $ref changed from {old.get('$ref')} to {new.get('$ref')}",
                narrows=True,
                widens=True,
            )
        if self._access(old, new, ctx):
            return
        if self._type(old, new, ctx):
            return  # disjoint types: the other keywords no longer describe the same value
        self._nullability(old, new, ctx)
        self._enum(old, new, ctx)
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

    def _access(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> bool:
        """A field that became readOnly (request) or writeOnly (response) is gone there."""
        hidden = "readOnly" if ctx.side == "request" else "writeOnly"
        if new.get(hidden) and not old.get(hidden) and ctx.path:
            self.fixed(
                ctx,
                hidden,
                "field-removed",
                BREAKING,
                f"field {ctx.path} became {hidden}, so it is gone from {ctx.side}s: clients "
                "that use it break",
            )
            return True
        return False

    def _type(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> bool:
        before, after = _types(old), _types(new)
        if before == after:
            return False
        narrows, widens = _type_direction(before, after)
        self.directional(
            ctx,
            "type",
            "type-changed",
            f"type changed from {_show_types(before)} to {_show_types(after)}",
            narrows=narrows,
            widens=widens,
        )
        return before is not None and after is not None and not _overlap(before, after)

    def _nullability(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
        was, now = _nullable(old), _nullable(new)
        if now and not was:
            self.directional(
                ctx,
                "nullable",
                "nullable-added",
                "now nullable",
                narrows=False,
                widens=True,
                note="responses may now hold null where old clients expect a value",
            )
        elif was and not now:
            self.directional(
                ctx,
                "nullable",
                "nullable-removed",
                "no longer nullable",
                narrows=True,
                widens=False,
            )

    def _enum(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
        before, after = _enum_values(old), _enum_values(new)
        if before == after:
            return
        keyword = "enum" if "enum" in new or "enum" in old else "const"
        if before is None:
            assert after is not None
            self.directional(
                ctx,
                keyword,
                "enum-restriction-added",
                f"now restricted to {_show_values(after.values())}",
                narrows=True,
                widens=False,
            )
            return
        if after is None:
            self.directional(
                ctx,
                keyword,
                "enum-restriction-removed",
                f"no longer restricted to {_show_values(before.values())}",
                narrows=False,
                widens=True,
                note="responses may hold values old generated clients do not know",
            )
            return
        removed = [v for k, v in before.items() if k not in after]
        added = [v for k, v in after.items() if k not in before]
        if removed:
            self.directional(
                ctx,
                keyword,
                "enum-values-removed",
                f"enum value(s) {_show_values(removed)} removed",
                narrows=True,
                widens=False,
            )
        if added:
            self.directional(
                ctx,
                keyword,
                "enum-values-added",
                f"enum value(s) {_show_values(added)} added",
                narrows=False,
                widens=True,
                note="old generated clients raise on enum values they do not know",
            )

    def _format(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
        before, after = old.get("format"), new.get("format")
        if before == after:
            return
        if before is None:
            self.directional(
                ctx, "format", "format-added", f"format {after} added", narrows=True, widens=False
            )
        elif after is None:
            self.directional(
                ctx,
                "format",
                "format-removed",
                f"format {before} removed",
                narrows=False,
                widens=True,
                note="clients that parse the value as a " + str(before) + " may fail",
            )
        else:
            widening = (before, after) in _WIDENING_FORMATS
            narrowing = (after, before) in _WIDENING_FORMATS
            self.directional(
                ctx,
                "format",
                "format-changed",
                f"format changed from {before} to {after}",
                narrows=not widening,
                widens=not narrowing,
            )

    def _pattern(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
        before, after = old.get("pattern"), new.get("pattern")
        if before == after:
            return
        if before is None:
            self.directional(
                ctx,
                "pattern",
                "pattern-added",
                f"pattern {after} added",
                narrows=True,
                widens=False,
            )
        elif after is None:
            self.directional(
                ctx,
                "pattern",
                "pattern-removed",
                f"pattern {before} removed",
                narrows=False,
                widens=True,
            )
        else:
            self.directional(
                ctx,
                "pattern",
                "pattern-changed",
                f"pattern changed from {before} to {after}",
                narrows=True,
                widens=True,
            )

    def _bounds(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
        for upper, lower in (("maximum", "minimum"),):
            self._numeric_bound(old, new, ctx, upper, upper=True)
            self._numeric_bound(old, new, ctx, lower, upper=False)
        for keyword in ("maxLength", "maxItems", "maxProperties"):
            self._count_bound(old, new, ctx, keyword, upper=True)
        for keyword in ("minLength", "minItems", "minProperties"):
            self._count_bound(old, new, ctx, keyword, upper=False)

    def _numeric_bound(
        self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx, keyword: str, *, upper: bool
    ) -> None:
        before, after = _bound(old, keyword, upper=upper), _bound(new, keyword, upper=upper)
        if before == after:
            return
        exclusive = "exclusiveMaximum" if upper else "exclusiveMinimum"
        shown = exclusive if exclusive in new or (after is None and exclusive in old) else keyword
        if after is None:
            tighter = False
        elif before is None:
            tighter = True
        else:
            value_tighter = after[0] < before[0] if upper else after[0] > before[0]
            tighter = value_tighter or (after[0] == before[0] and after[1] and not before[1])
        self.directional(
            ctx,
            shown,
            "bound-tightened" if tighter else "bound-relaxed",
            f"{'upper' if upper else 'lower'} bound changed from {_show_bound(before, upper)} "
            f"to {_show_bound(after, upper)}",
            narrows=tighter,
            widens=not tighter,
        )

    def _count_bound(
        self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx, keyword: str, *, upper: bool
    ) -> None:
        default = None if upper else 0
        before, after = old.get(keyword, default), new.get(keyword, default)
        if before == after:
            return
        if upper:
            tighter = before is None or (after is not None and after < before)
        else:
            tighter = bool(after is not None and before is not None and after > before)
        verb = "added" if before is None else "removed" if after is None else "changed"
        self.directional(
            ctx,
            keyword,
            "bound-tightened" if tighter else "bound-relaxed",
            f"{keyword} {verb}"
            + (f" from {before}" if before is not None else "")
            + (f" to {after}" if after is not None else ""),
            narrows=tighter,
            widens=not tighter,
        )

    def _multiple_of(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
        before, after = old.get("multipleOf"), new.get("multipleOf")
        if before == after:
            return
        if before is None:
            narrows, widens = True, False
        elif after is None:
            narrows, widens = False, True
        else:
            ratio = Fraction(str(before)) / Fraction(str(after))
            widens = ratio.denominator == 1  # every old multiple is still a multiple
            narrows = (1 / ratio).denominator == 1 and not widens
            if not widens and not narrows:
                narrows = widens = True
        self.directional(
            ctx,
            "multipleOf",
            "multiple-of-changed",
            f"multipleOf changed from {before} to {after}",
            narrows=narrows,
            widens=widens,
        )

    def _unique_items(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
        before, after = bool(old.get("uniqueItems")), bool(new.get("uniqueItems"))
        if after and not before:
            self.directional(
                ctx,
                "uniqueItems",
                "unique-items-added",
                "items must now be unique",
                narrows=True,
                widens=False,
            )
        elif before and not after:
            self.directional(
                ctx,
                "uniqueItems",
                "unique-items-removed",
                "items no longer need to be unique",
                narrows=False,
                widens=True,
            )

    def _properties(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
        old_props: dict[str, Any] = old.get("properties") or {}
        new_props: dict[str, Any] = new.get("properties") or {}
        old_required = set(old.get("required") or [])
        new_required = set(new.get("required") or [])
        hidden = "readOnly" if ctx.side == "request" else "writeOnly"

        def visible(doc: _Doc, node: Any) -> bool:
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
                    BREAKING,
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
                    narrows=True,
                    widens=False,
                )
            elif name in old_required and name not in new_required:
                self.directional(
                    field,
                    "required",
                    "field-became-optional",
                    f"field {field.path} is no longer required",
                    narrows=False,
                    widens=True,
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
                    NON_BREAKING,
                    f"field {field.path} is now part of {ctx.side}s (no longer {hidden})",
                )
            elif ctx.side == "request" and name in new_required and not ctx.inverted:
                self.fixed(
                    field,
                    None,
                    "field-added-required",
                    BREAKING,
                    f"new required field {field.path}: requests without it are refused",
                )
            else:
                self.fixed(
                    field,
                    None,
                    "field-added",
                    NON_BREAKING,
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
                narrows=True,
                widens=False,
            )
        for name in sorted(old_required - new_required - known):
            self.directional(
                ctx,
                "required",
                "required-entry-removed",
                f"{name} is no longer required",
                narrows=False,
                widens=True,
            )

    def _additional_properties(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
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
                narrows=True,
                widens=False,
            )
        elif before is False:
            self.directional(
                ctx,
                "additionalProperties",
                "additional-properties-allowed",
                "additionalProperties no longer false: unlisted fields are allowed",
                narrows=False,
                widens=True,
                response_widening_ok=True,
            )
        elif open_before:
            self.directional(
                ctx,
                "additionalProperties",
                "additional-properties-restricted",
                "additionalProperties now constrained by a schema",
                narrows=True,
                widens=False,
            )
        elif open_after:
            self.directional(
                ctx,
                "additionalProperties",
                "additional-properties-allowed",
                "additionalProperties no longer constrained",
                narrows=False,
                widens=True,
                response_widening_ok=True,
            )
        else:
            self.schema(before, after, ctx.at("*"))

    def _dependent_required(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
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
                    narrows=True,
                    widens=False,
                )
            if was - now:
                self.directional(
                    ctx,
                    f"dependentRequired {name}",
                    "dependent-required-removed",
                    f"when {name} is present, {', '.join(sorted(was - now))} no longer must be",
                    narrows=False,
                    widens=True,
                )

    def _compositions(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
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
                narrows=False,
                widens=True,
            )
        elif new_key:
            self.directional(
                ctx,
                new_key,
                "composition-added",
                f"{new_key} added",
                narrows=True,
                widens=False,
            )
        if "not" in old and "not" in new:
            self.schema(old["not"], new["not"], replace(ctx.at("not"), inverted=not ctx.inverted))
        elif "not" in old:
            self.directional(ctx, "not", "not-removed", "`not` removed", narrows=False, widens=True)
        elif "not" in new:
            self.directional(ctx, "not", "not-added", "`not` added", narrows=True, widens=False)
        old_all, new_all = old.get("allOf") or [], new.get("allOf") or []
        for index in range(max(len(old_all), len(new_all))):
            if index >= len(new_all):
                self.directional(
                    ctx,
                    "allOf",
                    "all-of-member-removed",
                    f"allOf member {index} removed",
                    narrows=False,
                    widens=True,
                )
            elif index >= len(old_all):
                self.directional(
                    ctx,
                    "allOf",
                    "all-of-member-added",
                    f"allOf member {index} added",
                    narrows=True,
                    widens=False,
                )
            else:
                self.schema(old_all[index], new_all[index], ctx.at(f"allOf[{index}]"))

    def _variants(self, old: list[Any], new: list[Any], ctx: _Ctx, keyword: str) -> None:
        pairs, removed, added = _pair_variants(self.base, old, self.head, new)
        for i in removed:
            self.directional(
                ctx,
                keyword,
                "variant-removed",
                f"{keyword} variant {_variant_label(self.base, old[i], i)} removed",
                narrows=True,
                widens=False,
            )
        for j in added:
            self.directional(
                ctx,
                keyword,
                "variant-added",
                f"{keyword} variant {_variant_label(self.head, new[j], j)} added",
                narrows=False,
                widens=True,
                note="responses may take a shape old clients do not parse",
            )
        for i, j in pairs:
            label = _variant_label(self.head, new[j], j)
            self.schema(old[i], new[j], ctx.at(f"{keyword}[{label}]"))

    def _discriminator(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
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
                BREAKING,
                f"discriminator {' and '.join(changed)} changed: payloads are told apart "
                "differently",
            )

    def _informational(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
        if "default" in old and "default" in new and old["default"] != new["default"]:
            self.fixed(
                ctx,
                "default",
                "default-changed",
                NON_BREAKING,
                f"default changed from {old['default']!r} to {new['default']!r} "
                "(informational: clients that rely on the default see other behaviour)",
            )
        if new.get("deprecated") and not old.get("deprecated"):
            self.fixed(
                ctx,
                "deprecated",
                "field-deprecated",
                NON_BREAKING,
                "marked deprecated (informational)",
            )

    def _unmodelled(self, old: dict[str, Any], new: dict[str, Any], ctx: _Ctx) -> None:
        for key in sorted((set(old) | set(new)) - _HANDLED - _ANNOTATIONS):
            if key.startswith("x-") or old.get(key) == new.get(key):
                continue
            self.directional(
                ctx,
                key,
                "schema-changed",
                f"{key} changed (direction not worked out, so treated as breaking)",
                narrows=True,
                widens=True,
            )


# -- helpers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Operation:
    path: str
    method: str
    path_item: dict[str, Any]
    op: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, re.sub(r"\{[^}]+\}", "{}", self.path))

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def op_id(self) -> str | None:
        value = self.op.get("operationId")
        return str(value) if value else None


def _operations(doc: _Doc) -> dict[tuple[str, str], _Operation]:
    out: dict[tuple[str, str], _Operation] = {}
    for path, raw_item in (doc.document.get("paths") or {}).items():
        item, _ = doc.deref(raw_item)
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                operation = _Operation(str(path), method, item, op)
                out[operation.key] = operation
    return out


def _parameters(doc: _Doc, op: _Operation) -> dict[tuple[str, str], dict[str, Any]]:
    """The effective parameters by (location, name): operation-level ones override."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*(op.path_item.get("parameters") or []), *(op.op.get("parameters") or [])]:
        param, _ = doc.deref(raw)
        if not isinstance(param, dict) or "name" not in param:
            continue
        where = str(param.get("in", "query"))
        name = str(param["name"])
        out[(where, name.lower() if where == "header" else name)] = param
    return out


Signature = tuple[str, ...]


def _schemes(doc: _Doc) -> dict[str, Signature]:
    """Each security scheme's wire-level identity (what a client must send)."""
    raw = (doc.document.get("components") or {}).get("securitySchemes") or {}
    out: dict[str, Signature] = {}
    for name, node in raw.items():
        scheme, _ = doc.deref(node)
        if not isinstance(scheme, dict):
            continue
        kind = str(scheme.get("type", ""))
        if kind == "http":
            out[name] = (kind, str(scheme.get("scheme", "")).lower())
        elif kind == "apiKey":
            where = str(scheme.get("in", ""))
            key = str(scheme.get("name", ""))
            out[name] = (kind, where, key.lower() if where == "header" else key)
        elif kind == "oauth2":
            flows = scheme.get("flows") or {}
            out[name] = (
                kind,
                *sorted(
                    f"{flow}:{(spec or {}).get('tokenUrl', '')}:"
                    f"{(spec or {}).get('authorizationUrl', '')}"
                    for flow, spec in flows.items()
                ),
            )
        elif kind == "openIdConnect":
            out[name] = (kind, str(scheme.get("openIdConnectUrl", "")))
        else:
            out[name] = (kind,)
    return out


def _security_alternatives(
    doc: _Doc, op: dict[str, Any]
) -> dict[frozenset[Signature], frozenset[str]]:
    """The ways to authenticate: each a set of scheme signatures, with the scopes required."""
    raw = op["security"] if "security" in op else doc.document.get("security") or []
    schemes = _schemes(doc)
    out: dict[frozenset[Signature], frozenset[str]] = {}
    for requirement in raw or []:
        if not isinstance(requirement, dict):
            continue
        keys = frozenset(schemes.get(name, ("undefined", name)) for name in requirement)
        scopes = frozenset(
            f"{name}:{scope}" for name, listed in requirement.items() for scope in listed or []
        )
        out[keys] = out.get(keys, frozenset()) | scopes
    return out


def _used_scheme_names(doc: _Doc, op: dict[str, Any]) -> set[str]:
    raw = op["security"] if "security" in op else doc.document.get("security") or []
    return {
        name for requirement in raw or [] if isinstance(requirement, dict) for name in requirement
    }


def _describe_sig(signature: Signature) -> str:
    kind = signature[0]
    if kind == "http":
        return f"HTTP {signature[1]}"
    if kind == "apiKey":
        return f"API key in {signature[1]} {signature[2]}"
    return " ".join(signature)


def _describe_alt(alternatives: dict[frozenset[Signature], frozenset[str]]) -> str:
    (keys, _), *_ = alternatives.items()
    if not keys:
        return "no credentials"
    return " + ".join(sorted(_describe_sig(sig) for sig in keys))


def _type_direction(before: set[str] | None, after: set[str] | None) -> tuple[bool, bool]:
    """(narrows, widens) for a change of the allowed types; integer is inside number."""
    if before is None:
        return True, False
    if after is None:
        return False, True

    def covers(types: set[str], kind: str) -> bool:
        return kind in types or (kind == "integer" and "number" in types)

    narrows = any(not covers(after, t) for t in before)
    widens = any(not covers(before, t) for t in after)
    return narrows, widens


def _overlap(before: set[str], after: set[str]) -> bool:
    numeric = {"integer", "number"}
    return bool(before & after) or bool(before & numeric and after & numeric)


def _show_types(types: set[str] | None) -> str:
    return "any" if types is None else "/".join(sorted(types))


def _enum_values(schema: dict[str, Any]) -> dict[str, Any] | None:
    if isinstance(schema.get("enum"), list):
        values = [v for v in schema["enum"] if v is not None]
    elif "const" in schema and schema["const"] is not None:
        values = [schema["const"]]
    else:
        return None
    return {json.dumps(v, sort_keys=True): v for v in values}


def _show_values(values: Any) -> str:
    shown = [json.dumps(v) for v in values]
    return ", ".join(shown[:8]) + (f" and {len(shown) - 8} more" if len(shown) > 8 else "")


def _bound(schema: dict[str, Any], keyword: str, *, upper: bool) -> tuple[float, bool] | None:
    """The effective (value, exclusive) bound, from 3.1 numeric or 3.0 boolean exclusives."""
    exclusive_key = "exclusiveMaximum" if upper else "exclusiveMinimum"
    plain: Any = schema.get(keyword)
    exclusive: Any = schema.get(exclusive_key)
    if exclusive is True and _is_number(plain):
        return (plain, True)
    candidates: list[tuple[float, bool]] = []
    if _is_number(plain):
        candidates.append((plain, False))
    if _is_number(exclusive):
        candidates.append((exclusive, True))
    if not candidates:
        return None
    if upper:
        return min(candidates, key=lambda c: (c[0], not c[1]))
    return max(candidates, key=lambda c: (c[0], c[1]))


def _show_bound(bound: tuple[float, bool] | None, upper: bool) -> str:
    if bound is None:
        return "none"
    sign = ("<" if bound[1] else "<=") if upper else (">" if bound[1] else ">=")
    return f"{sign} {bound[0]}"


def _variant_key(doc: _Doc, node: Any) -> tuple[str | None, str]:
    resolved, name = doc.deref(node)
    kind = "?"
    if isinstance(resolved, dict):
        types = _types(resolved)
        kind = _show_types(types) if types is not None else str(resolved.get("title", "?"))
    return name, kind


def _variant_label(doc: _Doc, node: Any, index: int) -> str:
    name, kind = _variant_key(doc, node)
    return name or (kind if kind not in ("?", "any") else str(index))


def _pair_variants(
    base: _Doc, old: list[Any], head: _Doc, new: list[Any]
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


def _merge_statuses(changes: list[Change]) -> list[Change]:
    """Fold the same change under several response statuses into one line."""
    pattern = re.compile(r"^(?P<head>.* response )(?P<status>\S+)(?P<tail>( .*)?)$")
    grouped: dict[tuple[str, ...], list[str]] = {}
    order: list[tuple[str, ...] | Change] = []
    for change in changes:
        match = pattern.match(change.location)
        if not match or change.kind.startswith("response-status"):
            order.append(change)
            continue
        key = (
            change.kind,
            change.side,
            change.classification,
            change.reason,
            match["head"],
            match["tail"],
        )
        if key not in grouped:
            grouped[key] = []
            order.append(key)
        grouped[key].append(match["status"])
    out: list[Change] = []
    for item in order:
        if isinstance(item, Change):
            out.append(item)
            continue
        kind, side, classification, reason, head, tail = item
        statuses = "|".join(grouped[item])
        out.append(Change(kind, side, f"{head}{statuses}{tail}", classification, reason))  # type: ignore[arg-type]
    return out
