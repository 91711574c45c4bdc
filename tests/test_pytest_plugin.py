"""The kit's pytest plugin: registered through ``pytest11``, a fresh authenticated mock per test,
configured by marker or indirect parameter; the README's integrator test runs verbatim (and
passes ``mypy --strict``) in a directory of its own; the plugin costs an unrelated run nothing."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import httpx
import jwt
import pytest
from packaging.requirements import Requirement
from prevail_sessions_client import AuthenticatedClient
from prevail_sessions_client.api.sessions import edit_session, list_sessions
from prevail_sessions_client.models import (
    EditSessionRequest,
    ListSessionsResponse,
    RemoteSessionEdit,
)

from prevail_contract.mock.harness import IN_PROCESS_ORIGIN, PrevailMock
from prevail_contract.spec import Spec
from prevail_contract.spec.paths import REPO_ROOT

README = REPO_ROOT / "README.md"
SECTION = "## Testing your code against the mock (pytest plugin)"


def integrator_example() -> str:
    """The README's integrator test (the one Python block of its section)."""
    section = README.read_text(encoding="utf-8").split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1, blocks
    return str(blocks[0])


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in ``folder`` (outside the checkout: no conftest of ours), plugins as installed."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREVAIL_", "PYTEST_"))}
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=folder,
        env=clean,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _title(client: AuthenticatedClient, session_id: str) -> str:
    listed = list_sessions.sync(client=client, items=100)
    assert isinstance(listed, ListSessionsResponse)
    return next(s.title for s in listed.sessions if s.remote_session_id == session_id)


def test_the_plugin_is_registered_through_pytest11() -> None:
    found = {e.name: e.value for e in metadata.entry_points(group="pytest11")}
    assert found.get("prevail_mock") == "prevail_contract.pytest_plugin"


def test_the_kits_client_requirement_admits_the_spec_version(spec: Spec) -> None:
    required = [
        Requirement(r)
        for r in metadata.requires("prevail-contract") or []
        if r.startswith("prevail-sessions-client")
    ]
    assert len(required) == 1
    assert required[0].specifier.contains(spec.version), (required[0], spec.version)


def test_the_default_mock_is_in_process_with_an_authenticated_client(
    prevail_mock: PrevailMock,
) -> None:
    assert not prevail_mock.served
    assert prevail_mock.origin == IN_PROCESS_ORIGIN
    assert prevail_mock.base_url.startswith(IN_PROCESS_ORIGIN)
    assert prevail_mock.client.token == prevail_mock.env["PREVAIL_TOKEN"]
    assert _title(prevail_mock.client, prevail_mock.session_id) is not None


def test_the_client_works_with_asyncio_too(prevail_mock: PrevailMock) -> None:
    async def listed() -> int:
        answer = await list_sessions.asyncio_detailed(client=prevail_mock.client)
        return answer.status_code

    assert asyncio.run(listed()) == 200


@pytest.mark.prevail_mock(served=True)
def test_served_on_request_for_any_http_client(prevail_mock: PrevailMock) -> None:
    assert prevail_mock.served
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", prevail_mock.origin)
    answer = httpx.get(
        f"{prevail_mock.base_url}/sessions",
        headers={"Authorization": f"Bearer {prevail_mock.token}"},
        timeout=10,
    )
    assert answer.status_code == 200


@pytest.mark.prevail_mock(sandbox=True)
def test_a_sandbox_is_a_world_of_its_own(prevail_mock: PrevailMock) -> None:
    assert prevail_mock.sandbox_id is not None
    body = EditSessionRequest(remote_session=RemoteSessionEdit(title="In the sandbox"))
    answer = edit_session.sync_detailed(
        prevail_mock.session_id, client=prevail_mock.client, body=body
    )
    assert answer.status_code == 200
    assert prevail_mock.stored()["title"] == "In the sandbox"
    default = prevail_mock.admin.get("/__mock__/environment").json()
    assert default["PREVAIL_TOKEN"] != prevail_mock.token


def _forged(mock: PrevailMock) -> str:
    """A token for the mock's Organization signed with a key that is not its own."""
    claims = {"slug": mock.env["PREVAIL_COMPANY_ID"], "exp": int(time.time()) + 600}
    return jwt.encode(claims, "not-the-organizations-key-" + "x" * 16, algorithm="HS256")


@pytest.mark.prevail_mock(bugs=["auth-required"])
def test_a_planted_bug_breaks_the_mock_as_asked(prevail_mock: PrevailMock) -> None:
    forged = prevail_mock.new_client(token=_forged(prevail_mock))
    answer = list_sessions.sync_detailed(client=forged)
    assert answer.status_code == 200  # the real API (and an unbroken mock) answer 401


def test_without_the_bug_a_forged_token_is_refused(prevail_mock: PrevailMock) -> None:
    forged = prevail_mock.new_client(token=_forged(prevail_mock))
    assert list_sessions.sync_detailed(client=forged).status_code == 401


@pytest.mark.parametrize(
    "prevail_mock",
    [{"faults": [{"operation": "list_sessions", "status": 429, "count": 1}]}],
    indirect=True,
)
def test_an_indirect_parameter_injects_faults_before_the_test(prevail_mock: PrevailMock) -> None:
    assert list_sessions.sync_detailed(client=prevail_mock.client).status_code == 429
    assert list_sessions.sync_detailed(client=prevail_mock.client).status_code == 200


def test_prevail_env_sets_the_variables_for_the_test(prevail_env: dict[str, str]) -> None:
    assert os.environ["PREVAIL_TOKEN"] == prevail_env["PREVAIL_TOKEN"]
    assert set(prevail_env) >= {"PREVAIL_BASE_URL", "PREVAIL_SESSION_ID"}


FRESH_WORLDS = """
from prevail_sessions_client.api.sessions import edit_session, list_sessions
from prevail_sessions_client.models import EditSessionRequest, RemoteSessionEdit

def _rename(mock):
    body = EditSessionRequest(remote_session=RemoteSessionEdit(title="Changed by a test"))
    answer = edit_session.sync_detailed(mock.session_id, client=mock.client, body=body)
    assert answer.status_code == 200

def _title(mock):
    return mock.stored()["title"]

def test_one_changes_the_world(prevail_mock):
    _rename(prevail_mock)
    assert _title(prevail_mock) == "Changed by a test"
    prevail_mock.fault("*", status=503, count=100)

def test_two_sees_none_of_it(prevail_mock):
    assert _title(prevail_mock) != "Changed by a test"
    assert prevail_mock.faults() == []
    assert list_sessions.sync_detailed(client=prevail_mock.client).status_code == 200
"""

BAD_OPTIONS = """
import pytest

@pytest.mark.prevail_mock(colour="red")
def test_unknown_option(prevail_mock):
    pass

@pytest.mark.prevail_mock(bugs="invites-additive")
def test_bugs_not_a_list(prevail_mock):
    pass

@pytest.mark.prevail_mock(bugs=["no-such-rule"])
def test_unknown_bug(prevail_mock):
    pass
"""

UNUSED = """
import sys

def test_no_mock_no_cost():
    assert "prevail_contract.pytest_plugin" in sys.modules
    for module in ("prevail_contract.mock.harness", "prevail_sessions_client", "schemathesis"):
        assert module not in sys.modules, module
"""


def test_each_test_gets_a_fresh_world(tmp_path: Path) -> None:
    (tmp_path / "test_worlds.py").write_text(FRESH_WORLDS, encoding="utf-8")
    done = run_pytest(tmp_path, "-p", "no:randomly")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_a_bad_option_fails_its_test_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "test_options.py").write_text(BAD_OPTIONS, encoding="utf-8")
    done = run_pytest(tmp_path, "-rA")
    assert "3 errors" in done.stdout, done.stdout + done.stderr
    assert "During handling" not in done.stdout
    assert "unknown prevail_mock option(s) colour" in done.stdout
    assert "prevail_mock bugs=: a list of rule ids" in done.stdout
    assert "no-such-rule" in done.stdout


def test_a_run_that_asks_for_no_mock_imports_none(tmp_path: Path) -> None:
    (tmp_path / "test_unused.py").write_text(UNUSED, encoding="utf-8")
    done = run_pytest(tmp_path, "-p", "no:schemathesis", "-p", "no:hypothesispytest")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_readme_example_runs_verbatim_in_a_project_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "test_integrator.py").write_text(integrator_example(), encoding="utf-8")
    done = run_pytest(tmp_path, "-rA")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_the_readme_example_passes_mypy_strict(tmp_path: Path) -> None:
    (tmp_path / "test_integrator.py").write_text(integrator_example(), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "test_integrator.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_readme_example_fails_when_its_client_does_not_retry(tmp_path: Path) -> None:
    # the example proves something: without the retry policy the first 503 reaches the test
    source = integrator_example().replace("retry=RetryPolicy(attempts=3)", "")
    assert source != integrator_example()
    (tmp_path / "test_integrator.py").write_text(source, encoding="utf-8")
    done = run_pytest(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ApiError" in done.stdout or "503" in done.stdout
