"""Accumulation under concurrent requests: invites sent at the same moment are all kept
(``invites-additive``, documented), and one address sent at once in several letter cases is
kept once (``invites-no-duplicates``, assumed).

A few threads (``THREADS``) send one request each, released together, for a few rounds
(``ROUNDS``): a bounded load, every address on a reserved domain and drawn from the run's
invite budget like any other. A server that reads the invitees, then writes them back without
a lock loses some; one that checks for a duplicate before the write and appends after it
keeps twins.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from contract_tests.plugins.profiles import profile_name
from contract_tests.support.expect import accepted, state_refusal
from contract_tests.support.facts import facts
from contract_tests.support.target import Target
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.verdict import Verdicts

#: Requests sent at once, and how many times.
THREADS = 4
ROUNDS = {"fast": 2, "thorough": 6}
#: Seconds a thread waits for the others to be ready (a bound, not a contract fact).
START_TIMEOUT = 30.0


def _together(target: Target, bodies: list[Any], purpose: str) -> list[Exchange]:
    """Send each body in its own thread, all released at once; the answers in order."""
    gate = threading.Barrier(len(bodies), timeout=START_TIMEOUT)

    def send(body: Any) -> Exchange:
        gate.wait()
        return target.edit({"remote_session": body}, purpose=purpose)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        futures = [pool.submit(send, body) for body in bodies]
        return [future.result() for future in futures]


def _accepted_unless_clash(
    target: Target, v: Verdicts, ex: Exchange, rule: str, purpose: str
) -> dict[str, Any] | None:
    """The answered Session of one of the requests sent at once, as :func:`accepted` judges it,
    except that the state precondition's refusal (409) is noted, not failed: the run's Session
    is editable, so only the requests sent with it can have clashed, and the documentation does
    not say that simultaneous edits must all be taken (a server with optimistic locking refuses
    the late ones)."""
    if not ex.accepted and state_refusal(ex.status):
        ex.checked.add(rule)
        target.note(
            rule,
            f"a {purpose} was refused with {ex.status} while others were sent at once (taken "
            "as a clash between them, not a breach); accumulation is judged when all are taken",
        )
        return None
    return accepted(v, ex, rule, f"one of {purpose}s")


def _invitees(session: dict[str, Any] | None) -> list[str]:
    raw = session.get(facts().invite_field) if session else None
    return [str(x).lower() for x in raw] if isinstance(raw, list) else []


def _rounds(target: Target, check: Callable[[Verdicts, int], None]) -> None:
    if not target.reads_by_list:
        pytest.skip(
            "concurrent invites are read back with GET /sessions (a read that writes nothing)"
        )
    v = Verdicts()
    for number in range(ROUNDS.get(profile_name(), ROUNDS["fast"])):
        check(v, number)
        if v.findings:
            break
    v.raise_if_any()


@pytest.mark.rule("invites-additive")
def test_concurrent_invites_are_all_kept(target: Target) -> None:
    def round_(v: Verdicts, number: int) -> None:
        before = set(_invitees(target.snapshot()))
        batches = [
            [f"together-{target.seed}-{number}-{t}-{i}@example.net" for i in range(2)]
            for t in range(THREADS)
        ]
        answers = _together(
            target, [{facts().invite_field: b} for b in batches], "concurrent invite"
        )
        sent = {a for batch in batches for a in batch}
        held: list[tuple[set[str], Exchange]] = []
        for batch, ex in zip(batches, answers, strict=True):
            session = _accepted_unless_clash(target, v, ex, "invites-additive", "concurrent invite")
            missing = [a for a in [*batch, *before] if session and a not in _invitees(session)]
            if missing:
                v.fail("invites-additive", f"a concurrent invite's answer lacks {missing[:3]}", ex)
            if session is not None:
                held.append((set(_invitees(session)), ex))
        if len(held) < len(answers):
            return
        # The edit answered last holds every invitee when the edits were applied one after
        # another; none does when each was worked out on a copy read before the others wrote.
        most, evidence = max(held, key=lambda pair: len(pair[0] & (sent | before)))
        lost = sorted((sent | before) - most)
        if lost:
            evidence.checked.add("invites-additive")
            v.fail(
                "invites-additive",
                f"{THREADS} invites sent at once: no answer holds them all, {len(lost)} "
                f"invitees are missing from the fullest, e.g. {lost[:3]} (a read-modify-write "
                "without a lock loses them)",
                evidence,
            )
            return
        after = target.snapshot()
        read = target.last_exchange
        if after is None or read is None:
            return
        read.checked.add("invites-additive")
        gone = sorted((sent | before) - set(_invitees(after)))
        if gone:
            # answered as kept, then not listed: a stale list (list-reflects-edits' concern)
            # or a write lost afterwards; the list rules judge the first
            target.note(
                "invites-additive",
                f"concurrent invites were all answered as kept but {len(gone)} are not listed",
            )

    _rounds(target, round_)


@pytest.mark.rule("invites-no-duplicates")
def test_one_address_sent_at_once_in_several_cases_is_kept_once(target: Target) -> None:
    def round_(v: Verdicts, number: int) -> None:
        address = f"twin-{target.seed}-{number}@example.org"
        cases = [
            "".join(c.upper() if (i >> k) % 2 else c for i, c in enumerate(address))
            for k in range(THREADS)
        ]  # the same address in as many letter cases as threads
        answers = _together(target, [{facts().invite_field: [c]} for c in cases], "twin")
        for ex in answers:
            _accepted_unless_clash(target, v, ex, "invites-no-duplicates", "concurrent re-invite")
        after = target.snapshot()
        read = target.last_exchange
        if after is None or read is None:
            return
        read.checked.add("invites-no-duplicates")
        count = Counter(_invitees(after))[address]
        if count > 1:
            v.fail(
                "invites-no-duplicates",
                f"{address!r} sent at once in {THREADS} letter cases is listed {count} times "
                "(a duplicate check before the write, not with it, lets twins through)",
                read,
            )

    _rounds(target, round_)
