"""The suite's ``cancel_session``: how a cancel is sent, which Sessions a run may cancel, and how
its schemathesis exchanges are filed.

A cancel cannot be undone, so :func:`cancelable_sessions` is the only source of Sessions to
cancel: on the kit's mock (embedded, sandboxed, or served with its admin API) Sessions the run
makes there itself; on any other server only the Sessions the user listed as disposable
(``PREVAIL_DISPOSABLE_SESSION_IDS``), each once, and only while ``GET /sessions`` lists it in a
state the spec says a cancel accepts. Never the run's own Session, a discovered one, or any
when none was listed. Every cancel sends ``cancel_without_email=true`` unless a test asks for
the email path or a malformed flag, which only a mock's Sessions (or a made-up absent id) may
get: a server reading another value as false would cancel a real Session and email its
participants. A second cancel, and an edit after a cancel, go only to a Session the list shows
canceled (:func:`canceled_session`).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from contract_tests.support.target import DEFAULT, Target
from prevail_contract.runtime.config import ENV_VARS, disposable_sessions
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.recorder import OPTIONAL_PROBE
from prevail_contract.runtime.session_ids import UNKNOWN_ID_PREFIX, session_path
from prevail_contract.spec import Example, Spec
from prevail_contract.spec.operation_registry import OperationEntry, operation_registry

OPERATION_ID = __name__.rsplit(".", 1)[-1]
#: The rule a malformed success answer breaks.
SHAPE_RULE = "cancel-response"
QUERY_RULE = "cancel-query-validated"


def disposable_var() -> str:
    """The variable listing the Sessions a live run may cancel."""
    return ENV_VARS["disposable_session_ids"]


#: The key of ``Target.created`` holding the Sessions this run canceled.
CANCELED = "canceled"
#: Why a live run sends no malformed flag (the skip of an extra probe: the rule keeps whatever
#: schemathesis's cases, sent to an absent id, showed).
LIVE_FLAG_WHY = (
    OPTIONAL_PROBE + "a cancel_without_email other than true is sent to no real Session of a "
    "live server (one that reads it as false would cancel the Session and email its "
    "participants), and a made-up absent id is looked up before its query is read: only a "
    "mock's Sessions get it"
)


def entry(spec: Spec) -> OperationEntry:
    """The cancel's registry entry."""
    return operation_registry(spec)[OPERATION_ID]


def flag_name(spec: Spec) -> str:
    """The cancel's one query parameter (``cancel_without_email``)."""
    params = [spec.deref(p) for p in entry(spec).operation.node.get("parameters") or ()]
    return next(str(p["name"]) for p in params if p.get("in") == "query")


def cancel_states(spec: Spec) -> tuple[tuple[str, ...], str]:
    """The states a cancel accepts and the state it leaves (``Session.state``'s extensions)."""
    node = spec.document["components"]["schemas"]["Session"]["properties"]["state"]
    return tuple(node["x-cancelable-states"]), str(node["x-state-after-cancel"])


def documented_answer(spec: Spec) -> Any:
    """The documented success body (the 200 answer's example)."""
    ok = entry(spec).operation.responses(spec.deref)["200"]
    media = next(iter(ok["content"].values()))
    return spec.deref(next(iter(media["examples"].values())))["value"]


def cancel_url(target: Target, session_id: str) -> str:
    """The cancel URL of a Session."""
    return target.api_base + entry(target.spec).path_for(session_path(session_id))


def cancel(
    target: Target,
    session_id: str,
    *,
    quiet: bool | None = True,
    query: dict[str, str] | None = None,
    token: Any = DEFAULT,
    body: Any = None,
    method: str | None = None,
    purpose: str = "cancel",
) -> Exchange:
    """Send one cancel. ``quiet`` True sends ``cancel_without_email=true`` (the default), False
    and None (the email path, or no flag at all) only to the kit's mock; a ``query`` whose flag
    is not ``true`` only to the kit's mock or a made-up absent id."""
    params = dict(query or {})
    flag = flag_name(target.spec)
    if quiet is not None and query is None:
        params[flag] = "true" if quiet else "false"
    absent = session_id.startswith(UNKNOWN_ID_PREFIX)
    if params.get(flag) != "true" and not (target.is_mock or absent):
        raise AssertionError(
            f"a cancel with {flag}={params.get(flag)!r} is only for the kit's mock (a real "
            "Session would be canceled and its participants emailed)"
        )
    headers = target.auth_headers(token)
    raw = None
    if body is not None:
        raw = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    return target.send(
        method or entry(target.spec).method,
        cancel_url(target, session_id),
        headers=headers,
        body=raw,
        params=params or None,
        purpose=purpose,
    )


def cancelable_sessions(
    target: Target,
    count: int,
    *,
    invitees: int = 2,
    purpose: str = "cancel",
    consume: bool = True,
) -> tuple[list[str], str]:
    """Up to ``count`` Sessions this run may cancel now (in a state a cancel accepts), and, when
    fewer were found, why (naming the variable that would supply more). A disposable Session
    handed out to be canceled (``consume``) is not handed out again; one for probes that a
    correct server refuses (``consume`` False) stays available."""
    states, after = cancel_states(target.spec)
    company = target.organization
    if target.admin is not None and company is not None:
        made = [
            target.admin.create(
                company,
                states[i % len(states)],
                title=f"Cancel probe {i + 1}",
                remote_session_id=f"{purpose.replace(' ', '-')}-{i + 1}-{target.seed}",
                invitees=[
                    {"email": f"cancel-{i + 1}-{n}@example.com", "access_level": "participant"}
                    for n in range(invitees)
                ],
            )
            for i in range(count)
        ]
        return made, ""
    raw = target.config.value("disposable_session_ids")
    given = disposable_sessions(raw if isinstance(raw, str) else None)
    if not given:
        return [], f"no Session the run may cancel: list disposable Sessions in {disposable_var()}"
    taken = target.created.setdefault("disposable-taken", [])
    listed = _listed_states(target, [s for s in given if s not in taken and s != target.session_id])
    if listed is None:
        return [], (
            f"the state of a Session of {disposable_var()} cannot be read before it is canceled: "
            "the target has no GET /sessions"
        )
    found: list[str] = []
    for sid in given:
        if len(found) == count:
            break
        if sid in taken or sid == target.session_id:
            continue
        if consume:
            taken.append(sid)
        if listed.get(sid) in states:
            found.append(sid)
    if len(found) == count:
        return found, ""
    return found, (
        f"{len(found)} of the {count} Session(s) needed: every other Session of "
        f"{disposable_var()} is used, or not listed in state {', '.join(states)} (a {after} one "
        "was canceled by an earlier run): add more"
    )


def _listed_states(target: Target, ids: list[str]) -> dict[str, Any] | None:
    """The state ``GET /sessions`` shows for each of ``ids`` (None: no list), each read by name
    (in a window around its start once the run has seen it), never by reading the whole list,
    which may be longer than a read may take."""
    if not target.reads_by_list:
        return None
    states: dict[str, Any] = {}
    for sid in ids:
        found = target.snapshot(sid)
        states[sid] = found.get("state") if found is not None else None
    return states


def canceled_session(target: Target, made_id: str) -> tuple[str | None, str]:
    """A Session ``GET /sessions`` shows in the state a cancel leaves: one this run canceled,
    else on the kit's mock one made there in that state (id ``made_id``); else ``None`` and why.
    A Session the run canceled but the list shows otherwise (a cancel that did not take, or an
    edit wrongly applied to it) gets no probe that is meant for a canceled Session."""
    after = cancel_states(target.spec)[1]
    canceled = target.created.get(CANCELED) or []
    why = f"no Session of {disposable_var()} was canceled by this run"
    if canceled:
        states = _listed_states(target, canceled)
        if states is None:
            why = "the state of a Session this run canceled cannot be read: no GET /sessions"
        else:
            for sid in canceled:
                if states.get(sid) == after:
                    return sid, ""
            shown = ", ".join(f"{sid} {states.get(sid)!r}" for sid in canceled)
            why = f"no Session this run canceled is listed as {after} ({shown})"
    company = target.organization
    if target.admin is not None and company is not None:
        return target.admin.create(
            company, after, title="Canceled probe", remote_session_id=made_id
        ), ""
    return None, why


def send_example(target: Target, example: Example) -> Exchange:
    """Send one of the cancel's named request examples (its query) to a Session it fits: a
    made or disposable Session, for ``session: locked`` one listed canceled (see
    :func:`canceled_session`), and a flag other than ``true`` only to a Session made on a
    mock (see ``LIVE_FLAG_WHY``)."""
    query = {str(k): str(v).lower() for k, v in dict(example.value).items()}
    if example.setup.get("session") == "locked":
        sid, why = canceled_session(target, f"cancel-ex-{target.seed}")
        if sid is None:
            pytest.skip(f"{why}: the example goes only to a Session listed canceled")
    else:
        if query.get(flag_name(target.spec)) != "true" and not target.is_mock:
            pytest.skip(LIVE_FLAG_WHY)
        made, why = cancelable_sessions(target, 1, purpose=f"example {example.name}")
        if not made:
            pytest.skip(why)
        sid = made[0]
    return cancel(target, sid, query=query, purpose=f"example {example.name}")


def rules_checked(case: Any, exchange: Exchange) -> set[str]:
    """schemathesis sends a cancel only to a made-up absent id: a refusal judges the query rule
    when it is the query's (422); an accepted one (a server that cancels an unknown id) breaks
    ``org-ownership``, judged by the shared checks."""
    return {QUERY_RULE} if exchange.status == 422 else set()


def builtin_rule(name: str, exchange: Exchange) -> str | None:
    """A data failure of a cancel case is the query rule's; the rest is filed the shared way."""
    if exchange.status != 405 and "data" in name:
        return QUERY_RULE
    return None
