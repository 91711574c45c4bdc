"""Live runs as complete as embedded ones, proved over HTTP against the served mock.

With the variables the mock writes (the README's), nothing is ``not_run``, with the mock's admin
API (``PREVAIL_MOCK_ADMIN_URL``) and without it, as against staging (there the cancels go to the
disposable Sessions, and only ``cancel-without-email``, seen in the mock's outbox alone, and
``cancel-query-validated``, whose malformed flag goes to no real Session, are ``not_run``);
without the fixtures a
probe needs, its rules are ``not_run`` naming them. Each planted bug of ``editable-states``,
``state-ready-after-edit``, ``method-not-allowed`` and ``rejected-changes-nothing``, and each
narrow leak of one kind of refusal, is caught over HTTP: without the admin API wherever the
fixture variables allow, with it where only a mock can show the breach (another Organization's
Session, a refused method's body on an existing Session), and so is a server that skips its
token check for edits carrying invites. Runs are shared by the module, two at a time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from prevail_contract.runtime.together import DEFAULT_CONCURRENCY
from prevail_contract.spec import load_spec
from tests.plugins.breaches import TokenSkippedForInvites
from tests.plugins.check import (
    SERVED_MOCK_BASELINE,
    LiveMock,
    ServedJob,
    ServedRun,
    run_served_parallel,
    secrets_of,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

SPEC = load_spec()
ADMIN = "PREVAIL_MOCK_ADMIN_URL"
#: What a staging run has: every variable the mock writes but its admin API.
STAGING = (ADMIN,)
RULE = "rejected-changes-nothing"
BASELINE = ("--baseline", str(SERVED_MOCK_BASELINE))
#: The assumed rules no run without the admin API can judge: the cancel's emails (seen in the
#: mock's outbox only), and its malformed flag (sent to a Session made on a mock only).
MOCK_ONLY = {"cancel-without-email": "outbox", "cancel-query-validated": "no real Session"}

#: run -> (planted bugs, the rules it must fail and no other, a text each kind's failures show)
#: against the served mock without its admin API, as against staging.
CAUGHT_LIVE: dict[str, tuple[tuple[str, ...], set[str], tuple[str, ...]]] = {
    # a server that edits every state edits a canceled Session too (one this run canceled)
    "editable-states": (("editable-states",), {"editable-states", "canceled-not-editable"}, ()),
    "editable-states:initial": (("editable-states:initial",), {"editable-states"}, ("initial",)),
    "state-ready-after-edit": (("state-ready-after-edit",), {"state-ready-after-edit"}, ()),
    "method-not-allowed": (("method-not-allowed",), {"method-not-allowed"}, ("absent id",)),
    RULE: ((RULE,), {RULE}, ()),
    "leak on 401": ((f"{RULE}:auth",), {RULE, "auth-required"}, ("refused with 401",)),
    "leak on 403": ((f"{RULE}:self-service",), {RULE, "self-service-required"}, ("with 403",)),
    # three kinds that break only the rule itself, told apart by the status each names
    "leak on 409, 415, 413": (
        (f"{RULE}:state", f"{RULE}:media-type", f"{RULE}:size"),
        {RULE},
        ("refused with 409", "refused with 415", "refused with 413"),
    ),
}
#: Caught against a served mock through its admin API only (a note says so on staging).
CAUGHT_WITH_ADMIN: dict[str, tuple[tuple[str, ...], set[str], tuple[str, ...]]] = {
    "leak on 404": ((f"{RULE}:ownership",), {RULE, "org-ownership"}, ("with 404",)),
    "leak on 405": ((f"{RULE}:method",), {RULE}, ("refused with 405",)),
}


def _states(served: LiveMock) -> dict[str, str]:
    """The state of each fresh Session in the served mock after the run."""
    store = served.app.state.mock.store
    fresh = served.env["PREVAIL_FRESH_SESSION_IDS"].split(",")
    return {sid: asyncio.run(store.get(sid)).state for sid in fresh}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ServedRun]:
    jobs = {
        # with the README's baseline, which excuses nothing here, and the served variables kept
        "with-admin": ServedJob(args=BASELINE, after=lambda served: dict(served.env)),
        # the same run, one request at a time (the default sends up to four at once)
        "with-admin, one at a time": ServedJob(args=(*BASELINE, "--concurrency", "1")),
        "staging": ServedJob(drop=STAGING, after=_states),
        "bare": ServedJob(
            drop=(ADMIN, "PREVAIL_FRESH_SESSION_IDS", "PREVAIL_LOCKED_SESSION_IDS"),
        ),
    }
    jobs |= {
        f"live {name}": ServedJob(bugs=b, drop=STAGING) for name, (b, _, _) in CAUGHT_LIVE.items()
    }
    jobs |= {f"admin {name}": ServedJob(bugs=b) for name, (b, _, _) in CAUGHT_WITH_ADMIN.items()}
    # a server that skips its token check for edits carrying invites (no planted bug does)
    jobs["token skipped for invites"] = ServedJob(
        drop=STAGING, wrap=TokenSkippedForInvites, after=lambda served: served.app.skipped
    )
    return run_served_parallel(jobs, tmp_path_factory.mktemp("live-complete"))


def _rules(run: ServedRun) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in run.report["rules"]}


@pytest.mark.parametrize("name", ["with-admin", "staging"])
def test_with_the_readme_variables_nothing_is_not_run(
    runs: dict[str, ServedRun], name: str
) -> None:
    run = runs[name]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    statuses = {rule_id: r["status"] for rule_id, r in _rules(run).items()}
    # a cancel's notifications show only in the mock's outbox, read through its admin API, and
    # its malformed flag goes to no real Session (a lenient server would cancel it)
    unseen = dict.fromkeys(MOCK_ONLY, "not_run") if name == "staging" else {}
    assert statuses == {rule.id: "passed" for rule in SPEC.rules} | unseen
    for rule_id in unseen:
        assert MOCK_ONLY[rule_id] in _rules(run)[rule_id]["reason"]


def test_a_served_run_passes_and_never_shows_a_secret(runs: dict[str, ServedRun]) -> None:
    run, env = runs["with-admin"], runs["with-admin"].seen
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    # with the mock's admin API every state can be made: nothing is left for the baseline
    assert "excused by the baseline" not in run.stdout
    assert "preflight:" in run.stdout
    assert run.report["target"] == env["PREVAIL_BASE_URL"]
    # every file the run wrote, in subdirectories (repro scripts) too
    files = [p for p in run.report_dir.rglob("*") if p.is_file()]
    texts = [run.stdout, run.stderr] + [p.read_text(errors="replace") for p in files]
    for secret in secrets_of(env):
        assert all(secret not in text for text in texts)


def test_one_request_at_a_time_gives_the_same_requests_and_verdicts(
    runs: dict[str, ServedRun],
) -> None:
    """The pieces of work are the same at every concurrency; only their timing differs."""
    together, alone = runs["with-admin"].report, runs["with-admin, one at a time"].report
    assert together["run"]["concurrency"] == DEFAULT_CONCURRENCY  # a served target's default
    assert alone["run"]["concurrency"] == 1
    assert alone["requests"] == together["requests"]
    statuses = {r["id"]: (r["status"], r["cases"]) for r in together["rules"]}
    assert {r["id"]: (r["status"], r["cases"]) for r in alone["rules"]} == statuses


def test_staging_sends_methods_to_an_absent_id_and_uses_one_fresh_session(
    runs: dict[str, ServedRun],
) -> None:
    rules = _rules(runs["staging"])
    assert any("made-up absent id" in n for n in rules["method-not-allowed"]["notes"])
    assert any("DELETE /sessions" in n for n in rules["method-not-allowed"]["notes"])
    # each fresh Session is edited once, in order: the first is used, the others left alone
    states = list(runs["staging"].seen.values())
    assert states[0] == "ready"
    assert set(states[1:]) == {"scheduled"}
    # what only a mock can show is a note, not a gap
    assert any("another Organization" in n for n in rules["org-ownership"]["notes"])


def test_with_the_admin_api_nothing_is_left_to_a_note(runs: dict[str, ServedRun]) -> None:
    rules = _rules(runs["with-admin"])
    for rule_id in ("method-not-allowed", "org-ownership", RULE):
        assert not rules[rule_id].get("notes"), rules[rule_id]["notes"]


def test_without_the_fixtures_each_not_run_names_its_variable(runs: dict[str, ServedRun]) -> None:
    rules = _rules(runs["bare"])
    not_run = {rule_id for rule_id, r in rules.items() if r["status"] == "not_run"}
    assert not_run == {"editable-states", "state-ready-after-edit", RULE, *MOCK_ONLY}
    assert "PREVAIL_FRESH_SESSION_IDS" in rules["state-ready-after-edit"]["reason"]
    # the locked states the single PREVAIL_LOCKED_SESSION_ID does not cover, by name
    for state in ("initial", "canceled"):
        wanted = f"add {state}:ID to PREVAIL_LOCKED_SESSION_IDS"
        assert wanted in rules["editable-states"]["reason"]
        assert wanted in rules[RULE]["reason"]
    assert "PREVAIL_FRESH_SESSION_IDS" in rules["editable-states"]["reason"]


@pytest.mark.parametrize(
    "name", [f"live {n}" for n in CAUGHT_LIVE] + [f"admin {n}" for n in CAUGHT_WITH_ADMIN]
)
def test_planted_bug_is_caught_over_http(runs: dict[str, ServedRun], name: str) -> None:
    run = runs[name]
    _, wanted, shown = {**CAUGHT_LIVE, **CAUGHT_WITH_ADMIN}[name.split(" ", 1)[1]]
    rules = _rules(run)
    failed = {rule_id for rule_id, r in rules.items() if r["status"] == "failed"}
    assert failed == wanted, (failed, run.stdout[-2500:], run.stderr[-1500:])
    documented = any(SPEC.rule(rule_id).documented for rule_id in wanted)
    assert run.returncode == (1 if documented else 0), (run.stdout[-2500:], run.stderr[-1500:])
    summaries = [f["summary"] for rule_id in wanted for f in rules[rule_id]["failures"]]
    for text in shown:
        assert any(text in s for s in summaries), (text, summaries)
    for rule_id in wanted:
        assert all(f["reproduce"].startswith("curl ") for f in rules[rule_id]["failures"])
    if RULE in wanted:
        reads = [f["summary"] for f in rules[RULE]["failures"]]
        assert any("before and after" in s for s in reads), reads


def test_a_server_skipping_the_token_for_invites_fails_auth_required(
    runs: dict[str, ServedRun],
) -> None:
    run = runs["token skipped for invites"]
    assert run.seen > 0  # the server was met where it breaks the rule
    rules = _rules(run)
    failed = {rule_id for rule_id, r in rules.items() if r["status"] == "failed"}
    assert failed == {"auth-required"}, (failed, run.stdout[-2500:])
    assert run.returncode == 1
    summaries = [f["summary"] for f in rules["auth-required"]["failures"]]
    assert any("an edit of invites only: accepted" in s for s in summaries), summaries
