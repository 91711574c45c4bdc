"""Stateful sequences: random edits, refusals and invites in any order, checked against a model.

Hypothesis drives a state machine whose model is what the documented rules imply the session
must look like; every answer is compared with it, so a rule broken only after some history
(an invite lost two edits later, a refused edit leaking into the next one) shows up.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)

from contract_tests.plugins.profiles import profile_name
from contract_tests.support.expect import accepted, refused
from contract_tests.support.facts import facts
from contract_tests.support.probes import base_schedule, good_value
from contract_tests.support.strategies import invite_lists, partial_schedules, valid_edits
from contract_tests.support.target import Target
from prevail_contract.runtime.verdict import Finding, RuleViolationError, Verdicts

#: Findings about how a refusal is worded (assumed), collected over the whole run instead of
#: ending it: they say nothing about the model, and a server answering with another status or
#: code must still have its history checked against the documented rules.
PRESENTATION = frozenset({"error-status-codes", "error-shape"})


class EditSequences(RuleBasedStateMachine):
    """A model of one session under a sequence of edits."""

    #: The run's target (set on the subclass each run makes, see ``test_edit_sequences``).
    target: Target
    #: Presentation findings of the run, raised when it ends (see ``PRESENTATION``).
    deferred: list[Finding]

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[str, Any] = {}
        self.invites: set[str] = set()
        #: Values that refused requests sent, per field: seeing one means a refusal leaked.
        self.refused: dict[str, list[Any]] = {}

    def _compare(self, v: Verdicts, session: dict[str, Any], when: str) -> None:
        ex = self.target.last_exchange
        by_list = when == "read back" and self.target.reads_by_list
        for name, value in self.model.items():
            if session.get(name) != value:
                if session.get(name) in self.refused.get(name, []):
                    rule = "rejected-changes-nothing"
                elif by_list:
                    rule = "list-reflects-edits"
                else:
                    rule = "fields-applied" if when == "valid edit" else "rejected-changes-nothing"
                v.fail(
                    rule,
                    f"after {when}: {name} is {session.get(name)!r}, expected "
                    f"{value!r} from the history",
                    ex,
                )
        have = {str(x).lower() for x in session.get(facts().invite_field) or []}
        lost = sorted(self.invites - have)
        if lost:
            rule = "list-reflects-edits" if by_list else "invites-additive"
            v.fail(rule, f"after {when}: invitees {lost[:5]} disappeared", ex)
        if session.get("remote_session_id") != self.target.session_id:
            v.fail("id-stable", f"after {when}: id {session.get('remote_session_id')!r}", ex)

    def _absorb(self, session: dict[str, Any]) -> None:
        for name in facts().value_fields:
            if name in session:
                self.model[name] = session[name]
        self.invites |= {str(x).lower() for x in session.get(facts().invite_field) or []}

    @initialize()
    def start(self) -> None:
        """Start from a known state: an edit that sets every editable field.

        (Not a read: a listing taken now could be stale, and the model must start from what
        the server itself answered.)
        """
        v = Verdicts()
        f = facts()
        start = {n: good_value(n, self.target.spec) for n in f.value_fields if n not in f.schedule}
        start.update(base_schedule(f))
        ex = self.target.edit({"remote_session": start}, purpose="stateful: start")
        session = accepted(v, ex, "fields-applied", "stateful: start")
        if session is not None:
            self._absorb(session)
        v.raise_if_any()

    @rule(edit=valid_edits())
    def valid_edit(self, edit: dict[str, Any]) -> None:
        v = Verdicts()
        ex = self.target.edit({"remote_session": edit}, purpose="stateful: valid edit")
        session = accepted(v, ex, "fields-applied", "stateful: valid edit")
        if session is not None:
            self.model.update({k: edit[k] for k in facts().value_fields if k in edit})
            for item in edit.get(facts().invite_field, []):
                self.invites.add(
                    (item if isinstance(item, str) else item[facts().invite_email]).lower()
                )
            self._compare(v, session, "valid edit")
            self._absorb(session)
        v.raise_if_any()

    @rule(edit=partial_schedules())
    def partial_schedule(self, edit: dict[str, Any]) -> None:
        v = Verdicts()
        ex = self.target.edit({"remote_session": edit}, purpose="stateful: partial schedule")
        if refused(self.target.spec, v, ex, "schedule-all-three", "stateful: partial schedule"):
            for name, value in edit.items():
                if value != self.model.get(name):
                    self.refused.setdefault(name, []).append(value)
        self.deferred += [f for f in v.findings if f.rule in PRESENTATION]
        v.findings = [f for f in v.findings if f.rule not in PRESENTATION]
        v.raise_if_any()

    @rule(invites=invite_lists)
    def invite(self, invites: list[Any]) -> None:
        self.valid_edit({facts().invite_field: invites})

    @rule(data=st.data())
    def read_back(self, data: st.DataObject) -> None:
        v = Verdicts()
        ex_session = self.target.snapshot(rule="fields-applied")
        if ex_session is None:
            assert self.target.last_exchange is not None
            v.fail(
                "fields-applied",
                "stateful: reading the session back was refused",
                self.target.last_exchange,
            )
        else:
            self._compare(v, ex_session, "read back")
        v.raise_if_any()


@pytest.mark.rule(
    "fields-applied",
    "invites-additive",
    "id-stable",
    "schedule-all-three",
    "rejected-changes-nothing",
)
def test_edit_sequences(target: Target) -> None:
    deferred: list[Finding] = []
    run_state_machine_as_test(
        type("EditSequencesOnTarget", (EditSequences,), {"target": target, "deferred": deferred}),
        settings=settings(
            # no shrinking: the server keeps its state between runs, so replays are not
            # independent
            phases=(Phase.explicit, Phase.reuse, Phase.generate),
            stateful_step_count=8 if profile_name() == "fast" else 30,
            max_examples=6 if profile_name() == "fast" else 60,
        ),
    )
    if deferred:
        firsts = {f.summary: f for f in reversed(deferred)}
        raise RuleViolationError(list(reversed(firsts.values())))
