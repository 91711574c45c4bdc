"""Invites at scale: the invite budget buys list growth. Distinct invitees are added in batches
of at most the spec's per-request cap (``maxItems``) until the Session holds more than one
request may carry, and the whole list is verified after every batch."""

from __future__ import annotations

import pytest

from contract_tests.support.expect import accepted
from contract_tests.support.target import Target
from prevail_contract.check.verdict import Verdicts

#: Share of the run's invite cap this test may spend (the rest: targeted and stateful tests).
BUDGET_SHARE = 0.6


def _per_request_cap(target: Target) -> int:
    props = target.spec.document["components"]["schemas"]["RemoteSessionEdit"]["properties"]
    return int(props["invites"]["maxItems"])


@pytest.mark.rule("invites-additive", "invites-no-duplicates")
def test_list_grows_past_one_request(target: Target) -> None:
    cap = _per_request_cap(target)
    remaining = target.budget.remaining()
    goal = cap + cap // 4
    if remaining is not None:
        goal = min(goal, int(remaining * BUDGET_SHARE))
    if goal <= cap:
        target.note(
            "invites-additive",
            f"the list was not grown past one request's {cap} invites: the invite cap leaves "
            f"{remaining}; raise --max-invites to at least {int((cap + 1) / BUDGET_SHARE) + 1}",
        )
    batch = max(1, min(cap, goal // 3 or 1))
    v = Verdicts()
    sent: list[str] = []
    while len(sent) < goal:
        size = min(batch, goal - len(sent))
        new = [f"scale-{target.seed}-{len(sent) + i}@example.org" for i in range(size)]
        ex = target.edit({"remote_session": {"invites": new}}, purpose=f"invite batch {len(sent)}")
        session = accepted(v, ex, "invites-additive", f"invite batch of {size}")
        if session is None:
            break
        sent += new
        have = [str(x).lower() for x in session.get("invites") or []]
        missing = [e for e in sent if e not in set(have)]
        if missing:
            v.fail(
                "invites-additive",
                f"after {len(sent)} distinct invitees in {len(sent) // batch + 1} requests, "
                f"{len(missing)} are missing, e.g. {missing[:3]}",
                ex,
            )
            break
        if len(have) != len(set(have)):
            v.fail("invites-no-duplicates", "an address appears twice in the grown list", ex)
            break
    v.raise_if_any()
