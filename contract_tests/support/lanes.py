"""A test's work spread over Sessions of its own and sent side by side.

A probe sequence that edits a Session and reads it back must not share that Session with
another sequence in flight, or each would see the other's edits. On a mock (embedded, or
served with its admin API) a test may therefore make a few Sessions of its own, once per run,
and give each a run of its probes: the runs go side by side, each run in order on its Session.
Against any other server there is one lane, the run's Session, and the probes go in order as
before. How the probes are cut into lanes depends only on the target (a mock or not), never on
``--concurrency``, so a run at ``--concurrency 1`` sends the same probes to the same Sessions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

from contract_tests.support.facts import facts
from contract_tests.support.target import Target
from prevail_contract.runtime.bounds import RUN, resolved
from prevail_contract.runtime.together import spread, together

T = TypeVar("T")
P = TypeVar("P")
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


def session_lanes(target: Target, purpose: str) -> list[Target]:
    """The run's target and, on a mock, ``LANES - 1`` copies each on a Session made for
    ``purpose`` (editable, in the run's Organization; made once per run)."""
    company = target.organization
    if target.admin is None or company is None:
        return [target]
    key = f"lanes:{purpose}"
    made = target.created.get(key)
    if made is None:
        made = target.created[key] = [
            target.admin.create(
                company,
                facts().editable_states[0],
                title=f"Contract check lane {lane}",
                remote_session_id=f"lane-{purpose}-{target.seed}-{lane}",
            )
            for lane in range(1, LANES)
        ]
    return [target, *(on_session(target, sid) for sid in made)]


def in_lanes(
    target: Target, purpose: str, probes: Sequence[P], run: Callable[[Target, list[P]], T]
) -> list[T]:
    """``run(lane_target, probes_of_the_lane)`` for each lane, side by side; their results."""
    lanes = session_lanes(target, purpose)
    runs = spread(probes, len(lanes))
    return side_by_side(target, [partial(run, t, r) for t, r in zip(lanes, runs, strict=False)])
