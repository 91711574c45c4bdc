"""The README's client example: it type-checks strictly, runs against a served mock, and turns
every documented status, an undocumented one and a non-JSON body into a clear line."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from prevail_sessions_client import AuthenticatedClient

from prevail_contract.paths import REPO_ROOT
from prevail_contract.spec import Spec
from tests.plugins.check import LiveMock

README = REPO_ROOT / "README.md"


def example_source() -> str:
    """The first Python block under the README's "Using the generated client" heading."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Using the generated client", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, "README has no Python block in 'Using the generated client'"
    return match.group(1)


@pytest.fixture(scope="module")
def example_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("readme") / "rename.py"
    path.write_text(example_source(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def example(example_file: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_rename", example_file)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_passes_mypy_strict(example_file: Path) -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter's mypy
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", example_file.name],
        cwd=example_file.parent,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_example_runs_verbatim_against_a_served_mock(
    example_file: Path, served_mock: LiveMock
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREVAIL_")}
    env.update(served_mock.env)
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, str(example_file)],
        capture_output=True,
        text=True,
        env=env,
        cwd=example_file.parent,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    session = served_mock.env["PREVAIL_SESSION_ID"]
    assert done.stdout.strip() == f"renamed {session} to 'Renamed' (state ready)"


def test_example_advises_on_exactly_the_documented_refusals(spec: Spec, example: Any) -> None:
    documented = {int(code) for code in spec.operation["responses"] if code.startswith("4")}
    assert set(example.ADVICE) == documented


def _client(status: int, body: bytes, content_type: str) -> AuthenticatedClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": content_type})

    return AuthenticatedClient(
        base_url="https://api.invalid/api/v1",
        token="t0ken",
        raise_on_unexpected_status=True,
        httpx_args={"transport": httpx.MockTransport(answer)},
    )


def test_example_names_each_documented_refusal(spec: Spec, example: Any) -> None:
    for code in sorted(example.ADVICE):
        body = json.dumps({"code": f"code_{code}", "messages": "why"}).encode()
        line = example.rename(_client(code, body, "application/json"), "s1", "T")
        assert line == f"HTTP {code} code_{code}: {example.ADVICE[code]}: why"


def test_example_reports_an_undocumented_status(example: Any) -> None:
    line = example.rename(_client(502, b"Bad Gateway", "text/plain"), "s1", "T")
    assert line == "unexpected HTTP 502: b'Bad Gateway'"


def test_example_reports_a_gateway_page_instead_of_crashing(example: Any) -> None:
    page = b"<html><body><h1>404 Not Found</h1></body></html>"
    line = example.rename(_client(404, page, "text/html"), "s1", "T")
    assert line == "the answer is not the API's JSON (a proxy or gateway page?)"
    not_error = json.dumps({"message": "upstream timeout"}).encode()
    line = example.rename(_client(404, not_error, "application/json"), "s1", "T")
    assert line == "the answer is not the API's JSON (a proxy or gateway page?)"
