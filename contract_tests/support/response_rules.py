"""Which rule a successful answer's schema problems break: the operation's documented envelope
rule, or the assumed ``response-shape`` when every problem is a keyword the spec marks assumed.

The spec marks on each response schema node the keywords that are this contract's assumption
(``x-assumed-keywords``: a Session's ``required`` list, lengths, bounds, the one-item count of
an edit's ``sessions``); a stored value that breaks only those is no breach of the documented
envelope. The envelope rule of an operation is the documented rule its 200 answer shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prevail_contract.spec import Spec
from prevail_contract.spec.operations import json_schema

MARKER = "x-assumed-keywords"
SHAPE_RULE = "response-shape"
#: Keywords a stored value breaks (its form or size), as opposed to the answer's structure.
VALUE_KEYWORDS = ("format", "pattern", "maxLength", "minLength", "maximum", "minimum")


@dataclass(frozen=True)
class Problem:
    """One schema error of an answer, with the rule it breaks."""

    rule: str
    #: The keyword broken, and where in the body (its path).
    keyword: str
    path: tuple[str | int, ...]
    message: str

    @property
    def where(self) -> str:
        """The path as text, ``(body)`` for the root."""
        return "/".join(str(p) for p in self.path) or "(body)"

    def __str__(self) -> str:
        return f"at {self.where}: {self.message[:200]}"


def envelope_rule(spec: Spec, operation_id: str) -> str:
    """The operation's documented rule whose example is its 200 answer (``response-envelope``,
    ``list-envelope``)."""
    for rule in spec.rules_of(operation_id):
        own = rule.operation == operation_id and str(rule.status) == "200"
        if own and rule.documented and rule.response_example is not None:
            return rule.id
    raise LookupError(f"{operation_id} declares no documented rule with a 200 answer example")


def answer_problems(spec: Spec, operation_id: str, body: Any) -> list[Problem]:
    """Every schema problem of a 200 answer, each filed under the rule it breaks."""
    response = spec.operation_by_id(operation_id).responses(spec.deref).get("200")
    schema = json_schema(response)
    if schema is None:
        return []
    envelope = envelope_rule(spec, operation_id)
    problems: list[Problem] = []
    for error in spec.validator(schema).iter_errors(body):
        node = error.schema if isinstance(error.schema, Mapping) else {}
        marked = node.get(MARKER)
        rule = SHAPE_RULE if isinstance(marked, list) and error.validator in marked else envelope
        path = tuple(error.absolute_path)
        problems.append(Problem(rule, str(error.validator), path, error.message))
    return sorted(problems, key=lambda p: (p.rule != envelope, len(p.path), p.where))


def first_problem(spec: Spec, operation_id: str, body: Any) -> Problem | None:
    """The problem to report first: a documented one when there is one."""
    problems = answer_problems(spec, operation_id, body)
    return problems[0] if problems else None


def echoes_a_bad_value(problems: list[Problem]) -> bool:
    """Whether every problem is the form or size of a field value inside a Session (what an
    accepted request that sent a bad value gets echoed), none the answer's structure."""
    return bool(problems) and all(
        p.keyword in VALUE_KEYWORDS and len(p.path) >= 3 for p in problems
    )
