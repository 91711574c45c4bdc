"""Proof that the contract check bites: each planted mock bug fails exactly its rule.

Thirteen embedded runs (the correct mock and one per planted bug) go two at a time in
subprocesses with the ``fast`` profile and a fixed seed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from prevail_contract.spec import load_spec
from tests.plugins.check import CheckRun, run_checks_parallel

DOCUMENTED = [r.id for r in load_spec().rules if r.source == "documented"]
#: The mock plants one bug per documented rule, named by the rule's id (the suite imports
#: nothing from the mock but its app factory, so the list comes from the catalogue).
PLANTABLE_BUGS = DOCUMENTED
#: Rules that may fail together with a planted bug because the bug logically breaks them too.
#: field-formats: the mock's format bug also lets through impossible dates ("2031-02-30"),
#: which the assumed field-limits rule refuses.
ALSO_BROKEN: dict[str, set[str]] = {"field-formats": {"field-limits"}}

#: The module fixture makes every run of the matrix before the first test: its time grows with
#: the number of planted bugs, so the limit covers the whole matrix, not one run.
pytestmark = pytest.mark.timeout(2400)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckRun]:
    base = tmp_path_factory.mktemp("bug-matrix")
    jobs: dict[str, tuple[Path, list[str]]] = {"correct": (base / "correct", [])}
    for bug in PLANTABLE_BUGS:
        jobs[bug] = (base / bug, ["--mock-bug", bug])
    # the same seed again, to show that reports reproduce
    jobs["correct-again"] = (base / "correct-again", [])
    jobs["schedule-all-three-again"] = (
        base / "schedule-all-three-again",
        ["--mock-bug", "schedule-all-three"],
    )
    return run_checks_parallel(jobs)


def test_correct_mock_passes_every_rule(runs: dict[str, CheckRun]) -> None:
    run = runs["correct"]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    statuses = {r["id"]: r["status"] for r in run.report["rules"]}
    assert statuses == {rule.id: "passed" for rule in load_spec().rules}
    for rule in run.report["rules"]:
        assert rule["cases"] > 0


@pytest.mark.parametrize("bug", PLANTABLE_BUGS)
def test_planted_bug_fails_its_rule(runs: dict[str, CheckRun], bug: str) -> None:
    run = runs[bug]
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-2000:]
    failed = {r["id"] for r in run.report["rules"] if r["status"] == "failed"}
    assert bug in failed
    assert failed - {bug} <= ALSO_BROKEN.get(bug, set()), f"{bug} also failed {failed - {bug}}"
    planted = next(r for r in run.report["rules"] if r["id"] == bug)
    assert planted["failures"], "a failed rule lists its failures"
    for failure in planted["failures"]:
        assert failure["summary"]
        assert failure["reproduce"].startswith("curl ")
    assert "failed" in run.stdout


@pytest.mark.parametrize("name", ["correct", "schedule-all-three"])
def test_same_seed_same_report(runs: dict[str, CheckRun], name: str) -> None:
    first, again = runs[name].report, runs[f"{name}-again"].report
    assert first.pop("verified_at") <= again.pop("verified_at")  # only the stamp's time differs
    assert first == again
