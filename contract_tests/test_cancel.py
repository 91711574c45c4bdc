"""Cancel Sessions: its answer, the state it leaves, its refusals, and the rules joining it to
the list and the edit (a canceled Session is listed ``canceled`` with its invitees, and an edit
of it is refused and changes nothing).

Only Sessions :func:`~contract_tests.operations.cancel_session.cancelable_sessions` hands out
are canceled (made on the kit's mock; on a live server only those of
``PREVAIL_DISPOSABLE_SESSION_IDS``); without one each rule is ``not_run`` naming the variable.
A live server gets a malformed flag nowhere and another method only on a made-up absent id; a
second cancel and an edit after a cancel go only to a Session the list shows canceled.
"""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.operations.cancel_session import (
    CANCELED,
    LIVE_FLAG_WHY,
    QUERY_RULE,
    SHAPE_RULE,
    cancel,
    cancel_states,
    cancelable_sessions,
    canceled_session,
    disposable_var,
    documented_answer,
    entry,
    flag_name,
)
from contract_tests.support.expect import changed_fields, refused
from contract_tests.support.facts import facts
from contract_tests.support.target import Target
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.session_ids import unknown_session_id
from prevail_contract.runtime.verdict import Verdicts


def listed(target: Target, sid: str) -> dict[str, Any] | None:
    """``sid`` as ``GET /sessions`` shows it now (skips without the list)."""
    if not target.reads_by_list:
        pytest.skip("a cancel is seen only through GET /sessions, which the target lacks")
    return target.snapshot(sid)


def _outbox(target: Target) -> list[dict[str, Any]]:
    assert target.admin is not None
    answer = target.admin.client.get(f"{target.admin.root}/outbox", headers=target.admin.headers)
    return list(answer.json().get("messages") or [])


def judge_cancel(v: Verdicts, target: Target, ex: Exchange, what: str) -> bool:
    """An accepted cancel answering the documented body; whether it was accepted."""
    ex.checked.update({"cancel-states", SHAPE_RULE})
    if not ex.accepted:
        v.fail("cancel-states", f"{what}: refused with {ex.status}", ex)
        return False
    want = documented_answer(target.spec)
    got = ex.json
    # the documented members, as documented; members beyond them are allowed (the answer's
    # schema leaves the object open, as every object of the API)
    kept = isinstance(got, dict) and all(k in got and got[k] == x for k, x in want.items())
    if not kept:
        shown = repr(got)[:300]
        v.fail(SHAPE_RULE, f"{what}: answered {shown}, the documented body is {want!r}", ex)
    return True


@pytest.mark.rule("cancel-states", SHAPE_RULE, "canceled-after-cancel", "canceled-listed")
def test_a_cancel_is_accepted_in_each_cancelable_state_and_leaves_it_canceled(
    target: Target,
) -> None:
    states, after = cancel_states(target.spec)
    count = len(states) if target.is_mock else 1
    made, why = cancelable_sessions(target, count, purpose="cancel state")
    v = Verdicts()
    for sid in made:
        before = listed(target, sid)
        what = f"cancel of {sid} (state {before.get('state') if before else '?'})"
        ex = cancel(target, sid, purpose=what)
        if not judge_cancel(v, target, ex, what):
            continue
        target.created.setdefault(CANCELED, []).append(sid)
        now = listed(target, sid)
        ex.checked.update({"canceled-after-cancel", "canceled-listed"})
        if now is None:
            v.fail("canceled-listed", f"{what}: GET /sessions no longer lists it", ex)
            continue
        if now.get("state") != after:
            shown = f"{what}: listed in state {now.get('state')!r}, not {after!r}"
            v.fail("canceled-after-cancel", shown, ex)
            v.fail("canceled-listed", shown, ex)
        changed = changed_fields(before, now)
        if changed:
            v.fail("canceled-listed", f"{what}: the cancel also changed {changed}", ex)
    v.raise_if_any()
    if why:
        pytest.skip(why)


#: Why the probes of a canceled Session were not sent (the test's skip, shown as its note).
NOT_CANCELED = "a second cancel and an edit after a cancel go only to a Session listed canceled"


def _canceled(target: Target) -> str:
    """A Session the list shows canceled: one this run canceled (by the test above, or one
    more now on a live server), else one made canceled on a mock; skips without one."""
    if not target.reads_by_list:
        pytest.skip("a cancel is seen only through GET /sessions, which the target lacks")
    if not target.created.get(CANCELED) and not target.is_mock:
        made, why = cancelable_sessions(target, 1, purpose="cancel again")
        if not made:
            pytest.skip(why)
        ex = cancel(target, made[0], purpose="cancel a Session to probe it afterwards")
        if not ex.accepted:
            pytest.skip(f"the cancel of {made[0]} was refused ({ex.status}): nothing to probe")
        target.created.setdefault(CANCELED, []).append(made[0])
    sid, why = canceled_session(target, f"canceled-probe-{target.seed}")
    if sid is None:
        pytest.skip(f"{why}: {NOT_CANCELED}")
    return sid


@pytest.mark.rule("cancel-twice-refused", "canceled-not-editable", "cancel-refused-changes-nothing")
def test_a_canceled_session_cannot_be_canceled_again_or_edited(target: Target) -> None:
    """A second cancel is refused and changes nothing; an edit is refused as not editable, and
    what it changed is filed under the edit's own ``rejected-changes-nothing`` (not marked here:
    its verdict does not hang on a disposable Session). Both go only to a Session the list
    shows canceled (a cancel that left it cancelable may be accepted again, and an edit of it
    would be applied to a Session the run was not given to edit)."""
    sid = _canceled(target)
    v = Verdicts()
    before = listed(target, sid)
    again = cancel(target, sid, purpose=f"second cancel of {sid}")
    again.checked.add("cancel-twice-refused")
    if refused(target.spec, v, again, "cancel-states", f"second cancel of {sid}"):
        _unchanged(v, before, listed(target, sid), again, "cancel-refused-changes-nothing")
    else:
        v.fail("cancel-twice-refused", f"second cancel of {sid}: accepted ({again.status})", again)
    mid = listed(target, sid)
    after = cancel_states(target.spec)[1]
    if (mid or {}).get("state") != after:
        v.raise_if_any()
        shown = (mid or {}).get("state")
        pytest.skip(f"{sid} is listed as {shown!r} after the second cancel: {NOT_CANCELED}")
    title = f"Contract check {target.seed}: edit after cancel"
    edit = target.edit({"remote_session": {"title": title}}, session_id=sid, purpose="edit")
    edit.checked.update({"canceled-not-editable", "error-status-codes"})
    status = target.spec.rule("canceled-not-editable").status
    code = edit.json.get("code") if isinstance(edit.json, dict) else None
    if edit.accepted:
        v.fail("canceled-not-editable", f"edit of canceled {sid}: accepted ({edit.status})", edit)
    elif (edit.status, code) != (status, target.spec.rule("editable-states").code):
        v.fail("error-status-codes", f"edit of canceled {sid}: {edit.status} {code!r}", edit)
    if not edit.accepted:
        _unchanged(v, mid, listed(target, sid), edit, "rejected-changes-nothing")
    v.raise_if_any()


def _unchanged(
    v: Verdicts, before: dict[str, Any] | None, now: dict[str, Any] | None, ex: Exchange, rule: str
) -> None:
    """File ``rule`` when a Session read after the refused ``ex`` differs from before it."""
    ex.checked.add(rule)
    changed = changed_fields(before, now)
    if now is not None and now.get("state") != (before or {}).get("state"):
        changed.append("state")
    if changed:
        v.fail(rule, f"{ex.method} {ex.url} was refused but changed {changed}", ex)


@pytest.mark.rule("cancel-states", "cancel-refused-changes-nothing")
def test_a_cancel_is_refused_outside_the_cancelable_states(target: Target) -> None:
    """Each state the spec names outside ``x-cancelable-states``, on a Session made there (the
    kit's mock only: a live run sends a cancel to no Session in such a state but its own
    canceled one, probed above)."""
    states, _ = cancel_states(target.spec)
    company = target.organization
    if target.admin is None or company is None:
        target.note(
            "cancel-states",
            f"on a live server only Sessions of {disposable_var()} are sent a cancel: the refusal "
            "side was probed with a second cancel of one of them (state canceled), no other "
            "state outside the cancelable ones",
        )
        return
    v = Verdicts()
    for state in (s for s in facts().states if s not in states):
        sid = target.admin.create(
            company,
            state,
            title=f"Cancel refused {state}",
            remote_session_id=f"no-cancel-{state}-{target.seed}",
        )
        before, sent = listed(target, sid), len(_outbox(target))
        what = f"cancel of a Session in state {state}"
        ex = cancel(target, sid, quiet=None, purpose=what)
        if not refused(target.spec, v, ex, "cancel-states", what):
            continue  # an accepted cancel is cancel-states' failure, not a refusal's change
        ex.checked.add("cancel-refused-changes-nothing")
        now = listed(target, sid)
        if now is None or now.get("state") != state or changed_fields(before, now):
            v.fail("cancel-refused-changes-nothing", f"{what}: the Session changed", ex)
        if len(_outbox(target)) != sent:
            v.fail("cancel-refused-changes-nothing", f"{what}: someone was notified", ex)
    v.raise_if_any()


@pytest.mark.rule("cancel-without-email")
def test_cancel_without_email_notifies_nobody_and_a_plain_cancel_everyone(target: Target) -> None:
    if not target.is_mock:
        pytest.skip("notifications can be seen only in the kit's mock's outbox")
    made, why = cancelable_sessions(target, 2, purpose="cancel email")
    if len(made) < 2:
        pytest.skip(why)
    v = Verdicts()
    for sid, quiet in zip(made, (True, None), strict=True):
        invited = {str(x).lower() for x in (listed(target, sid) or {}).get("invites") or []}
        what = f"cancel of {sid} {'with' if quiet else 'without'} cancel_without_email"
        ex = cancel(target, sid, quiet=quiet, purpose=what)
        ex.checked.add("cancel-without-email")
        if not ex.accepted:
            v.fail("cancel-states", f"{what}: refused with {ex.status}", ex)
            continue
        sent = [m for m in _outbox(target) if m.get("remote_session_id") == sid]
        told = sorted(str(m.get("to")).lower() for m in sent)
        if quiet and told:
            v.fail("cancel-without-email", f"{what}: notified {told}", ex)
        if not quiet and told != sorted(invited):
            v.fail("cancel-without-email", f"{what}: notified {told}, invitees {invited}", ex)
    v.raise_if_any()


@pytest.mark.rule("cancel-body-ignored")
def test_a_body_sent_with_a_cancel_is_ignored(target: Target) -> None:
    made, why = cancelable_sessions(target, 1, purpose="cancel body")
    if not made:
        pytest.skip(why)
    sid = made[0]
    before = listed(target, sid)
    v = Verdicts()
    body = {"remote_session": {"title": f"Contract check {target.seed}: sent with a cancel"}}
    ex = cancel(target, sid, body=body, purpose=f"cancel of {sid} with a body")
    ex.checked.add("cancel-body-ignored")
    if not ex.accepted:
        v.fail("cancel-body-ignored", f"a cancel with a body was refused ({ex.status})", ex)
    else:
        target.created.setdefault(CANCELED, []).append(sid)
        changed = changed_fields(before, listed(target, sid))
        if changed:
            v.fail("cancel-body-ignored", f"the body was applied: {changed} changed", ex)
    v.raise_if_any()


@pytest.mark.rule(
    "auth-required",
    "self-service-required",
    "org-ownership",
    "foreign-session-hidden",
    "method-not-allowed",
    "cancel-refused-changes-nothing",
)
def test_a_cancel_is_refused_like_an_edit(target: Target) -> None:
    """No token, another method, an unknown id: each refused, and the Session unchanged. On
    the kit's mock also no Self-Service and another Organization's Session (answered exactly
    like an unknown id), each on a Session made for it there; a live run sends a cancel to no
    Session of another Organization, and another method only to an absent id."""
    made, _ = cancelable_sessions(target, 1, purpose="cancel refusals", consume=False)
    # without a Session the run may cancel, only the probes an absent id can carry are sent
    absent = unknown_session_id(target.seed)
    sid, v = (made[0] if made else absent), Verdicts()
    before = listed(target, sid) if made else None
    probes = [("auth-required", cancel(target, sid, token=None, purpose="cancel without a token"))]
    closed = _made_like(target, target.config.no_self_service_session_id)
    if closed is not None and target.config.no_self_service_token is not None:
        token = target.config.no_self_service_token
        ex = cancel(target, closed, token=token, purpose="cancel without Self-Service")
        probes.append(("self-service-required", ex))
    else:
        target.note("self-service-required", "a live run sends no cancel without Self-Service")
    every_refused = all([refused(target.spec, v, ex, rule, ex.purpose) for rule, ex in probes])
    # another method goes to a live server only on an absent id (it may obey it as a cancel)
    probed = sid if target.is_mock else absent
    ex = cancel(target, probed, method="GET", purpose="GET on the cancel path")
    ex.checked.add("method-not-allowed")
    if ex.status != 405 or ex.response_headers.get("allow") != entry(target.spec).method:
        v.fail("method-not-allowed", f"GET on the cancel path: {ex.status}", ex)
    unknown = cancel(target, absent, purpose="cancel of an unknown id")
    refused(target.spec, v, unknown, "org-ownership", "cancel of an unknown id")
    foreign = _made_like(target, target.config.foreign_session_id)
    if foreign is not None:
        ex = cancel(target, foreign, purpose="cancel of another Organization's Session")
        if refused(target.spec, v, ex, "org-ownership", ex.purpose):
            ex.checked.add("foreign-session-hidden")
            if (ex.status, _code(ex)) != (unknown.status, _code(unknown)):
                v.fail("foreign-session-hidden", "answered unlike an unknown id", ex)
    else:
        target.note("org-ownership", "a live run sends no cancel to another Organization")
    if every_refused and made:
        _unchanged(v, before, listed(target, sid), probes[0][1], "cancel-refused-changes-nothing")
    v.raise_if_any()


@pytest.mark.rule(QUERY_RULE, "cancel-refused-changes-nothing")
def test_a_cancel_flag_that_is_not_a_boolean_is_refused(target: Target) -> None:
    """On a Session made on the kit's mock only (``LIVE_FLAG_WHY``)."""
    if not target.is_mock:
        pytest.skip(LIVE_FLAG_WHY)
    made, why = cancelable_sessions(target, 1, purpose="cancel bad flag")
    if not made:
        pytest.skip(why)
    sid, v = made[0], Verdicts()
    before, sent = listed(target, sid), len(_outbox(target))
    ex = cancel(target, sid, query={flag_name(target.spec): "maybe"}, purpose="cancel, bad flag")
    if refused(target.spec, v, ex, QUERY_RULE, ex.purpose):
        _unchanged(v, before, listed(target, sid), ex, "cancel-refused-changes-nothing")
        if len(_outbox(target)) != sent:
            v.fail("cancel-refused-changes-nothing", f"{ex.purpose}: someone was notified", ex)
    v.raise_if_any()


def _made_like(target: Target, model: str | None) -> str | None:
    """On the kit's mock, a new cancelable Session of the Organization owning ``model``."""
    stored = target.admin.session(model) if target.admin is not None and model else None
    if target.admin is None or stored is None:
        return None
    state = cancel_states(target.spec)[0][-1]
    made = f"cancel-probe-{stored['organization']}-{target.seed}"
    return target.admin.create(str(stored["organization"]), state, remote_session_id=made)


def _code(ex: Exchange) -> Any:
    return ex.json.get("code") if isinstance(ex.json, dict) else None
