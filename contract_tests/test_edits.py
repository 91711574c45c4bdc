"""Behaviour of a successful edit: id stable, fields applied, state ready, others kept, envelope."""

from __future__ import annotations

import pytest

from contract_tests.support.applied import apply_and_check, check_envelope
from contract_tests.support.facts import facts
from contract_tests.support.lanes import each_example
from contract_tests.support.probes import future_dated
from contract_tests.support.response_rules import SHAPE_RULE
from contract_tests.support.strategies import valid_edits
from contract_tests.support.target import Target
from prevail_contract.runtime.verdict import Verdicts

#: The rules one accepted edit is judged on.
APPLIED = (
    "id-stable",
    "fields-applied",
    "state-ready-after-edit",
    "untouched-fields-kept",
    "response-envelope",
    SHAPE_RULE,
)


@pytest.mark.rule(*APPLIED)
def test_valid_edit_is_applied(target: Target) -> None:
    each_example(target, valid_edits(with_invites=False), apply_and_check)


@pytest.mark.rule(*APPLIED)
def test_each_documented_field_alone_is_applied(target: Target) -> None:
    """Each field of the spec's documented edit on its own (the schedule as its group), so
    every field is applied at least once whatever the profile draws."""
    f = facts(target.spec)
    sent = future_dated(f, target.spec.example("EditRequestDocumented").value)
    documented = sent["remote_session"]
    groups = [{k: documented[k] for k in f.schedule if k in documented}]
    groups += [{k: v} for k, v in documented.items() if k not in f.schedule and k != f.invite_field]
    for edit in (g for g in groups if g):
        apply_and_check(target, edit)


@pytest.mark.rule("response-envelope", SHAPE_RULE)
def test_documented_edit_answers_the_documented_shape(target: Target) -> None:
    v = Verdicts()
    # its date moved ahead when past (whether a past schedule is taken is not documented)
    example = future_dated(facts(target.spec), target.spec.example("EditRequestDocumented").value)
    ex = target.edit(example, purpose="the documented edit")
    if not ex.accepted:
        v.fail("fields-applied", "the documented example edit was refused", ex)
    else:
        check_envelope(target, v, ex)
    v.raise_if_any()
