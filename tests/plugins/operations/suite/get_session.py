"""The suite's ``get_session`` (a test operation): a read of one Session judges its shape."""

from __future__ import annotations

from typing import Any

from prevail_contract.runtime.exchange import Exchange

#: The rule a malformed success answer breaks.
SHAPE_RULE = "response-shape"


def rules_checked(case: Any, exchange: Exchange) -> set[str]:
    """An accepted read judges the Session's shape."""
    return {SHAPE_RULE} if exchange.accepted else set()


def builtin_rule(name: str, exchange: Exchange) -> str | None:
    """Built-in failures are filed the shared way."""
    return None
