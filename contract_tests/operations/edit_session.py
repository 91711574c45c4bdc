"""The suite's ``edit_session``: the rules one edit exchange judges, and its envelope rule."""

from __future__ import annotations

from typing import Any

from contract_tests.support.body_rules import broken_rules
from contract_tests.support.response_rules import SHAPE_RULE as RESPONSE_SHAPE
from prevail_contract.runtime.exchange import Exchange

#: The rule a malformed success answer breaks.
SHAPE_RULE = "response-envelope"


def rules_checked(case: Any, exchange: Exchange) -> set[str]:
    """An accepted edit is judged by its answer's rules and by the body rules it keeps or
    breaks; a refused one by the body rules its body breaks."""
    if not exchange.accepted:
        return broken_rules(exchange.request_json()) if exchange.body else set()
    checked = {
        SHAPE_RULE,
        RESPONSE_SHAPE,
        "id-stable",
        "state-ready-after-edit",
        "invites-no-duplicates",
    }
    body = exchange.request_json()
    broken = broken_rules(body)
    checked |= broken
    if not broken:
        checked.add("fields-applied")
        if body["remote_session"].get("invites"):
            checked.add("invites-additive")
    return checked


def builtin_rule(name: str, exchange: Exchange) -> str | None:
    """The edit files built-in failures the shared way."""
    return None
