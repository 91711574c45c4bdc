"""The suite's ``list_session_pages`` (a test operation): a page judges its envelope."""

from __future__ import annotations

from typing import Any

from prevail_contract.runtime.exchange import Exchange

#: The rule a malformed success answer breaks.
SHAPE_RULE = "pages-scoped"


def rules_checked(case: Any, exchange: Exchange) -> set[str]:
    """An accepted page judges its envelope."""
    return {SHAPE_RULE} if exchange.accepted else set()


def builtin_rule(name: str, exchange: Exchange) -> str | None:
    """Built-in failures are filed the shared way."""
    return None
