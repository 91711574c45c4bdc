"""The check against a served target (the mock on loopback) configured only through PREVAIL_*
(a run of the correct served mock, which shows no secret, is ``test_check_live_complete``'s)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.plugins.check import LiveMock, clean_env, run_check, run_python, secrets_of, serve_mock


@pytest.mark.slow
def test_live_run_with_a_broken_rule_exits_1_naming_it(tmp_path: Path) -> None:
    with serve_mock(bugs=("schedule-all-three",)) as served:
        env = {k: v for k, v in served.env.items() if k != "PREVAIL_TOKEN"}  # mint from the key
        run = run_check(tmp_path, env=env)
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-2000:]
    failed = [r for r in run.report["rules"] if r["status"] == "failed"]
    assert [r["id"] for r in failed] == ["schedule-all-three"]
    reproduce = failed[0]["failures"][0]["reproduce"]
    assert "Bearer ***" in reproduce  # minted from the key: no variable holds it
    assert "$PREVAIL_TOKEN" not in reproduce
    assert served.env["PREVAIL_BASE_URL"] in reproduce
    for secret in secrets_of(served.env):
        assert secret not in run.stdout + (tmp_path / "conformance.json").read_text()


@pytest.mark.slow
def test_missing_fixtures_are_not_run_with_a_reason(served_mock: LiveMock, tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in served_mock.env.items()
        if k
        not in (
            "PREVAIL_LOCKED_SESSION_ID",
            "PREVAIL_LOCKED_SESSION_IDS",
            "PREVAIL_MOCK_ADMIN_URL",
            "PREVAIL_FOREIGN_SESSION_ID",
            "PREVAIL_COMPANY_ID",
            "PREVAIL_API_KEY",
        )
    }
    run = run_check(tmp_path, env=env)
    # documented rules left not_run fail the run (unless a baseline accepts them), naming why
    assert run.returncode == 1, run.stdout[-3000:]
    assert "result: exit 1: documented rule org-ownership was not run" in run.stdout
    assert run.report["verdict"]["exit_code"] == 1
    rules = {r["id"]: r for r in run.report["rules"]}
    assert rules["org-ownership"]["status"] == "not_run"
    assert rules["org-ownership"]["counted"] is True
    assert "PREVAIL_FOREIGN_SESSION_ID" in rules["org-ownership"]["reason"]
    assert rules["editable-states"]["status"] == "not_run"
    assert "PREVAIL_LOCKED_SESSION_ID" in rules["editable-states"]["reason"]
    # a passed rule says which of its probes it could not make
    assert rules["auth-required"]["status"] == "passed"
    assert any("PREVAIL_API_KEY" in note for note in rules["auth-required"]["notes"])


def test_configuration_errors_exit_2_naming_what_is_missing(tmp_path: Path) -> None:
    run = run_check(tmp_path, "--base-url", "http://127.0.0.1:9/api/v1", "--token", "x")
    assert run.returncode == 2
    assert "PREVAIL_SESSION_ID" in run.stderr
    run = run_check(
        tmp_path,
        env={
            "PREVAIL_BASE_URL": "http://127.0.0.1:9/api/v1",
            "PREVAIL_SESSION_ID": "s1",
            "PREVAIL_TOKEN": "x",
        },
    )
    assert run.returncode == 2
    assert "cannot reach" in run.stderr


@pytest.mark.slow
def test_plain_pytest_runs_the_suite_on_the_embedded_mock() -> None:
    done = run_python("-m", "pytest", "contract_tests", "-q", "-p", "no:cacheprovider", timeout=240)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "per-rule results" in done.stdout
    assert "not_run" not in done.stdout
    assert "failed" not in done.stdout.split("per-rule results", 1)[1]


@pytest.mark.slow
def test_reproduce_runs_as_printed_with_the_variables_set(tmp_path: Path) -> None:
    with serve_mock(bugs=("schedule-all-three",)) as served:
        run = run_check(tmp_path, env=served.env)
        failed = [r for r in run.report["rules"] if r["status"] == "failed"]
        reproduce = failed[0]["failures"][0]["reproduce"]
        assert '-H "Authorization: Bearer $PREVAIL_TOKEN"' in reproduce
        replay = subprocess.run(  # noqa: S602 - the command the report prints, as a user runs it
            reproduce,
            shell=True,
            capture_output=True,
            text=True,
            env={**clean_env(), **served.env},
            timeout=30,
            check=False,
        )
    assert replay.returncode == 0, replay.stderr
    assert replay.stdout.startswith("HTTP/1.1 200"), replay.stdout[:300]


def test_wrong_fixtures_exit_2_before_any_rule(served_mock: LiveMock, tmp_path: Path) -> None:
    for variable, value, said in [
        ("PREVAIL_SESSION_ID", "no-such-session", "session_not_found"),
        ("PREVAIL_TOKEN", "not.a.token", "401"),
        ("PREVAIL_BASE_URL", served_mock.base_url + "/elsewhere", "404"),
    ]:
        run = run_check(tmp_path / variable, env={**served_mock.env, variable: value})
        assert run.returncode == 2, (variable, run.stdout[-2000:], run.stderr)
        assert variable in run.stderr
        assert said in run.stderr
        assert "passed" not in run.stdout
        assert not (tmp_path / variable / "conformance.json").exists()
