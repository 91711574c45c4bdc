"""Fixtures for testing the ``check`` command: the mock served over loopback, and suite runs."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from prevail_contract.mock import create_app, target_environment
from prevail_contract.spec.paths import REPO_ROOT
from tests.plugins import warm

#: Seed of every suite run in the tests, so that failures reproduce.
SEED = 20261124
#: The documented rules a run against a served mock cannot complete yet, accepted as not_run
#: (``check --baseline``): without it such a run exits 1, as an incomplete run must.
SERVED_MOCK_BASELINE = REPO_ROOT / "tests" / "served_mock.baseline.yaml"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveMock:
    """The mock served by uvicorn on loopback, with its ``PREVAIL_*`` variables."""

    base_url: str
    env: dict[str, str]
    #: The ASGI app served (the mock, or ``wrap`` around it).
    app: Any = None


@contextlib.contextmanager
def serve_mock(
    bugs: tuple[str, ...] = (),
    deadline: float = 15.0,
    *,
    wrap: Callable[[Any], Any] | None = None,
    contract: str = "full",
) -> Iterator[LiveMock]:
    """Serve a fresh mock (reading ``contract``) on a free loopback port until the block ends
    (``wrap`` around it)."""
    app = create_app(bugs=bugs, contract=contract)
    served = wrap(app) if wrap is not None else app
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(served, host="127.0.0.1", port=port, log_level="error", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    stop_at = time.monotonic() + deadline
    try:
        while not server.started:
            if time.monotonic() > stop_at or not thread.is_alive():
                raise RuntimeError(f"mock did not start on {base} within {deadline}s")
            time.sleep(0.02)
        yield LiveMock(base, target_environment(app, base), served)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class CheckRun:
    """One ``prevail-contract check`` subprocess run and what it left behind."""

    returncode: int
    stdout: str
    stderr: str
    report_dir: Path

    @property
    def report(self) -> dict[str, Any]:
        """The parsed ``conformance.json``."""
        return dict(json.loads((self.report_dir / "conformance.json").read_text()))

    def status(self, rule: str) -> str:
        """The status the report gives ``rule``."""
        return str(next(r["status"] for r in self.report["rules"] if r["id"] == rule))


def check_command(report_dir: Path, *args: str) -> list[str]:
    """The command line of a check run writing its reports into ``report_dir``."""
    return [
        sys.executable,
        "-m",
        "prevail_contract",
        "check",
        "--seed",
        str(SEED),
        "--report-dir",
        str(report_dir),
        *args,
    ]


#: The variables of a served mock's environment that hold secrets a run must never show.
SECRET_VARIABLES = ("PREVAIL_TOKEN", "PREVAIL_API_KEY", "PREVAIL_NO_SELF_SERVICE_TOKEN")


def secrets_of(env: dict[str, str]) -> list[str]:
    """The secret values in a served mock's environment."""
    return [env[k] for k in SECRET_VARIABLES]


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The process environment without any ``PREVAIL_*`` variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREVAIL_")}
    env.update(extra or {})
    return env


def run_python(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run this interpreter with ``args`` in the repository root, with :func:`clean_env`, and
    return what it printed and its code (not checked)."""
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=clean_env(),
        timeout=timeout,
        check=False,
    )


def run_check(
    report_dir: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 240
) -> CheckRun:
    """Run ``prevail-contract check`` in its own (warm) process and wait for it."""
    proc = warm.start(check_command(report_dir, *args), clean_env(env))
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    out, err = proc.communicate()
    assert proc.returncode is not None
    return CheckRun(proc.returncode, out, err, report_dir)


def run_checks_parallel(
    jobs: dict[str, tuple[Path, list[str]]],
    *,
    workers: int = 2,
    timeout: float = 240,
    cold: frozenset[str] = frozenset(),
) -> dict[str, CheckRun]:
    """Run several embedded check runs, ``workers`` at a time, each in its own (warm) process;
    the jobs named in ``cold`` start afresh (another interpreter, another hash seed)."""
    pending = list(jobs.items())
    running: dict[str, tuple[warm.CheckProcess, Path]] = {}
    results: dict[str, CheckRun] = {}
    stop_at = time.monotonic() + timeout * max(1, len(jobs) // workers + 1)
    try:
        while pending or running:
            while pending and len(running) < workers:
                name, (report_dir, args) = pending.pop(0)
                running[name] = (
                    warm.start(check_command(report_dir, *args), clean_env(), cold=name in cold),
                    report_dir,
                )
            for name, (proc, report_dir) in list(running.items()):
                code = proc.poll()
                if code is not None:
                    out, err = proc.communicate()
                    results[name] = CheckRun(code, out, err, report_dir)
                    del running[name]
            if time.monotonic() > stop_at:
                raise TimeoutError(f"check runs still going: {sorted(running)}")
            time.sleep(0.05)
    finally:
        for proc, _ in running.values():
            proc.kill()
            proc.communicate()
    return results


@dataclass
class ServedJob:
    """One check run against a mock served for it alone: its planted bugs, the variables left
    out of what the mock prints, extra flags, what to look at in the mock afterwards, the ASGI
    wrapper served around it and the mock's ``--contract`` reading."""

    bugs: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    after: Callable[[LiveMock], Any] | None = None
    wrap: Callable[[Any], Any] | None = None
    contract: str = "full"


@dataclass
class ServedRun(CheckRun):
    """A :class:`CheckRun` against a served mock, with what ``after`` saw in that mock."""

    seen: Any = None


def run_served_parallel(
    jobs: dict[str, ServedJob], base: Path, *, workers: int = 2, timeout: float = 300
) -> dict[str, ServedRun]:
    """Run each job's check (a subprocess) against its own mock served over loopback HTTP,
    ``workers`` at a time; every server is stopped when its run ends."""
    pending = list(jobs.items())
    running: dict[str, tuple[warm.CheckProcess, Path, contextlib.ExitStack, LiveMock]] = {}
    results: dict[str, ServedRun] = {}
    stop_at = time.monotonic() + timeout * max(1, len(jobs) // workers + 1)
    try:
        while pending or running:
            while pending and len(running) < workers:
                name, job = pending.pop(0)
                stack = contextlib.ExitStack()
                served = stack.enter_context(
                    serve_mock(bugs=job.bugs, wrap=job.wrap, contract=job.contract)
                )
                env = {k: v for k, v in served.env.items() if k not in job.drop}
                report_dir = base / name.replace(":", "-")
                proc = warm.start(check_command(report_dir, *job.args), clean_env(env))
                running[name] = (proc, report_dir, stack, served)
            for name, (proc, report_dir, stack, served) in list(running.items()):
                code = proc.poll()
                if code is None:
                    continue
                out, err = proc.communicate()
                job = jobs[name]
                seen = job.after(served) if job.after is not None else None
                stack.close()
                results[name] = ServedRun(code, out, err, report_dir, seen)
                del running[name]
            if time.monotonic() > stop_at:
                raise TimeoutError(f"served check runs still going: {sorted(running)}")
            time.sleep(0.05)
    finally:
        for proc, _, stack, _ in running.values():
            proc.kill()
            proc.communicate()
            stack.close()
    return results


@pytest.fixture
def served_mock() -> Iterator[LiveMock]:
    """A correct mock served on loopback for one test (the suite's "live" target)."""
    with serve_mock() as served:
        yield served


def pytest_collection_finish(session: pytest.Session) -> None:
    # a fork server's rehearsal run pays off only over the full runs of the slow tier
    warm.REHEARSE = any(item.get_closest_marker("slow") is not None for item in session.items)


def pytest_unconfigure(config: pytest.Config) -> None:
    warm.close_pool()  # the fork server of the warm check runs, if one was started


def pytest_configure(config: pytest.Config) -> None:
    # contract_tests' parametrizations carry the suite's marker; tests that inspect them need it.
    config.addinivalue_line("markers", "rule(*ids): the catalogue rules a contract test checks")
