"""Diff rules for what a request and a response carry: parameters, the request body, media
types, response statuses and headers (their schemas go to :mod:`.schemas`)."""

from __future__ import annotations

import re
from typing import Any, Literal

from prevail_contract.diff.context import Ctx, Doc, SchemaWalk, arr, obj
from prevail_contract.spec.operations import Operation


class MessageRules(SchemaWalk):
    """The parameter, body and response rules, as a mixin of the document walker."""

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
        before, _ = self.base.deref(old.node.get("requestBody"))
        after, _ = self.head.deref(new.node.get("requestBody"))
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
        before = obj(old.node.get("responses"))
        after = obj(new.node.get("responses"))
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


def _parameters(doc: Doc, op: Operation) -> dict[tuple[str, str], dict[str, Any]]:
    """The effective parameters by (location, name): operation-level ones override."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*arr(op.path_item.get("parameters")), *arr(op.node.get("parameters"))]:
        param, _ = doc.deref(raw)
        if not isinstance(param, dict) or "name" not in param:
            continue
        where = str(param.get("in", "query"))
        name = str(param["name"])
        out[(where, name.lower() if where == "header" else name)] = param
    return out
