"""The documented-only reading of the spec: every constraint our assumption adds, taken out.

A copy of the document in which each request keyword whose ``x-violation-rules`` entry names
only assumed rules is dropped (a ``title`` of any length, no ``invites`` cap, an empty
``remote_session``, unknown members), a keyword whose entry is a case list keeps only its
documented cases (an IANA zone id, an assumed case of ``TimeZoneName``'s enum, is accepted),
and each answer keyword a node lists in ``x-assumed-keywords`` is dropped too (no invitee cap
on a Session, no lengths). Everything is read from the spec's own markers, so a constraint
re-filed in the spec is relaxed or kept here with no code edit; lint holds the markers to the
prose (:mod:`prevail_contract.lint.provenance_checks`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping
from typing import Any

from prevail_contract.spec.model import Spec
from prevail_contract.spec.schema_nodes import assumed_keywords, schema_nodes
from prevail_contract.spec.violation_rules import ANNOTATION, ASSERTIONS, rules_named


def documented_spec(spec: Spec) -> Spec:
    """A new :class:`Spec` of the documented-only reading of ``spec`` (``spec`` is untouched)."""
    document = copy.deepcopy(spec.document)
    view = Spec(document, spec.path)
    assumed = {rule.id for rule in view.rules if not rule.documented}
    for found in list(schema_nodes(view)):
        node = found.node
        assert isinstance(node, MutableMapping)
        if found.side == "request":
            _relax_request(node, assumed)
        else:
            for keyword in assumed_keywords(node) & set(node):
                del node[keyword]
    return Spec(document, spec.path)


def _relax_request(node: MutableMapping[str, Any], assumed: set[str]) -> None:
    mapping = node.get(ANNOTATION)
    if not isinstance(mapping, Mapping):
        return
    for keyword in sorted(ASSERTIONS & set(mapping) & set(node)):
        entry = mapping[keyword]
        rules = rules_named(entry)
        if rules and set(rules) <= assumed:
            del node[keyword]
        elif isinstance(entry, list) and set(rules) & assumed:
            _keep_documented_cases(node, keyword, entry, assumed)


def _keep_documented_cases(
    node: MutableMapping[str, Any], keyword: str, cases: list[Any], assumed: set[str]
) -> None:
    """A value is refused only when the case it falls under names a documented rule: the
    keyword holds, or the value falls under an assumed case (the cases are tried in order)."""
    passes: list[Any] = [{keyword: node.pop(keyword)}]
    earlier: list[Any] = []
    documented = ""
    for case in cases:
        when = case.get("when")
        rule = str(case.get("rule"))
        if rule in assumed:
            passes.append({"allOf": [*({"not": w} for w in earlier), when or {}]})
        elif not documented:
            documented = rule
        if when is None:
            break
        earlier.append(when)
    member = {"anyOf": passes, ANNOTATION: {"anyOf": documented}} if documented else {}
    if member:
        node.setdefault("allOf", []).append(member)
