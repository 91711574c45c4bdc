"""The assumed check order on its own: for each adjacent pair of ``x-check-order``, a request
with exactly those two faults must be refused for the earlier one (rule ``check-order``).

When the answer is the later check's, the earlier fault is sent alone: if that is refused
correctly the order is wrong (``check-order``); if not, the earlier check itself is broken and
its own rule's tests say so, so nothing is filed here.
"""

from __future__ import annotations

import pytest

from contract_tests.support.expect import error_shape
from contract_tests.support.order_probes import (
    KNOWN_FAULTS,
    MissingFixtureError,
    all_pairs,
    answer_of,
    build,
    order_of,
    order_pairs,
)
from contract_tests.support.target import Target
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.verdict import Verdicts
from prevail_contract.spec import load_spec


def _answer(ex: Exchange) -> tuple[int, object]:
    body = ex.json
    return ex.status, body.get("code") if isinstance(body, dict) else None


def _expected(target: Target, rule_id: str) -> tuple[int, object]:
    status, code = answer_of(target.spec, rule_id)
    assert isinstance(status, int), f"{rule_id} has no single status"
    return status, code


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The pairs of the spec's order (with the rules answered like ``field-formats`` at its
    place), read at collection from the spec in use."""
    if {"first", "second"} <= set(metafunc.fixturenames):
        pairs = order_pairs(load_spec())
        metafunc.parametrize(("first", "second"), pairs, ids=[f"{a}+{b}" for a, b in pairs])


@pytest.mark.rule("check-order")
def test_order_is_declared_and_every_pair_can_be_built(target: Target) -> None:
    order = order_of(target)
    assert len(order) >= 2, "the operation lists no x-check-order"
    rules = {r.id for r in target.spec.rules}
    unknown = [r for r in order if r not in rules]
    assert not unknown, f"x-check-order names rules the catalogue lacks: {unknown}"
    unbuildable = [r for r in order if r not in KNOWN_FAULTS]
    for rule_id in unbuildable:
        target.note("check-order", f"no fault of {rule_id} can be built: its pairs are not probed")
    for first, second in all_pairs(target.spec):
        if answer_of(target.spec, first) == answer_of(target.spec, second):
            target.note("check-order", f"{first} and {second} are answered alike: not probed")


@pytest.mark.rule("check-order")
def test_adjacent_pair_is_answered_for_the_earlier_fault(
    target: Target, first: str, second: str
) -> None:
    if not {first, second} <= KNOWN_FAULTS:
        pytest.skip(f"no request with faults {first} + {second} can be built")
    try:
        probe = build(target, (first, second))
        alone = build(target, (first,))
    except MissingFixtureError as exc:
        pytest.skip(f"{first} + {second}: {exc}")
    v = Verdicts()
    ex = probe.send(target)
    ex.checked.update(("check-order", "error-shape"))
    wanted, got = _expected(target, first), _answer(ex)
    if got != wanted:
        control = alone.send(target)
        if _answer(control) == wanted:
            leaning = (
                f" (the probe also carries {', '.join(probe.extra)}: a fixture is missing)"
                if probe.extra
                else ""
            )
            v.fail(
                "check-order",
                f"a request with faults {first} and {second} was answered {got[0]} {got[1]!r}; "
                f"{first} comes first in x-check-order (assumed), so {wanted[0]} {wanted[1]!r} "
                f"was expected, and {first} alone is answered that way{leaning}",
                ex,
            )
        else:
            # no verdict either way: the pair earns none (a server answering with other
            # statuses or codes than the catalogue shows its order in no comparable way)
            pytest.skip(
                f"{first} + {second} not judged: {first} alone is not refused as listed "
                f"(see {first} and error-status-codes)"
            )
    if not ex.accepted:
        error_shape(target.spec, v, ex, f"check order {first} + {second}")
    v.raise_if_any()
