"""The spec's named examples, each against its own schema (and the walk lint's checks share).

Each check takes a loaded :class:`~prevail_contract.spec.Spec` and returns a list of problems,
one human-readable line each. ``check`` refuses a spec whose examples break its schemas before
it runs (the suite sends them as the contract's cases), and lint lists them with the rest.
Every check walks every operation under ``paths``: nothing here names an operation, a schema
or a rule. The rule catalogue's own checks are in :mod:`prevail_contract.lint.rule_checks`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from prevail_contract.spec.model import Spec
from prevail_contract.spec.operations import Operation, json_schema

EXAMPLE_PREFIX = "#/components/examples/"


def response_schema(spec: Spec, op: Operation, entry: Mapping[str, Any]) -> Any:
    """The schema of the answer a rule names: its status among the operation's responses, or
    the rule's own ``response`` ref (a status no operation lists, such as 405)."""
    own = entry.get("response")
    if isinstance(own, Mapping):
        return json_schema(spec.deref(own))
    response = op.responses(spec.deref).get(str(entry.get("status")))
    return json_schema(response) if response is not None else None


def example_ref(entry: Mapping[str, Any], which: str) -> str | None:
    """The ``components/examples`` name a rule entry gives as its ``request``/``response``."""
    node = (entry.get("examples") or {}).get(which)
    ref = node.get("$ref") if isinstance(node, Mapping) else None
    if not (isinstance(ref, str) and ref.startswith(EXAMPLE_PREFIX)):
        return None
    return ref.removeprefix(EXAMPLE_PREFIX)


def walk(node: Any, path: str = "#") -> Iterator[tuple[str, Any]]:
    """Every node of a document with its JSON pointer."""
    yield path, node
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from walk(value, f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}/{index}")


def schema_errors(spec: Spec, schema: Any, value: Any) -> list[str]:
    """Why ``value`` breaks ``schema``, one line per error with its field path."""
    validator = spec.validator(schema)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    ]


def _media_examples(spec: Spec) -> Iterator[tuple[str, Any, str]]:
    """(where, schema, example ref) for every example referenced by a media type."""
    for path, node in walk(spec.document):
        if not (isinstance(node, Mapping) and "schema" in node and "examples" in node):
            continue
        for key, example in (node.get("examples") or {}).items():
            ref = example.get("$ref") if isinstance(example, Mapping) else None
            if isinstance(ref, str):
                yield f"{path}/examples/{key}", node["schema"], ref


def check_examples(spec: Spec) -> list[str]:
    """Examples validate against their schemas; rejected-request examples really are rejected."""
    problems: list[str] = []
    used: set[str] = set()
    declared = set(spec.document.get("components", {}).get("examples", {}))
    for where, media_schema, ref in _media_examples(spec):
        name = ref.removeprefix(EXAMPLE_PREFIX)
        used.add(name)
        if name not in declared:
            continue  # lint's check_refs reports it
        example = spec.example(name)
        if example.setup.get("expect-schema") == "invalid" or example.setup.get("raw"):
            problems.append(
                f"{where}: {name} is a rejected-request example; keep it out of media types"
            )
            continue
        problems += [
            f"{where} ({name}): {e}" for e in schema_errors(spec, media_schema, example.value)
        ]

    for op in spec.operations:
        for entry in op.entries:
            names = {which: example_ref(entry, which) for which in ("request", "response")}
            used.update(n for n in names.values() if n)
            missing = [n for n in names.values() if n and n not in declared]
            if missing:
                continue  # the rule catalogue check reports them
            where = f"{op.label} rule {entry.get('id')}"
            if names["request"]:
                problems += _request_example(spec, op, names["request"], where)
            if names["response"]:
                problems += _response_example(spec, op, entry, names["response"], where)

    problems += _schema_level_examples(spec)
    for name in sorted(declared - used):
        problems.append(f"components/examples/{name} is used by no media type and no rule")
    return problems


def _request_example(spec: Spec, op: Operation, name: str, where: str) -> list[str]:
    example = spec.example(name)
    setup = example.setup
    if setup.get("in") == "query":
        errors = _query_errors(spec, op.node, example.value)
        if setup.get("expect-schema") == "invalid":
            if not errors:
                return [f"{name} ({where}): meant to be refused, but the parameters accept it"]
            return []
        return [f"{name} ({where}): {e}" for e in errors]
    if setup.get("raw"):
        if not isinstance(example.value, str):
            return [f"{name}: a raw example's value must be a string"]
        if setup.get("content-type") in (None, "application/json"):
            try:
                json.loads(example.value)
            except ValueError:
                return []
            return [f"{name}: meant as malformed JSON but it parses"]
        return []
    schema = op.request_schema(spec.deref)
    if schema is None:
        return []  # an operation without a body: its request examples set up the call only
    errors = schema_errors(spec, schema, example.value)
    if setup.get("expect-schema") == "invalid":
        if not errors and "pad-to-bytes" not in setup:
            return [f"{name} ({where}): meant to be refused, but the request schema accepts it"]
        return []
    return [f"{name} ({where}): {e}" for e in errors]


def _response_example(
    spec: Spec, op: Operation, entry: Mapping[str, Any], name: str, where: str
) -> list[str]:
    example = spec.example(name)
    schema = response_schema(spec, op, entry)
    if schema is None:
        return [f"{name} ({where}): status {entry.get('status')} has no JSON body to hold it"]
    problems = [f"{name} ({where}): {e}" for e in schema_errors(spec, schema, example.value)]
    code = entry.get("code")
    if code and isinstance(example.value, Mapping) and example.value.get("code") != code:
        problems.append(
            f"{name}: code {example.value.get('code')!r} differs from {where}'s {code!r}"
        )
    return problems


def _query_errors(spec: Spec, operation: Mapping[str, Any], value: Any) -> list[str]:
    """Problems of a query-parameter example against its operation's parameters."""
    if not isinstance(value, Mapping):
        return ["(root): a query example's value must be an object of parameters"]
    params = {str(p["name"]): p for p in map(spec.deref, operation.get("parameters") or ())}
    problems: list[str] = []
    for name, item in value.items():
        if name not in params:
            problems.append(f"{name}: not a parameter of the operation")
        else:
            problems += [f"{name}: {e}" for e in schema_errors(spec, params[name]["schema"], item)]
    return problems


def _schema_level_examples(spec: Spec) -> list[str]:
    problems: list[str] = []
    for path, node in walk(
        spec.document.get("components", {}).get("schemas", {}), "#/components/schemas"
    ):
        if isinstance(node, Mapping) and isinstance(node.get("examples"), list) and "type" in node:
            for index, value in enumerate(node["examples"]):
                problems += [
                    f"{path}/examples/{index}: {e}" for e in schema_errors(spec, node, value)
                ]
    return problems
