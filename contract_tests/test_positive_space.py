"""The accepted side probed as thoroughly as the refused side: values from the whole space each
schema admits (``support/positives.py``), each accepted, applied in the answer and read back.

A refusal breaks the rule of the keyword whose space the value explores (its
``x-violation-rules`` entry): a title of ``maxLength`` astral characters refused breaks
``maxLength``'s rule. A probe of several edges at once that is refused is taken apart to find
the edge refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.support.applied import apply_and_check
from contract_tests.support.expect import (
    PRECONDITION_REFUSALS,
    accepted,
    listed_as_answered,
    refusal_rule,
)
from contract_tests.support.facts import facts
from contract_tests.support.lanes import in_lanes
from contract_tests.support.positives import Positive, addresses, schedules, titles
from contract_tests.support.target import Target
from prevail_contract.runtime.verdict import Finding, RuleViolationError, Verdicts

#: What an applied edit is judged on (see ``support/applied.py``).
APPLIED = ("fields-applied", "id-stable", "state-ready-after-edit", "untouched-fields-kept")


def _judge(
    target: Target, v: Verdicts, probe: Positive, before: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Apply ``probe`` and judge it; returns the Session read back (the next probe's before)."""
    ex, after = apply_and_check(
        target,
        probe.edit,
        refused_rule=probe.refused_rule,
        purpose=probe.purpose,
        v=v,
        before=before,
    )
    ex.checked.add(probe.refused_rule)
    if ex.accepted or not probe.parts or ex.status in PRECONDITION_REFUSALS:
        return after
    # which edge was refused? each alone (none alone: the combination, under the least
    # documented of their rules)
    v.findings = [f for f in v.findings if f.exchange is not ex]
    refused = False
    for part in probe.parts:
        alone = target.edit({"remote_session": part.edit}, purpose=part.purpose)
        if not alone.accepted:
            refused = True
            rule = refusal_rule(alone.status, part.refused_rule)
            v.fail(rule, f"{part.purpose}: a valid value was refused with {alone.status}", alone)
    if not refused:
        rule = min(
            (p.refused_rule for p in probe.parts), key=lambda r: target.spec.rule(r).documented
        )
        v.fail(rule, f"{probe.purpose}: refused together ({ex.status}), each accepted alone", ex)
    return None


def _judge_all(target: Target, probes: tuple[Positive, ...]) -> None:
    """Judge the probes in order, in runs on Sessions of their own side by side on a mock
    (``support/lanes.py``)."""

    def run(lane: Target, probes: list[Positive]) -> list[Finding]:
        v = Verdicts()
        before = None
        for probe in probes:
            before = _judge(lane, v, probe, before)
        return v.findings

    found = [f for findings in in_lanes(target, probes, run) for f in findings]
    if found:
        raise RuleViolationError(found)


@pytest.mark.rule(*APPLIED, "field-limits", "list-reflects-edits")
def test_titles_across_the_character_range(target: Target) -> None:
    """Scripts, astral characters, joiners, right-to-left text and escaped characters, and the
    shortest and longest titles, each stored and read back as sent."""
    _judge_all(target, titles())


@pytest.mark.rule(*APPLIED, "field-formats", "field-limits", "list-reflects-edits")
def test_every_zone_with_dates_times_and_steps_at_their_edges(target: Target) -> None:
    """Every zone once, with the edges of dates (month and year ends, leap days), of the
    12-hour clock and of the duration's steps in turn, each stored and read back as sent."""
    _judge_all(target, schedules())


def _emails(session: dict[str, Any] | None) -> set[str]:
    raw = session.get(facts().invite_field) if session else None
    return {str(x).lower() for x in raw} if isinstance(raw, list) else set()


@pytest.mark.rule("invites-additive", "field-formats", "list-reflects-edits")
def test_invitees_across_the_address_space(target: Target) -> None:
    """Every local-part character the spec allows, the longest local part, domain label and
    address: each accepted and kept as sent, in the answer and read back."""
    v = Verdicts()
    for probe in addresses(f"p{target.seed}"):
        address = probe.edit[facts().invite_field][0]
        ex = target.edit({"remote_session": probe.edit}, purpose=probe.purpose)
        ex.checked.add(probe.refused_rule)
        if not ex.accepted:
            blamed = refusal_rule(ex.status, probe.refused_rule)
            v.fail(
                blamed, f"{probe.purpose}: the valid {address!r} was refused with {ex.status}", ex
            )
            continue
        session = accepted(v, ex, "invites-additive", probe.purpose)
        if session is None:
            continue
        if address.lower() not in _emails(session):
            shown = sorted(_emails(session))[:3]
            v.fail(
                "invites-additive",
                f"{probe.purpose}: invited {address!r}, invites holds {shown}",
                ex,
            )
            continue
        later = listed_as_answered(target, v, session, f"{probe.purpose}, read back")
        if later is not None and address.lower() not in _emails(later) and not target.reads_by_list:
            assert target.last_exchange is not None
            v.fail(
                "invites-additive",
                f"{probe.purpose}: {address!r} gone when read back",
                target.last_exchange,
            )
    v.raise_if_any()
