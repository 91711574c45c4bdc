"""Warm ``check`` processes for the tests: each run is forked from a server that has already
imported the kit and its libraries (:mod:`tests.plugins.warm_server`), not started afresh.

:func:`start` hands back a :class:`WarmProcess`, which a test polls, waits for, kills and reads
like a :class:`subprocess.Popen`. A run whose environment names another spec
(``PREVAIL_SPEC``) is forked too: the kit reads no spec when imported, and keeps what it derives
from a spec per spec. A run is started afresh when asked (``cold``), and every run when
``KIT_TEST_COLD_CHECKS=1`` (to compare, or to rule the pool out): a
:class:`ColdProcess`, read the same way (its output too goes to files).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Protocol

from prevail_contract.spec.paths import REPO_ROOT

#: Set to 1 to start every check run as a fresh process.
COLD_VAR = "KIT_TEST_COLD_CHECKS"
#: How long the server may take to import everything (and rehearse) before it is ready.
READY_DEADLINE = 120.0
#: Whether the server makes its rehearsal run before forking (``warm_server.rehearse``): worth
#: its few seconds when the session forks full runs (the slow tier), which
#: :func:`tests.plugins.check.pytest_collection_finish` decides from the selected tests.
REHEARSE = True


class CheckProcess(Protocol):
    """What the tests use of a running check: a :class:`subprocess.Popen` or a warm one."""

    returncode: int | None

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def kill(self) -> None: ...

    def communicate(self) -> tuple[str, str]: ...


class WarmProcess:
    """One forked ``prevail-contract`` run: its pid once forked, its code once ended."""

    def __init__(self, job_id: str, workdir: Path) -> None:
        self.job_id = job_id
        self.workdir = workdir
        self.pid: int | None = None
        self.returncode: int | None = None
        self.started = threading.Event()
        self.ended = threading.Event()

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self.ended.wait(timeout):
            raise subprocess.TimeoutExpired(f"warm check {self.job_id}", timeout or 0)
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        """SIGKILL the run (the server reaps it and reports ``-9``)."""
        if self.started.wait(30) and self.pid is not None and not self.ended.is_set():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def communicate(self) -> tuple[str, str]:
        """Wait for the end; the run's stdout and stderr (its files are removed)."""
        self.wait()
        try:
            return self._output("stdout"), self._output("stderr")
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _output(self, name: str) -> str:
        """What the run wrote (nothing when it was killed before it opened the file)."""
        path = self.workdir / name
        return path.read_text(errors="replace") if path.exists() else ""


class ColdProcess(WarmProcess):
    """A run started as a fresh process; like a forked one, its output goes to files (a pipe
    nobody reads while waiting would stall a run that prints much)."""

    def __init__(self, command: Sequence[str], env: dict[str, str]) -> None:
        super().__init__("cold", Path(tempfile.mkdtemp(prefix="cold-check-")))
        try:
            with (
                (self.workdir / "stdout").open("w") as out,
                (self.workdir / "stderr").open("w") as err,
            ):
                self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                    list(command), stdout=out, stderr=err, cwd=REPO_ROOT, env=env
                )
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        self.pid = self.process.pid
        self.started.set()

    def poll(self) -> int | None:
        self.returncode = self.process.poll()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        self.returncode = self.process.wait(timeout)
        return self.returncode

    def kill(self) -> None:
        self.process.kill()


def server_command() -> list[str]:
    """The fork server's command line (with its rehearsal when :data:`REHEARSE`)."""
    rehearsal = ["--rehearse"] if REHEARSE else []
    return [sys.executable, "-m", "tests.plugins.warm_server", *rehearsal]


class WarmPool:
    """The fork server of this test process and the runs it has forked."""

    def __init__(self, command: Sequence[str] | None = None) -> None:
        # what the server says on stderr (its children write to their own files)
        self._said = tempfile.TemporaryFile(mode="w+", prefix="warm-server-")  # noqa: SIM115
        self.server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            list(command or server_command()),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._said,
            cwd=REPO_ROOT,
            env=_clean(os.environ),
            text=True,
        )
        assert self.server.stdin is not None
        assert self.server.stdout is not None
        self._to_server: IO[str] = self.server.stdin
        self._from_server: IO[str] = self.server.stdout
        self.ready = threading.Event()
        #: Set when the server ended before it was ready.
        self.ended_early = False
        self.runs: dict[str, WarmProcess] = {}
        self._lock = threading.Lock()
        self._count = 0
        threading.Thread(target=self._read, name="warm-check-replies", daemon=True).start()
        if not self.ready.wait(READY_DEADLINE) or self.ended_early:
            self._stop()
            said = self.said()[-1500:].strip() or "nothing on stderr"
            self._said.close()
            if self.ended_early:
                raise RuntimeError(
                    f"the warm check server exited {self.server.returncode} before it was "
                    f"ready: {said}"
                )
            raise RuntimeError(
                f"the warm check server was not ready within {READY_DEADLINE}s: {said}"
            )

    def said(self) -> str:
        """What the server has written on stderr so far."""
        self._said.seek(0)
        return self._said.read()

    def _read(self) -> None:
        for line in self._from_server:
            message: dict[str, Any] = json.loads(line)
            if "ready" in message:
                self.ready.set()
                continue
            run = self.runs[message["id"]]
            if "pid" in message:
                run.pid = int(message["pid"])
                run.started.set()
            else:
                run.returncode = int(message["code"])
                run.started.set()
                run.ended.set()
        if not self.ready.is_set():  # the server ended before it was ready
            self.ended_early = True
            self.ready.set()
        for run in list(self.runs.values()):  # the server died: nothing more will end
            if not run.ended.is_set():
                run.returncode = -9
                run.started.set()
                run.ended.set()

    def start(self, argv: Sequence[str], env: dict[str, str]) -> WarmProcess:
        """Fork ``prevail-contract *argv`` with exactly ``env``, in the repository root."""
        with self._lock:
            self._count += 1
            job_id = f"run-{self._count}"
            run = WarmProcess(job_id, Path(tempfile.mkdtemp(prefix="warm-check-")))
            self.runs[job_id] = run
            job = {
                "id": job_id,
                "argv": list(argv),
                "env": env,
                "cwd": str(REPO_ROOT),
                "stdout": str(run.workdir / "stdout"),
                "stderr": str(run.workdir / "stderr"),
            }
            self._to_server.write(json.dumps(job) + "\n")
            self._to_server.flush()
        return run

    def close(self) -> None:
        """Stop the server (it kills any run still going) and wait for it."""
        self._stop()
        self._said.close()

    def _stop(self) -> None:
        with contextlib.suppress(OSError):
            self._to_server.close()
        try:
            self.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()


_POOL: list[WarmPool] = []
#: Why this process's fork server could not start (it is not started again).
_FAILED: list[str] = []
_POOL_LOCK = threading.Lock()


def _clean(env: os._Environ[str] | dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith("PREVAIL_")}


def pool() -> WarmPool:
    """This process's fork server, started on first use."""
    with _POOL_LOCK:
        if _FAILED:
            raise RuntimeError(f"the warm check server failed to start earlier: {_FAILED[0]}")
        if not _POOL:
            try:
                _POOL.append(WarmPool())
            except RuntimeError as exc:
                _FAILED.append(str(exc))
                raise
        return _POOL[0]


def close_pool() -> None:
    """Stop this process's fork server if one was started."""
    with _POOL_LOCK:
        while _POOL:
            _POOL.pop().close()


def start(command: Sequence[str], env: dict[str, str], *, cold: bool = False) -> CheckProcess:
    """Start ``command`` (a :func:`tests.plugins.check.check_command`) with exactly ``env``:
    forked warm, or as a fresh process when ``cold`` or when :data:`COLD_VAR` is set;
    ``communicate`` gives the output as text once the run ended."""
    fresh = cold or os.environ.get(COLD_VAR) == "1"
    if fresh:
        return ColdProcess(command, env)
    # check_command is [python, -m, prevail_contract, *argv]
    assert list(command[1:3]) == ["-m", "prevail_contract"], command
    started = time.monotonic()
    run = pool().start(command[3:], env)
    if not run.started.wait(max(1.0, READY_DEADLINE - (time.monotonic() - started))):
        raise RuntimeError(f"the warm check server did not fork {run.job_id}")
    return run
