"""Walk two OpenAPI documents side by side and classify every contract difference.

A change is **breaking** when a client or integration that worked against the base spec can
fail against the head spec. Requests and responses are judged in opposite directions: a
request schema must not *narrow* (accept less than before), a response schema must not
*widen* (return something an old client was not promised). Local ``$ref``s are followed,
``allOf`` members are merged into one schema, ``oneOf``/``anyOf`` variants are paired (by
``$ref`` name, then type, then position), a ``{"type": "null"}`` variant counts as
nullability, and the inside of ``not`` is judged with the direction reversed. A change in a
schema shared by several responses is listed once, its statuses joined (``response
400|404 body code``); a shared schema reachable along very many paths is reported at no more
than 32 of them.

The rules (``kind`` in brackets):

Operations and document
  - operation removed [operation-removed], moved to another path or method with the same
    operationId [operation-moved], operationId changed [operation-id-changed]: breaking;
    operation added [operation-added], deprecated [operation-deprecated]: non-breaking.
  - a server URL removed [server-removed]: breaking; added [server-added]: non-breaking.
  - security: authentication now required where none was [security-added], a way to
    authenticate removed [security-alternative-removed], a scheme's type, HTTP scheme, API
    key location or name changed [security-scheme-changed], scopes added
    [security-scopes-added]: breaking; a new
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
  - a new constraint that every value of the old ``enum``/``const`` already satisfies (say
    ``maxLength: 64`` on an enum of short names) narrows nothing: non-breaking.
  - a named object or enum schema replaced by another name, e.g. a component renamed
    [model-renamed]: breaking, because the generated client's model class is renamed even
    when the wire format is the same (as an operationId rename renames its function).
  - any other validation keyword that changed (if/then/else, patternProperties,
    propertyNames, contains, prefixItems, dependentSchemas, unevaluated*) [schema-changed]:
    the direction is not worked out, so it is reported as breaking to be safe.

Deliberately not checked: descriptions, summaries, titles, examples, tags, externalDocs,
``x-`` extensions other than the ``x-rules`` ids (so ``x-extensible-enum`` values may grow
freely), components no operation reaches, webhooks and callbacks, path- and
operation-level ``servers``, links, external (non-local) ``$ref`` targets (compared by their
text), whether one regular expression contains another (a changed ``pattern`` counts as
both narrowing and widening), inline schemas moved into ``components`` or back (no wire
change; the client API diff shows any class that appears or goes), and what a rule
*means*: a status or field that keeps its shape but changes its semantics is the
reviewer's job.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Literal

from prevail_contract.diff.context import Ctx, Doc, Operation, arr, obj
from prevail_contract.diff.model import Change
from prevail_contract.diff.schemas import SchemaRules
from prevail_contract.diff.security import SecurityRules

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def compare_documents(base: dict[str, Any], head: dict[str, Any]) -> list[Change]:
    """Every classified difference between two OpenAPI documents, in walk order."""
    return _merge_statuses(_Walker(base, head).run())


class _Walker(SchemaRules, SecurityRules):
    """Walks the operations of both documents and applies every rule."""

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
                    f"operation {old.op_id} moved from {old.label} to {new.label}: clients "
                    "still call the old method and URL",
                )
                self._operation(old, new)
            else:
                self.emit(
                    "operation-removed",
                    "operation",
                    old.label,
                    f"operation {old.op_id or old.label} removed: clients that call it fail",
                )
        for key, new in head_ops.items():
            if key not in paired_heads:
                self.emit(
                    "operation-added",
                    "operation",
                    new.label,
                    f"new operation {new.op_id or new.label}: existing clients do not call it",
                )
        return self.changes

    def _servers(self) -> None:
        def urls(doc: Doc) -> list[str]:
            servers = arr(doc.document.get("servers"))
            return [str(s.get("url", "")).rstrip("/") for s in servers if isinstance(s, dict)]

        old, new = urls(self.base), urls(self.head)
        for url in old:
            if url not in new:
                self.emit(
                    "server-removed",
                    "operation",
                    f"servers {url}",
                    f"server URL {url} removed: clients configured with it no longer reach the API",
                )
        for url in new:
            if url not in old:
                self.emit(
                    "server-added",
                    "operation",
                    f"servers {url}",
                    f"server URL {url} added: an additional place to reach the API",
                )

    # -- operations ----------------------------------------------------------------------

    def _operation(self, old: Operation, new: Operation) -> None:
        label = new.label
        if old.op_id != new.op_id and new.key == old.key:
            self.emit(
                "operation-id-changed",
                "operation",
                f"{label} operationId",
                f"operationId changed from {old.op_id or '(none)'} to {new.op_id or '(none)'}: "
                "the generated client's function module is named after it",
            )
        if not old.op.get("deprecated") and new.op.get("deprecated"):
            self.emit(
                "operation-deprecated",
                "operation",
                f"{label} deprecated",
                "operation marked deprecated: it still works, clients should plan to move",
            )
        self.security(old, new)
        self._parameters(old, new)
        self._request_body(old, new)
        self._responses(old, new)
        self._rules(old, new)

    def _rules(self, old: Operation, new: Operation) -> None:
        def rules(op: Operation) -> dict[str, dict[str, Any]]:
            raw = arr(op.op.get("x-rules"))
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
                    f"rule {rule_id} removed from the catalogue (informational: the gate "
                    "judges the schemas and statuses, not what a rule means)",
                )
        for rule_id, rule in after.items():
            if rule_id not in before:
                self.emit(
                    "rule-added",
                    "operation",
                    f"{new.label} x-rules {rule_id}",
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
                        f"rule {rule_id} {field} changed from {was} to {now} (informational; "
                        "a removed response status is reported on its own)",
                    )

    # -- parameters ----------------------------------------------------------------------

    def _parameters(self, old: Operation, new: Operation) -> None:
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
                    f"new required {key[0]} parameter {param.get('name')}: clients that do "
                    "not send it are refused",
                )
            else:
                self.emit(
                    "parameter-added",
                    "request",
                    location,
                    f"new optional {key[0]} parameter {param.get('name')}",
                )

    def _parameter(self, old: dict[str, Any], new: dict[str, Any], where: str) -> None:
        was_required, is_required = bool(old.get("required")), bool(new.get("required"))
        if is_required and not was_required:
            self.emit(
                "parameter-became-required",
                "request",
                f"{where} required",
                "parameter is now required: clients that leave it out are refused",
            )
        elif was_required and not is_required:
            self.emit(
                "parameter-became-optional",
                "request",
                f"{where} required",
                "parameter is now optional",
            )
        for key in ("style", "explode", "allowReserved"):
            if old.get(key) != new.get(key):
                self.emit(
                    "parameter-style-changed",
                    "request",
                    f"{where} {key}",
                    f"{key} changed from {old.get(key)} to {new.get(key)}: the value is "
                    "serialized differently on the wire",
                )
        if not old.get("deprecated") and new.get("deprecated"):
            self.emit(
                "parameter-deprecated",
                "request",
                f"{where} deprecated",
                "parameter marked deprecated (informational)",
            )
        ctx = Ctx("request", where)
        self._content_or_schema(old, new, ctx)

    def _content_or_schema(self, old: dict[str, Any], new: dict[str, Any], ctx: Ctx) -> None:
        """Compare a parameter's or header's ``schema`` (or its one-entry ``content``)."""

        def schema_of(node: dict[str, Any]) -> Any:
            if "schema" in node:
                return node["schema"]
            content = obj(node.get("content"))
            if content:
                media = next(iter(content.values()))
                return media.get("schema") if isinstance(media, dict) else None
            return None

        old_schema, new_schema = schema_of(old), schema_of(new)
        if old_schema is not None or new_schema is not None:
            self.schema(old_schema or {}, new_schema or {}, ctx)

    # -- bodies --------------------------------------------------------------------------

    def _request_body(self, old: Operation, new: Operation) -> None:
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
                "the request body was removed: what clients send is refused or ignored",
            )
            return
        if after.get("required") and not before.get("required"):
            self.emit(
                "request-body-became-required",
                "request",
                f"{where} required",
                "the request body is now required: clients that send none are refused",
            )
        elif before.get("required") and not after.get("required"):
            self.emit(
                "request-body-became-optional",
                "request",
                f"{where} required",
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
        old_content = obj(before.get("content"))
        new_content = obj(after.get("content"))
        for media in old_content:
            if media not in new_content:
                self.emit(
                    "media-type-removed",
                    side,
                    f"{where} {media}",
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
                    f"media type {media} added",
                )
        for media, old_media in old_content.items():
            if media not in new_content:
                continue
            new_media = new_content[media]
            label = where if media == "application/json" else f"{where} ({media})"
            old_schema = obj(old_media).get("schema")
            new_schema = obj(new_media).get("schema")
            if old_schema is None and new_schema is None:
                continue
            self.schema(old_schema or {}, new_schema or {}, Ctx(side, label))

    def _responses(self, old: Operation, new: Operation) -> None:
        before = obj(old.op.get("responses"))
        after = obj(new.op.get("responses"))
        for status in before:
            if str(status) not in {str(s) for s in after}:
                self.emit(
                    "response-status-removed",
                    "response",
                    f"{new.label} response {status}",
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
        def headers(doc: Doc, response: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
            out: dict[str, tuple[str, dict[str, Any]]] = {}
            for name, raw in obj(response.get("headers")).items():
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
                    f"response header {name} removed: clients that read it get nothing",
                )
                continue
            other = new[key][1]
            if header.get("required") and not other.get("required"):
                self.emit(
                    "response-header-became-optional",
                    "response",
                    f"{location} required",
                    f"response header {name} is no longer always sent",
                )
            elif other.get("required") and not header.get("required"):
                self.emit(
                    "response-header-became-required",
                    "response",
                    f"{location} required",
                    f"response header {name} is now always sent",
                )
            self._content_or_schema(header, other, Ctx("response", location))
        for key, (name, _) in new.items():
            if key not in old:
                self.emit(
                    "response-header-added",
                    "response",
                    f"{where} header {name}",
                    f"response header {name} added",
                )


def _merge_statuses(changes: list[Change]) -> list[Change]:
    """Fold the same change under several response statuses (a shared schema such as
    ``Error``) into one line whose location lists them: ``response 400|404 body code``."""
    pattern = re.compile(
        r"^(?P<head>.* response )(?P<status>[1-5][0-9X]{2}|default)(?P<tail>( .*)?)$"
    )
    groups: dict[tuple[str, ...], tuple[Change, list[str]]] = {}
    order: list[Change | tuple[str, ...]] = []
    for change in changes:
        match = pattern.match(change.location)
        if not match or change.kind.startswith("response-status"):
            order.append(change)
            continue
        key = (change.kind, change.reason, change.classification, match["head"], match["tail"])
        if key not in groups:
            groups[key] = (change, [])
            order.append(key)
        groups[key][1].append(match["status"])
    out: list[Change] = []
    for item in order:
        if isinstance(item, Change):
            out.append(item)
            continue
        first, statuses = groups[item]
        location = f"{item[3]}{'|'.join(statuses)}{item[4]}"
        out.append(replace(first, location=location))
    return out


def _operations(doc: Doc) -> dict[tuple[str, str], Operation]:
    out: dict[tuple[str, str], Operation] = {}
    for path, raw_item in obj(doc.document.get("paths")).items():
        item, _ = doc.deref(raw_item)
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                operation = Operation(str(path), method, item, op)
                out[operation.key] = operation
    return out


def _parameters(doc: Doc, op: Operation) -> dict[tuple[str, str], dict[str, Any]]:
    """The effective parameters by (location, name): operation-level ones override."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*arr(op.path_item.get("parameters")), *arr(op.op.get("parameters"))]:
        param, _ = doc.deref(raw)
        if not isinstance(param, dict) or "name" not in param:
            continue
        where = str(param.get("in", "query"))
        name = str(param["name"])
        out[(where, name.lower() if where == "header" else name)] = param
    return out
