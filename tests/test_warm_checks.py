"""The tests' warm check processes: forked runs behave like fresh ``prevail-contract`` ones."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

from prevail_contract import __version__
from prevail_contract.spec.paths import SPEC_PATH, SPEC_VAR
from tests.plugins import warm
from tests.plugins.check import check_command, clean_env, run_check, run_python


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


def test_a_run_of_another_spec_is_forked_and_a_cold_run_starts_afresh(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "prevail_contract", "--version"]
    other_spec = warm.start(command, clean_env({SPEC_VAR: str(SPEC_PATH)}))
    cold = warm.start(command, clean_env(), cold=True)
    assert type(other_spec) is warm.WarmProcess
    assert isinstance(cold, warm.ColdProcess)
    assert cold.process.args == command  # a fresh interpreter, not a fork
    for proc in (other_spec, cold):
        assert proc.wait(timeout=60) == 0
        out, _ = proc.communicate()
        assert __version__ in out


def test_a_cold_run_that_prints_much_is_not_stalled_while_waited_for() -> None:
    """Its output goes to a file: a pipe nobody reads during ``wait`` would fill and stall it."""
    command = [sys.executable, "-c", "print('x' * 1_000_000)"]
    proc = warm.start(command, clean_env(), cold=True)
    assert proc.wait(timeout=60) == 0
    out, _ = proc.communicate()
    assert len(out) == 1_000_001


@pytest.mark.timeout(60)
def test_a_server_that_ends_before_it_is_ready_fails_at_once_saying_why() -> None:
    said = "import sys; print('no warm-up here', file=sys.stderr); sys.exit(3)"
    with pytest.raises(RuntimeError, match="exited 3 before it was ready: no warm-up here"):
        warm.WarmPool([sys.executable, "-c", said])


@pytest.mark.timeout(60)
def test_a_server_that_failed_to_start_is_not_started_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(warm, "_POOL", [])
    monkeypatch.setattr(warm, "_FAILED", [])
    started: list[str] = []

    def broken() -> list[str]:
        started.append("server")
        return [sys.executable, "-c", "import sys; sys.exit('a broken kit')"]

    monkeypatch.setattr(warm, "server_command", broken)
    for _ in range(2):
        with pytest.raises(RuntimeError, match="a broken kit"):
            warm.pool()
    assert started == ["server"]


#: A rehearsal whose run (a stand-in for ``check``) prints everywhere, may leave a thread, and
#: exits with the code it is given.
REHEARSAL = """
import os, sys, threading, time
import prevail_contract.cli
from tests.plugins import warm_server

def noisy(argv):
    print("printed by the run")
    os.write(1, b"written to fd 1 by the run\\n")
    os.write(2, b"written to fd 2 by the run\\n")
    if sys.argv[1] == "thread":
        threading.Thread(target=time.sleep, args=(30,), name="left-by-the-run", daemon=True).start()
    return int(sys.argv[2])

prevail_contract.cli.main = noisy
try:
    warm_server.rehearse()
except RuntimeError as exc:
    print(f"refused: {exc}")
else:
    print("rehearsed")
"""


@pytest.mark.parametrize(
    ("thread", "code", "answer", "said"),
    [
        ("thread", "0", "refused: the rehearsal run left threads behind: ['left-by-the-run']", ""),
        ("none", "2", "rehearsed", "warm check server: the rehearsal run exited 2"),
        ("none", "0", "rehearsed", ""),
    ],
)
def test_the_rehearsal_keeps_the_answer_channel_clean_and_refuses_a_left_thread(
    thread: str, code: str, answer: str, said: str
) -> None:
    done = run_python("-c", REHEARSAL, thread, code)
    # nothing the run printed reached the server's stdout (its answers) or stderr
    assert done.stdout == answer + "\n", done.stdout + done.stderr
    assert done.stderr.strip() == said, done.stderr
