"""One Session per non-editable state for the run (states from the spec, via ``facts``).

Embedded runs create a Session per state through the mock's admin API; a live run takes them
from ``PREVAIL_LOCKED_SESSION_IDS`` (``state:id,...``).
"""

from __future__ import annotations

from contract_tests.support.facts import facts
from contract_tests.support.target import Target
from prevail_contract.check.config import state_sessions


def non_editable_states() -> list[str]:
    """The states the spec names in which an edit must be refused."""
    f = facts()
    return [s for s in f.states if s not in f.editable_states]


def locked_sessions(target: Target) -> dict[str, str]:
    """state -> a Session of the editing Organization in that state (as far as the run has)."""
    if target.admin is not None and target.config.company_id is not None:
        return {
            state: target.admin.create(
                target.config.company_id, state, title=f"State probe {state}"
            )
            for state in non_editable_states()
        }
    listed = target.config.value("locked_session_ids")
    return state_sessions(listed if isinstance(listed, str) else None)
