"""Lint: each constraint is filed as the documentation has it, not as our stricter reading.

A schema node lists in ``x-assumed-keywords`` the keywords whose constraint is this contract's
assumption rather than Prevail's documentation (``[]`` when the assumption its prose names is no
keyword of the node, such as an assumed case of an ``enum`` or a member's meaning). Three
statements of one fact are held to each other on every node a request body or a successful
answer reaches (:mod:`prevail_contract.spec.schema_nodes`):

- the marker and the ``x-violation-rules`` mapping: a marked keyword is filed under assumed
  rules only (a documented rule would fail a faithful server on our assumption), and a keyword
  filed under assumed rules only is marked;
- the marker and the prose: a description that calls something assumed ("(assumed)", "is
  assumed") needs the marker, and a node that marks a keyword says so in its description;
- the marker and the node: every keyword it names is one the node has.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from prevail_contract.spec import Spec
from prevail_contract.spec.schema_nodes import MARKER, SchemaNode, assumed_keywords, schema_nodes
from prevail_contract.spec.violation_rules import ANNOTATION, ASSERTIONS, rules_named

#: How the spec's prose says that something is our assumption.
_ASSUMED = re.compile(r"\bassumed\b", re.IGNORECASE)


def says_assumed(node: Mapping[str, Any]) -> bool:
    """Whether the node's own description calls something assumed."""
    return bool(_ASSUMED.search(str(node.get("description") or "")))


def check_provenance(spec: Spec) -> list[str]:
    """Every disagreement between a node's marker, its mapping and its prose, one line each."""
    sources = {rule.id: rule.source for rule in spec.rules}
    problems: list[str] = []
    for found in schema_nodes(spec):
        problems += _node(found, sources)
    return problems


def _node(found: SchemaNode, sources: Mapping[str, str]) -> list[str]:
    node, where = found.node, found.where
    raw = node.get(MARKER)
    if raw is not None and not (isinstance(raw, list) and all(isinstance(k, str) for k in raw)):
        return [f"{where}: {MARKER} must be a list of keyword names"]
    marked = assumed_keywords(node)
    problems = [
        f"{where}: {MARKER} names {keyword!r}, which the node does not have"
        for keyword in sorted(marked - set(node))
    ]
    if says_assumed(node) and raw is None:
        problems.append(
            f"{where} ({found.field}): its description calls part of it assumed, but it does "
            f"not say which keywords: list them in {MARKER} (and file their violations under "
            f"assumed rules), or give `{MARKER}: []` when the assumption is no keyword of it"
        )
    if marked and not says_assumed(node):
        problems.append(
            f"{where} ({found.field}): {MARKER} marks {', '.join(sorted(marked))} as assumed, "
            "but its description does not say so: say it there, for readers of the docs"
        )
    mapping = node.get(ANNOTATION)
    if isinstance(mapping, Mapping):
        problems += _mapping(found, mapping, marked, sources)
    return problems


def _mapping(
    found: SchemaNode,
    mapping: Mapping[str, Any],
    marked: frozenset[str],
    sources: Mapping[str, str],
) -> list[str]:
    problems: list[str] = []
    for keyword in sorted(ASSERTIONS & set(mapping) & set(found.node)):
        try:
            rules = rules_named(mapping[keyword])
        except ValueError:
            continue  # violation_rules reports a malformed entry
        documented = [r for r in rules if sources.get(r) == "documented"]
        if keyword in marked and documented:
            problems.append(
                f"{found.where} ({found.field}): {keyword!r} is assumed ({MARKER}), but "
                f"{ANNOTATION} files its violation under the documented rule "
                f"{documented[0]!r}, so a server that keeps the documentation would fail a "
                "documented rule: file it under an assumed rule (split the keyword if part of "
                "it is documented)"
            )
        elif keyword not in marked and rules and not documented:
            problems.append(
                f"{found.where} ({found.field}): {ANNOTATION} files {keyword!r} under the "
                f"assumed {', '.join(dict.fromkeys(rules))} only, but {MARKER} does not list "
                "it: list it there (and say so in the description)"
            )
    return problems
