"""The exit policy end to end: a run cut by its deadline exits non-zero, a baseline turns a known
failure into a pass and a new failure into a fail, ``--only`` runs and reports only its rules.

Small embedded runs (``--only`` keeps most of them to a few tests), two at a time, shared by
the tests of this module.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from prevail_contract.spec import load_spec
from tests.plugins.check import CheckRun, run_checks_parallel

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]
BUG = "schedule-all-three"
REASON = "known since PREV-1 (partial schedules are applied)"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckRun]:
    base = tmp_path_factory.mktemp("verdicts")
    known = base / "known.yaml"
    known.write_text(f"known:\n  - rule: {BUG}\n    reason: {REASON}\n    expires: 2099-12-31\n")
    expired = base / "expired.yaml"
    expired.write_text(f"known:\n  - rule: {BUG}\n    reason: old\n    expires: 2020-01-01\n")
    only = ["--only", BUG, "--mock-bug", BUG]
    jobs = {
        # far less than a whole run takes, even a forked one after the fork server's rehearsal
        # on a fast machine (about 5 s here)
        "deadline": (base / "deadline", ["--deadline", "1"]),
        "unknown": (base / "unknown", only),
        "known": (base / "known", [*only, "--baseline", str(known)]),
        "expired": (base / "expired", [*only, "--baseline", str(expired)]),
        "new": (
            base / "new",
            ["--only", BUG, "id-stable", "--mock-bug", "id-stable", "--baseline", str(known)],
        ),
        "only": (base / "only", ["--only", "request-envelope"]),
    }
    return run_checks_parallel(jobs, timeout=400)


def _junit(run: CheckRun) -> ET.Element:
    return ET.parse(run.report_dir / "junit.xml").getroot()  # noqa: S314 - the run's own file


def test_a_run_cut_by_its_deadline_is_never_green(runs: dict[str, CheckRun]) -> None:
    run = runs["deadline"]
    report = run.report
    assert report["run"]["deadline_reached"], run.stdout[-2000:]
    passed = any(r["status"] == "passed" for r in report["rules"])
    assert run.returncode == (1 if passed else 2), run.stdout[-2000:]
    assert report["verdict"]["exit_code"] == run.returncode
    suite = _junit(run)
    assert suite.get("errors") == "1"  # the run test case: incomplete
    assert int(suite.get("failures") or 0) + int(suite.get("errors") or 0) > 0


def test_a_known_failure_fails_without_its_baseline(runs: dict[str, CheckRun]) -> None:
    run = runs["unknown"]
    assert run.returncode == 1, run.stdout[-2000:]
    assert f"result: exit 1: documented rule {BUG} failed" in run.stdout
    assert _junit(run).get("failures") == "1"


def test_a_baseline_turns_the_known_failure_into_a_warning(runs: dict[str, CheckRun]) -> None:
    run = runs["known"]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert f"warning: {BUG} failed, excused by the baseline, until 2099-12-31: {REASON}" in (
        run.stdout
    )
    rule = next(r for r in run.report["rules"] if r["id"] == BUG)
    assert rule["status"] == "failed"  # the report keeps what was seen
    assert rule["excused_by_baseline"] == REASON
    assert rule["counted"] is False
    suite = _junit(run)
    assert suite.get("failures") == "0"
    assert suite.get("errors") == "0"
    skipped = suite.find(f"testcase[@name='{BUG}']/skipped")
    assert skipped is not None
    assert REASON in (skipped.get("message") or "")


def test_an_expired_entry_excuses_nothing_and_says_so(runs: dict[str, CheckRun]) -> None:
    run = runs["expired"]
    assert run.returncode == 1, run.stdout[-2000:]
    assert "its baseline entry expired on 2020-01-01" in run.stdout


def test_a_new_failure_fails_whatever_the_baseline_knows(runs: dict[str, CheckRun]) -> None:
    run = runs["new"]
    assert run.returncode == 1, run.stdout[-2000:]
    assert "result: exit 1: documented rule id-stable failed" in run.stdout
    assert f"warning: {BUG} passed: its baseline entry can go" in run.stdout


def test_only_runs_and_reports_only_the_chosen_rules(runs: dict[str, CheckRun]) -> None:
    run = runs["only"]
    assert run.returncode == 0, run.stdout[-2000:]
    statuses = {r["id"]: r["status"] for r in run.report["rules"]}
    assert statuses.pop("request-envelope") == "passed"
    assert set(statuses.values()) == {"excluded"}
    assert len(statuses) == len(load_spec().rules) - 1
    # tests of no chosen rule did not run: far fewer requests than a full run's ~1,500
    assert run.report["requests"] < 300, run.report["requests"]
    assert "not selected (--only)" in {r.get("reason") for r in run.report["rules"]}
