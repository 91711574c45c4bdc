"""One accepted edit judged as a whole: its envelope, each field applied in the answer and read
back afterwards, the id, the state and the fields it did not send."""

from __future__ import annotations

from typing import Any

from contract_tests.support.answers import session_of
from contract_tests.support.expect import COMPARED_FIELDS, listed_as_answered, refusal_rule
from contract_tests.support.facts import facts
from contract_tests.support.response_rules import SHAPE_RULE, VALUE_KEYWORDS, answer_problems
from contract_tests.support.target import Target
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.verdict import Verdicts


def check_envelope(target: Target, v: Verdicts, ex: Exchange) -> None:
    """``{"sessions": [Session]}`` holding the edited Session, valid against the spec: a
    problem with a keyword the spec marks assumed (exactly one item, every field present, a
    length) is the assumed ``response-shape``'s, any other the documented envelope's."""
    body = ex.json
    if not isinstance(body, dict) or not isinstance(body.get("sessions"), list):
        v.fail("response-envelope", 'success body is not {"sessions": [Session]}', ex)
        return
    ex.checked.add(SHAPE_RULE)
    # A field value of the wrong form (a bad invite address the server once accepted) breaks
    # the rule that refuses it, not the envelope: only structure errors count here.
    problems = [
        p
        for p in answer_problems(target.spec, target.edit_operation.operation_id, body)
        if p.keyword not in VALUE_KEYWORDS or len(p.path) < 3
    ]
    for rule in dict.fromkeys(p.rule for p in problems):
        first = next(p for p in problems if p.rule == rule)
        v.fail(rule, f"success body breaks EditSessionResponse {first}", ex)


def check_applied(
    target: Target,
    v: Verdicts,
    ex: Exchange,
    edit: dict[str, Any],
    before: dict[str, Any] | None,
    session: dict[str, Any],
    *,
    when: str,
    previous: dict[str, Any] | None = None,
) -> None:
    """The per-rule checks of one successful edit's answered Session.

    A field of ``edit`` that does not hold its value breaks the documented ``fields-applied``,
    in the answer and afterwards (its statement says "in the response and afterwards"), also
    when ``ex`` is a later read that left the field out. ``previous`` is the answer of the
    edit before this one: an untouched field that differs from ``before`` (a list read) but is
    as ``previous`` answered shows a stale list.
    """
    previous = previous or {}
    if session.get("remote_session_id") != target.session_id:
        v.fail(
            "id-stable",
            f"{when}: remote_session_id is {session.get('remote_session_id')!r}, "
            f"the Session edited is {target.session_id!r}",
            ex,
        )
    for name in facts().value_fields:
        if name in edit and session.get(name) != edit[name]:
            v.fail(
                "fields-applied",
                f"{when}: sent {name}={edit[name]!r} but the Session has {session.get(name)!r}",
                ex,
            )
    if session.get("state") != facts().state_after_edit:
        v.fail("state-ready-after-edit", f"{when}: state is {session.get('state')!r}", ex)
    if before is not None:
        untouched = [
            n
            for n in COMPARED_FIELDS
            if n not in edit and n not in (facts().invite_field, "remote_session_id")
        ]
        for name in untouched:
            if session.get(name) != before.get(name):
                if target.reads_by_list and previous.get(name, before.get(name)) == session.get(
                    name
                ):
                    # kept as the previous edit answered it: the read before was stale
                    v.fail(
                        "list-reflects-edits",
                        f"GET /sessions showed {name}={before.get(name)!r} before this edit, "
                        f"but the previous edit had answered {previous[name]!r}",
                        ex,
                    )
                    continue
                v.fail(
                    "untouched-fields-kept",
                    f"{when}: {name} was not sent but changed from "
                    f"{before.get(name)!r} to {session.get(name)!r}",
                    ex,
                )


def apply_and_check(
    target: Target,
    edit: dict[str, Any],
    *,
    refused_rule: str = "fields-applied",
    purpose: str = "valid edit",
    v: Verdicts | None = None,
    before: dict[str, Any] | None = None,
) -> tuple[Exchange, dict[str, Any] | None]:
    """Send a valid edit and judge it in the answer and read back afterwards (``fields-applied``,
    ``id-stable``, ``state-ready-after-edit``, ``untouched-fields-kept``, the envelope, and
    ``list-reflects-edits``); a refusal breaks ``refused_rule``.

    ``before`` is a read of the Session taken since its last change (the read-back of the edit
    before, in a sequence); without it the Session is read first. Findings go into ``v`` when
    given (the caller raises), else they are raised here. Returns the exchange and the
    read-back Session.
    """
    own = v is None
    v = v if v is not None else Verdicts()
    if before is None:
        before = target.snapshot(rule="untouched-fields-kept")
    previous = target.last_answer()
    ex = target.edit({"remote_session": edit}, purpose=purpose)
    after: dict[str, Any] | None = None
    if not ex.accepted:
        rule = refusal_rule(ex.status, refused_rule)
        v.fail(rule, f"{purpose}: a valid edit of {sorted(edit)} was refused with {ex.status}", ex)
    else:
        check_envelope(target, v, ex)
        session = session_of(ex.json)
        if session is not None:
            when = "in the answer"
            check_applied(target, v, ex, edit, before, session, when=when, previous=previous)
            # ... and afterwards: read it back through the API (GET /sessions: it must show
            # what the answer showed; an edit-read: its own answer is judged like the first)
            after = listed_as_answered(target, v, session, f"{purpose}, read back")
            assert target.last_exchange is not None
            if after is not None and not target.reads_by_list:
                when = "read back afterwards"
                check_applied(target, v, target.last_exchange, edit, before, after, when=when)
    if own:
        v.raise_if_any()
    return ex, after
