"""A transport error raised past the run's sender (the mock's admin API, a library's client)
stops the run on a target error and is no rule's failure (``contract_tests/plugins/bounds.py``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.plugins.check import run_python

TESTS = textwrap.dedent(
    """
    import httpx
    import pytest

    def test_a_refused_connection():
        raise httpx.ConnectError("refused", request=httpx.Request("GET", "http://t/x?token=1"))

    def test_after_it():
        pass
    """
)

GROUPED = textwrap.dedent(
    """
    import httpx

    def test_a_reset_beside_a_finding():
        raise ExceptionGroup("side by side", [httpx.ReadError("reset"), ValueError("kept")])
    """
)


def _run(tmp_path: Path, source: str) -> str:
    (tmp_path / "test_it.py").write_text(source)
    done = run_python(
        "-m",
        "pytest",
        str(tmp_path),
        "-p",
        "contract_tests.plugins.bounds",
        "-rs",
        "-q",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(tmp_path),
    )
    return done.stdout + done.stderr


def test_a_refused_connection_skips_the_test_and_stops_the_run(tmp_path: Path) -> None:
    said = _run(tmp_path, TESTS)
    assert "2 skipped" in said, said
    stopped = "the run stopped on a target error (GET http://t/x: ConnectError: refused)"
    assert said.count(stopped) == 2, said  # the test itself, then the one after it
    assert "failed" not in said


def test_a_finding_raised_beside_a_transport_error_is_kept(tmp_path: Path) -> None:
    said = _run(tmp_path, GROUPED)
    assert "1 failed" in said, said
    assert "ValueError: kept" in said
    assert "side by side (1 sub-exception)" in said  # the transport error taken out
