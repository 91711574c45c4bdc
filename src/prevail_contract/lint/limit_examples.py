"""A rule's examples against its declared limits: where they break them and what they say.

The rejected request example breaks a declared limit just past its edge (a title one
character too long, a body one byte too large), the error example's messages state only
declared values, and the examples' summaries and descriptions state only the rule's limits
(or its operation's), the first value past one, or numbers the example itself holds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from prevail_contract.lint.stated_numbers import Limit, is_number, numbers, show
from prevail_contract.spec import Spec
from prevail_contract.spec.examples import example_ref
from prevail_contract.spec.operations import Operation


def request_example(
    spec: Spec, op: Operation, entry: Mapping[str, Any], limits: list[Limit], where: str
) -> list[str]:
    """A rule's rejected request example breaks a declared limit, just past its edge."""
    name = example_ref(entry, "request")
    if not name or name not in spec.document.get("components", {}).get("examples", {}):
        return []
    example = spec.example(name)
    if example.setup.get("expect-schema") != "invalid":
        return []
    sizes = [limit for limit in limits if limit.keyword is None]
    if "pad-to-bytes" in example.setup:
        return _padded(name, Decimal(str(example.setup["pad-to-bytes"])), sizes, where)
    keyed = {(limit.keyword, limit.value): limit for limit in limits if limit.keyword}
    if not keyed or not _has_request(op, example.setup):
        return []
    broken = [
        (keyed[key], error)
        for error in _all_errors(_request_errors(spec, op, example.value, example.setup))
        if is_number(error.validator_value)
        and (key := (error.validator, Decimal(str(error.validator_value)))) in keyed
    ]
    if not broken:
        shown = ", ".join(str(limit) for limit in keyed.values())
        return [
            f"{name} ({where}): meant to show a declared limit ({shown}), but it breaks none "
            "of them: make it break the current limit"
        ]
    return [
        f"{name} ({where}): breaks {limit} at {show(size)}, not just past it: make it {show(edge)}"
        for limit, error in broken
        for size, edge in [_edge(error)]
        if edge is not None and size != edge
    ]


def _padded(name: str, padded: Decimal, sizes: list[Limit], where: str) -> list[str]:
    """A padded example's size is just past a declared size limit."""
    if not sizes or any(padded == limit.value + 1 for limit in sizes):
        return []
    shown = ", ".join(str(limit) for limit in sizes)
    if not any(padded > limit.value for limit in sizes):
        return [
            f"{name} ({where}): padded to {show(padded)} bytes, which is within {shown}: "
            "it no longer shows the limit"
        ]
    edges = " or ".join(show(limit.value + 1) for limit in sizes)
    return [
        f"{name} ({where}): padded to {show(padded)} bytes, not just past {shown}: pad to {edges}"
    ]


def _has_request(op: Operation, setup: Mapping[str, Any]) -> bool:
    return setup.get("in") == "query" or op.node.get("requestBody") is not None


def _request_errors(
    spec: Spec, op: Operation, value: Any, setup: Mapping[str, Any]
) -> Iterator[Any]:
    """The schema errors of a request example: its body's, or its query parameters'."""
    if setup.get("in") != "query":
        schema = op.request_schema(spec.deref)
        if schema is not None:
            yield from spec.validator(schema).iter_errors(value)
        return
    raw = [*(op.path_item.get("parameters") or ()), *(op.node.get("parameters") or ())]
    params = {str(p.get("name")): p for p in map(spec.deref, raw) if isinstance(p, Mapping)}
    for key, item in value.items() if isinstance(value, Mapping) else ():
        if key in params and isinstance(params[key].get("schema"), Mapping):
            yield from spec.validator(params[key]["schema"]).iter_errors(item)


def _edge(error: Any) -> tuple[Decimal, Decimal | None]:
    """(what the example has, the first value past the limit) for a size or integer bound."""
    limit = Decimal(str(error.validator_value))
    instance = error.instance
    sized = isinstance(instance, str | list | Mapping)
    size = Decimal(len(instance)) if sized else Decimal(str(instance))
    if error.validator in ("maxLength", "maxItems", "maxProperties") and sized:
        return size, limit + 1
    if error.validator in ("minLength", "minItems", "minProperties") and sized:
        return size, limit - 1
    integral = isinstance(instance, int) and limit == limit.to_integral_value()
    if error.validator == "maximum" and integral:
        return size, limit + 1
    if error.validator == "minimum" and integral:
        return size, limit - 1
    return size, None


def response_example(
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


def example_prose(
    spec: Spec, entry: Mapping[str, Any], limits: list[Limit], where: str
) -> list[str]:
    """A rule's examples' summaries and descriptions state only its limits (or, for a rule
    with none, its operation's), a limit's first value past it, or numbers the example holds."""
    problems: list[str] = []
    for which in ("request", "response"):
        name = example_ref(entry, which)
        if not name or name not in spec.document.get("components", {}).get("examples", {}):
            continue
        example = spec.example(name)
        known = {limit.value for limit in limits} | set(_held(example.value))
        known |= {limit.value + step for limit in limits for step in _edge_steps(limit)}
        if is_number(example.setup.get("pad-to-bytes")):
            known.add(Decimal(str(example.setup["pad-to-bytes"])))
        for part in ("summary", "description"):
            for shown, value in numbers(getattr(example, part)):
                if value not in known:
                    problems.append(
                        f"{name} ({where}): its {part} says {shown}, which is no declared limit "
                        f"({', '.join(str(limit) for limit in limits) or 'none declared'})"
                    )
    return problems


def _edge_steps(limit: Limit) -> tuple[int, ...]:
    """How prose may name the first value past a limit (``256`` characters for a 255 cap)."""
    if limit.keyword is None or limit.keyword.startswith("max"):
        return (1,)
    if limit.keyword.startswith("min"):
        return (-1,)
    return ()


def _held(value: Any) -> Iterator[Decimal]:
    """The numbers an example value holds: its numbers, and its strings' and lists' lengths."""
    if is_number(value):
        yield Decimal(str(value))
    elif isinstance(value, str):
        yield Decimal(len(value))
    elif isinstance(value, list):
        yield Decimal(len(value))
        for item in value:
            yield from _held(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _held(item)


def _all_errors(errors: Iterator[Any]) -> Iterator[Any]:
    for error in errors:
        yield error
        yield from _all_errors(iter(error.context or []))
