"""Limits written in prose are checked against the schema keywords that hold them.

A rule whose statement states a limit declares where the limit lives in ``x-limits``: a schema
pointer and keyword (``{schema: '#/components/schemas/RemoteSessionEdit/properties/title',
keyword: maxLength}``), or, for a limit no schema keyword can hold such as the body size, the
value itself (``{value: 1048576, what: request body bytes}``). Lint then checks that the
statement states every declared value and that every number it states is a declared value or
a status (so a stale ``255`` is named, with where it stands); that an operation's and a
response's description state only limits of their rules; that a schema's (or a parameter's)
description states only its own values: limit keywords, numeric ``x-`` values such as
``x-exp-leeway-seconds``, its enum's size; and, in :mod:`.limit_examples`, the rule's examples.
How numbers are read from prose is :mod:`.stated_numbers`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from prevail_contract.errors import SpecError
from prevail_contract.lint.limit_examples import example_prose, request_example, response_example
from prevail_contract.lint.stated_numbers import (
    LIMIT_KEYWORDS,
    Limit,
    attributed,
    is_number,
    numbers,
    show,
    undeclared,
)
from prevail_contract.spec import Spec
from prevail_contract.spec.examples import walk


def check_limits(spec: Spec) -> list[str]:
    """Every limit a rule states or its examples use agrees with the spec's current value."""
    problems: list[str] = []
    by_rule: dict[str, list[Limit]] = {}
    for op in spec.operations:
        for entry in op.entries:
            where = f"{op.label} rule {entry.get('id')}"
            limits, declared_problems = declared_limits(spec, entry.get("x-limits"), where)
            by_rule[str(entry.get("id"))] = limits
            problems += declared_problems
    statuses = _statuses(spec)
    for op in spec.operations:
        of_op = list(dict.fromkeys(lim for r in op.rules for lim in by_rule.get(r, [])))
        for entry in op.entries:
            where = f"{op.label} rule {entry.get('id')}"
            limits = by_rule[str(entry.get("id"))]
            problems += _statement(entry, limits, statuses, where)
            if limits:
                problems += request_example(spec, op, entry, limits, where)
                problems += response_example(spec, entry, limits, where)
            problems += example_prose(spec, entry, limits or of_op, where)
        problems += undeclared(
            str(op.node.get("description", "")), of_op, statuses, op.label, "description"
        )
    problems += _response_descriptions(spec, by_rule, statuses)
    problems += _descriptions(spec, statuses)
    return problems


def _statuses(spec: Spec) -> set[Decimal]:
    """Every status an operation answers or a rule names: numbers prose may state freely."""
    out: set[Decimal] = set()
    for op in spec.operations:
        out |= {Decimal(s) for s in op.responses(spec.deref) if s.isdigit()}
        out |= {Decimal(e["status"]) for e in op.entries if isinstance(e.get("status"), int)}
    return out


def declared_limits(spec: Spec, raw: Any, where: str) -> tuple[list[Limit], list[str]]:
    """Resolve a rule's ``x-limits`` declarations to their current values."""
    if raw is None:
        return [], []
    if not isinstance(raw, list):
        return [], [f"{where}: x-limits must be a list"]
    limits: list[Limit] = []
    problems: list[str] = []
    for index, item in enumerate(raw):
        at = f"{where} x-limits[{index}]"
        if not isinstance(item, Mapping):
            problems.append(f"{at}: expected {{schema, keyword}} or {{value, what}}")
        elif "schema" in item:
            pointer, keyword = str(item["schema"]), str(item.get("keyword"))
            try:
                node = spec.resolve(pointer)
            except SpecError as exc:
                problems.append(f"{at}: {exc}")
                continue
            value = node.get(keyword) if isinstance(node, Mapping) else None
            if keyword not in LIMIT_KEYWORDS or not is_number(value):
                problems.append(f"{at}: {pointer} has no numeric {keyword!r} limit")
                continue
            name = _name(pointer)
            if pointer.endswith("/schema"):  # a parameter's schema: the parameter's own name
                holder = spec.resolve(pointer.removesuffix("/schema"))
                if isinstance(holder, Mapping) and isinstance(holder.get("name"), str):
                    name = holder["name"]
            limits.append(Limit(f"{name} {keyword}", Decimal(str(value)), keyword, name))
        elif is_number(item.get("value")) and isinstance(item.get("what"), str):
            limits.append(Limit(item["what"], Decimal(str(item["value"]))))
        else:
            problems.append(f"{at}: expected {{schema, keyword}} or {{value, what}}")
    return limits, problems


def _statement(
    entry: Mapping[str, Any], limits: list[Limit], statuses: set[Decimal], where: str
) -> list[str]:
    statement = str(entry.get("statement", ""))
    stated = list(attributed(statement, {limit.name for limit in limits if limit.name}))
    problems: list[str] = []
    for limit in limits:
        said = {value for name, _, value in stated if name in (limit.name, None)}
        if limit.value not in said:
            problems.append(f"{where}: the statement does not state {limit} (from x-limits)")
    return problems + undeclared(statement, limits, statuses, where, "statement")


def _response_descriptions(
    spec: Spec, by_rule: Mapping[str, list[Limit]], statuses: set[Decimal]
) -> list[str]:
    """A response's description states only limits of the rules that answer with it."""
    texts: dict[str, str] = {}
    limits: dict[str, list[Limit]] = {}
    for op in spec.operations:
        for status, raw in (op.node.get("responses") or {}).items():
            ref = raw.get("$ref") if isinstance(raw, Mapping) else None
            where = str(ref) if isinstance(ref, str) else f"{op.label} response {status}"
            response = spec.deref(raw)
            if not isinstance(response, Mapping):
                continue
            texts[where] = str(response.get("description", ""))
            limits.setdefault(where, []).extend(
                limit
                for rule in spec.rules_of(op.operation_id)
                if str(rule.status) == str(status)
                for limit in by_rule.get(rule.id, [])
            )
    return [
        problem
        for where, text in texts.items()
        for problem in undeclared(text, limits[where], statuses, where, "description")
    ]


def _descriptions(spec: Spec, statuses: set[Decimal]) -> list[str]:
    """A node's description states no number but its own: its limit keywords' values (a
    parameter's or header's from its ``schema``), numeric ``x-`` values, its enum's size."""
    problems: list[str] = []
    for path, node in walk(spec.document):
        if not isinstance(node, Mapping) or not isinstance(node.get("description"), str):
            continue
        own = dict(_own_values(node))
        if not own:
            continue
        for shown, value in numbers(node["description"]):
            if value not in own.values() and value not in statuses:
                limits = ", ".join(f"{k} {show(v)}" for k, v in own.items())
                problems.append(
                    f"{path}: the description says {shown}, but the schema's limits are {limits}"
                )
    return problems


def _own_values(node: Mapping[str, Any]) -> Iterator[tuple[str, Decimal]]:
    schema = node.get("schema")
    holders = [node, schema] if "in" in node and isinstance(schema, Mapping) else [node]
    for holder in holders:
        for key, value in holder.items():
            if (key in LIMIT_KEYWORDS or str(key).startswith("x-")) and is_number(value):
                yield str(key), Decimal(str(value))
        if isinstance(holder.get("enum"), list) and "type" in holder:
            yield "enum size", Decimal(len(holder["enum"]))


def _name(pointer: str) -> str:
    """What a schema pointer names: ``.../properties/title`` → ``title``, a parameter's
    ``.../parameters/Items/schema`` → ``Items``."""
    parts = [p for p in pointer.split("/") if p not in ("schema", "items")]
    return parts[-1].replace("~1", "/").replace("~0", "~") if parts else pointer
