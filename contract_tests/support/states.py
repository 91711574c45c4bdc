"""Sessions in a given state for the run's state probes (the states are the spec's, via ``facts``).

Where a Session in a state comes from, first match wins: the mock's admin API makes one (the
embedded mock, or a served one given with ``PREVAIL_MOCK_ADMIN_URL``); else a fixture variable
names it: ``PREVAIL_LOCKED_SESSION_IDS`` (and ``PREVAIL_LOCKED_SESSION_ID``) one per
non-editable state, the run's own ``PREVAIL_SESSION_ID`` for the editable state it is in, and
``PREVAIL_FRESH_SESSION_IDS`` for the first editable state (``scheduled``): Sessions the run may
edit once each, taken in order, a Session no longer listed in that state counting as used by an
earlier run. A Session a variable names is sent nothing until ``GET /sessions`` lists it in the
state it is used for, so a mislabelled fixture is never edited by mistake. When no Session can be
had, the answer is the reason, naming the variable (and state) that would supply one.
"""

from __future__ import annotations

from typing import Any

from contract_tests.support.facts import facts
from contract_tests.support.target import Target
from prevail_contract.runtime.config import ENV_VARS, fresh_sessions, state_sessions


def _locked_var() -> str:
    return ENV_VARS["locked_session_ids"]


def _fresh_var() -> str:
    return ENV_VARS["fresh_session_ids"]


def non_editable_states() -> list[str]:
    """The states the spec names in which an edit must be refused."""
    f = facts()
    return [s for s in f.states if s not in f.editable_states]


def listed_states(target: Target) -> dict[str, Any] | None:
    """Each listed Session's ``state``, by id (one ``GET /sessions`` read; None without it)."""
    if not target.reads_by_list:
        return None
    listed = target.list_all(purpose="read the states of the fixture Sessions")
    if listed is None:
        return None
    return {
        str(s["remote_session_id"]): s.get("state")
        for s in listed[0]
        if isinstance(s.get("remote_session_id"), str)
    }


def locked_sessions(target: Target) -> tuple[dict[str, str], dict[str, str]]:
    """state -> a Session of the run's Organization in that state, and state -> why there is
    none (naming the variable), for every non-editable state of the spec."""
    states = non_editable_states()
    company = target.organization
    if target.admin is not None and company is not None:
        made = {
            state: target.admin.create(
                company,
                state,
                title=f"State probe {state}",
                remote_session_id=f"state-probe-{state}-{target.seed}",
            )
            for state in states
        }
        return made, {}
    raw = target.config.value("locked_session_ids")
    given = state_sessions(raw if isinstance(raw, str) else None)
    single = target.config.locked_session_id
    listed = listed_states(target) if given or single else None
    if single is not None and single not in given.values():
        state = listed.get(single) if listed is not None else None
        if isinstance(state, str) and state not in given:
            given[state] = single
    found: dict[str, str] = {}
    missing: dict[str, str] = {}
    for state in states:
        sid = given.get(state)
        if sid is None:
            missing[state] = f"no Session in state {state}: add {state}:ID to {_locked_var()}"
        elif listed is not None and listed.get(sid) != state:
            seen = "is not listed" if sid not in listed else f"is listed as {listed[sid]!r}"
            missing[state] = (
                f"{_locked_var()} names {sid} for state {state}, but GET /sessions says it {seen}: "
                "not sent (a Session in another state might accept the edit)"
            )
        else:
            found[state] = sid
    return found, missing


def any_locked_session(target: Target) -> str | None:
    """One Session in a non-editable state, if the run has one (for probes of any such):
    ``PREVAIL_LOCKED_SESSION_ID`` when the list shows it in such a state, else any other."""
    found = list(locked_sessions(target)[0].values())
    single = target.config.locked_session_id
    if single is not None and (single in found or not target.reads_by_list):
        return single  # without the list its state cannot be read: the preflight vouched for it
    return next(iter(found), None)


def editable_session(target: Target, state: str) -> tuple[str | None, str]:
    """A Session in the editable ``state`` that the run may edit now, with what it is (or None
    and why there is none, naming the variable that would supply one)."""
    company = target.organization
    if target.admin is not None and company is not None:
        sid = target.admin.create(
            company,
            state,
            title=f"State probe {state}",
            remote_session_id=f"state-probe-{state}-{target.seed}",
        )
        return sid, f"a {state} Session made through the mock's admin API"
    listed = listed_states(target)
    if listed is None:
        return None, (
            f"a Session in state {state} is needed, but the target has no GET /sessions, so no "
            "Session's state can be read before it is edited"
        )
    if listed.get(target.session_id) == state:
        return target.session_id, f"the run's Session ({state})"
    fresh_state = facts().editable_states[0]
    raw = target.config.value("fresh_session_ids")
    fresh = fresh_sessions(raw if isinstance(raw, str) else None)
    if state != fresh_state:
        return None, (
            f"no Session in state {state}: {ENV_VARS['session_id']} is listed as "
            f"{listed.get(target.session_id)!r} (an accepted edit leaves it "
            f"{facts().state_after_edit})"
        )
    for sid in fresh:
        if sid in target.fresh_taken:
            continue
        target.fresh_taken.append(sid)
        if listed.get(sid) == state:
            return sid, f"a fresh {state} Session of {_fresh_var()}"
    if not fresh:
        return None, (
            f"no Session in state {state} the run may edit: list {state} Sessions of your "
            f"Organization in {_fresh_var()} (each run edits one)"
        )
    return None, (
        f"none of the {len(fresh)} Session(s) of {_fresh_var()} is listed in state {state} "
        f"any more (each run edits one): add fresh {state} Sessions"
    )
