"""The check order is data: swapping two adjacent ``x-check-order`` entries in a copy of the spec
changes which refusal the mock built from that copy gives a request with both faults, and the
contract suite run with ``--spec COPY`` against that mock still passes. Facts the mock reads
from the spec (payload limit, editable states, the state after an edit) follow edits the same
way, and a list the mock cannot run is a spec error before it serves anything.
"""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from prevail_contract.errors import SpecError
from prevail_contract.mock import create_app, target_environment
from prevail_contract.mock.bugs import CHOICES, PLANTABLE_BUGS, PLANTED_VARIANTS
from prevail_contract.mock.pipeline import CHECKS
from prevail_contract.spec import Spec, read_document
from prevail_contract.spec.paths import REPO_ROOT, SPEC_PATH
from tests.plugins.check import CheckRun, run_checks_parallel
from tests.plugins.mock import MockUnderTest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

#: A few embedded suite runs, two at a time.
pytestmark = pytest.mark.timeout(1200)

Send = Callable[[MockUnderTest], httpx.Response]


def _edit_operation(doc: dict[str, Any]) -> dict[str, Any]:
    for item in doc["paths"].values():
        for node in item.values():
            if isinstance(node, dict) and node.get("operationId") == "edit_session":
                return node
    raise AssertionError("the spec has no edit_session operation")


def swapped(first: str, second: str) -> dict[str, Any]:
    """The spec with two adjacent ``x-check-order`` entries swapped."""
    doc = read_document(SPEC_PATH)
    order = _edit_operation(doc)["x-check-order"]
    index = order.index(first)
    assert order[index + 1] == second, f"{first} and {second} are not adjacent in {order}"
    order[index], order[index + 1] = second, first
    return doc


def with_order(order: list[str]) -> dict[str, Any]:
    doc = read_document(SPEC_PATH)
    _edit_operation(doc)["x-check-order"] = order
    return doc


def write(doc: dict[str, Any], path: Path) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _mock(spec: Spec | Path | None = None) -> Iterator[MockUnderTest]:
    app = create_app(spec=spec)
    with TestClient(app, base_url="http://mock") as client:
        yield MockUnderTest(app, target_environment(app, "http://mock"), client)


def _oversized_text(m: MockUnderTest) -> httpx.Response:
    """415 (text/plain) and 413 (one byte over the limit) at once."""
    size = m.app.state.mock.facts.max_body + 1
    return m.patch(b"x" * size, headers={"Content-Type": "text/plain"})


def _partial_schedule_bad_invite(m: MockUnderTest) -> httpx.Response:
    """``incomplete_schedule`` and ``validation_failed`` at once."""
    return m.patch({"remote_session": {"start_date": "2031-03-01", "invites": ["not-an-email"]}})


def _locked_bad_invite(m: MockUnderTest) -> httpx.Response:
    """``validation_failed`` and ``session_not_editable`` at once."""
    body = {"remote_session": {"invites": ["not-an-email"]}}
    return m.patch(body, session_id=m.env["PREVAIL_LOCKED_SESSION_ID"])


#: Adjacent pairs of the spec's order, and a request with exactly those two faults.
SWAPS: dict[tuple[str, str], Send] = {
    ("media-type", "payload-limit"): _oversized_text,
    ("schedule-all-three", "field-formats"): _partial_schedule_bad_invite,
    ("field-formats", "editable-states"): _locked_bad_invite,
}


def _answer(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, str(response.json().get("code"))


def _refusal(spec: Spec, rule_id: str) -> tuple[int, str]:
    rule = spec.rule(rule_id)
    return int(rule.status), str(rule.code)


@pytest.mark.parametrize("pair", list(SWAPS), ids="/".join)
def test_swapping_two_checks_changes_the_refusal(pair: tuple[str, str]) -> None:
    first, second = pair
    send = SWAPS[pair]
    original = Spec(read_document(SPEC_PATH))
    for m in _mock(original):
        before = m.stored()
        assert _answer(send(m)) == _refusal(original, first)
        assert m.stored() == before
    copy = Spec(swapped(first, second))
    for m in _mock(copy):
        steps = [step.rule for step in m.app.state.mock.steps]
        assert steps.index(second) == steps.index(first) - 1
        before = m.stored()
        assert _answer(send(m)) == _refusal(copy, second)
        assert m.stored() == before


def test_state_before_the_body_never_reads_the_body() -> None:
    """With editable-states first of all but the token checks, a locked Session is refused
    even for a body that is not JSON at all."""
    doc = read_document(SPEC_PATH)
    order = _edit_operation(doc)["x-check-order"]
    order.remove("editable-states")
    order.insert(order.index("org-ownership") + 1, "editable-states")
    for m in _mock(Spec(doc)):
        locked = m.env["PREVAIL_LOCKED_SESSION_ID"]
        response = m.patch(b"{not json", session_id=locked, headers={"Content-Type": "text/x"})
        assert _answer(response) == _refusal(Spec(doc), "editable-states")
        assert m.patch({"remote_session": {"title": "Still fine"}}).status_code == 200


def _replace(old: str, new: str) -> Callable[[list[str]], list[str]]:
    return lambda order: [new if r == old else r for r in order]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_replace("media-type", "no-such-check"), "no rule 'no-such-check' in x-rules"),
        (_replace("media-type", "id-stable"), "'id-stable', which is not one of the edit's checks"),
        (lambda order: [r for r in order if r != "media-type"], "lacks media-type: place every"),
        (lambda order: [*order, "media-type"], "lists media-type more than once"),
    ],
    ids=["unknown id", "not a check", "check left out", "check twice"],
)
def test_an_order_the_mock_cannot_run_is_a_spec_error(
    edit: Callable[[list[str]], list[str]], message: str
) -> None:
    order = list(_edit_operation(read_document(SPEC_PATH))["x-check-order"])
    with pytest.raises(SpecError, match=message):
        create_app(spec=Spec(with_order(edit(order))))


def test_a_check_before_what_it_needs_is_a_spec_error(tmp_path: Path) -> None:
    order = list(_edit_operation(read_document(SPEC_PATH))["x-check-order"])
    order.remove("field-formats")
    order.insert(order.index("malformed-json"), "field-formats")
    with pytest.raises(SpecError, match="puts 'field-formats' before 'malformed-json'"):
        create_app(spec=Spec(with_order(order)))
    bad = write(with_order(order), tmp_path / "openapi.yaml")
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "prevail_contract", "mock", "--spec", str(bad), "--port", "0"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "x-check-order puts 'field-formats' before 'malformed-json'" in done.stderr
    assert "Prevail mock serving" not in done.stdout


def test_the_plantable_bugs_are_the_steps_and_behaviour_rules_declarations() -> None:
    for step in CHECKS.values():
        for bug in step.bugs:
            assert bug in CHOICES
    assert set(CHECKS) <= {b.split(":")[0] for b in CHOICES} | {
        "media-type",
        "payload-limit",
        "malformed-json",
    }, "every other check of the order can be broken on purpose"
    assert not set(PLANTABLE_BUGS) & set(PLANTED_VARIANTS)
    assert all(":" in v for v in PLANTED_VARIANTS)
    spec = Spec(read_document(SPEC_PATH))
    for bug in (*PLANTABLE_BUGS, *PLANTED_VARIANTS):
        spec.rule(bug.split(":")[0])  # every bug names a rule of the catalogue


def test_unknown_bug_message_and_help_list_the_declared_bugs() -> None:
    with pytest.raises(Exception, match="choose from") as caught:
        create_app(bugs=["no-such-rule"])
    for bug in CHOICES:
        assert bug in str(caught.value)
    done = subprocess.run(
        [sys.executable, "-m", "prevail_contract", "mock", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )
    flat = "".join(done.stdout.split())  # argparse wraps lines at hyphens
    for bug in CHOICES:
        assert bug in flat


def test_payload_limit_follows_x_limits() -> None:
    doc = read_document(SPEC_PATH)
    for rule in _edit_operation(doc)["x-rules"]:
        if isinstance(rule, dict) and rule.get("id") == "payload-limit":
            rule["x-limits"][0]["value"] = 2048
    for m in _mock(Spec(doc)):
        body = b'{"remote_session": {"title": "Small"}}'
        assert m.patch(body + b" " * (2048 - len(body))).status_code == 200
        refused = m.patch(body + b" " * (2049 - len(body)))
        assert _answer(refused) == (413, "payload_too_large")
        assert "2048 bytes (2 KiB)" in refused.json()["messages"]
        assert "MiB" not in refused.json()["messages"]


def test_editable_states_and_state_after_edit_follow_the_spec() -> None:
    doc = read_document(SPEC_PATH)
    state = doc["components"]["schemas"]["Session"]["properties"]["state"]
    state["x-editable-states"] = ["scheduled", "ready", "initial"]
    state["x-state-after-edit"] = "scheduled"
    for m in _mock(Spec(doc)):
        locked = dict(pair.split(":", 1) for pair in m.env["PREVAIL_LOCKED_SESSION_IDS"].split(","))
        assert "initial" not in locked
        edited = m.patch({"remote_session": {"title": "Renamed"}})
        assert edited.status_code == 200
        assert edited.json()["sessions"][0]["state"] == "scheduled"
        refused = m.patch({"remote_session": {"title": "x"}}, session_id=locked["active"])
        assert refused.status_code == 409
        assert '"scheduled" or "ready" or "initial"' in refused.json()["messages"]


@pytest.fixture(scope="module")
def swapped_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckRun]:
    """``prevail-contract check --spec COPY`` (embedded mock built from COPY) per swap."""
    base = tmp_path_factory.mktemp("swapped-order")
    jobs: dict[str, tuple[Path, list[str]]] = {}
    for first, second in SWAPS:
        name = f"{first}+{second}"
        spec = write(swapped(first, second), base / f"{name}.yaml")
        jobs[name] = (base / name, ["--spec", str(spec)])
    return run_checks_parallel(jobs)


@pytest.mark.slow
@pytest.mark.parametrize("pair", list(SWAPS), ids="/".join)
def test_suite_passes_the_mock_of_the_swapped_spec(
    swapped_runs: dict[str, CheckRun], pair: tuple[str, str]
) -> None:
    run = swapped_runs["+".join(pair)]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    statuses = {r["id"]: r["status"] for r in run.report["rules"]}
    assert statuses["check-order"] == "passed", statuses
    assert "failed" not in statuses.values(), statuses


def test_readme_names_exactly_the_declared_bugs() -> None:
    """The README's planted-bug paragraph is prose around the declared list: it names every
    bug the mock declares, and nothing that looks like a bug but is not one."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("**Planted bugs**", 1)[1].split("**Limits, honestly.**", 1)[0]
    named = set(re.findall(r"`(?:--bug )?([a-z][a-z0-9-]*(?::[a-z0-9-]+)?)`", section))
    rules = {r.id for r in Spec(read_document(SPEC_PATH)).rules}
    looks_like_bug = {n for n in named if n.split(":")[0] in rules or n in CHOICES}
    assert set(CHOICES) <= named, f"README lacks {sorted(set(CHOICES) - named)}"
    assert looks_like_bug <= set(CHOICES), f"README names {sorted(looks_like_bug - set(CHOICES))}"
