"""A process that imports the check's libraries once, then forks one child per ``check`` run.

Started by :mod:`tests.plugins.warm` with a clean environment in the repository root. It reads
one JSON job per line on stdin (``id``, ``argv``, ``env``, ``stdout``, ``stderr``) and answers
on stdout with ``{"id", "pid"}`` when the child is forked and ``{"id", "code"}`` when it ends
(``-N`` for a signal, as :mod:`subprocess` says it). The child is what a fresh
``python -m prevail_contract`` would be, without the second or so of imports and the caches a
first run fills (:func:`rehearse`): its environment is exactly the job's, its output goes to
the job's files, its ``random`` is reseeded, and it exits with the command's code. When stdin
closes, the server kills what still runs and exits.

Written by hand because :mod:`multiprocessing`'s ``forkserver`` hands back no process a test
can poll, kill and read the output of like a :class:`subprocess.Popen`.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import random
import select
import signal
import sys
import tempfile
import threading
import traceback
from typing import Any, NoReturn

#: The ``sys.argv[0]`` of ``python -m prevail_contract``.
MAIN = "prevail_contract/__main__.py"


def warm() -> None:
    """Import what every ``check`` run imports: the kit, the libraries, and the pytest plugins
    its in-process ``pytest.main`` loads (their asserts are then not rewritten, which changes
    only the wording of a failing assert inside a plugin). The spec's model is read here
    (``load_spec`` keeps it per file version, so a run naming another spec, or a spec changed
    since, reads its own)."""
    import importlib.metadata

    import httpx  # noqa: F401
    import hypothesis  # noqa: F401
    import jsonschema  # noqa: F401
    import pytest  # noqa: F401
    import schemathesis
    import schemathesis.openapi.checks
    import schemathesis.pytest.lazy
    import schemathesis.reporting.junitxml
    import schemathesis.specs.openapi.schemas  # imported by each schema load
    import schemathesis.transport.requests  # noqa: F401
    import starlette.applications  # noqa: F401
    import uvicorn  # noqa: F401

    import prevail_contract.check.cli
    import prevail_contract.cli
    import prevail_contract.mock  # noqa: F401
    from prevail_contract.spec import load_spec

    with contextlib.suppress(Exception):  # a spec that cannot be read is each run's to report
        load_spec()

    for plugin in importlib.metadata.entry_points(group="pytest11"):
        plugin.load()


def rehearse() -> None:
    """Make one embedded ``check`` run here, with the tests' seed, its output and reports thrown
    away, so that each forked run starts with what a first run in a process fills: the suite's
    modules imported, and the caches of schemathesis and Hypothesis (coverage values, compiled
    patterns) and of the kit (the spec's derived tables). A run after it sends and reports
    exactly what a first run does (the same seed gives the same report, which
    ``tests/test_check_bugs.py`` holds against fresh processes); it costs about a quarter less
    CPU (4.3 against 5.7 CPU-s a run, measured in one process).

    The run must leave no thread behind (a forked child would inherit a lock it holds): one
    left is an error here, before any job is taken. A run that exits non-zero warms less; it
    is said on stderr, and each forked run then reports its own problem.
    """
    from prevail_contract.cli import main
    from tests.plugins.check import SEED

    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        # fd 1 is the answer channel to the tests: nothing the run prints may reach it
        os.dup2(null, 1)
        os.dup2(null, 2)
        with tempfile.TemporaryDirectory(prefix="warm-rehearsal-") as reports:
            code = main(["check", "--seed", str(SEED), "--report-dir", reports])
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)
    if code != 0:
        print(f"warm check server: the rehearsal run exited {code}", file=sys.stderr, flush=True)
    left = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    if left:
        raise RuntimeError(f"the rehearsal run left threads behind: {left}")
    gc.collect()
    gc.freeze()  # the children's collections skip what they inherit


def _child(job: dict[str, Any]) -> NoReturn:
    """Become the job's ``prevail-contract`` process; never returns."""
    code = 1
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        out = os.open(job["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        err = os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        for source, target in ((null, 0), (out, 1), (err, 2)):
            os.dup2(source, target)
            os.close(source)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - fd 0 is /dev/null now
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.environ.clear()
        os.environ.update(job["env"])
        os.chdir(job["cwd"])
        random.seed()
        sys.argv = [MAIN, *job["argv"]]
        from prevail_contract.cli import main

        try:
            code = main(job["argv"])
        except SystemExit as exc:  # argparse's usage errors, as in a fresh process
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
                code = 1
        atexit._run_exitfuncs()
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _send(message: dict[str, Any]) -> None:
    try:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the tests have gone; their runs are being stopped
        pass


def serve(rehearsal: bool) -> None:
    """Fork a child per job line until stdin closes; report each child's start and end (after
    a :func:`rehearse` run when ``rehearsal``)."""
    warm()
    if rehearsal:
        rehearse()
    _send({"ready": os.getpid()})
    running: dict[int, str] = {}
    pending = b""
    open_input = True
    while open_input or running:
        if open_input:
            readable, _, _ = select.select([0], [], [], 0.05)
            if readable:
                chunk = os.read(0, 65536)
                open_input = bool(chunk)
                pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                job = json.loads(line)
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    _child(job)
                running[pid] = job["id"]
                _send({"id": job["id"], "pid": pid})
            if not open_input:  # the tests are done: nothing still running is wanted
                for pid in running:
                    os.kill(pid, signal.SIGKILL)
        else:
            select.select([], [], [], 0.05)
        while running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            job_id = running.pop(pid, None)
            if job_id is not None:
                _send({"id": job_id, "code": os.waitstatus_to_exitcode(status)})


if __name__ == "__main__":
    serve(rehearsal="--rehearse" in sys.argv[1:])
