"""A cancel against live targets, proved over HTTP with the served mock without its admin API
(as against staging, with its ``PREVAIL_DISPOSABLE_SESSION_IDS``).

Against the mock's documented-only reading (a ``cancel_without_email`` it does not know is
taken as absent) no malformed flag and no other method reaches a real Session, nobody is
emailed, and the documented rules all pass. Against a target whose cancel answers the
documented body but leaves the Session ``ready``, only the rules about the state after a cancel
fail: no second cancel and no edit is sent to a Session the list does not show canceled. The
two runs are shared by the module.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from prevail_contract.runtime.session_ids import UNKNOWN_ID_PREFIX
from prevail_contract.spec import load_spec
from tests.plugins.cancel_targets import CancelNotApplied, Recorded, Seen
from tests.plugins.check import LiveMock, ServedJob, ServedRun, run_served_parallel

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

SPEC = load_spec()
#: What a staging run has: every variable the mock writes but its admin API.
STAGING = ("PREVAIL_MOCK_ADMIN_URL",)
#: A path under a Session: its edit or its cancel (group 1 the id, group 2 the cancel).
UNDER_SESSION = re.compile(r"/api/v1/sessions/([^/]+)(/cancel)?/?")


def _seen(served: LiveMock) -> dict[str, Any]:
    """The requests the target got, its outbox, and the disposable Sessions' states."""
    wrapper = served.app
    assert isinstance(wrapper, Recorded)
    store = wrapper.mock.store
    disposable = served.env["PREVAIL_DISPOSABLE_SESSION_IDS"].split(",")
    return {
        "requests": list(wrapper.seen),
        "outbox": asyncio.run(store.outbox()),
        "states": {sid: asyncio.run(store.get(sid)).state for sid in disposable},
        "disposable": disposable,
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ServedRun]:
    jobs = {
        "documented": ServedJob(drop=STAGING, after=_seen, wrap=Recorded, contract="documented"),
        "not-applied": ServedJob(drop=STAGING, after=_seen, wrap=CancelNotApplied),
    }
    return run_served_parallel(jobs, tmp_path_factory.mktemp("cancel-served"))


def _rules(run: ServedRun) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in run.report["rules"]}


def _under_sessions(run: ServedRun) -> list[tuple[Seen, str, bool]]:
    """Each request on a path under a Session, with that Session's id and whether it is a
    cancel path."""
    out = []
    for seen in run.seen["requests"]:
        found = UNDER_SESSION.fullmatch(seen.path)
        if found is not None:
            out.append((seen, found.group(1), found.group(2) is not None))
    return out


def test_a_lenient_flag_reading_costs_no_session_and_no_email(runs: dict[str, ServedRun]) -> None:
    run = runs["documented"]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    rules = _rules(run)
    documented = {r.id for r in SPEC.rules if r.documented}
    assert {i: rules[i]["status"] for i in documented} == dict.fromkeys(documented, "passed")
    # the assumed query rule had no case a live target may get: not_run, saying why
    query = rules["cancel-query-validated"]
    assert query["status"] == "not_run", query
    assert "other than true is sent to no real Session" in query["reason"]
    cancels = [
        s for s, sid, cancel in _under_sessions(run) if cancel and sid in run.seen["disposable"]
    ]
    assert cancels
    assert {(s.method, s.query) for s in cancels} == {("PATCH", "cancel_without_email=true")}
    told = [m for m in run.seen["outbox"] if m.remote_session_id in run.seen["disposable"]]
    assert told == []  # no participant of a canceled Session was emailed


@pytest.mark.parametrize("name", ["documented", "not-applied"])
def test_another_method_under_a_session_goes_only_to_an_absent_id(
    runs: dict[str, ServedRun], name: str
) -> None:
    probes = [(s, sid) for s, sid, _ in _under_sessions(runs[name]) if s.method != "PATCH"]
    assert probes  # the method probes were sent, to the absent id
    assert {sid for _, sid in probes if not sid.startswith(UNKNOWN_ID_PREFIX)} == set()


def test_a_cancel_that_leaves_the_session_ready_fails_only_the_state_rules(
    runs: dict[str, ServedRun],
) -> None:
    run = runs["not-applied"]
    assert set(run.seen["states"].values()) == {"ready"}  # the target applied no cancel
    rules = _rules(run)
    failed = {i for i, r in rules.items() if r["status"] == "failed"}
    assert failed == {"canceled-after-cancel", "canceled-listed"}, run.stdout[-3000:]
    assert run.returncode == 1
    listed = [f["summary"] for f in rules["canceled-listed"]["failures"]]
    assert any("listed in state 'ready'" in s for s in listed), listed
    # a second cancel and an edit after a cancel were sent nowhere: skipped, saying why
    for rule_id in ("cancel-twice-refused", "canceled-not-editable"):
        assert rules[rule_id]["status"] == "not_run", rules[rule_id]
        assert "listed canceled" in rules[rule_id]["reason"], rules[rule_id]


def test_no_session_the_run_was_not_given_to_edit_is_edited(runs: dict[str, ServedRun]) -> None:
    run = runs["not-applied"]
    edits = [sid for s, sid, cancel in _under_sessions(run) if s.method == "PATCH" and not cancel]
    assert set(edits) & set(run.seen["disposable"]) == set()
    # each disposable Session was sent at most one cancel with a token (no second cancel)
    for sid in run.seen["disposable"]:
        sent = [s for s, got, cancel in _under_sessions(run) if cancel and got == sid]
        assert len([s for s in sent if s.authorized]) <= 1, sent
