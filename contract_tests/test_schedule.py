"""The all-three rule: the schedule fields (``dependentRequired``) change together or not at all."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from contract_tests.support.expect import accepted, refused, unchanged_after_refusal
from contract_tests.support.facts import facts
from contract_tests.support.lanes import each_example
from contract_tests.support.probes import base_schedule
from contract_tests.support.strategies import partial_schedules, schedule_fields, schedules
from contract_tests.support.target import Target
from prevail_contract.runtime.verdict import Verdicts


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every proper, non-empty subset of the schedule fields of the spec in use (at collection)."""
    if "kept" in metafunc.fixturenames:
        fields = schedule_fields()
        subsets = [
            kept for size in range(1, len(fields)) for kept in itertools.combinations(fields, size)
        ]
        metafunc.parametrize("kept", subsets, ids=["+".join(kept) for kept in subsets])


@pytest.mark.rule("schedule-all-three", "rejected-changes-nothing")
def test_each_partial_subset_is_refused_and_changes_nothing(
    target: Target, kept: tuple[str, ...]
) -> None:
    full = base_schedule(facts())
    _refused_unchanged(target, {name: full[name] for name in kept})


@pytest.mark.rule("schedule-all-three", "rejected-changes-nothing")
def test_partial_schedule_is_refused_and_changes_nothing(target: Target) -> None:
    each_example(target, partial_schedules(), _refused_unchanged)


def _refused_unchanged(target: Target, edit: dict[str, Any]) -> None:
    v = Verdicts()
    fields = schedule_fields()
    kept = [f for f in fields if f in edit]
    purpose = f"only {', '.join(kept)} of the schedule"
    before = target.snapshot()
    ex = target.edit({"remote_session": edit}, purpose=purpose)
    refused(target.spec, v, ex, "schedule-all-three", purpose)
    unchanged_after_refusal(
        target,
        v,
        before,
        ex,
        purpose,
        rule_if_changed="schedule-all-three",
        rule_fields=fields,
    )
    v.raise_if_any()


@pytest.mark.rule("schedule-all-three")
def test_complete_schedule_is_accepted(target: Target) -> None:
    each_example(target, schedules, _complete_schedule_accepted)


def _complete_schedule_accepted(target: Target, schedule: dict[str, str]) -> None:
    v = Verdicts()
    ex = target.edit({"remote_session": schedule}, purpose="all three schedule fields")
    session = accepted(v, ex, "schedule-all-three", "all three schedule fields")
    if session is not None:
        wrong = [f for f in schedule_fields() if session.get(f) != schedule[f]]
        if wrong:
            v.fail("fields-applied", f"schedule sent but {', '.join(wrong)} not applied", ex)
    v.raise_if_any()
