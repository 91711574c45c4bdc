"""Body rules: field formats (documented), the envelope (documented), limits and unknown fields."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.support.body_rules import rule_broken_by
from contract_tests.support.expect import accepted, refused, unchanged_after_refusal
from contract_tests.support.facts import facts
from contract_tests.support.lanes import in_lanes
from contract_tests.support.positives import schedules
from contract_tests.support.probes import base_schedule, enum_values, good_value, limit_probes
from contract_tests.support.strategies import bad_format_edit, bad_formats
from contract_tests.support.target import Target
from prevail_contract.runtime.verdict import Finding, Verdicts

#: Session fields an edit cannot send, and one no schema defines (those the spec's edit lacks).
NOT_EDITABLE = ("location", "state", "remote_session_id", "transcript_status")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The fields of the spec in use, read at collection (never at import)."""
    if metafunc.function is test_badly_formatted_field_is_refused:
        metafunc.parametrize("field", sorted(bad_formats()))
    elif metafunc.function is test_unknown_field_in_remote_session:
        editable = facts().editable
        metafunc.parametrize("extra", [name for name in NOT_EDITABLE if name not in editable])


@pytest.mark.rule("field-formats", "rejected-changes-nothing")
def test_badly_formatted_field_is_refused(target: Target, field: str) -> None:
    v = Verdicts()
    schedule = base_schedule(facts())
    good = bad_format_edit(field, good_value(field), schedule)
    accepted(
        v,
        target.edit({"remote_session": good}, purpose=f"well-formed {field}"),
        "field-formats",
        f"well-formed {field}",
    )

    def run(lane: Target, values: list[Any]) -> list[Finding]:
        lv = Verdicts()
        for value in values:
            before = lane.snapshot()
            purpose = f"{field} = {value!r}"
            ex = lane.edit(
                {"remote_session": bad_format_edit(field, value, schedule)}, purpose=purpose
            )
            if refused(lane.spec, lv, ex, "field-formats", purpose):
                unchanged_after_refusal(
                    lane,
                    lv,
                    before,
                    ex,
                    purpose,
                    rule_if_changed="field-formats",
                    rule_fields={field},
                )
            else:  # put the session back in a valid state so that later checks are not confused
                lane.edit({"remote_session": good}, purpose="repair after an accepted bad value")
        return lv.findings

    values = list(bad_formats()[field])
    v.findings += [f for found in in_lanes(target, values, run) for f in found]
    v.raise_if_any()


def _some_field() -> dict[str, Any]:
    """A valid edit of the first editable field alone (with its group if it has one)."""
    f = facts()
    name = next(n for n in f.editable if n not in f.schedule)
    return {name: good_value(name)}


def _envelope_breaks(field: dict[str, Any]) -> dict[str, Any]:
    """Each way to break the envelope around the valid edit ``field``."""
    return {
        "fields without remote_session": field,
        "session_request instead of remote_session": {"session_request": field},
        "empty remote_session": {"remote_session": {}},
        "remote_session is a string": {"remote_session": "title=Envelope probe"},
        "remote_session is a list": {"remote_session": [field]},
        "remote_session is null": {"remote_session": None},
        "body is a list": [{"remote_session": field}],
        "body is a string": "remote_session",
        "body is null": None,
        "empty object": {},
    }


@pytest.mark.rule("request-envelope", "rejected-changes-nothing")
@pytest.mark.parametrize("case", sorted(_envelope_breaks({})))
def test_request_envelope(target: Target, case: str) -> None:
    """Each break is filed under the rule the spec's reading names (an empty
    ``remote_session`` is the assumed ``field-limits``: the documentation only wraps fields)."""
    v = Verdicts()
    valid = target.edit({"remote_session": {"title": "Envelope probe"}}, purpose="enveloped")
    accepted(v, valid, "request-envelope", "remote_session with a title")
    before = target.snapshot()
    payload = _envelope_breaks(_some_field())[case]
    rule = rule_broken_by(payload) or "request-envelope"
    raw = b"null" if payload is None else None
    ex = target.edit(payload, raw=raw, purpose=case)
    refused(target.spec, v, ex, rule, case)
    unchanged_after_refusal(target, v, before, ex, case, rule_if_changed=rule)
    v.raise_if_any()


@pytest.mark.rule("field-limits", "rejected-changes-nothing")
def test_field_limits(target: Target) -> None:
    """Each bound of the spec: the last value inside is accepted, the first outside refused."""
    v = Verdicts()

    def run(lane: Target, probes: list[Any]) -> list[Finding]:
        lv = Verdicts()
        for probe in probes:
            remaining = lane.budget.remaining()
            if probe.invites and remaining is not None and remaining < 2 * probe.invites:
                # a live run keeps its invite budget for the invite rules
                why = f"{probe.purpose} not probed: the invite cap leaves no room"
                lane.note("field-limits", why)
                continue
            _limit_probe(lane, lv, probe)
        return lv.findings

    probes = list(limit_probes())
    v.findings += [f for found in in_lanes(target, probes, run) for f in found]
    v.raise_if_any()


def _limit_probe(target: Target, v: Verdicts, probe: Any) -> None:
    """One bound: the value inside accepted (a full invite list kept), the one outside refused."""
    if probe.accept:
        ex = target.edit({"remote_session": probe.edit}, purpose=probe.purpose)
        session = accepted(v, ex, "field-limits", probe.purpose)
        if session is not None and probe.invites:
            # a full request's invites (maxItems of them): every one is kept
            ex.checked.add("invites-additive")
            invite_field = facts().invite_field
            have = {str(x).lower() for x in session.get(invite_field) or []}
            sent = [str(x).lower() for x in probe.edit[invite_field]]
            lost = [a for a in sent if a not in have]
            if lost:
                v.fail("invites-additive", f"{probe.purpose}: {lost[:3]} not kept", ex)
        return
    before = target.snapshot()
    ex = target.edit({"remote_session": probe.edit}, purpose=probe.purpose)
    refused(target.spec, v, ex, "field-limits", probe.purpose)
    unchanged_after_refusal(target, v, before, ex, probe.purpose)


@pytest.mark.rule("field-formats")
def test_every_enum_value_is_accepted(target: Target) -> None:
    """Every zone name and access level the spec lists is accepted (a new one is probed too)."""
    v = Verdicts()
    for purpose, edit in enum_values():
        if set(edit) & set(facts().schedule) and schedules():
            continue  # every zone is sent, applied and read back by test_positive_space
        ex = target.edit({"remote_session": edit}, purpose=purpose)
        accepted(v, ex, "field-formats", purpose)
    v.raise_if_any()


@pytest.mark.rule("unknown-fields-rejected", "rejected-changes-nothing")
def test_unknown_top_level_member(target: Target) -> None:
    """Next to a valid ``remote_session``, another member is an unknown field (assumed rule)."""
    v = Verdicts()
    before = target.snapshot()
    purpose = "unknown top-level member next to remote_session"
    first = facts().editable[0]
    ex = target.edit(
        {"remote_session": _some_field(), first: good_value(first)},
        purpose=purpose,
    )
    refused(target.spec, v, ex, "unknown-fields-rejected", purpose)
    unchanged_after_refusal(target, v, before, ex, purpose)
    v.raise_if_any()


@pytest.mark.rule("unknown-fields-rejected", "rejected-changes-nothing")
def test_unknown_field_in_remote_session(target: Target, extra: str) -> None:
    v = Verdicts()
    before = target.snapshot()
    edit = {**_some_field(), extra: "Room 4"}
    purpose = f"unknown field remote_session.{extra}"
    ex = target.edit({"remote_session": edit}, purpose=purpose)
    refused(target.spec, v, ex, "unknown-fields-rejected", purpose)
    unchanged_after_refusal(target, v, before, ex, purpose)
    v.raise_if_any()
