"""The suite's ``list_sessions``: the rules one list exchange judges, and where a failed
built-in check of a list case is filed (its query and envelope rules, not the edit's)."""

from __future__ import annotations

from typing import Any

from contract_tests.support.response_rules import SHAPE_RULE as RESPONSE_SHAPE
from contract_tests.support.response_rules import first_problem
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.spec import load_spec

#: The rule a malformed success answer breaks.
SHAPE_RULE = "list-envelope"
QUERY_RULE = "list-query-validated"
#: The rule a built-in check's failure concerns where it differs from the shared filing.
BUILTIN_RULES = {
    "positive_data_acceptance": QUERY_RULE,
    "negative_data_rejection": QUERY_RULE,
    "response_schema_conformance": SHAPE_RULE,
    "content_type_conformance": SHAPE_RULE,
    "response_headers_conformance": SHAPE_RULE,
}


def rules_checked(case: Any, exchange: Exchange) -> set[str]:
    """Every list exchange judges the query rule; an accepted one its envelope and pages."""
    checked = {QUERY_RULE}
    if exchange.accepted:
        checked |= {SHAPE_RULE, "list-pagination-consistent", RESPONSE_SHAPE}
    return checked


def builtin_rule(name: str, exchange: Exchange) -> str | None:
    """A schema problem of an accepted page is filed under the rule it breaks; another data
    or envelope failure under the query or envelope rule, or, for a refusal, ``error-shape``."""
    if exchange.status == 405 or name not in BUILTIN_RULES:
        return None
    if name == "response_schema_conformance" and exchange.accepted:
        problem = first_problem(load_spec(), __name__.rsplit(".", 1)[-1], exchange.json)
        return problem.rule if problem is not None else BUILTIN_RULES[name]
    if exchange.accepted or "data" in name:
        return BUILTIN_RULES[name]
    return "error-shape"
