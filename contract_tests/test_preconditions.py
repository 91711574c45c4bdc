"""The documented preconditions: Self-Service, ownership, editable states (the token: see
``test_auth_matrix.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.support.answers import differences, volatile_parts
from contract_tests.support.discovered import got_past_precondition, refusal_only_probe
from contract_tests.support.expect import (
    accepted,
    changed_fields,
    refused,
    unchanged_after_refusal,
)
from contract_tests.support.facts import facts
from contract_tests.support.target import DEFAULT, Target
from prevail_contract.check import tokens
from prevail_contract.check.session_ids import unknown_session_id
from prevail_contract.check.verdict import Verdicts

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


@pytest.mark.rule("auth-required", "rejected-changes-nothing")
def test_unusable_tokens_are_refused(target: Target) -> None:
    v = Verdicts()
    accepted(v, target.edit(TITLE_EDIT, purpose="auth: valid"), "auth-required", "valid token")
    bad = _bad_tokens(target)
    for label, token in bad.items():
        before = target.snapshot()
        ex = target.edit(TITLE_EDIT, token=token, purpose=f"auth: {label}")
        refused(target.spec, v, ex, "auth-required", f"auth: {label}")
        unchanged_after_refusal(
            target, v, before, ex, f"auth: {label}", rule_if_changed="auth-required"
        )
    if target.reads_by_list:
        # the list is behind the same token check
        for label, token in bad.items():
            ex = target.list_page(token=token, purpose=f"list auth: {label}")
            refused(target.spec, v, ex, "auth-required", f"GET /sessions with {label}")
    # Other schemes in the Authorization header are not a Bearer JWT.
    ex = target.send(
        "PATCH",
        target.url(),
        headers={
            "Authorization": "Basic Y29udHJhY3Q6Y2hlY2s=",  # "contract:check", not a credential
            "Content-Type": "application/json",
        },
        body=b'{"remote_session": {"title": "Contract check: basic auth"}}',
        purpose="auth: Basic",
    )
    refused(target.spec, v, ex, "auth-required", "auth: Basic scheme")
    v.raise_if_any()


@pytest.mark.rule("auth-required")
def test_jwt_payload_query_parameter(target: Target) -> None:
    """The token may travel as ``jwt_payload``: a valid one is accepted, a forged one refused."""
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
    for label, token in (
        ("wrong signature", tokens.wrong_signature(claims)),
        ("alg none", tokens.unsigned(claims)),
        ("garbage", tokens.garbage()),
    ):
        target.masker.add(token)
        ex = target.edit(
            TITLE_EDIT,
            token=None,
            params={"jwt_payload": token},
            purpose=f"auth: jwt_payload {label}",
        )
        refused(target.spec, v, ex, "auth-required", f"jwt_payload with {label}")
    v.raise_if_any()


def _read(target: Target, sid: str, token: Any) -> dict[str, Any] | None:
    """A true read of ``sid`` as ``token``'s Organization sees it: ``GET /sessions``, or on
    the embedded mock without the list its admin API; None when no true read is possible
    (an edit-read would change the very Session that must stay unchanged)."""
    if target.reads_by_list:
        return target.snapshot(sid, token=token)
    stored = target.admin.session(sid) if target.admin else None
    if stored is None:
        target.note(
            "rejected-changes-nothing",
            "a refused edit of a Session the run may not edit is not read back: the target "
            "has no GET /sessions",
        )
        return None
    return {k: v for k, v in stored.items() if k not in ("organization", "invitees")}


@pytest.mark.rule("self-service-required", "check-order")
def test_organization_without_self_service_is_refused(target: Target) -> None:
    token = target.require(
        "no_self_service_token", "needs a token of an Organization without Self-Service"
    )
    v = Verdicts()
    own = target.no_self_service_session_id
    if own is None:
        # Not given one: look for one the Organization can list and send it only a request
        # no server can apply (support/discovered.py): it is not ours to edit.
        found = target.discover_editable_session(token)
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
    read_token = token if own is not None else DEFAULT
    before = _read(target, sid, read_token)
    ex = target.edit(TITLE_EDIT, session_id=sid, token=token, purpose="no Self-Service")
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
    if before is not None and not ex.accepted:
        after = _read(target, sid, read_token)
        if after is not None and changed_fields(before, after):
            v.fail("self-service-required", "refused, but the Session was changed", ex)
    _accepted_counterpart(target, v)
    v.raise_if_any()


def _probe_listed_session(target: Target, v: Verdicts, sid: str, token: str) -> None:
    """The one-fault probe on a Session the run found but was not given: refusal-only."""
    before = _read(target, sid, token)
    ex = refusal_only_probe(target, sid, token, "no Self-Service (listed Session)")
    if got_past_precondition(ex):
        v.fail(
            "self-service-required",
            f"an Organization without Self-Service got past the Self-Service check on its own "
            f"listed Session: {ex.status} to a malformed body instead of 403 (the contract "
            "checks Self-Service before the body)",
            ex,
        )
    else:
        refused(target.spec, v, ex, "self-service-required", "no Self-Service")
    after = _read(target, sid, token) if before is not None else None
    if before is not None and after is not None and changed_fields(before, after):
        v.fail("self-service-required", "refused, but the listed Session was changed", ex)


def _accepted_counterpart(target: Target, v: Verdicts) -> None:
    """The same edit by the Self-Service Organization is accepted."""
    accepted(
        v,
        target.edit(TITLE_EDIT, purpose="Self-Service on"),
        "self-service-required",
        "edit by the Self-Service Organization",
    )


@pytest.mark.rule("org-ownership")
def test_foreign_session_is_answered_like_an_unknown_id(target: Target) -> None:
    foreign = target.require("foreign_session_id", "needs another Organization's session")
    v = Verdicts()
    # Another Organization's Session cannot be listed with our token (list-org-scoped): only
    # the embedded mock's admin API can show that a refusal left it alone.
    before = target.admin.session(foreign) if target.admin else None
    if before is None:
        target.note(
            "org-ownership",
            "that the refused edit left another Organization's Session unchanged is not "
            "verified: no read of it is possible with your token",
        )
    ex = target.edit(TITLE_EDIT, session_id=foreign, purpose="another Organization's Session")
    unknown_id = unknown_session_id(target.seed)
    unknown = target.edit(TITLE_EDIT, session_id=unknown_id, purpose="unknown session id")
    # a second unknown id shows which parts of an answer change from request to request
    control_id = unknown_session_id(target.seed, 2)
    control = target.edit(TITLE_EDIT, session_id=control_id, purpose="another unknown session id")
    volatile = volatile_parts(unknown, unknown_id, control, control_id)
    if ex.accepted:
        v.fail("org-ownership", "edited another Organization's Session", ex)
    else:
        # the whole answer: status, headers and body, ids masked, per-request parts left out
        leaks = differences(ex, foreign, unknown, unknown_id, volatile)
        if leaks:
            v.fail(
                "org-ownership",
                "another Organization's Session is not answered like an unknown id, so its "
                f"existence leaks: {'; '.join(leaks)[:600]}",
                ex,
            )
        refused(target.spec, v, ex, "org-ownership", "another Organization's Session")
    refused(target.spec, v, unknown, "org-ownership", "unknown session id")
    after = target.admin.session(foreign) if target.admin else None
    if before is not None and after is not None and before != after:
        v.fail("org-ownership", "refused, but another Organization's Session changed", ex)
    v.raise_if_any()


@pytest.mark.rule("editable-states", "rejected-changes-nothing")
def test_locked_session_is_refused(target: Target) -> None:
    locked = target.require("locked_session_id", "needs a session in a non-editable state")
    v = Verdicts()
    before = _read(target, locked, DEFAULT)
    ex = target.edit(TITLE_EDIT, session_id=locked, purpose="non-editable Session")
    refused(target.spec, v, ex, "editable-states", "Session in a non-editable state")
    after = _read(target, locked, DEFAULT)
    if not ex.accepted and before is not None and after is not None and before != after:
        v.fail("rejected-changes-nothing", "refused, but the locked Session changed", ex)
    v.raise_if_any()


@pytest.mark.rule("editable-states", "state-ready-after-edit", "rejected-changes-nothing")
@pytest.mark.parametrize("state", facts().states)
def test_each_state(target: Target, state: str) -> None:
    """Embedded only: a fresh session per state (a live run cannot create sessions)."""
    if not target.embedded or target.config.company_id is None:
        pytest.skip("needs the embedded mock to create a session in each state")
    assert target.admin is not None
    sid = target.admin.create(
        target.config.company_id,
        state,
        title=f"State probe {state}",
        remote_session_id=f"state-probe-{state}-{target.seed}",
    )
    v = Verdicts()
    before = _read(target, sid, DEFAULT)
    ex = target.edit(TITLE_EDIT, session_id=sid, purpose=f"edit a {state} Session")
    if state in facts().editable_states:
        session = accepted(v, ex, "editable-states", f"edit of a {state} Session")
        if session is not None and session.get("state") != facts().state_after_edit:
            v.fail(
                "state-ready-after-edit",
                f"a {state} Session is {session.get('state')!r} after an edit",
                ex,
            )
    else:
        refused(target.spec, v, ex, "editable-states", f"edit of an {state} Session")
        after = _read(target, sid, DEFAULT)
        if not ex.accepted and before is not None and after is not None and before != after:
            v.fail("rejected-changes-nothing", f"refused, but the {state} Session changed", ex)
    v.raise_if_any()
