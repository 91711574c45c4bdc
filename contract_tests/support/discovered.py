"""Probes of Sessions the run was not given but found (``GET /sessions``): refusal-only requests.

The run may edit only the Session it was given. A Session it discovered is sent nothing a server
could apply, even a server that wrongly accepts: the probe's body is malformed JSON, from which
no edit can be read. A correct server refuses it for the precondition probed (the contract's
check order puts 401, 403 and 404 before 400); a server that answers 400 ``malformed_json`` got
past that precondition, which breaks only the assumed order (``check-order``), and nothing was
changed either way.
(Sending a valid body that a correct server would refuse as ``validation_failed`` was rejected:
a server that skips both checks would apply it. Sending nothing would lose the one-fault probe.)
"""

from __future__ import annotations

import httpx

from contract_tests.support.facts import facts
from contract_tests.support.target import Target
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.session_ids import listed_session_ids

#: An edit cut short: not JSON, so there is nothing in it to apply.
UNAPPLICABLE_BODY = b'{"remote_session": {"title": "Contract check: refusal-only probe"'


def discover_editable_session(target: Target, token: str) -> tuple[str, str] | None:
    """An editable Session (id, title) that ``token``'s Organization can list, if any.

    Uses the spec's list operation (``GET /sessions``), a read; a server without it simply
    yields nothing.
    """
    try:
        ex = target.list_page(token=token, purpose="list sessions (fixture discovery)")
    except httpx.HTTPError:
        return None
    body = ex.json
    sessions = body.get("sessions") if isinstance(body, dict) and ex.accepted else None
    for item in listed_session_ids(target.spec, sessions):
        if item.get("state") not in facts(target.spec).editable_states:
            continue
        sid, title = item["remote_session_id"], item.get("title")
        if isinstance(title, str) and title:
            return sid, title
    return None


def refusal_only_probe(target: Target, session_id: str, token: str, purpose: str) -> Exchange:
    """Send the discovered Session a PATCH that no server can apply, and return the answer."""
    return target.edit(raw=UNAPPLICABLE_BODY, session_id=session_id, token=token, purpose=purpose)


def got_past_precondition(exchange: Exchange) -> bool:
    """Whether the answer shows the server looked at the body, i.e. passed the precondition."""
    return exchange.accepted or exchange.status == 400
