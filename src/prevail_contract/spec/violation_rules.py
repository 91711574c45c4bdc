"""The spec's ``x-violation-rules`` annotations: every assertion keyword of a request schema
names the catalogue rule its violation breaks.

The suite reads bodies through these annotations, lint checks them, and ``check`` checks them
before it starts, so a schema keyword added without its rule is one clear spec error, found
before any work, rather than a crash in the middle of a run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prevail_contract.errors import SpecError
from prevail_contract.spec.model import Spec

ANNOTATION = "x-violation-rules"
#: Keywords that can fail on their own and so need a rule in ``x-violation-rules``.
ASSERTIONS = frozenset(
    {
        "type", "enum", "const", "format", "pattern", "minLength", "maxLength", "minimum",
        "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems",
        "uniqueItems", "required", "minProperties", "maxProperties", "dependentRequired",
        "not", "anyOf", "oneOf", "additionalProperties",
    }
)  # fmt: skip
#: Composite keywords an unannotated node may leave to its branches.
BRANCHING = ("anyOf", "oneOf")


def annotated_rules(spec: Spec, schema_name: str) -> set[str]:
    """The rules the annotations of ``components/schemas/<schema_name>`` name.

    Raises :class:`SpecError` naming the schema path of a keyword without an entry, or of an
    entry naming a rule the catalogue lacks.
    """
    walk = _Walk(spec)
    root = spec.document["components"]["schemas"][schema_name]
    walk.visit(root, f"components/schemas/{schema_name}")
    return walk.used


def check_request_annotations(spec: Spec) -> None:
    """Every operation's JSON request schema is fully annotated (see :func:`annotated_rules`)."""
    prefix = "#/components/schemas/"
    for op in spec.operations:
        content = (spec.deref(op.node.get("requestBody") or {}).get("content") or {}).values()
        for media in content:
            ref = (media.get("schema") or {}).get("$ref", "")
            if ref.startswith(prefix):
                annotated_rules(spec, ref.removeprefix(prefix))


class _Walk:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.known = {rule.id for rule in spec.rules}
        self.used: set[str] = set()
        self.seen: set[int] = set()

    def visit(self, node: Any, where: str) -> None:
        """Every assertion keyword reachable from the request schema names a known rule."""
        node = self.spec.deref(node)
        if not isinstance(node, Mapping) or id(node) in self.seen:
            return
        self.seen.add(id(node))
        mapping = node.get(ANNOTATION) or {}
        for keyword in sorted(ASSERTIONS & set(node)):
            if keyword == "additionalProperties" and node[keyword] is not False:
                continue
            if keyword not in mapping:
                if keyword in BRANCHING:
                    for i, branch in enumerate(node[keyword]):
                        self.visit(branch, f"{where}/{keyword}/{i}")
                    continue
                raise SpecError(
                    f"{where}: keyword {keyword!r} has no entry in {ANNOTATION} naming the rule "
                    f"its violation breaks (add `{ANNOTATION}: {{{keyword}: RULE-ID}}` there)"
                )
            for rule in rules_named(mapping[keyword]):
                if rule not in self.known:
                    raise SpecError(f"{where}/{ANNOTATION}/{keyword}: no rule {rule!r} in x-rules")
                self.used.add(rule)
        for key in ("properties", "patternProperties"):
            for name, child in (node.get(key) or {}).items():
                self.visit(child, f"{where}/{key}/{name}")
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), Mapping):
                self.visit(node[key], f"{where}/{key}")
        for i, part in enumerate(node.get("allOf") or []):
            self.visit(part, f"{where}/allOf/{i}")


def rules_named(entry: Any) -> list[str]:
    """The rule ids an ``x-violation-rules`` entry names (a rule id, or each case's rule)."""
    if isinstance(entry, str):
        return [entry]
    if isinstance(entry, list) and all(isinstance(c, Mapping) and "rule" in c for c in entry):
        return [str(c["rule"]) for c in entry]
    raise SpecError(f"{ANNOTATION} entries are a rule id or a list of {{when, rule}} cases")
