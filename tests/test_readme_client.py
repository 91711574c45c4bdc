"""The README's client examples: every Python block of "Using the generated client" type-checks
strictly and runs against a served mock; the first turns every documented status, an undocumented
one and a non-JSON body into a clear line, the paging one rides out 429 and 503 answers, and the
asyncio one shows a typed refusal."""

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
from prevail_sessions_client.api.sessions import list_sessions
from prevail_sessions_client.models import ListSessionsResponse

from prevail_contract.spec import Spec
from prevail_contract.spec.paths import REPO_ROOT
from tests.plugins.check import LiveMock, serve_mock
from tests.plugins.flaky import Flaky, http_date

README = REPO_ROOT / "README.md"
#: The first line of each block the tests below check in detail (any other block still runs).
RENAME = "Rename a Session with the generated client and say plainly what the API answered."
PAGING = "Print every Session of the Organization, retrying when the API asks to slow down."
TYPED = "Count the Sessions with asyncio, then try an edit the API refuses."


def example_sources() -> list[str]:
    """The Python blocks of the README's "Using the generated client" section, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Using the generated client", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert blocks, "README has no Python block in 'Using the generated client'"
    return blocks


def example_source() -> str:
    """The first Python block: the rename script."""
    return example_sources()[0]


def _docstring(source: str) -> str:
    return source.split('"""', 2)[1]


@pytest.fixture(scope="module")
def example_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each block as a script of its own, by its docstring's first line."""
    folder = tmp_path_factory.mktemp("readme")
    files: dict[str, Path] = {}
    for number, source in enumerate(example_sources(), 1):
        path = folder / f"readme_{number}.py"
        path.write_text(source, encoding="utf-8")
        files[_docstring(source)] = path
    assert {RENAME, PAGING, TYPED} <= set(files), sorted(files)
    return files


@pytest.fixture(scope="module")
def example_file(example_files: dict[str, Path]) -> Path:
    return example_files[RENAME]


def run_example(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run one README script with our interpreter and exactly these ``PREVAIL_*`` values."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREVAIL_")}
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        env={**clean, **env},
        cwd=path.parent,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def example(example_file: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_rename", example_file)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_example_passes_mypy_strict(example_files: dict[str, Path]) -> None:
    names = sorted(path.name for path in example_files.values())
    folder = next(iter(example_files.values())).parent
    done = subprocess.run(  # noqa: S603 - our own interpreter's mypy
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *names],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_example_runs_verbatim_against_a_served_mock(
    example_files: dict[str, Path], served_mock: LiveMock
) -> None:
    for path in example_files.values():
        done = run_example(path, served_mock.env)
        assert done.returncode == 0, f"{path.name}: {done.stderr}"
        assert done.stdout.strip(), f"{path.name} printed nothing"


def test_example_runs_verbatim_against_a_served_mock(
    example_file: Path, served_mock: LiveMock
) -> None:
    done = run_example(example_file, served_mock.env)
    assert done.returncode == 0, done.stderr
    session = served_mock.env["PREVAIL_SESSION_ID"]
    assert done.stdout.strip() == f"renamed {session} to 'Renamed' (state ready)"


def test_paging_example_lists_every_session_through_429_and_503(
    example_files: dict[str, Path],
) -> None:
    flakies: list[Flaky] = []

    def wrap(app: Any) -> Flaky:
        flakies.append(Flaky(app, [(429, "0"), (503, http_date(-1))]))
        return flakies[0]

    with serve_mock(wrap=wrap) as served:
        done = run_example(example_files[PAGING], served.env)
        env = served.env
        with AuthenticatedClient(base_url=env["PREVAIL_BASE_URL"], token=env["PREVAIL_TOKEN"]) as c:
            listed = list_sessions.sync(client=c, items=1)
    assert done.returncode == 0, done.stderr
    assert isinstance(listed, ListSessionsResponse)
    lines = done.stdout.splitlines()
    assert len(lines) == listed.pagy.count
    assert any(line.startswith(f"{env['PREVAIL_SESSION_ID']} ") for line in lines)
    assert [s.refused_with for s in flakies[0].seen][:3] == [429, 503, 0]


def test_paging_example_says_why_the_api_refused(example_files: dict[str, Path]) -> None:
    with serve_mock() as served:
        done = run_example(example_files[PAGING], {**served.env, "PREVAIL_TOKEN": "expired"})
    assert done.returncode == 1
    assert done.stderr.strip().startswith("HTTP 401 unauthorized: ")


def test_typed_example_counts_and_shows_the_refusal(
    example_files: dict[str, Path], served_mock: LiveMock
) -> None:
    done = run_example(example_files[TYPED], served_mock.env)
    assert done.returncode == 0, done.stderr
    count, refusal = done.stdout.splitlines()
    assert re.fullmatch(r"[1-9][0-9]* Sessions", count)
    assert refusal == "refused: HTTP 422 validation_failed"


def test_example_advises_on_exactly_the_documented_refusals(spec: Spec, example: Any) -> None:
    responses = spec.operation_by_id("edit_session").node["responses"]
    documented = {int(code) for code in responses if code.startswith("4")}
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
