"""Fixture breadth: an edit is refused in every non-editable state the spec names (on a live
target too, from ``PREVAIL_LOCKED_SESSION_IDS``), and the first accepted edit of each Session
leaves it ``ready``."""

from __future__ import annotations

import pytest

from contract_tests.support.expect import refused
from contract_tests.support.facts import facts
from contract_tests.support.states import locked_sessions, non_editable_states
from contract_tests.support.target import Target
from prevail_contract.check.verdict import Verdicts

TITLE = "Contract check: state probe"


@pytest.mark.rule("editable-states", "rejected-changes-nothing")
def test_every_non_editable_state_is_refused(target: Target) -> None:
    v = Verdicts()
    sessions = locked_sessions(target)
    missing = [s for s in non_editable_states() if s not in sessions]
    if missing:
        target.note(
            "editable-states",
            f"not probed in state(s) {', '.join(missing)}: list one Session per state in "
            "PREVAIL_LOCKED_SESSION_IDS=state:id,...",
        )
    if not sessions:
        pytest.skip("no Session in a known non-editable state: set PREVAIL_LOCKED_SESSION_IDS")
    for state, sid in sessions.items():
        before = target.admin.session(sid) if target.admin else None
        ex = target.edit({"remote_session": {"title": TITLE}}, session_id=sid, purpose=state)
        refused(target.spec, v, ex, "editable-states", f"edit of a Session in state {state}")
        after = target.admin.session(sid) if target.admin else None
        if not ex.accepted and before is not None and after is not None and before != after:
            v.fail("rejected-changes-nothing", f"refused, but the {state} Session changed", ex)
    v.raise_if_any()


@pytest.mark.rule("state-ready-after-edit")
def test_first_accepted_edit_of_each_session_is_ready(target: Target) -> None:
    """Whatever state a Session started in (the configured one is often ``scheduled``), the
    first edit the run made to it must have answered ``state: ready``."""
    if target.session_id not in target.first_accepted:
        target.snapshot()
    v = Verdicts()
    for sid, ex in target.first_accepted.items():
        ex.checked.add("state-ready-after-edit")
        body = ex.json
        sessions = body.get("sessions") if isinstance(body, dict) else None
        first = sessions[0] if isinstance(sessions, list) and sessions else None
        if isinstance(first, dict) and first.get("state") != facts().state_after_edit:
            v.fail(
                "state-ready-after-edit",
                f"the run's first accepted edit of {sid} answered state {first.get('state')!r}",
                ex,
            )
    v.raise_if_any()
