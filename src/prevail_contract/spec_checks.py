"""Spec checks no generic linter makes: examples against schemas, the rule catalogue, refs.

Each function takes a loaded :class:`~prevail_contract.spec.Spec` and returns a list of
problems, one human-readable line each, so that the lint command can print them all at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from prevail_contract.errors import SpecError
from prevail_contract.spec import Spec

#: Rule ids the contract must always carry (issue 2), with the source each must have.
REQUIRED_RULES: dict[str, str] = {
    "auth-required": "documented",
    "self-service-required": "documented",
    "org-ownership": "documented",
    "editable-states": "documented",
    "schedule-all-three": "documented",
    "field-formats": "documented",
    "id-stable": "documented",
    "fields-applied": "documented",
    "state-ready-after-edit": "documented",
    "invites-additive": "documented",
    "response-envelope": "documented",
    "error-shape": "assumed",
    "untouched-fields-kept": "assumed",
    "invites-no-duplicates": "assumed",
    "media-type": "assumed",
    "malformed-json": "assumed",
    "payload-limit": "assumed",
    "field-limits": "assumed",
    "unknown-fields-rejected": "assumed",
    "method-not-allowed": "assumed",
    "rejected-changes-nothing": "assumed",
}

_EXAMPLE_PREFIX = "#/components/examples/"


def _walk(node: Any, path: str = "#") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(value, f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def check_refs(spec: Spec) -> list[str]:
    """Every ``$ref`` is local (``#/components/...``) and resolves."""
    problems: list[str] = []
    for path, node in _walk(spec.document):
        if isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/components/"):
                problems.append(f"{path}: $ref {ref!r} is not a local '#/components/...' ref")
                continue
            try:
                spec.resolve(ref)
            except SpecError as exc:
                problems.append(f"{path}: {exc}")
    return problems


def _errors(spec: Spec, schema: Any, value: Any) -> list[str]:
    validator = spec.validator(schema)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    ]


def _media_examples(spec: Spec) -> Iterator[tuple[str, Any, str]]:
    """(where, schema, example ref) for every example referenced by a media type."""
    for path, node in _walk(spec.document):
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
    for where, media_schema, ref in _media_examples(spec):
        name = ref.removeprefix(_EXAMPLE_PREFIX)
        used.add(name)
        example = spec.example(name)
        if example.setup.get("expect-schema") == "invalid" or example.setup.get("raw"):
            problems.append(
                f"{where}: {name} is a rejected-request example; keep it out of media types"
            )
            continue
        problems += [f"{where} ({name}): {e}" for e in _errors(spec, media_schema, example.value)]

    error_schema = "Error"
    for rule in spec.rules:
        used.update(n for n in (rule.request_example, rule.response_example) if n)
        operation = spec.rule_operation(rule.id).node
        if rule.request_example:
            example = spec.example(rule.request_example)
            setup = example.setup
            if setup.get("in") == "query":
                errors = _query_errors(spec, operation, example.value)
                expect_invalid = setup.get("expect-schema") == "invalid"
                if expect_invalid and not errors:
                    problems.append(
                        f"{example.name} (rule {rule.id}): meant to be refused, but the "
                        "parameters' schemas accept it"
                    )
                if not expect_invalid:
                    problems += [f"{example.name} (rule {rule.id}): {e}" for e in errors]
            elif setup.get("raw"):
                if not isinstance(example.value, str):
                    problems.append(f"{example.name}: a raw example's value must be a string")
                elif setup.get("content-type") in (None, "application/json"):
                    try:
                        json.loads(example.value)
                    except ValueError:
                        pass
                    else:
                        problems.append(f"{example.name}: meant as malformed JSON but it parses")
            else:
                request_schema = operation["requestBody"]["content"]["application/json"]["schema"]
                errors = _errors(spec, request_schema, example.value)
                expect_invalid = setup.get("expect-schema") == "invalid"
                if expect_invalid and not errors and "pad-to-bytes" not in setup:
                    problems.append(
                        f"{example.name} (rule {rule.id}): meant to be refused, but the request "
                        "schema accepts it"
                    )
                if not expect_invalid:
                    problems += [f"{example.name} (rule {rule.id}): {e}" for e in errors]
        if rule.response_example:
            example = spec.example(rule.response_example)
            schema: str | Any = error_schema
            if rule.status == 200:
                schema = spec.deref(operation["responses"]["200"])["content"]["application/json"][
                    "schema"
                ]
            problems += [
                f"{example.name} (rule {rule.id}): {e}"
                for e in _errors(spec, schema, example.value)
            ]
            if (
                rule.code
                and isinstance(example.value, Mapping)
                and example.value.get("code") != rule.code
            ):
                problems.append(
                    f"{example.name}: code {example.value.get('code')!r} differs from rule "
                    f"{rule.id}'s {rule.code!r}"
                )

    problems += _schema_level_examples(spec)
    declared = set(spec.document.get("components", {}).get("examples", {}))
    for name in sorted(declared - used):
        problems.append(f"components/examples/{name} is used by no media type and no rule")
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
            problems += [f"{name}: {e}" for e in _errors(spec, params[name]["schema"], item)]
    return problems


def _schema_level_examples(spec: Spec) -> list[str]:
    problems: list[str] = []
    for path, node in _walk(
        spec.document.get("components", {}).get("schemas", {}), "#/components/schemas"
    ):
        if isinstance(node, Mapping) and isinstance(node.get("examples"), list) and "type" in node:
            for index, value in enumerate(node["examples"]):
                problems += [f"{path}/examples/{index}: {e}" for e in _errors(spec, node, value)]
    return problems


def check_rules(spec: Spec) -> list[str]:
    """The rule catalogue is complete and agrees with the responses it names."""
    problems: list[str] = []
    by_id = {rule.id: rule for rule in spec.rules}
    for rule_id, source in REQUIRED_RULES.items():
        if rule_id not in by_id:
            problems.append(f"x-rules lacks the required rule {rule_id!r}")
        elif by_id[rule_id].source != source:
            problems.append(f"rule {rule_id!r} must be {source}, not {by_id[rule_id].source}")

    error_codes = set(
        spec.document["components"]["schemas"]["Error"]["properties"]["code"].get(
            "x-extensible-enum", []
        )
    )
    for rule in spec.rules:
        responses = spec.rule_operation(rule.id).node.get("responses", {})
        if len(rule.statement) < 20 or not rule.statement.endswith("."):
            problems.append(f"rule {rule.id}: statement should be one full sentence")
        if rule.kind != "rejection":
            continue
        if not isinstance(rule.status, int) or not 400 <= rule.status < 500:
            problems.append(f"rule {rule.id}: a rejection rule needs a 4xx status")
            continue
        if rule.status == 405:
            continue
        if str(rule.status) not in responses:
            problems.append(f"rule {rule.id}: status {rule.status} is not among the responses")
        if rule.code not in error_codes:
            problems.append(f"rule {rule.id}: code {rule.code!r} is not a known Error code")
        if not rule.request_example or not rule.response_example:
            problems.append(
                f"rule {rule.id}: a rejection rule needs a request and a response example"
            )
    for op in spec.operations:
        # a 4xx is produced by a rule the operation declares or references by id
        made = {str(r.status) for r in spec.rules_of(op.operation_id) if r.kind == "rejection"}
        responses = op.node.get("responses", {})
        for status in responses:
            if status.startswith("4") and status not in made:
                problems.append(f"{op.label}: response {status} is produced by no rule of x-rules")
            if status.startswith("4"):
                description = str(spec.deref(responses[status]).get("description", ""))
                if "assumed" not in description:
                    problems.append(
                        f"{op.label}: response {status}: its description must say the status "
                        "is assumed"
                    )

    for path, node in _walk(
        spec.document.get("components", {}).get("schemas", {}), "#/components/schemas"
    ):
        if isinstance(node, Mapping) and isinstance(node.get("x-rules"), list):
            for rule_id in node["x-rules"]:
                if rule_id not in by_id:
                    problems.append(f"{path}/x-rules names unknown rule {rule_id!r}")
    return problems
