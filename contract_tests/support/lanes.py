"""A test's work spread over Sessions of its own and sent side by side.

A probe sequence that edits a Session and reads it back must not share that Session with
another sequence in flight, or each would see the other's edits. On a mock (embedded, or
served with its admin API) a test may therefore make a few Sessions of its own, once per run,
and give each a run of its probes: the runs go side by side, each run in order on its Session.
Against any other server there is one lane, the run's Session, and the probes go in order as
before. Property tests draw their examples first (:func:`each_example`) and judge them the
same way. How the probes are cut into lanes depends only on the target (a mock or not), never on
``--concurrency``, so a run at ``--concurrency 1`` sends the same probes to the same Sessions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

from hypothesis import given, seed
from hypothesis.strategies import SearchStrategy

from contract_tests.support.made import made_once
from contract_tests.support.run_profile import profile_name, run_seed
from contract_tests.support.target import Target
from prevail_contract.runtime.bounds import RUN, resolved
from prevail_contract.runtime.together import spread, together
from prevail_contract.runtime.verdict import Finding, RuleViolationError

T = TypeVar("T")
P = TypeVar("P")
E = TypeVar("E")
#: Sessions (the run's one included) a test spreads its probe runs over on a mock.
LANES = 4


def concurrency(target: Target) -> int:
    """Requests the run may have in flight at once: ``--concurrency`` (the ``check`` command
    always passes one), else the target's default (``bounds.resolved``)."""
    limit = resolved(RUN.limits, embedded=target.embedded).concurrency
    assert limit is not None
    return limit


def side_by_side(target: Target, work: Sequence[Callable[[], T]]) -> list[T]:
    """Run ``work`` at the run's concurrency; the results in order (see ``together``)."""
    return together(work, concurrency(target))


def on_session(target: Target, session_id: str) -> Target:
    """``target`` editing and judging ``session_id`` instead of the run's Session (what it has
    seen and learnt stays shared)."""
    _ = target.reads_by_list  # found out once, before the copies are made
    return dataclasses.replace(
        target, config=dataclasses.replace(target.config, session_id=session_id)
    )


def session_lanes(target: Target) -> list[Target]:
    """The run's target and, on a mock, ``LANES - 1`` copies each on a Session made for the
    lanes (editable, in the run's Organization; made once per run and shared by the tests,
    which run one after another, as the run's own Session is)."""
    made = made_once(
        target,
        "lanes",
        LANES - 1,
        lambda i: (f"Contract check lane {i + 1}", f"lane-{target.seed}-{i + 1}"),
    )
    if made is None:
        return [target]
    return [target, *(on_session(target, sid) for sid in made)]


def lanes_for(target: Target, probes: Sequence[P]) -> list[tuple[Target, list[P]]]:
    """The lanes (:func:`session_lanes`), each with its run of ``probes`` (consecutive ones)."""
    lanes = session_lanes(target)
    return list(zip(lanes, spread(probes, len(lanes)), strict=False))


def in_lanes(target: Target, probes: Sequence[P], run: Callable[[Target, list[P]], T]) -> list[T]:
    """``run(lane_target, probes_of_the_lane)`` for each lane, side by side; their results."""
    return side_by_side(target, [partial(run, t, r) for t, r in lanes_for(target, probes)])


def drawn(strategy: SearchStrategy[E]) -> list[E]:
    """The examples Hypothesis draws from ``strategy`` under the run's profile and seed, in the
    order drawn (nothing is sent while drawing)."""
    examples: list[E] = []

    @seed(run_seed())
    @given(strategy)
    def draw(example: E) -> None:
        examples.append(example)

    draw()
    return examples


def each_example(
    target: Target, strategy: SearchStrategy[E], check: Callable[[Target, E], object]
) -> None:
    """``check(lane, example)`` for each example of ``strategy``; the findings of all of them
    raised together (``RuleViolationError``).

    ``fast`` (no shrinking) draws every example first and then judges them in lanes
    (:func:`in_lanes`): what is drawn never depends on an answer, so the examples are the same
    at every concurrency. ``thorough`` judges each example as it is drawn on the run's Session,
    so that a failing one is shrunk to the smallest.
    """
    if profile_name() != "fast":

        @seed(run_seed())
        @given(strategy)
        def judged(example: E) -> None:
            check(target, example)

        judged()
        return

    def run(lane: Target, examples: list[E]) -> list[Finding]:
        found: list[Finding] = []
        for example in examples:
            try:
                check(lane, example)
            except RuleViolationError as error:
                found.extend(error.findings)
        return found

    findings = [f for found in in_lanes(target, drawn(strategy), run) for f in found]
    if findings:
        raise RuleViolationError(findings)
