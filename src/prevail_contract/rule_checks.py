"""The rule catalogue's integrity, checked against the spec itself rather than a list of ids.

What must exist is derived from the document: every operation under ``paths`` carries an
``x-rules`` catalogue, rule ids are unique across all operations, every id a schema's
``x-rules`` names is a rule of an operation that uses the schema, every 4xx response an
operation lists is produced by one of its rules (and every rule's status is a response of
its operation or has its own ``response``), every error code the responses declare is some
rule's code, and every example a rule names exists. Limits are checked in
:mod:`prevail_contract.limit_checks`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from prevail_contract.spec import Spec
from prevail_contract.spec_checks import (
    EXAMPLE_PREFIX,
    Operation,
    example_ref,
    operations,
    response_schema,
    walk,
)

_FIELDS = ("id", "source", "kind", "statement", "status")
_SOURCES = ("documented", "assumed")
_KINDS = ("rejection", "behaviour")


def check_rules(spec: Spec) -> list[str]:
    """Every operation's catalogue is well formed and agrees with the responses it names."""
    problems: list[str] = []
    owners: dict[str, list[Operation]] = {}
    codes_used: set[str] = set()
    declared = _declared(spec)
    for op in operations(spec):
        raw = op.node.get("x-rules")
        if not isinstance(raw, list) or not raw:
            problems.append(f"{op.label}: the operation has no x-rules catalogue")
            continue
        for index, entry in enumerate(raw):
            if isinstance(entry, str):
                # a plain id shares a rule that another operation declares in full
                if entry not in declared:
                    problems.append(
                        f"{op.label} x-rules[{index}]: {entry!r} names no rule declared in "
                        "full by an operation"
                    )
                continue
            if not isinstance(entry, Mapping):
                problems.append(
                    f"{op.label} x-rules[{index}]: an entry must be an object, or the id of a "
                    "rule another operation declares"
                )
                continue
            problems += _entry(spec, op, index, entry)
            if isinstance(entry.get("id"), str):
                owners.setdefault(entry["id"], []).append(op)
            if isinstance(entry.get("code"), str):
                codes_used.add(entry["code"])
        problems += _responses_covered(spec, op, declared)
    for rule_id, ops in owners.items():
        if len(ops) > 1:
            where = " and ".join(op.label for op in ops)
            problems.append(
                f"rule id {rule_id!r} is declared {len(ops)} times ({where}); "
                "ids are unique across all operations"
            )
    problems += _codes_answered(spec, codes_used)
    problems += _schema_references(spec, owners)
    return problems


def _entry(spec: Spec, op: Operation, index: int, entry: Mapping[str, Any]) -> list[str]:
    rule_id = entry.get("id", f"x-rules[{index}]")
    where = f"{op.label} rule {rule_id}"
    missing = [k for k in _FIELDS if k not in entry]
    if missing:
        return [f"{where}: lacks {', '.join(missing)}"]
    problems: list[str] = []
    if entry["source"] not in _SOURCES:
        problems.append(f"{where}: source must be one of {', '.join(_SOURCES)}")
    if entry["kind"] not in _KINDS:
        problems.append(f"{where}: kind must be one of {', '.join(_KINDS)}")
    statement = " ".join(str(entry["statement"]).split())
    if len(statement) < 20 or not statement.endswith("."):
        problems.append(f"{where}: statement should be one full sentence")
    for which in ("request", "response"):
        name = example_ref(entry, which)
        node = (entry.get("examples") or {}).get(which)
        if node is not None and name is None:
            problems.append(f"{where}: its {which} example must be a $ref under {EXAMPLE_PREFIX}")
        elif name and name not in spec.document.get("components", {}).get("examples", {}):
            problems.append(f"{where}: its {which} example {name} does not exist")
    if entry["kind"] == "rejection":
        problems += _rejection(spec, op, entry, where)
    return problems


def _rejection(spec: Spec, op: Operation, entry: Mapping[str, Any], where: str) -> list[str]:
    status = entry["status"]
    if not isinstance(status, int) or not 400 <= status < 500:
        return [f"{where}: a rejection rule needs a 4xx status"]
    own = entry.get("response")
    if str(status) not in op.responses(spec):
        if not isinstance(own, Mapping):
            return [
                f"{where}: status {status} is not among {op.label}'s responses and the rule "
                "has no `response` of its own"
            ]
        return []
    problems: list[str] = []
    known = _codes(spec, response_schema(spec, op, entry))
    if known and entry.get("code") not in known:
        problems.append(
            f"{where}: code {entry.get('code')!r} is not a known code of its response "
            f"({', '.join(sorted(known))})"
        )
    if not example_ref(entry, "request") or not example_ref(entry, "response"):
        problems.append(f"{where}: a rejection rule needs a request and a response example")
    return problems


def _declared(spec: Spec) -> dict[str, Mapping[str, Any]]:
    """Every rule declared in full (an object entry), by id."""
    return {
        str(e["id"]): e
        for op in operations(spec)
        for e in op.entries
        if isinstance(e.get("id"), str)
    }


def _responses_covered(
    spec: Spec, op: Operation, declared: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    raw = op.node.get("x-rules") or []
    shared = [declared[e] for e in raw if isinstance(e, str) and e in declared]
    produced = {
        str(e.get("status")) for e in [*op.entries, *shared] if e.get("kind") == "rejection"
    }
    problems: list[str] = []
    for status, response in op.responses(spec).items():
        if not status.startswith("4"):
            continue
        if status not in produced:
            problems.append(f"{op.label} response {status} is produced by no rule of x-rules")
        if "assumed" not in str(response.get("description", "")):
            problems.append(
                f"{op.label} response {status}: its description must say the status is assumed"
            )
    return problems


def _codes(spec: Spec, schema: Any) -> set[str]:
    """The error codes a response schema declares (``code``'s enum or extensible enum)."""
    node = spec.deref(schema) if schema is not None else None
    code = (
        spec.deref((node.get("properties") or {}).get("code"))
        if isinstance(node, Mapping)
        else None
    )
    if not isinstance(code, Mapping):
        return set()
    return {str(c) for c in (code.get("x-extensible-enum") or code.get("enum") or [])}


def _codes_answered(spec: Spec, used: set[str]) -> list[str]:
    declared: set[str] = set()
    for op in operations(spec):
        for status in op.responses(spec):
            if status.startswith("4"):
                declared |= _codes(spec, response_schema(spec, op, {"status": status}))
    return [
        f"error code {code!r} is declared by a response schema but answered by no rule"
        for code in sorted(declared - used)
    ]


def _schema_references(spec: Spec, owners: Mapping[str, list[Operation]]) -> list[str]:
    """A schema's ``x-rules`` names rules of an operation that reaches the schema."""
    reach = {
        op.label: _reached_schemas(spec, [op.node, op.item.get("parameters")])
        for op in operations(spec)
    }
    problems: list[str] = []
    for path, node in walk(spec.document.get("components", {}), "#/components"):
        ids = node.get("x-rules") if isinstance(node, Mapping) else None
        if not isinstance(ids, list):
            continue
        component = "/".join(path.split("/")[:4])
        for rule_id in ids:
            ops = owners.get(str(rule_id))
            if not ops:
                problems.append(f"{path}/x-rules names unknown rule {rule_id!r}")
            elif not any(component in reach[op.label] for op in ops):
                labels = ", ".join(op.label for op in ops)
                problems.append(
                    f"{path}/x-rules names rule {rule_id!r} of {labels}, which does not use "
                    f"{component.removeprefix('#/')}"
                )
    return problems


def _reached_schemas(spec: Spec, roots: list[Any]) -> set[str]:
    """Every ``#/components/<section>/<name>`` an operation reaches through its refs."""
    seen: set[str] = set()
    pending: list[Any] = list(roots)
    while pending:
        for ref in _refs(pending.pop()):
            target = "/".join(ref.split("/")[:4])
            if target not in seen:
                seen.add(target)
                try:
                    pending.append(spec.resolve(target))
                except ValueError:
                    continue  # check_refs reports it
    return seen


def _refs(node: Any) -> Iterator[str]:
    for _, child in walk(node):
        if isinstance(child, Mapping) and isinstance(child.get("$ref"), str):
            yield child["$ref"]
