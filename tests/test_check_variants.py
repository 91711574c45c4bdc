"""Faithful variants pass under ``--strict``: the suite raises no false alarm where the
contract leaves the server freedom (throttling, message texts, extra response members).

Each variant is served on loopback and checked once, all four at the same time: the throttled
runs spend most of their time waiting out Retry-After, so they cost little beside the others.
"""

from __future__ import annotations

from typing import Any

import pytest

from prevail_contract.mock import target_environment
from tests.plugins.check import SERVED_MOCK_BASELINE, ServedJob, ServedRun, run_served_parallel
from tests.plugins.variants import (
    OneWriteAtATime,
    RewrittenJson,
    Throttled,
    extra_fields,
    other_messages,
)

#: Served over loopback; throttled runs wait out each Retry-After.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

STRICT = ("--strict", "--baseline", str(SERVED_MOCK_BASELINE))


def _throttled_now_and_then(app: Any) -> Throttled:
    """429 on every 97th request, and 503 + Retry-After on every 113th."""
    return Throttled(Throttled(app, every=97), every=113, status=503)


def _messages_and_extras(status: int, body: object) -> object:
    return extra_fields(status, other_messages(status, body))


def _foreign_throttled(app: Any) -> Throttled:
    """Every request to the foreign Session is throttled."""
    foreign = target_environment(app, "http://127.0.0.1")["PREVAIL_FOREIGN_SESSION_ID"]
    return Throttled(app, every=1, only=foreign)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ServedRun]:
    jobs = {
        "throttled now and then": ServedJob(
            args=STRICT,
            wrap=_throttled_now_and_then,
            after=lambda s: (s.app.app.throttled, s.app.throttled),
        ),
        "one write at a time": ServedJob(
            args=STRICT, wrap=OneWriteAtATime, after=lambda s: s.app.refused
        ),
        "other messages and extras": ServedJob(
            args=STRICT, wrap=lambda app: RewrittenJson(app, _messages_and_extras)
        ),
        "foreign always throttled": ServedJob(
            args=("--strict",), wrap=_foreign_throttled, after=lambda s: s.app.throttled
        ),
    }
    base = tmp_path_factory.mktemp("variants")
    return run_served_parallel(jobs, base, workers=len(jobs), timeout=400)


def _assert_strict_pass(run: ServedRun) -> dict[str, str]:
    statuses = {r["id"]: r["status"] for r in run.report["rules"]}
    failed = {r["id"]: r["failures"][:2] for r in run.report["rules"] if r["status"] == "failed"}
    assert run.returncode == 0, (failed, run.stdout[-2000:], run.stderr[-1500:])
    return statuses


def test_throttling_now_and_then_passes_strict(runs: dict[str, ServedRun]) -> None:
    """About forty answers throttled through the run, each a one-second wait: waited out, no
    alarm."""
    run = runs["throttled now and then"]
    statuses = _assert_strict_pass(run)
    with_429, with_503 = run.seen
    assert with_429 > 5, "the variant must really have throttled the run"
    assert with_503 > 5, "the variant must really have answered 503 + Retry-After"
    assert "failed" not in statuses.values()


def test_a_server_refusing_simultaneous_writes_passes_strict(runs: dict[str, ServedRun]) -> None:
    """Optimistic locking: a write to a Session while another is in flight gets 409. Only the
    probe of simultaneous invites sends such writes, and it takes the 409 as their clash."""
    run = runs["one write at a time"]
    _assert_strict_pass(run)
    assert run.seen > 0, "the simultaneous invites must really have clashed"


def test_other_messages_and_extra_fields_pass_strict(runs: dict[str, ServedRun]) -> None:
    _assert_strict_pass(runs["other messages and extras"])


def test_evidence_only_ever_throttled_is_not_run(runs: dict[str, ServedRun]) -> None:
    """Every request to the foreign Session is throttled: org-ownership has no verdict."""
    run = runs["foreign always throttled"]
    rules = {r["id"]: r for r in run.report["rules"]}
    assert run.seen > 0, "the foreign Session must really have been throttled"
    assert run.returncode == 1, run.stdout[-2000:]  # a documented rule not run: not green
    assert "documented rule org-ownership was not run" in run.stdout
    assert rules["org-ownership"]["status"] == "not_run"
    assert "throttled" in rules["org-ownership"]["reason"]
