"""Each capability of the suite bites: a planted mock bug of one narrow kind (``rule:kind``)
fails exactly its rule. Without the capability's module the suite misses each of these
(the auth matrix, carriers, check order, fixture breadth, whole-answer comparison; on the
accepted side: titles across the character range and at their length limit in astral
characters, the longest address, concurrent invites, a body at the byte limit, a Session
filled to its invitee cap)."""

from __future__ import annotations

import pytest

from tests.plugins.check import CheckRun, run_checks_parallel

#: Sixteen full embedded runs, two at a time, on a shared machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2700)]


#: planted bug -> the rule its run must fail (and only that one).
VARIANTS = {
    "auth-required:any-org-key": "auth-required",
    "auth-required:exp-optional": "auth-required",
    "list-pagination-consistent:items-default": "list-pagination-consistent",
    "self-service-required:query": "self-service-required",
    "org-ownership:query": "org-ownership",
    "editable-states:query": "editable-states",
    "editable-states:initial": "editable-states",
    "check-order:state-first": "check-order",
    "field-formats:zone-case": "field-formats",
    # the accepted side (issue 18 item 7): whole-space values, concurrency, limits from under
    "fields-applied:joiners": "fields-applied",
    "field-limits:utf16": "field-limits",
    "invites-additive:truncated": "invites-additive",
    "invites-additive:race": "invites-additive",
    "invites-no-duplicates:race": "invites-no-duplicates",
    "payload-limit:early": "payload-limit",
    "field-limits:at-cap": "field-limits",
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckRun]:
    base = tmp_path_factory.mktemp("power")
    jobs = {
        bug: (base / bug.replace(":", "-"), ["--mock-bug", bug, "--strict"]) for bug in VARIANTS
    }
    return run_checks_parallel(jobs, timeout=400)


@pytest.mark.parametrize("bug", sorted(VARIANTS))
def test_narrow_planted_bug_fails_exactly_its_rule(runs: dict[str, CheckRun], bug: str) -> None:
    run = runs[bug]
    failed = {r["id"] for r in run.report["rules"] if r["status"] == "failed"}
    assert failed == {VARIANTS[bug]}, (failed, run.stdout[-2500:])
    assert run.returncode == 1
    rule = next(r for r in run.report["rules"] if r["id"] == VARIANTS[bug])
    assert all(f["reproduce"].startswith("curl ") for f in rule["failures"])
