"""Fixture breadth, live as on the mock: an edit is refused in every non-editable state the spec
names and leaves that Session as it was; an edit is accepted in every editable state and answers
the state after an edit; the first accepted edit of each Session the run made answered ``ready``.

Each probe runs wherever a Session in its state can be had (``support/states.py``: the mock's
admin API, or the fixture variables); a state without one makes its rules ``not_run`` naming the
variable and state that would supply it.
"""

from __future__ import annotations

import pytest

from contract_tests.support.answers import session_of
from contract_tests.support.expect import accepted, refused
from contract_tests.support.facts import facts
from contract_tests.support.states import editable_session, locked_sessions
from contract_tests.support.target import Target
from contract_tests.support.watch import RefusalWatch
from prevail_contract.runtime.verdict import Verdicts

TITLE = "Contract check: state probe"


@pytest.mark.rule("editable-states", "rejected-changes-nothing")
def test_every_non_editable_state_is_refused(target: Target) -> None:
    v = Verdicts()
    sessions, missing = locked_sessions(target)
    if sessions:
        watch = RefusalWatch(target, "state").own(*sessions.values()).start()
        for state, sid in sessions.items():
            what = f"edit of a Session in state {state}"
            ex = target.edit(
                {"remote_session": {"title": f"{TITLE} ({state})"}}, session_id=sid, purpose=what
            )
            refused(target.spec, v, ex, "editable-states", what)
            watch.add(ex, what)
        watch.check(v)
    v.raise_if_any()
    if missing:
        pytest.skip("; ".join(missing.values()))


@pytest.mark.rule("editable-states", "state-ready-after-edit")
def test_every_editable_state_is_accepted_and_left_ready(target: Target) -> None:
    """In the spec's order of editable states: the first (``scheduled``) needs a fresh Session
    on a live server; the run's own Session is in the state after an edit once it was edited."""
    v = Verdicts()
    missing: list[str] = []
    for state in facts().editable_states:
        sid, what = editable_session(target, state)
        if sid is None:
            missing.append(what)
            continue
        ex = target.edit(
            {"remote_session": {"title": f"{TITLE} ({state})"}},
            session_id=sid,
            purpose=f"edit of {what}",
        )
        session = accepted(v, ex, "editable-states", f"edit of {what}")
        ex.checked.add("state-ready-after-edit")
        if session is not None and session.get("state") != facts().state_after_edit:
            v.fail(
                "state-ready-after-edit",
                f"{what}: the edit answered state {session.get('state')!r}",
                ex,
            )
    v.raise_if_any()
    if missing:
        pytest.skip("; ".join(missing))


@pytest.mark.rule("state-ready-after-edit")
def test_first_accepted_edit_of_each_session_is_ready(target: Target) -> None:
    """Whatever state a Session started in (the configured one is often ``scheduled``), the
    first edit the run made to it must have answered ``state: ready``."""
    if target.session_id not in target.first_accepted:
        target.snapshot()
    v = Verdicts()
    for sid, ex in target.first_accepted.items():
        ex.checked.add("state-ready-after-edit")
        first = session_of(ex.json)
        if first is not None and first.get("state") != facts().state_after_edit:
            v.fail(
                "state-ready-after-edit",
                f"the run's first accepted edit of {sid} answered state {first.get('state')!r}",
                ex,
            )
    v.raise_if_any()
