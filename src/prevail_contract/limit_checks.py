"""Limits written in prose are checked against the schema keywords that hold them.

A rule whose statement states a limit declares where the limit lives in ``x-limits``: a schema
pointer and keyword (``{schema: '#/components/schemas/RemoteSessionEdit/properties/title',
keyword: maxLength}``), or, for a limit no schema keyword can hold such as the body size, the
value itself (``{value: 1048576, what: request body bytes}``). Lint then checks that the
statement states every declared value, that every number it states is a declared value or a
status of the operation (so a stale ``255`` is named), that the rule's rejected request
example still breaks a declared limit (a padded one, a declared size), that the numbers its
error example gives are declared values, and that a schema's description states only its own
limit values. Numbers in code spans and quotes, and numbers joined to a word (``12-hour``,
``HS256``), are not limits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from prevail_contract.errors import SpecError
from prevail_contract.operations import Operation
from prevail_contract.spec import Spec
from prevail_contract.spec_checks import example_ref, walk

#: Schema keywords that hold a numeric limit.
LIMIT_KEYWORDS = (
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "default",
)
_QUOTED = re.compile(r"`[^`]*`|\"[^\"]*\"")
_NUMBER = re.compile(
    r"(?<![\w.,-])(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s?(?P<unit>KiB|MiB|GiB)\b)?"
    r"(?![\w-]|[.,]\d)"
)
_UNITS = {"KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}


@dataclass(frozen=True)
class Limit:
    """One declared limit, resolved to its current value."""

    #: ``title maxLength`` or the declaration's ``what``.
    label: str
    value: Decimal
    #: The schema keyword (``None`` for a limit stated as a value).
    keyword: str | None = None
    #: The field the limit is on (``title``), as the statement names it.
    name: str | None = None

    def __str__(self) -> str:
        return f"{self.label} {_show(self.value)}"


def numbers(text: str) -> Iterator[tuple[str, Decimal]]:
    """Each number ``text`` states, as written and as a value (``1 MiB`` is 1048576)."""
    for match in _NUMBER.finditer(_QUOTED.sub(" ", text)):
        value = Decimal(match["n"].replace(",", ""))
        if match["unit"]:
            value *= _UNITS[match["unit"]]
        yield match.group(0), value


def check_limits(spec: Spec) -> list[str]:
    """Every limit a rule states or its examples use agrees with the spec's current value."""
    problems: list[str] = []
    for op in spec.operations:
        statuses = {Decimal(s) for s in op.responses(spec.deref) if s.isdigit()}
        statuses |= {Decimal(e["status"]) for e in op.entries if isinstance(e.get("status"), int)}
        for entry in op.entries:
            where = f"{op.label} rule {entry.get('id')}"
            limits, declared_problems = declared_limits(spec, entry.get("x-limits"), where)
            problems += declared_problems
            problems += _statement(entry, limits, statuses, where)
            if limits:
                problems += _request_example(spec, op, entry, limits, where)
                problems += _response_example(spec, entry, limits, where)
    problems += _descriptions(spec)
    return problems


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
            if keyword not in LIMIT_KEYWORDS or not _is_number(value):
                problems.append(f"{at}: {pointer} has no numeric {keyword!r} limit")
                continue
            name = _name(pointer)
            if pointer.endswith("/schema"):  # a parameter's schema: the parameter's own name
                holder = spec.resolve(pointer.removesuffix("/schema"))
                if isinstance(holder, Mapping) and isinstance(holder.get("name"), str):
                    name = holder["name"]
            limits.append(Limit(f"{name} {keyword}", Decimal(str(value)), keyword, name))
        elif _is_number(item.get("value")) and isinstance(item.get("what"), str):
            limits.append(Limit(item["what"], Decimal(str(item["value"]))))
        else:
            problems.append(f"{at}: expected {{schema, keyword}} or {{value, what}}")
    return limits, problems


def _statement(
    entry: Mapping[str, Any], limits: list[Limit], statuses: set[Decimal], where: str
) -> list[str]:
    statement = " ".join(str(entry.get("statement", "")).split())
    stated = list(_attributed(statement, {limit.name for limit in limits if limit.name}))
    problems: list[str] = []
    for limit in limits:
        said = {value for name, _, value in stated if name in (limit.name, None)}
        if limit.value not in said:
            problems.append(f"{where}: the statement does not state {limit} (from x-limits)")
    for name, shown, value in stated:
        near = [limit for limit in limits if name is None or limit.name == name]
        if value in {limit.value for limit in near} or value in statuses:
            continue
        about = f" about {name}" if name else ""
        hint = (
            f"declared: {', '.join(str(limit) for limit in near)}"
            if near
            else "declare the limit it names in the rule's x-limits"
        )
        problems.append(
            f"{where}: the statement says {shown}{about}, which is no declared limit ({hint})"
        )
    return problems


def _attributed(statement: str, names: set[str]) -> Iterator[tuple[str | None, str, Decimal]]:
    """Each stated number with the declared field its clause is about (clauses split at ``, ``
    and ``; ``; a clause naming no field continues the one before)."""
    current: str | None = None
    for clause in re.split(r"[,;]\s", statement):
        mentioned = [n for n in names if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", clause)]
        if mentioned:
            current = mentioned[0]
        for shown, value in numbers(clause):
            yield current, shown, value


def _request_example(
    spec: Spec, op: Operation, entry: Mapping[str, Any], limits: list[Limit], where: str
) -> list[str]:
    name = example_ref(entry, "request")
    if not name or name not in spec.document.get("components", {}).get("examples", {}):
        return []
    example = spec.example(name)
    if example.setup.get("expect-schema") != "invalid":
        return []
    sizes = [limit for limit in limits if limit.keyword is None]
    if "pad-to-bytes" in example.setup:
        padded = Decimal(str(example.setup["pad-to-bytes"]))
        if sizes and not any(padded > limit.value for limit in sizes):
            return [
                f"{name} ({where}): padded to {_show(padded)} bytes, which is within "
                f"{', '.join(str(limit) for limit in sizes)}: it no longer shows the limit"
            ]
        return []
    keyed = {(limit.keyword, limit.value) for limit in limits if limit.keyword}
    schema = op.request_schema(spec.deref)
    if not keyed or schema is None:
        return []
    broken = {
        (error.validator, Decimal(str(error.validator_value)))
        for error in _all_errors(spec.validator(schema).iter_errors(example.value))
        if _is_number(error.validator_value)
    }
    if broken & keyed:
        return []
    shown = ", ".join(str(limit) for limit in limits if limit.keyword)
    return [
        f"{name} ({where}): meant to show a declared limit ({shown}), but it breaks none of "
        "them: make it break the current limit"
    ]


def _response_example(
    spec: Spec, entry: Mapping[str, Any], limits: list[Limit], where: str
) -> list[str]:
    name = example_ref(entry, "response")
    if not name or name not in spec.document.get("components", {}).get("examples", {}):
        return []
    value = spec.example(name).value
    if not isinstance(value, Mapping):
        return []
    raw_details = value.get("details")
    details: list[Any] = raw_details if isinstance(raw_details, list) else []
    texts = [str(value.get("messages", ""))]
    texts += [str(d.get("message", "")) for d in details if isinstance(d, Mapping)]
    known = {limit.value for limit in limits} | {Decimal(len(details))}
    return [
        f"{name} ({where}): its message says {shown}, which is no declared limit "
        f"({', '.join(str(limit) for limit in limits)})"
        for text in texts
        for shown, number in numbers(text)
        if number not in known
    ]


def _descriptions(spec: Spec) -> list[str]:
    """A schema's description states no limit value other than its own keywords'."""
    problems: list[str] = []
    for path, node in walk(spec.document.get("components", {}), "#/components"):
        if not isinstance(node, Mapping) or not isinstance(node.get("description"), str):
            continue
        own = {Decimal(str(node[k])) for k in LIMIT_KEYWORDS if _is_number(node.get(k))}
        if not own:
            continue
        for shown, value in numbers(node["description"]):
            if value not in own:
                limits = ", ".join(f"{k} {node[k]}" for k in LIMIT_KEYWORDS if k in node)
                problems.append(
                    f"{path}: the description says {shown}, but the schema's limits are {limits}"
                )
    return problems


def _all_errors(errors: Iterator[Any]) -> Iterator[Any]:
    for error in errors:
        yield error
        yield from _all_errors(iter(error.context or []))


def _name(pointer: str) -> str:
    """What a schema pointer names: ``.../properties/title`` → ``title``, a parameter's
    ``.../parameters/Items/schema`` → ``Items``."""
    parts = [p for p in pointer.split("/") if p not in ("schema", "items")]
    return parts[-1].replace("~1", "/").replace("~0", "~") if parts else pointer


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _show(value: Decimal) -> str:
    try:
        return format(value.normalize(), "f")
    except InvalidOperation:
        return str(value)
