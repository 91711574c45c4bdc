"""Invites are additive (documented) and never duplicated, in any letter case (assumed)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from contract_tests.support.expect import accepted, listed_as_answered
from contract_tests.support.lanes import each_example
from contract_tests.support.strategies import invite_lists
from contract_tests.support.target import Target
from prevail_contract.runtime.verdict import Verdicts


def _emails(items: list[Any]) -> list[str]:
    return [(i if isinstance(i, str) else i["email"]).lower() for i in items]


def _invites(session: dict[str, Any] | None) -> list[str]:
    raw = session.get("invites") if session else None
    return [str(x).lower() for x in raw] if isinstance(raw, list) else []


@pytest.mark.rule("invites-additive")
def test_invites_are_added_and_old_ones_kept(target: Target) -> None:
    each_example(target, invite_lists, _added_and_kept)


def _added_and_kept(target: Target, invites: list[Any]) -> None:
    v = Verdicts()
    before = _invites(target.snapshot(rule="invites-additive"))
    ex = target.edit({"remote_session": {"invites": invites}}, purpose="invite")
    session = accepted(v, ex, "invites-additive", "valid invite list")
    if session is not None:
        now = set(_invites(session))
        missing_new = [e for e in _emails(invites) if e not in now]
        dropped = [e for e in before if e not in now]
        if missing_new:
            v.fail("invites-additive", f"invited {missing_new} but they are not in invites", ex)
        if dropped:
            v.fail("invites-additive", f"earlier invitees {dropped[:5]} were removed", ex)
        later = set(_invites(listed_as_answered(target, v, session, "invite read back")))
        assert target.last_exchange is not None
        gone = [e for e in set(before) | set(_emails(invites)) if e not in later]
        # through GET /sessions a difference from the answer is list-reflects-edits (above)
        if gone and not (missing_new or dropped or target.reads_by_list):
            v.fail("invites-additive", f"{gone[:5]} missing when read back", target.last_exchange)
    v.raise_if_any()


@pytest.mark.rule("invites-no-duplicates")
def test_reinviting_in_any_case_adds_nothing(target: Target) -> None:
    each_example(target, invite_lists, _reinvited_once)


def _reinvited_once(target: Target, invites: list[Any]) -> None:
    v = Verdicts()
    first = target.edit({"remote_session": {"invites": invites}}, purpose="invite")
    accepted(v, first, "invites-no-duplicates", "first invite")
    again = [e.upper() if i % 2 else e.title() for i, e in enumerate(_emails(invites))]
    ex = target.edit(
        {"remote_session": {"invites": again + again[:1]}},
        purpose="re-invite in another letter case",
    )
    session = accepted(v, ex, "invites-no-duplicates", "re-invite in another letter case")
    if session is not None:
        counts = Counter(_invites(session))
        doubled = sorted(e for e, n in counts.items() if n > 1)
        if doubled:
            v.fail("invites-no-duplicates", f"{doubled[:5]} appear more than once", ex)
    v.raise_if_any()
