"""The tests' warm check processes: forked runs behave like fresh ``prevail-contract`` ones."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from prevail_contract import __version__
from prevail_contract.spec.paths import SPEC_PATH, SPEC_VAR
from tests.plugins import warm
from tests.plugins.check import check_command, clean_env, run_check


def test_a_warm_run_gets_its_arguments_and_exits_with_the_commands_code() -> None:
    proc = warm.start([sys.executable, "-m", "prevail_contract", "--version"], clean_env())
    assert isinstance(proc, warm.WarmProcess)
    assert proc.wait(timeout=60) == 0
    out, _ = proc.communicate()
    assert __version__ in out
    assert not proc.workdir.exists()  # its output files are gone once read


def test_a_warm_run_sees_exactly_its_own_environment(tmp_path: Path) -> None:
    broken = run_check(tmp_path / "a", env={"PREVAIL_BASE_URL": "http://127.0.0.1:9/api/v1"})
    assert broken.returncode == 2
    assert "PREVAIL_TOKEN" in broken.stderr
    # the next run forked from the same server has no PREVAIL_BASE_URL: it checks the embedded
    # mock (one rule, to stay quick)
    run = run_check(tmp_path / "b", "--only", "request-envelope")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "embedded mock" in run.stdout
    assert run.status("request-envelope") == "passed"


def test_a_usage_error_exits_2_with_the_subcommands_usage(tmp_path: Path) -> None:
    run = run_check(tmp_path, "--no-such-flag")
    assert run.returncode == 2
    assert "unrecognized arguments: --no-such-flag" in run.stderr
    assert "usage: prevail-contract check" in run.stderr


def test_a_killed_warm_run_reports_the_signal(tmp_path: Path) -> None:
    proc = warm.start(check_command(tmp_path), clean_env())
    assert isinstance(proc, warm.WarmProcess)
    proc.kill()
    assert proc.wait(timeout=60) == -signal.SIGKILL
    proc.communicate()


def test_a_run_of_another_spec_and_a_cold_run_start_afresh(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "prevail_contract", "--version"]
    for proc in (
        warm.start(command, clean_env({SPEC_VAR: str(SPEC_PATH)})),
        warm.start(command, clean_env(), cold=True),
    ):
        assert isinstance(proc, subprocess.Popen)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        assert __version__ in out
