"""The exit policy, ``--baseline``, ``--only``/``--exclude`` and junit.xml agreeing with the exit
code, on hand-made results (no suite run)."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from prevail_contract.check.baseline import Baseline, Entry, load_baseline
from prevail_contract.check.junit import junit_tree
from prevail_contract.check.policy import RunEnd, apply_selection, judge
from prevail_contract.check.selection import selection_from
from prevail_contract.errors import ConfigError
from prevail_contract.runtime.results import RuleResult
from prevail_contract.spec import load_spec

CATALOGUE = [rule.id for rule in load_spec().rules]
TODAY = dt.date(2026, 5, 1)


def _results(**statuses: str) -> list[RuleResult]:
    """Every catalogue rule passed, except those named (``field_formats="failed"``)."""
    out = []
    for rule in load_spec().rules:
        status = statuses.get(rule.id.replace("-", "_"), "passed")
        failures = [{"summary": f"{rule.id} broke", "reproduce": "curl x"}]
        out.append(
            RuleResult(
                rule.id,
                rule.source,
                status,  # type: ignore[arg-type]
                cases=3,
                accepted=1,
                rejected=2,
                failures=failures if status == "failed" else [],
                failure_count=1 if status == "failed" else 0,
                reason="needs PREVAIL_X" if status == "not_run" else None,
                seconds=0.25,
            )
        )
    return out


def _baseline(*entries: Entry) -> Baseline:
    return Baseline(Path("known.yaml"), {e.rule: e for e in entries})


def test_a_complete_passing_run_exits_0() -> None:
    assert judge(_results(), strict=False, end=RunEnd()).code == 0


@pytest.mark.parametrize(
    ("statuses", "strict", "code"),
    [
        ({"field_formats": "failed"}, False, 1),  # documented failure
        ({"field_limits": "failed"}, False, 0),  # assumed failure, plain run
        ({"field_limits": "failed"}, True, 1),  # assumed failure, --strict
        ({"editable_states": "not_run"}, False, 1),  # documented rule not run
        ({"method_not_allowed": "not_run"}, False, 0),  # assumed rule not run
        ({"method_not_allowed": "not_run"}, True, 0),  # --strict is about failures
    ],
)
def test_which_outcomes_count(statuses: dict[str, str], strict: bool, code: int) -> None:
    assert judge(_results(**statuses), strict=strict, end=RunEnd()).code == code


def test_a_run_stopped_by_its_deadline_is_never_green() -> None:
    # only assumed rules left unrun, every documented one passed: still not 0
    results = _results(error_shape="not_run")
    verdict = judge(results, strict=False, end=RunEnd(deadline_reached=True, deadline=2))
    assert verdict.code == 1
    assert "deadline of 2 s" in verdict.run_problems[0]


def test_target_error_interrupt_and_nothing_verified() -> None:
    assert judge(_results(), strict=False, end=RunEnd(target_error="reset")).code == 2
    assert judge(_results(), strict=False, end=RunEnd(interrupted=True)).code == 130
    nothing = {rule.replace("-", "_"): "not_run" for rule in CATALOGUE}
    verdict = judge(_results(**nothing), strict=False, end=RunEnd())
    assert (verdict.code, verdict.nothing_verified) == (2, True)


def test_rules_not_run_for_one_cause_share_one_line() -> None:
    """A target gone mid-run leaves the documented rules not run for one cause, each having
    passed some requests or none: one line names them all, where its first rule stands in the
    catalogue; another cause and a failure keep lines of their own."""
    documented = [r.id for r in load_spec().rules if r.documented]
    broken = next(r.id for r in load_spec().rules if not r.documented)
    statuses = {rule.replace("-", "_"): "not_run" for rule in documented}
    results = _results(**statuses, **{broken.replace("-", "_"): "failed"})
    stopped = "not checked: the run stopped on a target error (reset)"
    by_id = {r.id: r for r in results}
    for rule in documented:
        by_id[rule].reason = stopped
    by_id[documented[0]].reason = f"partly checked (41 request(s) passed); {stopped}"
    by_id[documented[2]].reason = f"partly checked (7 request(s) passed); {stopped}"
    by_id[documented[1]].reason = "needs PREVAIL_Y"
    verdict = judge(results, strict=True, end=RunEnd(target_error="reset"))
    assert verdict.code == 2
    rest = [rule for rule in documented if rule != documented[1]]
    # each line stands where its first rule stands in the catalogue
    lines = {
        rest[0]: f"documented rules {', '.join(rest)} were not run: {stopped}",
        documented[1]: f"documented rule {documented[1]} was not run: needs PREVAIL_Y",
        broken: f"assumed rule {broken} failed",
    }
    expected = [lines[rule] for rule in sorted(lines, key=CATALOGUE.index)]
    assert verdict.reasons == ["the run stopped on a target error: reset", *expected]


def test_one_rule_not_run_keeps_its_whole_reason_and_expired_entries_are_named() -> None:
    partly = "partly checked (3 request(s) passed); not checked: needs PREVAIL_X"
    results = _results(org_ownership="not_run", editable_states="not_run")
    by_id = {r.id: r for r in results}
    by_id["org-ownership"].reason = partly
    verdict = judge(results, strict=False, end=RunEnd())
    assert f"documented rule org-ownership was not run: {partly}" in verdict.reasons
    for rule in ("org-ownership", "editable-states"):
        by_id[rule].reason = "needs PREVAIL_X"
    expired = _baseline(
        *(
            Entry(rule, "known", status="not_run", expires=dt.date(2026, 1, 1))
            for rule in ("org-ownership", "editable-states")
        )
    )
    verdict = judge(results, strict=False, end=RunEnd(), baseline=expired, today=TODAY)
    (line,) = verdict.reasons
    assert "were not run (their baseline entries expired on 2026-01-01): needs PREVAIL_X" in line


def test_a_baseline_turns_a_known_failure_into_a_warning_and_a_new_one_fails() -> None:
    known = _baseline(Entry("field-formats", "looser email check (PREV-1)"))
    verdict = judge(_results(field_formats="failed"), strict=False, end=RunEnd(), baseline=known)
    assert verdict.code == 0
    assert any("excused by the baseline" in w and "PREV-1" in w for w in verdict.warnings)
    results = _results(field_formats="failed", id_stable="failed")
    verdict = judge(results, strict=False, end=RunEnd(), baseline=known)
    assert verdict.code == 1
    assert verdict.reasons == ["documented rule id-stable failed"]


def test_accepted_not_run_and_a_newly_not_run_rule() -> None:
    known = _baseline(Entry("editable-states", "no locked Session on staging", status="not_run"))
    results = _results(editable_states="not_run")
    assert judge(results, strict=False, end=RunEnd(), baseline=known).code == 0
    results = _results(editable_states="not_run", org_ownership="not_run")
    verdict = judge(results, strict=False, end=RunEnd(), baseline=known)
    assert verdict.code == 1
    assert "org-ownership was not run" in verdict.reasons[0]
    # an entry for not_run does not excuse a failure of the same rule
    results = _results(editable_states="failed")
    assert judge(results, strict=False, end=RunEnd(), baseline=known).code == 1


def test_an_expired_entry_stops_excusing_and_says_so() -> None:
    known = _baseline(Entry("field-formats", "until the fix", expires=dt.date(2026, 4, 30)))
    results = _results(field_formats="failed")
    verdict = judge(results, strict=False, end=RunEnd(), baseline=known, today=TODAY)
    assert verdict.code == 1
    assert "expired on 2026-04-30" in verdict.reasons[0]
    still = judge(results, strict=False, end=RunEnd(), baseline=known, today=dt.date(2026, 4, 30))
    assert still.code == 0  # the expiry day itself still excuses


def test_a_baseline_does_not_excuse_a_deadline() -> None:
    known = _baseline(Entry("editable-states", "fine"))
    results = _results(editable_states="not_run")
    end = RunEnd(deadline_reached=True, deadline=5)
    assert judge(results, strict=False, end=end, baseline=known).code == 1


def test_reviewed_baseline_in_yaml_and_json(tmp_path: Path) -> None:
    yaml_file = tmp_path / "known.yaml"
    yaml_file.write_text(
        "known:\n"
        "  - rule: field-formats\n"
        "    reason: staging's email check is looser (PREV-1234)\n"
        "    expires: 2026-06-30\n"
        "  - rule: editable-states\n"
        "    reason: no locked Session yet\n"
        "    status: not_run\n"
    )
    loaded = load_baseline(yaml_file, CATALOGUE)
    entry = loaded.entry("field-formats")
    assert entry is not None
    assert entry.expires == dt.date(2026, 6, 30)
    assert loaded.entry("editable-states") == Entry(
        "editable-states", "no locked Session yet", status="not_run"
    )
    json_file = tmp_path / "known.json"
    json_file.write_text(
        json.dumps({"known": [{"rule": "id-stable", "reason": "r", "expires": "2026-01-02"}]})
    )
    assert load_baseline(json_file, CATALOGUE).entry("id-stable") is not None


def test_a_previous_conformance_json_is_a_baseline(tmp_path: Path) -> None:
    report = {
        "target": "t",
        "rules": [
            {"id": "field-formats", "status": "failed"},
            {"id": "editable-states", "status": "not_run"},
            {"id": "id-stable", "status": "passed"},
            {"id": "org-ownership", "status": "excluded"},
        ],
    }
    path = tmp_path / "conformance.json"
    path.write_text(json.dumps(report))
    loaded = load_baseline(path, CATALOGUE)
    assert set(loaded.entries) == {"field-formats", "editable-states"}
    failed = loaded.entry("field-formats")
    assert failed is not None
    assert failed.covers("failed")
    assert not failed.covers("not_run")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("known:\n  - rule: no-such-rule\n    reason: x\n", "unknown rule id 'no-such-rule'"),
        ("known:\n  - rule: id-stable\n", "'reason' must say why"),
        ("known:\n  - rule: id-stable\n    reason: x\n    expires: soon\n", "'expires'"),
        ("known:\n  - rule: id-stable\n    reason: x\n    until: 2026-01-01\n", "unknown keys"),
        ("known:\n  - {rule: id-stable, reason: x}\n  - {rule: id-stable, reason: y}\n", "twice"),
        ("rules: [{id: nope, status: failed}]\n", "unknown rule id 'nope'"),
        ("just: text\n", "neither a conformance.json"),
        ("known: [\n", "not valid YAML"),
        (  # YAML reads an unquoted date itself: the impossible one is still the entry's
            "known:\n  - rule: id-stable\n    reason: x\n    expires: 2026-02-30\n",
            "--baseline {path}: known[0] (id-stable): 'expires' must be a date such as "
            "2026-06-30 (YYYY-MM-DD), got '2026-02-30' (day is out of range for month)",
        ),
        (
            "known:\n  - rule: id-stable\n    reason: x\n    expires: !!int x\n",
            "not valid YAML ('x' is not a valid int",
        ),
        (  # aliases nested ten deep: the message stays short (and quick)
            "known:\n  - rule: id-stable\n    reason: x\n    expires: [&l0 [x, x, x, x, x], "
            + "".join(f"&l{n} [{', '.join([f'*l{n - 1}'] * 10)}], " for n in range(1, 10))
            + "]\n",
            "'expires' must be a date",
        ),
    ],
)
def test_a_bad_baseline_is_one_configuration_error(tmp_path: Path, text: str, said: str) -> None:
    path = tmp_path / "known.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_baseline(path, CATALOGUE)
    assert said.format(path=path) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert len(str(caught.value)) - len(str(path)) < 300


def test_a_date_like_baseline_value_is_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "known.yaml"
    path.write_text(
        "known:\n  - {rule: id-stable, reason: 2026-02-30, expires: 2026-06-30T10:00:00Z}\n"
    )
    entry = load_baseline(path, CATALOGUE).entry("id-stable")
    assert entry == Entry("id-stable", "2026-02-30", dt.date(2026, 6, 30))


def test_only_and_exclude_are_checked_against_the_catalogue() -> None:
    chosen = selection_from(["field-formats,id-stable"], [], CATALOGUE)
    assert chosen.selected == ("field-formats", "id-stable")
    left = selection_from([], ["field-formats"], CATALOGUE)
    assert "field-formats" not in left.selected
    assert len(left.selected) == len(CATALOGUE) - 1
    assert selection_from([], [], CATALOGUE).everything
    with pytest.raises(ConfigError, match="unknown rule id"):
        selection_from(["fields-formats"], [], CATALOGUE)
    with pytest.raises(ConfigError, match="leave no rule"):
        selection_from(["id-stable"], ["id-stable"], CATALOGUE)
    for empty in ([""], [","], ["", " , "]):  # an unset CI variable is no selection
        with pytest.raises(ConfigError, match="names no rule; accepted: rule ids"):
            selection_from(empty, [], CATALOGUE)
        with pytest.raises(ConfigError, match=r"--exclude .*names no rule"):
            selection_from([], empty, CATALOGUE)


def test_excluded_rules_are_reported_as_such_and_do_not_count() -> None:
    results = _results(field_formats="failed", editable_states="not_run")
    apply_selection(results, selection_from([], ["field-formats", "editable-states"], CATALOGUE))
    by_id = {r.id: r for r in results}
    assert by_id["field-formats"].status == "excluded"
    assert by_id["field-formats"].failures == []
    assert judge(results, strict=False, end=RunEnd()).code == 0


def _junit(results: list[RuleResult], problems: list[str] | None = None) -> ET.Element:
    return junit_tree(results, target="t", run_problems=problems or []).getroot()


def test_junit_agrees_with_the_exit_code() -> None:
    # an assumed failure in a plain run: exit 0, so no <failure>, but a warning is kept
    results = _results(field_limits="failed")
    assert judge(results, strict=False, end=RunEnd()).code == 0
    suite = _junit(results)
    assert suite.get("failures") == "0"
    assert suite.get("errors") == "0"
    case = suite.find("testcase[@name='field-limits']")
    assert case is not None
    skipped = case.find("skipped")
    assert skipped is not None
    assert "--strict" in (skipped.get("message") or "")
    assert "WARNING" in (case.findtext("system-out") or "")
    # the same failure under --strict: exit 1 and a <failure>
    results = _results(field_limits="failed")
    assert judge(results, strict=True, end=RunEnd()).code == 1
    assert _junit(results).get("failures") == "1"
    # a documented rule not run is a failure too
    results = _results(editable_states="not_run")
    judge(results, strict=False, end=RunEnd())
    failure = _junit(results).find("testcase[@name='editable-states']/failure")
    assert failure is not None
    assert failure.get("type") == "NotRun"


def test_junit_shows_a_run_level_problem_as_an_error_and_real_times() -> None:
    results = _results(error_shape="not_run")
    verdict = judge(results, strict=False, end=RunEnd(deadline_reached=True, deadline=2))
    suite = _junit(results, verdict.run_problems)
    assert suite.get("errors") == "1"
    error = suite.find("testcase[@name='run']/error")
    assert error is not None
    assert "deadline" in (error.get("message") or "")
    times = {case.get("name"): case.get("time") for case in suite.iter("testcase")}
    assert times["field-formats"] == "0.250"


def test_check_help_states_the_exit_policy(capsys: pytest.CaptureFixture[str]) -> None:
    from prevail_contract.cli import main

    with pytest.raises(SystemExit):
        main(["check", "--help"])
    shown = capsys.readouterr().out
    assert "exit codes:" in shown
    for line in ("  0    ", "  1    ", "  2    ", "  130  "):
        assert line in shown
    assert "--baseline" in shown
    assert "--only" in shown
