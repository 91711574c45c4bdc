"""Walk two OpenAPI documents side by side and classify every contract difference.

A change is **breaking** when a client or integration that worked against the base spec can
fail against the head spec. Requests and responses are judged in opposite directions: a
request schema must not *narrow* (accept less than before), a response schema must not
*widen* (return something an old client was not promised). Local ``$ref``s are followed,
``allOf`` members are merged into one schema, ``oneOf``/``anyOf`` variants are paired (by
``$ref`` name, then type, then position), a ``{"type": "null"}`` variant counts as
nullability, and the inside of ``not`` is judged with the direction reversed. A new
constraint that every value of the old ``enum``/``const`` already satisfies narrows nothing.
A change in a schema shared by several responses is listed once, its statuses joined
(``response 400|404 body code``); a shared schema reachable along very many paths is
reported at no more than 32 of them.

Every kind of change the gate reports, with its verdict and direction, is in the registry
:mod:`prevail_contract.diff.kinds` (``prevail-contract diff --list-rules`` prints it). This
module walks the document and its operations; :mod:`.messages` compares parameters, bodies
and responses, :mod:`.schemas` the schemas, :mod:`.security` the security requirements.

An operation's ``x-operation`` entry is compared too: a read that becomes a write breaks
integrators who call it as a read (and the live runs that may send it), a role or live policy
change is informational.

Deliberately not checked: descriptions, summaries, titles, examples, tags, externalDocs, ``x-``
extensions other than the ``x-rules`` ids, ``x-operation`` and the known values of an open enum
(``x-extensible-enum``: growing is never breaking, only a new minor version), components no
operation reaches, webhooks and callbacks, path- and operation-level ``servers``, links,
external (non-local) ``$ref`` targets (compared by their text), whether one regular expression
contains another (a changed ``pattern`` counts as both narrowing and widening), inline schemas
moved into ``components`` or back (no wire change; the client API diff shows any class that
appears or goes), and what a rule *means*: a status or field that keeps its shape but changes
its semantics is the reviewer's job.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from prevail_contract.diff.context import Doc, arr
from prevail_contract.diff.messages import MessageRules
from prevail_contract.diff.model import Change
from prevail_contract.diff.schemas import SchemaRules
from prevail_contract.diff.security import SecurityRules
from prevail_contract.spec.operations import Operation, walk_operations


def compare_documents(base: dict[str, Any], head: dict[str, Any]) -> list[Change]:
    """Every classified difference between two OpenAPI documents, in walk order."""
    return _merge_statuses(_Walker(base, head).run())


class _Walker(MessageRules, SchemaRules, SecurityRules):
    """Walks the operations of both documents and applies every rule."""

    # -- document level ------------------------------------------------------------------

    def run(self) -> list[Change]:
        self._servers()
        base_ops, head_ops = _operations(self.base), _operations(self.head)
        head_by_id = {op.declared_id: key for key, op in head_ops.items() if op.declared_id}
        paired_heads: set[tuple[str, str]] = set()
        for key, old in base_ops.items():
            if key in head_ops:
                new = head_ops[key]
                paired_heads.add(key)
                self._operation(old, new)
            elif (
                old.declared_id
                and old.declared_id in head_by_id
                and head_by_id[old.declared_id] not in base_ops
            ):
                new = head_ops[head_by_id[old.declared_id]]
                paired_heads.add(head_by_id[old.declared_id])
                self.emit(
                    "operation-moved",
                    "operation",
                    old.label,
                    f"operation {old.declared_id} moved from {old.label} to {new.label}: clients "
                    "still call the old method and URL",
                )
                self._operation(old, new)
            else:
                self.emit(
                    "operation-removed",
                    "operation",
                    old.label,
                    f"operation {old.declared_id or old.label} removed: clients that call it fail",
                )
        for key, new in head_ops.items():
            if key not in paired_heads:
                self.emit(
                    "operation-added",
                    "operation",
                    new.label,
                    f"new operation {new.declared_id or new.label}: "
                    "existing clients do not call it",
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
        if old.declared_id != new.declared_id and new.key == old.key:
            self.emit(
                "operation-id-changed",
                "operation",
                f"{label} operationId",
                f"operationId changed from {old.declared_id or '(none)'} to "
                f"{new.declared_id or '(none)'}: "
                "the generated client's function module is named after it",
            )
        if not old.node.get("deprecated") and new.node.get("deprecated"):
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
        self._entry(old, new)

    def _entry(self, old: Operation, new: Operation) -> None:
        """The ``x-operation`` entry: its nature, role and live policy (where both sides have
        one: an entry added to an older document changes nothing on the wire)."""
        was, now = old.node.get("x-operation"), new.node.get("x-operation")
        if not isinstance(was, dict) or not isinstance(now, dict):
            return
        if was.get("nature") != now.get("nature") and {was.get("nature"), now.get("nature")} == {
            "read",
            "write",
        }:
            self.emit(
                "operation-became-write" if now["nature"] == "write" else "operation-became-read",
                "operation",
                f"{new.label} x-operation nature",
                f"x-operation nature changed from {was['nature']} to {now['nature']}",
            )
        for key in ("role", "live"):
            if was.get(key) != now.get(key):
                self.emit(
                    "operation-role-changed",
                    "operation",
                    f"{new.label} x-operation {key}",
                    f"x-operation {key} changed from {was.get(key)} to {now.get(key)} "
                    "(informational: the kit's modules follow the spec)",
                )

    def _rules(self, old: Operation, new: Operation) -> None:
        def rules(op: Operation) -> dict[str, dict[str, Any]]:
            raw = arr(op.node.get("x-rules"))
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
    return {op.key: op for op in walk_operations(doc.document, lambda node: doc.deref(node)[0])}
