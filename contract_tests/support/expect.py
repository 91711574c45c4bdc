"""Judge answers against the rules, filing each problem under the rule it really breaks.

A documented rejection rule fails only when the server *accepts* what the rule forbids; a refusal
with another status or code than the catalogue lists fails the assumed ``error-status-codes``,
and a refusal whose body is not the assumed ``Error`` shape fails ``error-shape``. That split is
what lets a live run tell server bugs from wrong assumptions.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from contract_tests.support.answers import session_of
from contract_tests.support.target import Target
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.media import is_json
from prevail_contract.runtime.verdict import Verdicts
from prevail_contract.spec import Spec

#: Session fields that an edit through the API may not change unless sent.
COMPARED_FIELDS = (
    "remote_session_id",
    "title",
    "start_date",
    "start_time",
    "time_zone",
    "estimated_duration",
    "transcript_status",
    "invites",
    "provider_specific_details",
)


def error_shape(spec: Spec, v: Verdicts, ex: Exchange, purpose: str) -> None:
    """File ``error-shape`` when a refusal (other than 405) lacks the ``Error`` body."""
    if ex.status == 405 or not (400 <= ex.status < 500):
        return
    body = ex.json
    errors = sorted(spec.validator("Error").iter_errors(body), key=lambda e: list(e.path))
    if body is None:
        v.fail("error-shape", f"{purpose}: refusal body is not JSON", ex)
    elif errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(body)"
        v.fail(
            "error-shape",
            f"{purpose}: refusal body breaks Error at {where}: {errors[0].message[:200]}",
            ex,
        )
    content_type = ex.response_headers.get("content-type", "")
    if body is not None and not is_json(content_type):  # `Application/JSON` is JSON too
        v.fail("error-shape", f"{purpose}: refusal sent as {content_type!r}, not JSON", ex)


def refused(spec: Spec, v: Verdicts, ex: Exchange, rule_id: str, purpose: str) -> bool:
    """Expect ``rule_id``'s refusal; return whether the request was refused at all."""
    rule = spec.rule(rule_id)
    ex.checked.update((rule_id, "error-status-codes", "error-shape"))
    if ex.accepted:
        v.fail(rule_id, f"{purpose}: accepted with {ex.status}, the rule requires a refusal", ex)
        return False
    body = ex.json
    code = body.get("code") if isinstance(body, dict) else None
    if ex.status != rule.status:
        v.fail(
            "error-status-codes",
            f"{purpose}: refused with {ex.status} (code {code!r}), "
            f"the catalogue lists {rule.status} {rule.code or ''}".rstrip(),
            ex,
        )
    elif rule.code is not None and code != rule.code:
        v.fail(
            "error-status-codes",
            f"{purpose}: refused with code {code!r}, the catalogue lists {rule.code!r}",
            ex,
        )
    error_shape(spec, v, ex, purpose)
    return True


#: A valid request to the configured Session with the configured token refused with one of
#: these statuses shows that precondition misjudged (or the fixtures are wrong), not the rule
#: the request was probing.
PRECONDITION_REFUSALS = {
    401: "auth-required",
    403: "self-service-required",
    404: "org-ownership",
    409: "editable-states",
}


def state_refusal(status: int) -> bool:
    """Whether ``status`` is the state precondition's refusal (the Session's state said no)."""
    return PRECONDITION_REFUSALS.get(status) == "editable-states"


def refusal_rule(status: int, rule_id: str) -> str:
    """The rule to blame when a valid request is refused with ``status``."""
    return PRECONDITION_REFUSALS.get(status, rule_id)


def accepted(v: Verdicts, ex: Exchange, rule_id: str, purpose: str) -> dict[str, Any] | None:
    """Expect a valid request to be accepted; return the answered Session (envelope tolerated)."""
    ex.checked.add(rule_id)
    if not ex.accepted:
        blamed = refusal_rule(ex.status, rule_id)
        why = "" if blamed == rule_id else f" (a precondition said no: {blamed})"
        v.fail(blamed, f"{purpose}: a valid request was refused with {ex.status}{why}", ex)
        return None
    session = session_of(ex.json)
    if session is None:
        v.fail("response-envelope", f"{purpose}: the success body holds no Session", ex)
    return session


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """Fields whose value differs between two reads of a session (``state`` ignored)."""
    if before is None or after is None:
        return []
    out: list[str] = []
    for name in COMPARED_FIELDS:
        left, right = before.get(name), after.get(name)
        if name == "invites":
            left = sorted(str(x).lower() for x in left or [])
            right = sorted(str(x).lower() for x in right or [])
        if left != right:
            out.append(name)
    return out


def unchanged_after_refusal(
    target: Target,
    v: Verdicts,
    before: dict[str, Any] | None,
    ex: Exchange,
    purpose: str,
    *,
    rule_if_changed: str | None = None,
    rule_fields: Collection[str] | None = None,
    session_id: str | None = None,
) -> None:
    """Read the session again and file ``rejected-changes-nothing`` if the refusal changed it.

    ``before`` is a read taken before ``ex``. With ``GET /sessions`` both reads write nothing,
    so every field and ``state`` must be as before. ``rule_if_changed`` is filed too when the
    refused request's own fields in ``rule_fields`` (default: any it sent) took effect.
    """
    if ex.accepted or before is None:
        return
    sent = _sent_names(ex)
    after = target.snapshot(session_id, avoid=sent, rule="rejected-changes-nothing")
    changed = changed_fields(before, after)
    if target.reads_by_list:
        if after is not None and before.get("state") != after.get("state"):
            changed.append("state")
    else:
        # The edit-read writes: a field the refused request did not send may have been
        # changed by the read itself, which untouched-fields-kept covers.
        changed = [name for name in changed if name in sent | {"invites"}]
    if changed:
        v.fail(
            "rejected-changes-nothing",
            f"{purpose}: refused, but {', '.join(changed)} changed anyway",
            ex,
        )
        governed = sent if rule_fields is None else set(rule_fields)
        applied = [name for name in changed if name in sent and name in governed]
        if rule_if_changed is not None and applied:
            # the refused request's own fields took effect: the rule itself is broken
            v.fail(rule_if_changed, f"{purpose}: refused, but applied {', '.join(applied)}", ex)


def listed_as_answered(
    target: Target,
    v: Verdicts,
    answered: dict[str, Any],
    purpose: str,
    session_id: str | None = None,
) -> dict[str, Any] | None:
    """After an accepted edit, read the Session back and file ``list-reflects-edits`` when
    ``GET /sessions`` shows it otherwise than the edit's answer did.

    Returns the read-back Session. Without the list (edit-read), nothing is compared here:
    the read is itself an edit whose answer the caller judges.
    """
    after = target.snapshot(session_id, rule="fields-applied")
    if not target.reads_by_list:
        return after
    read = target.last_exchange
    if read is not None:
        read.checked.add("list-reflects-edits")
    if after is None:
        v.fail(
            "list-reflects-edits",
            f"{purpose}: the edited Session is not in GET /sessions afterwards",
            read,
        )
        return None
    # remote_session_id is id-stable's business (the listing is searched by the id edited)
    for name in [n for n in (*COMPARED_FIELDS, "state") if n != "remote_session_id"]:
        left, right = answered.get(name), after.get(name)
        if name == "invites":
            left = sorted(str(x).lower() for x in left or [])
            right = sorted(str(x).lower() for x in right or [])
        if left != right:
            v.fail(
                "list-reflects-edits",
                f"{purpose}: the edit answered {name}={answered.get(name)!r} but GET /sessions "
                f"then shows {after.get(name)!r}",
                read,
            )
    return after


def _sent_names(ex: Exchange) -> set[str]:
    """Field names a request carried, at the top level and inside ``remote_session``."""
    body = ex.request_json()
    if not isinstance(body, dict):
        return set()
    names = set(body)
    inner = body.get("remote_session")
    if isinstance(inner, dict):
        names |= set(inner)
    return names
