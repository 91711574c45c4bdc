"""The docs page's field-by-field table: which constraint Prevail documents and which is ours.

Generated from the same schema walk lint holds to the prose
(:mod:`prevail_contract.spec.schema_nodes`):
a request keyword's provenance is the source of the rule its ``x-violation-rules`` entry files
it under (a case list gives one row per case), a response keyword's is its node's
``x-assumed-keywords``. Every keyword that can refuse a value or an answer gets a row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from prevail_contract.spec import Spec
from prevail_contract.spec.schema_nodes import SchemaNode, assumed_keywords, schema_nodes
from prevail_contract.spec.violation_rules import ANNOTATION, ASSERTIONS

TITLE = "Documented and assumed constraints"
#: Anchor of each rule row in the Business rules section.
RULE_ANCHOR = "rule-"
#: Longest value shown in a cell as it is (longer patterns are named only).
SHOWN = 48
#: The assumed rule a successful answer breaks with a keyword its schema marks assumed.
SHAPE_RULE = "response-shape"


def provenance_markdown(spec: Spec) -> str:
    """The section: a lead paragraph, then per operation one table of request fields and one of
    answered fields."""
    sources = {rule.id: rule.source for rule in spec.rules}
    lines = [
        f"## {TITLE}",
        "",
        "Each constraint of a request field and of a successful answer, and whether Prevail's "
        "documentation states it or this contract assumes it. A request that breaks a "
        "documented one is refused under a documented rule; one that breaks only an assumed "
        "one is refused under an assumed rule, so a server that keeps the documentation but "
        "reads an assumed detail otherwise fails only assumed rules.",
        "",
    ]
    by_op: dict[tuple[str, str], list[SchemaNode]] = {}
    for found in schema_nodes(spec):
        by_op.setdefault((found.operation, found.side), []).append(found)
    for op in spec.operations:
        answer = _answer_rules(spec, op.operation_id)
        for side, heading in (("request", "request body"), ("response", "successful answer")):
            rows = [
                row
                for found in by_op.get((op.operation_id, side), [])
                for row in _rows(found, sources, answer)
            ]
            if rows:
                lines += [f"### {op.label}: {heading}", ""]
                lines += _table(["Field", "Constraint", "Source", "Rule"], rows)
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _answer_rules(spec: Spec, operation_id: str) -> tuple[str, str]:
    """The rules a successful answer's schema problems break: the documented one whose example
    is the operation's 200 answer, and the assumed one that states the whole schema."""
    rules = spec.rules_of(operation_id)
    documented = next(
        (
            r.id
            for r in rules
            if r.documented
            and r.operation == operation_id
            and r.response_example is not None
            and str(r.status) == "200"
        ),
        "",
    )
    assumed = SHAPE_RULE if SHAPE_RULE in {r.id for r in rules} else ""
    return documented, assumed


def _rows(
    found: SchemaNode, sources: Mapping[str, str], answer: tuple[str, str] = ("", "")
) -> list[list[str]]:
    node = found.node
    mapping = node.get(ANNOTATION) if isinstance(node.get(ANNOTATION), Mapping) else {}
    marked = assumed_keywords(node)
    rows: list[list[str]] = []
    for keyword in sorted(ASSERTIONS & set(node), key=list(node).index):
        if keyword == "additionalProperties" and node[keyword] is not False:
            continue
        shown = _constraint(keyword, node[keyword])
        entry = mapping.get(keyword) if isinstance(mapping, Mapping) else None
        if isinstance(entry, str):
            rows.append([found.field, shown, _source(sources.get(entry)), _rule(entry)])
        elif isinstance(entry, list):
            for case in entry:
                when = case.get("when")
                what = f"{shown}, values matching {_constraint_of(when)}" if when else shown
                rule = str(case.get("rule"))
                rows.append([found.field, what, _source(sources.get(rule)), _rule(rule)])
        elif found.side == "response":
            assumed = keyword in marked
            rule = answer[1] if assumed else answer[0]
            rows.append(
                [
                    found.field,
                    shown,
                    _source("assumed" if assumed else "documented"),
                    _rule(rule) if rule else "",
                ]
            )
    return rows


def _constraint_of(schema: Any) -> str:
    if isinstance(schema, Mapping) and len(schema) == 1:
        ((keyword, value),) = schema.items()
        return _constraint(str(keyword), value)
    return "a schema"


def _constraint(keyword: str, value: Any) -> str:
    if keyword == "enum":
        listed = ", ".join(f"`{v}`" for v in value[:4])
        return f"`enum`: {listed}" + (f" and {len(value) - 4} more" if len(value) > 4 else "")
    if keyword == "required":
        return "`required`: " + ", ".join(f"`{v}`" for v in value)
    if keyword == "additionalProperties":
        return "no other members (`additionalProperties: false`)"
    if keyword == "dependentRequired":
        return "`dependentRequired`: " + "; ".join(
            f"`{k}` needs {', '.join(f'`{n}`' for n in needs)}" for k, needs in value.items()
        )
    if keyword in ("anyOf", "oneOf", "not"):
        return f"`{keyword}` (see the schema)"
    text = value if isinstance(value, str) else json.dumps(value)
    if len(text) > SHOWN:
        return f"`{keyword}` (see the schema)"
    return f"`{keyword}: {text}`"


def _source(source: str | None) -> str:
    return "documented" if source == "documented" else "**assumed**"


def _rule(rule_id: str) -> str:
    return f"[`{rule_id}`](#{RULE_ANCHOR}{rule_id})"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _cell(text: str) -> str:
    """A table cell: pipes escaped (inside code spans too, which Markdown tables need)."""
    return " ".join(text.split()).replace("|", "\\|")
