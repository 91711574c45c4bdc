"""The whole auth matrix: every bad-token kind on every carrier the spec declares, and every
precondition (Self-Service, ownership, state) probed through every carrier; the Sessions probed
are read before and after each batch of refusals (``support/watch.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.support.carriers import (
    LEEWAY_RULE,
    Credential,
    bad_credentials,
    send_via,
    spec_carriers,
    within_leeway,
)
from contract_tests.support.expect import accepted, refused
from contract_tests.support.facts import facts
from contract_tests.support.states import any_locked_session
from contract_tests.support.strategies import INVITE_DOMAINS
from contract_tests.support.target import Target
from contract_tests.support.watch import RefusalWatch
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.verdict import Verdicts

#: Refusals only a later check gives, after the caller's Organization was identified: a bad
#: token answered exactly as one of them (status and code) was taken as an Organization's.
#: Another answer with the same status (a 403 for a bad token) is only an assumed status.
PAST_THE_TOKEN = {"self-service-required": "Self-Service", "editable-states": "Session state"}


def _past_the_token(target: Target, ex: Exchange) -> str | None:
    body = ex.json
    code = body.get("code") if isinstance(body, dict) else None
    for rule_id, check in PAST_THE_TOKEN.items():
        rule = target.spec.rule(rule_id)
        if ex.status == rule.status and code == rule.code:
            return check
    return None


def _title(n: int) -> dict[str, dict[str, str]]:
    return {"remote_session": {"title": f"Contract check: auth probe {n}"}}


def _with_invites(target: Target, n: int, carrier: str) -> list[tuple[str, dict[str, Any]]]:
    """Edits without a token that carry invites (alone, and beside a title): a server that skips
    its token check for some bodies only is met where it does. One reserved address each, from
    the run's invite cap; none (noted) when the cap has no room for them."""
    f = facts()
    remaining = target.budget.remaining()
    if remaining is not None and remaining < 2:
        target.note(
            "auth-required", "no edit with invites was sent without a token: the invite cap"
        )
        return []
    address = f"auth-probe-{n}@{INVITE_DOMAINS[0]}"
    alone = {"remote_session": {f.invite_field: [address]}}
    beside = {"remote_session": {**_title(n)["remote_session"], f.invite_field: [f"x.{address}"]}}
    return [
        (f"no token in {carrier}, an edit of invites only", alone),
        (f"no token in {carrier}, an edit of a title and invites", beside),
    ]


def _judge_bad_token(
    target: Target, v: Verdicts, ex: Exchange, what: str, rule: str = "auth-required"
) -> None:
    """``rule`` is the rule a server taking the token breaks (``auth-required``, or the assumed
    ``exp-leeway`` for a token just past the leeway); a refusal is ``auth-required``'s."""
    ex.checked.add(rule)
    past = None if ex.accepted else _past_the_token(target, ex)
    if ex.accepted:
        v.fail(rule, f"{what}: accepted with {ex.status}", ex)
    elif past is not None:
        ex.checked.add("auth-required")
        v.fail(
            rule,
            f"{what}: answered {ex.status} by the {past} check, so the token was taken as an "
            "Organization's instead of refused",
            ex,
        )
    else:
        refused(target.spec, v, ex, "auth-required", what)


@pytest.mark.rule("auth-required", LEEWAY_RULE, "rejected-changes-nothing")
def test_every_bad_token_on_every_carrier(target: Target) -> None:
    v = Verdicts()
    for carrier in spec_carriers(target):
        ex = send_via(
            target,
            carrier,
            Credential("valid", target.token),
            {"remote_session": {"title": f"Contract check: valid token in {carrier.name}"}},
            purpose=f"auth: valid token in {carrier.name}",
        )
        if carrier.location == "header":
            accepted(v, ex, "auth-required", f"valid token in {carrier.name}")
        elif not ex.accepted:
            ex.checked.add("error-status-codes")
            v.fail(
                "error-status-codes",
                f"a valid token in {carrier.name} was refused with {ex.status} (assumed: the "
                "parameter carries the signed JWT)",
                ex,
            )
    # distinct titles: a value that shows up afterwards names the refusal that leaked it
    watch = RefusalWatch(target, "auth").own(target.session_id).start()
    credentials = bad_credentials(target)
    for carrier in spec_carriers(target):
        for credential in credentials:
            what = f"{credential.label} token in {carrier.name}"
            payload = _title(len(watch.probes))
            ex = send_via(target, carrier, credential, payload, purpose=f"auth: {what}")
            _judge_bad_token(target, v, ex, what, credential.rule)
            watch.add(ex, what, rule=credential.rule)
    for carrier in spec_carriers(target):
        for what, payload in _with_invites(target, len(watch.probes), carrier.name):
            ex = send_via(target, carrier, credentials[0], payload, purpose=f"auth: {what}")
            _judge_bad_token(target, v, ex, what, credentials[0].rule)
            watch.add(ex, what, rule=credentials[0].rule)
    watch.check(v)
    # after the reads: a token within the leeway may be accepted, which changes the Session
    for carrier in spec_carriers(target):
        lenient = within_leeway(target)
        if lenient is not None:
            what = f"token {lenient.label} in {carrier.name}"
            ex = send_via(target, carrier, lenient, _title(999), purpose=f"auth: {what}")
            if not ex.accepted:  # tolerated either way; a refusal must still be the 401
                refused(target.spec, v, ex, "auth-required", what)
    v.raise_if_any()


@pytest.mark.rule(
    "self-service-required", "org-ownership", "editable-states", "rejected-changes-nothing"
)
def test_preconditions_on_every_carrier(target: Target) -> None:
    v = Verdicts()
    own_token = Credential("valid", target.token)
    locked = any_locked_session(target)
    cases: list[tuple[str, str | None, Credential | None, str]] = [
        (
            "self-service-required",
            target.no_self_service_session_id,
            Credential("no Self-Service", target.config.no_self_service_token)
            if target.config.no_self_service_token
            else None,
            "PREVAIL_NO_SELF_SERVICE_TOKEN and PREVAIL_NO_SELF_SERVICE_SESSION_ID",
        ),
        (
            "org-ownership",
            target.config.foreign_session_id,
            own_token,
            "PREVAIL_FOREIGN_SESSION_ID",
        ),
        (
            "editable-states",
            locked,
            own_token,
            "PREVAIL_LOCKED_SESSION_ID (or PREVAIL_LOCKED_SESSION_IDS)",
        ),
    ]
    for rule, session_id, credential, needs in cases:
        if session_id is None or credential is None:
            target.note(rule, f"not probed through every token carrier: set {needs}")
            continue
        target.masker.add(credential.token)
        watch = _watch(target, rule, session_id, credential).start()
        for carrier in spec_carriers(target):
            what = f"{rule} with the token in {carrier.name}"
            ex = send_via(
                target,
                carrier,
                credential,
                {"remote_session": {"title": f"Contract check: {rule} via {carrier.name}"}},
                session_id=session_id,
                purpose=what,
            )
            if ex.accepted:
                v.fail(rule, f"{what}: accepted with {ex.status}", ex)
            else:
                refused(target.spec, v, ex, rule, what)
            # a refused state probe applied is only the leak (as for every state refusal)
            watch.add(ex, what, rule=None if rule == "editable-states" else rule)
        watch.check(v)
    v.raise_if_any()


def _watch(target: Target, rule: str, session_id: str, credential: Credential) -> RefusalWatch:
    """The reads that show whether a precondition's refusals changed the Session probed."""
    watch = RefusalWatch(target, f"{rule} (every carrier)")
    if rule == "self-service-required" and credential.token is not None:
        return watch.listed_as(
            credential.token, "the Organization without Self-Service", session_id
        )
    if rule == "org-ownership":
        return watch.stored(session_id, why="another Organization's Session cannot be listed")
    return watch.own(session_id)
