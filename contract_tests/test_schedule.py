"""The all-three rule: the schedule fields (``dependentRequired``) change together or not at all."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from hypothesis import example, given

from contract_tests.support.expect import accepted, refused, unchanged_after_refusal
from contract_tests.support.facts import facts
from contract_tests.support.probes import base_schedule
from contract_tests.support.strategies import SCHEDULE_FIELDS, partial_schedules, schedules
from contract_tests.support.target import Target
from prevail_contract.runtime.verdict import Verdicts

T = TypeVar("T", bound=Callable[..., Any])


def every_partial_subset(test: T) -> T:
    """Run ``test`` on every proper, non-empty subset of the schedule fields, whatever is drawn."""
    full = base_schedule(facts())
    for size in range(1, len(SCHEDULE_FIELDS)):
        for kept in itertools.combinations(SCHEDULE_FIELDS, size):
            test = example(edit={name: full[name] for name in kept})(test)
    return test


@pytest.mark.rule("schedule-all-three", "rejected-changes-nothing")
@given(edit=partial_schedules())
@every_partial_subset
def test_partial_schedule_is_refused_and_changes_nothing(
    target: Target, edit: dict[str, Any]
) -> None:
    v = Verdicts()
    kept = [f for f in SCHEDULE_FIELDS if f in edit]
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
        rule_fields=SCHEDULE_FIELDS,
    )
    v.raise_if_any()


@pytest.mark.rule("schedule-all-three")
@given(schedule=schedules)
def test_complete_schedule_is_accepted(target: Target, schedule: dict[str, str]) -> None:
    v = Verdicts()
    ex = target.edit({"remote_session": schedule}, purpose="all three schedule fields")
    session = accepted(v, ex, "schedule-all-three", "all three schedule fields")
    if session is not None:
        wrong = [f for f in SCHEDULE_FIELDS if session.get(f) != schedule[f]]
        if wrong:
            v.fail("fields-applied", f"schedule sent but {', '.join(wrong)} not applied", ex)
    v.raise_if_any()
