"""The documented preconditions: the token, Self-Service and ownership (states: see
``test_fixture_states.py``, every carrier: ``test_auth_matrix.py``), each refusal followed by
reads showing it changed nothing (``support/watch.py``)."""

from __future__ import annotations

import json

import pytest

from contract_tests.support.answers import differences, volatile_parts
from contract_tests.support.discovered import (
    discover_editable_session,
    got_past_precondition,
    refusal_only_probe,
)
from contract_tests.support.expect import accepted, refused
from contract_tests.support.target import Target
from contract_tests.support.watch import RefusalWatch
from prevail_contract.runtime import tokens
from prevail_contract.runtime.session_ids import unknown_session_id
from prevail_contract.runtime.verdict import Verdicts

TITLE_EDIT = {"remote_session": {"title": "Contract check: precondition probe"}}


def _bad_tokens(target: Target) -> dict[str, str | None]:
    """Every kind of unusable credential the suite can build for this target."""
    cases: dict[str, str | None] = {
        "no token": None,
        "garbage token": tokens.garbage(),
    }
    claims = tokens.claims_of(target.token) or {"slug": target.config.company_id or "unknown"}
    cases["wrong signature"] = tokens.wrong_signature(claims)
    cases["alg none"] = tokens.unsigned(claims)
    if target.config.company_id and target.config.api_key:
        cases["expired"] = tokens.expired(target.config.company_id, target.config.api_key)
        cases["unknown Company ID"] = tokens.unknown_company(target.config.api_key)
    else:
        target.note(
            "auth-required",
            "expired and unknown-Company-ID tokens not probed: they must be signed with the "
            "API key; set PREVAIL_COMPANY_ID and PREVAIL_API_KEY",
        )
    for token in cases.values():
        target.masker.add(token)
    return cases


def _titled(text: str) -> dict[str, dict[str, str]]:
    return {"remote_session": {"title": f"Contract check: {text}"}}


@pytest.mark.rule("auth-required", "rejected-changes-nothing")
def test_unusable_tokens_are_refused(target: Target) -> None:
    v = Verdicts()
    accepted(v, target.edit(TITLE_EDIT, purpose="auth: valid"), "auth-required", "valid token")
    bad = _bad_tokens(target)
    # distinct titles: a value that shows up afterwards names the refusal that leaked it
    watch = RefusalWatch(target, "auth").own(target.session_id).start()
    for n, (label, token) in enumerate(bad.items()):
        ex = target.edit(_titled(f"token probe {n}"), token=token, purpose=f"auth: {label}")
        refused(target.spec, v, ex, "auth-required", f"auth: {label}")
        watch.add(ex, f"auth: {label}", rule="auth-required")
    # Other schemes in the Authorization header are not a Bearer JWT.
    ex = target.send(
        target.edit_operation.method,
        target.url(),
        headers={
            "Authorization": "Basic Y29udHJhY3Q6Y2hlY2s=",  # "contract:check", not a credential
            "Content-Type": "application/json",
        },
        body=json.dumps(_titled("token probe Basic")).encode(),
        purpose="auth: Basic",
    )
    refused(target.spec, v, ex, "auth-required", "auth: Basic scheme")
    watch.add(ex, "auth: Basic scheme", rule="auth-required")
    watch.check(v)
    if target.reads_by_list:
        # the list is behind the same token check
        for label, token in bad.items():
            ex = target.list_page(token=token, purpose=f"list auth: {label}")
            refused(target.spec, v, ex, "auth-required", f"GET /sessions with {label}")
    v.raise_if_any()


@pytest.mark.rule("auth-required", "rejected-changes-nothing")
def test_jwt_payload_query_parameter(target: Target) -> None:
    """The token may travel as ``jwt_payload``: a valid one is accepted, a forged one refused
    (and changes nothing)."""
    v = Verdicts()
    good = target.edit(
        TITLE_EDIT,
        token=None,
        params={"jwt_payload": target.token},
        purpose="auth: jwt_payload valid",
    )
    if not good.accepted:
        # that jwt_payload carries the complete signed token is our assumption
        v.fail(
            "error-status-codes",
            f"a valid token in jwt_payload was refused with {good.status} "
            "(assumed: the parameter carries the signed JWT)",
            good,
        )
    claims = tokens.claims_of(target.token)
    watch = RefusalWatch(target, "auth (jwt_payload)").own(target.session_id).start()
    for label, token in (
        ("wrong signature", tokens.wrong_signature(claims)),
        ("alg none", tokens.unsigned(claims)),
        ("garbage", tokens.garbage()),
    ):
        target.masker.add(token)
        ex = target.edit(
            _titled(f"jwt_payload probe {label}"),
            token=None,
            params={"jwt_payload": token},
            purpose=f"auth: jwt_payload {label}",
        )
        refused(target.spec, v, ex, "auth-required", f"jwt_payload with {label}")
        watch.add(ex, f"jwt_payload with {label}", rule="auth-required")
    watch.check(v)
    v.raise_if_any()


@pytest.mark.rule("self-service-required", "check-order", "rejected-changes-nothing")
def test_organization_without_self_service_is_refused(target: Target) -> None:
    token = target.require(
        "no_self_service_token", "needs a token of an Organization without Self-Service"
    )
    v = Verdicts()
    own = target.no_self_service_session_id
    if own is None:
        # Not given one: look for one the Organization can list and send it only a request
        # no server can apply (support/discovered.py): it is not ours to edit.
        found = discover_editable_session(target, token)
        if found is not None:
            _probe_listed_session(target, v, found[0], token)
            _accepted_counterpart(target, v)
            v.raise_if_any()
            return
        target.note(
            "self-service-required",
            "probed on your Session (two faults: no Self-Service and another Organization); "
            "set PREVAIL_NO_SELF_SERVICE_SESSION_ID for a one-fault probe",
        )
    sid = own or target.session_id
    watch = RefusalWatch(target, "Self-Service")
    if own is not None:
        watch.listed_as(token, "the Organization without Self-Service", sid)
    else:
        watch.own(sid)
    watch.start()
    ex = target.edit(
        _titled("Self-Service probe"), session_id=sid, token=token, purpose="no Self-Service"
    )
    if ex.accepted:
        v.fail("self-service-required", "an Organization without Self-Service edited a Session", ex)
    elif own is None and ex.status == 404:
        # The contract checks Self-Service (403) before lookup and ownership (404), so a
        # server that checks Self-Service at all answers 403 here whoever owns the Session.
        ex.checked.add("check-order")
        v.fail(
            "check-order",
            "an Organization without Self-Service got past the Self-Service check: 404 "
            "(lookup) instead of 403. This probe leans on the assumed check order (it has two "
            "faults), so it is filed as assumed; set PREVAIL_NO_SELF_SERVICE_SESSION_ID for a "
            "one-fault probe that does not",
            ex,
        )
    else:
        refused(target.spec, v, ex, "self-service-required", "no Self-Service")
    watch.add(ex, "no Self-Service", rule="self-service-required")
    watch.check(v)
    _accepted_counterpart(target, v)
    v.raise_if_any()


def _probe_listed_session(target: Target, v: Verdicts, sid: str, token: str) -> None:
    """The one-fault probe on a Session the run found but was not given: refusal-only."""
    watch = RefusalWatch(target, "Self-Service")
    watch.listed_as(token, "the Organization without Self-Service", sid).start()
    ex = refusal_only_probe(target, sid, token, "no Self-Service (listed Session)")
    if ex.accepted:
        v.fail(
            "self-service-required",
            f"an Organization without Self-Service had a request to its own listed Session "
            f"accepted ({ex.status})",
            ex,
        )
    elif got_past_precondition(ex):
        # the body was looked at first: that the Self-Service check comes before it is the
        # assumed order, so the documented rule is not what this answer breaks
        ex.checked.add("check-order")
        v.fail(
            "check-order",
            f"an Organization without Self-Service got past the Self-Service check on its own "
            f"listed Session: {ex.status} to a malformed body instead of 403 (the contract "
            "checks Self-Service before the body, assumed)",
            ex,
        )
    else:
        refused(target.spec, v, ex, "self-service-required", "no Self-Service")
    watch.add(ex, "no Self-Service (listed Session)", rule="self-service-required")
    watch.check(v)


def _accepted_counterpart(target: Target, v: Verdicts) -> None:
    """The same edit by the Self-Service Organization is accepted."""
    accepted(
        v,
        target.edit(TITLE_EDIT, purpose="Self-Service on"),
        "self-service-required",
        "edit by the Self-Service Organization",
    )


#: The assumed rule that another Organization's Session is answered like an unknown id (the
#: documentation says only that it cannot be edited).
HIDDEN_RULE = "foreign-session-hidden"


@pytest.mark.rule("org-ownership", HIDDEN_RULE, "rejected-changes-nothing")
def test_foreign_session_is_answered_like_an_unknown_id(target: Target) -> None:
    foreign = target.require("foreign_session_id", "needs another Organization's session")
    v = Verdicts()
    unknown_id = unknown_session_id(target.seed)
    # a second unknown id shows which parts of an answer change from request to request
    control_id = unknown_session_id(target.seed, 2)
    # Another Organization's Session cannot be listed with our token (list-org-scoped): only a
    # mock's admin API can show that a refusal left it alone. The unknown ids must not appear.
    watch = RefusalWatch(target, "ownership").own(unknown_id, control_id)
    watch.stored(foreign, why="another Organization's Session cannot be listed with your token")
    if target.admin is None:
        target.note(
            "org-ownership",
            "that the refused edit left another Organization's Session unchanged is not "
            "verified: no read of it is possible with your token",
        )
    watch.start()
    ex = target.edit(TITLE_EDIT, session_id=foreign, purpose="another Organization's Session")
    unknown = target.edit(TITLE_EDIT, session_id=unknown_id, purpose="unknown session id")
    control = target.edit(TITLE_EDIT, session_id=control_id, purpose="another unknown session id")
    volatile = volatile_parts(unknown, unknown_id, control, control_id)
    if ex.accepted:
        v.fail("org-ownership", "edited another Organization's Session", ex)
    else:
        # the whole answer: status, headers and body, ids masked, per-request parts left out
        ex.checked.add(HIDDEN_RULE)
        leaks = differences(ex, foreign, unknown, unknown_id, volatile)
        if leaks:
            v.fail(
                HIDDEN_RULE,
                "another Organization's Session is not answered like an unknown id, so its "
                f"existence leaks: {'; '.join(leaks)[:600]}",
                ex,
            )
        refused(target.spec, v, ex, "org-ownership", "another Organization's Session")
    refused(target.spec, v, unknown, "org-ownership", "unknown session id")
    watch.add(ex, "edit of another Organization's Session", rule="org-ownership")
    watch.add(unknown, "edit of an unknown session id", rule="org-ownership")
    watch.add(control, "edit of another unknown session id", rule="org-ownership")
    watch.check(v)
    v.raise_if_any()
