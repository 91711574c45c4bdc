"""The catalogue's behaviour rules applied to a Session: ownership, state, fields, invites.

Each function builds a new ``StoredSession`` (nothing is mutated), so the store can swap it in
under its lock or drop it when a later check refuses the request.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from prevail_contract.mock.errors import ApiError
from prevail_contract.mock.facts import Facts
from prevail_contract.mock.fixtures import Invitee, Organization, StoredSession
from prevail_contract.mock.store import OutboxMessage
from prevail_contract.spec import Spec

#: Planted narrow bugs of ``apply_edit``, each breaking its rule in one way only: the zero-width
#: joiner and non-joiner stripped from stored text (a sanitizer taking them for invisible junk,
#: which breaks emoji sequences and Persian words), and invite addresses cut at
#: ``SHORT_COLUMN`` characters (an indexed column).
JOINERS = "fields-applied:joiners"
TRUNCATED = "invites-additive:truncated"
#: The planted bugs of the behaviour rules ``apply_edit`` carries out (``--bug RULE_ID``).
APPLY_BUGS = ("fields-applied", "state-ready-after-edit", "invites-additive", JOINERS, TRUNCATED)
#: The assumed rule that another Organization's Session is answered like an unknown id; its
#: planted bug says in the message whose Session it is.
HIDDEN_RULE = "foreign-session-hidden"
#: Characters kept of an address under the planted ``invites-additive:truncated`` (the usual
#: limit of an indexed utf8mb4 column; the bug's own number, not the contract's).
SHORT_COLUMN = 191
_JOINERS = dict.fromkeys(map(ord, "\u200c\u200d"))


def check_self_service(spec: Spec, org: Organization, bugs: Collection[str]) -> None:
    """403 unless the Organization has Self-Service (rule ``self-service-required``)."""
    if not org.self_service and "self-service-required" not in bugs:
        raise ApiError.for_rule(
            spec,
            "self-service-required",
            f"The Organization {org.slug!r} does not have Self-Service enabled; ask Prevail "
            "staff to enable it before editing Sessions.",
        )


def check_owned(
    spec: Spec,
    session: StoredSession | None,
    remote_session_id: str,
    org: Organization,
    bugs: Collection[str],
) -> StoredSession:
    """The Session if the caller's Organization owns it; else 404 (rule ``org-ownership``).

    Another Organization's Session is answered exactly like an unknown id (the assumed
    ``foreign-session-hidden``).
    """
    if session is not None and (session.organization == org.slug or "org-ownership" in bugs):
        return session
    shown = remote_session_id if len(remote_session_id) <= 100 else remote_session_id[:100] + "…"
    whose = "another" if session is not None and HIDDEN_RULE in bugs else "your"
    raise ApiError.for_rule(
        spec,
        "org-ownership",
        f'No Session with id "{shown}" was found for {whose} Organization.',
        variant="foreign" if session is not None else "",
    )


def check_editable(spec: Spec, facts: Facts, session: StoredSession, bugs: Collection[str]) -> None:
    """409 unless the Session is in one of the spec's ``x-editable-states`` (rule
    ``editable-states``); planted ``editable-states:initial`` lets the first state by."""
    planted = "editable-states" in bugs or (
        "editable-states:initial" in bugs and session.state == facts.states[0]
    )
    if session.state not in facts.editable_states and not planted:
        allowed = " or ".join(f'"{s}"' for s in facts.editable_states)
        raise ApiError.for_rule(
            spec,
            "editable-states",
            f'The Session is in state "{session.state}"; only Sessions in state {allowed} '
            "can be edited.",
        )


def apply_edit(
    facts: Facts,
    session: StoredSession,
    edit: Mapping[str, Any],
    org: Organization,
    bugs: Collection[str],
    *,
    fold_case: bool = True,
) -> tuple[StoredSession, list[OutboxMessage]]:
    """The Session after a valid edit, and the notifications it causes.

    Sent fields take their new values (``fields-applied``), others are kept
    (``untouched-fields-kept``), ``state`` becomes the spec's ``x-state-after-edit``
    (``state-ready-after-edit``), invites are added, never removed (``invites-additive``),
    without case-insensitive duplicates (``invites-no-duplicates``; with ``fold_case`` False,
    the documented-only reading, only an address spelled the same is a duplicate); an access
    level other than ``AccessLevel``'s default (``host``) sticks only for registered members.
    """
    fields = dict(session.fields)
    for name, value in edit.items():
        if name == "invites" or (name == "title" and "fields-applied" in bugs):
            continue
        fields[name] = _stored(value, bugs)
    if "state-ready-after-edit" not in bugs:
        fields["state"] = facts.state_after_edit
    invitees = [] if "invites-additive" in bugs and "invites" in edit else list(session.invitees)

    def key(email: str) -> str:
        return email.casefold() if fold_case else email

    known = {key(i.email) for i in invitees}
    messages: list[OutboxMessage] = []
    title = str(fields.get("title", session.remote_session_id))
    for item in edit.get("invites") or ():
        if isinstance(item, str):
            email, wanted = item, facts.default_access
        else:
            email, wanted = str(item["email"]), str(item.get("access_level", facts.default_access))
        email = _stored_address(email, bugs)
        if key(email) in known:
            continue
        known.add(key(email))
        member_only = wanted in facts.member_only_access
        level = wanted if not member_only or org.is_member(email) else facts.default_access
        invitees.append(Invitee(email, level))
        messages.append(
            OutboxMessage(
                to=email,
                remote_session_id=session.remote_session_id,
                access_level=level,
                subject=f'You are invited to the Prevail Session "{title}"',
            )
        )
    return StoredSession(
        session.remote_session_id, session.organization, fields, tuple(invitees)
    ), messages


def _stored(value: Any, bugs: Collection[str]) -> Any:
    """A sent value as stored: as sent, unless a planted bug mangles it."""
    if isinstance(value, str) and JOINERS in bugs:
        return value.translate(_JOINERS)
    return value


def _stored_address(email: str, bugs: Collection[str]) -> str:
    """An invite address as stored: as sent, unless a planted bug cuts it."""
    return email[:SHORT_COLUMN] if TRUNCATED in bugs else email
