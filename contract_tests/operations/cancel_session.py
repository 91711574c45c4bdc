"""The suite's ``cancel_session``: how a cancel is sent, which Sessions a run may cancel, and how
its schemathesis exchanges are filed.

A cancel cannot be undone, so :func:`cancelable_sessions` is the only source of Sessions to
cancel: on the kit's mock (embedded, sandboxed, or served with its admin API) Sessions the run
makes there itself; on any other server only the Sessions the user listed as disposable
(``PREVAIL_DISPOSABLE_SESSION_IDS``), each once, and only while ``GET /sessions`` lists it in a
state the spec says a cancel accepts. Never the run's own Session, a discovered one, or any
when none was listed. Every cancel sends ``cancel_without_email=true`` unless a test asks for
the email path, which only a mock may get (its outbox is the only place the email shows).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from contract_tests.support.target import DEFAULT, Target
from prevail_contract.runtime.config import ENV_VARS, disposable_sessions
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.session_ids import session_path
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
    and None (the email path, or no flag at all) only to the kit's mock."""
    if quiet is not True and not target.is_mock:
        raise AssertionError("the email path of a cancel is only for the kit's mock")
    params = dict(query or {})
    if quiet is not None and query is None:
        params[flag_name(target.spec)] = "true" if quiet else "false"
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
    listed = _listed_states(target)
    if listed is None:
        return [], (
            f"the state of a Session of {disposable_var()} cannot be read before it is canceled: "
            "the target has no GET /sessions"
        )
    taken = target.created.setdefault("disposable-taken", [])
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


def _listed_states(target: Target) -> dict[str, Any] | None:
    if not target.reads_by_list:
        return None
    listed = target.list_all(purpose="read the states of the disposable Sessions")
    sessions = listed[0] if listed is not None else []
    return {str(s.get("remote_session_id")): s.get("state") for s in sessions}


def _still_canceled(target: Target, canceled: list[str], after: str) -> str:
    """A disposable Session this run canceled that the list still shows in state ``after``
    (a server that wrongly took an edit of one may have moved it out of that state: a cancel
    of it then says nothing about refused states)."""
    states = _listed_states(target)
    if states is None:
        return canceled[0]  # no list to read: the state the run's own cancel left
    for sid in canceled:
        if states.get(sid) == after:
            return sid
    shown = {sid: states.get(sid) for sid in canceled}
    pytest.skip(f"no Session this run canceled is still listed as {after}: {shown}")


def send_example(target: Target, example: Example) -> Exchange:
    """Send one of the cancel's named request examples (its query) to a Session it fits: a
    made or disposable Session, or for ``session: locked`` one in a state a cancel refuses
    (made on a mock; on a live server a disposable Session this run canceled already)."""
    query = {str(k): str(v).lower() for k, v in dict(example.value).items()}
    after = cancel_states(target.spec)[1]
    if example.setup.get("session") == "locked":
        company, canceled = target.organization, target.created.get(CANCELED) or []
        if target.admin is not None and company is not None:
            sid = target.admin.create(
                company, after, title="Cancel example", remote_session_id=f"cancel-ex-{target.seed}"
            )
        elif canceled:
            sid = _still_canceled(target, canceled, after)
        else:
            pytest.skip(f"no Session of {disposable_var()} was canceled by this run to send it to")
    else:
        refused = example.setup.get("expect-schema") == "invalid"
        made, why = cancelable_sessions(
            target, 1, purpose=f"example {example.name}", consume=not refused
        )
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
