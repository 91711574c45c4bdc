"""Progress of a contract run, per phase (test module): tests done of total, requests, elapsed.

On a terminal it is a live rich progress display; elsewhere (CI logs, pipes) one plain line per
finished phase. It is a pytest plugin, so it also keeps the text of collection errors, which
would otherwise be lost because the run replaces pytest's own terminal output.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import IO, Any

import pytest
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

#: How the phases (test modules of ``contract_tests``) are named on screen.
_PREFIX = "test_"


def phase_of(nodeid: str) -> str:
    """The phase a test belongs to: its module's name without ``test_``."""
    module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")
    return module.removeprefix(_PREFIX)


class RunProgress:
    """Counts tests per phase and shows them; ``requests`` reads the recorder's running total."""

    def __init__(self, stream: IO[str], *, live: bool) -> None:
        self._requests: Callable[[], int] = lambda: 0
        self._console = Console(file=stream, stderr=False)
        self.live = live and self._console.is_terminal
        self._stream = stream
        self.started = time.perf_counter()
        self.totals: dict[str, int] = {}
        self.done: dict[str, int] = {}
        self._phase_started: dict[str, float] = {}
        self._phase_requests: dict[str, int] = {}
        self.collection_errors: list[str] = []
        self._progress: Progress | None = None
        self._tasks: dict[str, Any] = {}

    def bind(self, requests: Callable[[], int]) -> None:
        """Read the running request count from ``requests``."""
        self._requests = requests

    # -- pytest hooks -----------------------------------------------------------------------

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {report.longreprtext.strip()}")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            phase = phase_of(item.nodeid)
            self.totals[phase] = self.totals.get(phase, 0) + 1
            self.done.setdefault(phase, 0)
        if self.live:
            self._progress = Progress(
                TextColumn("{task.description:<16}"),
                BarColumn(bar_width=24),
                MofNCompleteColumn(),
                TextColumn("tests  {task.fields[requests]:>6} requests"),
                TimeElapsedColumn(),
                console=self._console,
                transient=False,
            )
            for phase, total in self.totals.items():
                self._tasks[phase] = self._progress.add_task(
                    phase, total=total, requests=0, start=False
                )
            self._progress.start()

    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        phase = phase_of(nodeid)
        if phase not in self._phase_started:
            self._phase_started[phase] = time.perf_counter()
            self._phase_requests[phase] = self._requests()
            if self._progress is not None and phase in self._tasks:
                self._progress.start_task(self._tasks[phase])

    def pytest_runtest_logfinish(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        phase = phase_of(nodeid)
        if phase not in self.totals:
            return
        self.done[phase] += 1
        sent = self._requests() - self._phase_requests.get(phase, 0)
        if self._progress is not None:
            task = self._tasks[phase]
            self._progress.update(task, completed=self.done[phase], requests=sent)
            if self.done[phase] == self.totals[phase]:
                self._progress.stop_task(task)
        elif self.done[phase] == self.totals[phase]:
            self._line(phase, sent)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.close()

    # -- output -----------------------------------------------------------------------------

    def _line(self, phase: str, sent: int) -> None:
        took = time.perf_counter() - self._phase_started.get(phase, self.started)
        elapsed = time.perf_counter() - self.started
        finished = sum(self.done.values())
        total = sum(self.totals.values())
        print(
            f"  {phase:<16} {self.done[phase]}/{self.totals[phase]} tests, {sent} requests, "
            f"{took:.1f} s  (run: {finished}/{total} tests, {self._requests()} requests, "
            f"{elapsed:.0f} s)",
            file=self._stream,
            flush=True,
        )

    def close(self) -> None:
        """Stop the live display (idempotent)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
