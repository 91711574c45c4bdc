"""The rule catalogue's integrity, checked against the spec itself rather than a list of ids.

Loading the :class:`~prevail_contract.spec.Spec` already holds the catalogue's shape (every
operation has ``x-rules``, each entry has its fields and a known ``source`` and ``kind``, ids
are unique across operations, a plain id names a rule declared in full); lint reports a
failed load as this layer's error. What this module adds is derived from the document too:
every id a schema's ``x-rules`` names is a rule of an operation that uses the schema, every
4xx response an operation lists is produced by one of its rules (and every rule's status is
a response of its operation or has its own ``response``), every error code the responses
declare is some rule's code, a statement is a sentence, and every example a rule names
exists. Limits are checked in :mod:`prevail_contract.lint.limit_checks`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from prevail_contract.spec import Spec
from prevail_contract.spec.examples import EXAMPLE_PREFIX, example_ref, response_schema, walk
from prevail_contract.spec.operations import Operation


def check_rules(spec: Spec) -> list[str]:
    """Every operation's catalogue agrees with the responses, codes and examples it names."""
    problems: list[str] = []
    for op in spec.operations:
        for entry in op.entries:
            problems += _entry(spec, op, entry)
        problems += _responses_covered(spec, op)
    problems += _codes_answered(spec, {r.code for r in spec.rules if r.code})
    problems += _schema_references(spec)
    return problems


def _entry(spec: Spec, op: Operation, entry: Mapping[str, Any]) -> list[str]:
    where = f"{op.label} rule {entry['id']}"
    problems: list[str] = []
    statement = spec.rule(str(entry["id"])).statement
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
    if str(status) not in op.responses(spec.deref):
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


def _responses_covered(spec: Spec, op: Operation) -> list[str]:
    produced = {str(r.status) for r in spec.rules_of(op.operation_id) if r.kind == "rejection"}
    problems: list[str] = []
    for status, response in op.responses(spec.deref).items():
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
    for op in spec.operations:
        for status in op.responses(spec.deref):
            if status.startswith("4"):
                declared |= _codes(spec, response_schema(spec, op, {"status": status}))
    return [
        f"error code {code!r} is declared by a response schema but answered by no rule"
        for code in sorted(declared - used)
    ]


def _schema_references(spec: Spec) -> list[str]:
    """A schema's ``x-rules`` names rules of an operation that reaches the schema."""
    reach = {
        op.label: _reached_schemas(spec, [op.node, op.path_item.get("parameters")])
        for op in spec.operations
    }
    owners = {r.id: [spec.operation_by_id(r.operation)] for r in spec.rules}
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
