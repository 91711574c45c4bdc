"""Where undeclared methods are sent, and how their answer is judged (rule ``method-not-allowed``).

Against a live server every undeclared method goes only to an id no real Session can have (the
made-up absent id, ``no-such-session-SEED``): a server that obeys it harms nothing and still
fails (2xx or 404 instead of 405). On a mock (embedded, or served with its admin API) the
methods also go to a Session made for them, so that a refused method whose body was applied
shows in the reads around it.
"""

from __future__ import annotations

from contract_tests.support.made import made_once
from contract_tests.support.target import Target
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.session_ids import unknown_session_id
from prevail_contract.runtime.verdict import Verdicts


def method_targets(target: Target) -> list[tuple[str, str]]:
    """(what, Session id) each undeclared method is sent to: the made-up absent id, and on a
    mock a Session made for these probes (once per run)."""
    out = [("a made-up absent id", unknown_session_id(target.seed))]
    made = made_once(
        target, "methods", 1, lambda _: ("Method probe", f"method-probe-{target.seed}")
    )
    if made is not None:
        out.append(("a Session made for it", made[0]))
    else:
        target.note(
            "method-not-allowed",
            "undeclared methods were sent only to a made-up absent id (no-such-session-SEED): "
            "a server that obeys them harms nothing there and still fails (2xx or 404, not 405)",
        )
        target.note(
            "rejected-changes-nothing",
            "undeclared methods went to a made-up absent id only (a real Session could be "
            "removed or replaced): the reads show no Session appeared or changed, but whether "
            "a refused PUT or POST is applied to an existing Session is checked on a mock only",
        )
    return out


def judge_405(v: Verdicts, ex: Exchange, what: str, allowed: str) -> None:
    """405 with ``Allow`` naming the declared method."""
    ex.checked.add("method-not-allowed")
    allow = [m.strip().upper() for m in ex.response_headers.get("allow", "").split(",")]
    if ex.status != 405:
        v.fail("method-not-allowed", f"{what} answered {ex.status}, not 405", ex)
    elif allowed not in allow:
        v.fail(
            "method-not-allowed",
            f"{what}: 405 without Allow: {allowed} (Allow is {ex.response_headers.get('allow')!r})",
            ex,
        )
