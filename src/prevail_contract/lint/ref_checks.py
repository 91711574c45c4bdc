"""Lint: every ``$ref`` of the spec is local (``#/components/...``) and resolves."""

from __future__ import annotations

from collections.abc import Mapping

from prevail_contract.errors import SpecError
from prevail_contract.spec import Spec
from prevail_contract.spec.examples import walk


def check_refs(spec: Spec) -> list[str]:
    """Every ``$ref`` is local (``#/components/...``) and resolves."""
    problems: list[str] = []
    for path, node in walk(spec.document):
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
