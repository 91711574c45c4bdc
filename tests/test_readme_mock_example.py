"""The README's "run it against the mock" shell block runs as written (``--ready-file`` makes it
wait until the env file is there); ``mock --ready-file`` is removed at start, written once the
mock answers, and removed when it stops; and every Python block of the README is one that a
test type-checks and runs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from prevail_contract.spec.paths import REPO_ROOT
from tests.test_pytest_plugin import integrator_example
from tests.test_readme_client import example_source, example_sources

README = REPO_ROOT / "README.md"
#: How long a mock may take to write its ready file.
DEADLINE = 30.0


def shell_block() -> str:
    """The ``sh`` block that starts the mock for the rename script."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Using the generated client", 1)[1].split("\n## ", 1)[0]
    blocks = [b for b in re.findall(r"```sh\n(.*?)```", section, re.DOTALL) if "rename.py" in b]
    assert len(blocks) == 1, blocks
    return str(blocks[0])


def test_every_python_block_of_the_readme_is_checked_by_a_test() -> None:
    every = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    checked = [*example_sources(), integrator_example()]
    assert sorted(every) == sorted(checked)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PREVAIL_")}


def test_the_shell_block_runs_as_written(tmp_path: Path) -> None:
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (tmp_path / "rename.py").write_text(example_source(), encoding="utf-8")
    done = subprocess.run(  # noqa: S603 - bash running the README's own block
        ["/bin/bash", "-euo", "pipefail", "-c", shell_block()],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    session = dict(line.split("=", 1) for line in (tmp_path / "mock.env").read_text().splitlines())[
        "PREVAIL_SESSION_ID"
    ]
    assert f"renamed {session} to 'Renamed' (state ready)" in done.stdout


def _wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    stop_at = time.monotonic() + DEADLINE
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < stop_at, f"no {path.name} within {DEADLINE:g} s"
        time.sleep(0.05)


def test_the_ready_file_says_the_mock_answers(tmp_path: Path) -> None:
    ready, env_file = tmp_path / "mock.ready", tmp_path / "mock.env"
    ready.write_text("stale from a run that was killed\n")
    command = [sys.executable, "-m", "prevail_contract", "mock", "--port", "0"]
    command += ["--env-file", str(env_file), "--ready-file", str(ready)]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter
        command, env=_clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        stop_at = time.monotonic() + DEADLINE
        while ready.exists() and ready.read_text().startswith("stale"):
            assert time.monotonic() < stop_at, "the stale ready file was never replaced"
            time.sleep(0.05)
        _wait_for(ready, process)
        origin = ready.read_text().strip()
        variables = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        assert variables["PREVAIL_BASE_URL"].startswith(origin)
        answer = httpx.get(
            f"{variables['PREVAIL_BASE_URL']}/sessions",
            headers={"Authorization": f"Bearer {variables['PREVAIL_TOKEN']}"},
            timeout=10,
        )
        assert answer.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=DEADLINE)
    assert process.returncode == 0
    assert not ready.exists()
