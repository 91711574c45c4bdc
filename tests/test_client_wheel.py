"""The client as an integrator gets it: its own wheel, installed without the kit, used for real.

Offline: the wheel is built with hatchling (no isolation) from ``generated_client/``, then
installed with ``--no-deps --no-index`` into a venv without pip. The venv sees only the
client's dependencies: the distributions its wheel requires, and theirs, are copied file by
file (from their ``RECORD``) out of this environment into one directory that a ``.pth`` line
puts on the venv's path; ``pip check`` then proves nothing the client needs is missing. A
script run by the venv's Python pages through a served mock, is retried through scripted 429
and 503 answers, and catches a typed refusal.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from importlib import metadata
from pathlib import Path

import pytest
from hatchling.build import build_wheel
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from prevail_contract.spec import Spec, paths
from tests.plugins.check import serve_mock
from tests.plugins.flaky import Flaky

pytestmark = pytest.mark.slow

SCRIPT = """
import json, os, sys
from prevail_sessions_client import AuthenticatedClient, RetryPolicy
from prevail_sessions_client.api.sessions import edit_session, list_sessions
from prevail_sessions_client.errors import ApiError, parsed_or_raise
from prevail_sessions_client.models import EditSessionRequest, RemoteSessionEdit

client = AuthenticatedClient(
    base_url=os.environ["PREVAIL_BASE_URL"],
    token=os.environ["PREVAIL_TOKEN"],
    retry=RetryPolicy(attempts=3, max_wait=5),
)
with client:
    ids = [s.remote_session_id for s in list_sessions.iterate_sessions(client=client)]
    body = EditSessionRequest(remote_session=RemoteSessionEdit(title=""))
    try:
        parsed_or_raise(
            edit_session.sync_detailed(os.environ["PREVAIL_SESSION_ID"], client=client, body=body)
        )
        refused = None
    except ApiError as exc:
        refused = [exc.status_code, exc.error.code]
print(json.dumps({"ids": ids, "refused": refused, "path": sys.path}))
"""


@dataclass
class Installed:
    """A venv holding the client's wheel and, beside it, only its dependencies."""

    wheel: Path
    python: Path
    workdir: Path

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREVAIL_", "PYTHON"))}
        return subprocess.run(  # noqa: S603 - the venv's own interpreter
            [str(self.python), *args],
            cwd=self.workdir,
            env={**clean, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def _closure(requirements: list[str]) -> set[str]:
    """The distributions ``requirements`` need in this environment, theirs included."""
    needed: set[str] = set()
    pending = [Requirement(r) for r in requirements]
    while pending:
        requirement = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        if name in needed:
            continue
        needed.add(name)
        pending += [Requirement(r) for r in metadata.requires(name) or []]
    return needed


def _copy_distribution(name: str, target: Path) -> None:
    """Copy an installed distribution's files (its package and its dist-info) into ``target``."""
    distribution = metadata.distribution(name)
    for file in distribution.files or []:
        if file.parts[0] == ".." or "__pycache__" in file.parts:
            continue  # scripts outside site-packages, caches
        source = Path(str(distribution.locate_file(file)))
        if source.is_file():
            destination = target / file
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("client-wheel")
    here = Path.cwd()
    os.chdir(paths.GENERATED_CLIENT_DIR)  # hatchling builds the project in the current directory
    try:
        wheel = root / build_wheel(str(root))
    finally:
        os.chdir(here)
    with zipfile.ZipFile(wheel) as archive:
        meta = Parser().parsestr(archive.read(_metadata_name(archive)).decode())
    dependencies = root / "dependencies"
    for name in sorted(_closure(meta.get_all("Requires-Dist") or [])):
        _copy_distribution(name, dependencies)
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        subprocess.run(  # noqa: S603
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "zz-client-dependencies.pth").write_text(f"{dependencies}\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    subprocess.run(  # noqa: S603
        [*pip, "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    workdir = root / "elsewhere"
    workdir.mkdir()
    return Installed(wheel, python, workdir)


def _metadata_name(archive: zipfile.ZipFile) -> str:
    return next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))


def test_the_wheel_is_the_client_alone_with_its_two_dependencies(
    installed: Installed, spec: Spec
) -> None:
    with zipfile.ZipFile(installed.wheel) as archive:
        names = archive.namelist()
        meta = Parser().parsestr(archive.read(_metadata_name(archive)).decode())
    assert meta["Name"] == "prevail-sessions-client"
    assert meta["Version"] == spec.version
    assert meta.get_all("Requires-Dist") == ["attrs>=22.2.0", "httpx<0.29.0,>=0.23.1"]
    assert meta["Requires-Python"] == ">=3.11"
    packages = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert packages == {"prevail_sessions_client"}
    assert "prevail_sessions_client/py.typed" in names


def test_the_venv_holds_the_client_and_its_dependencies_only(installed: Installed) -> None:
    pip = [sys.executable, "-m", "pip", "--python", str(installed.python)]
    checked = subprocess.run(  # noqa: S603
        [*pip, "check"], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = subprocess.run(  # noqa: S603
        [*pip, "list", "--format", "json"], capture_output=True, text=True, check=True
    )
    names = {canonicalize_name(d["name"]) for d in json.loads(listed.stdout)}
    assert "prevail-sessions-client" in names
    assert names.isdisjoint({"prevail-contract", "pytest", "schemathesis", "starlette"})
    for module in ("prevail_contract", "pytest", "schemathesis"):
        done = installed.run("-c", f"import {module}")
        assert "ModuleNotFoundError" in done.stderr, f"{module} is importable in the client venv"


def test_the_installed_client_pages_retries_and_raises_typed_errors(installed: Installed) -> None:
    flakies: list[Flaky] = []

    def wrap(app: object) -> Flaky:
        flakies.append(Flaky(app, [(503, "0"), (429, "0")]))  # type: ignore[arg-type]
        return flakies[0]

    (installed.workdir / "use_client.py").write_text(SCRIPT, encoding="utf-8")
    with serve_mock(wrap=wrap) as served:
        done = installed.run("use_client.py", env=served.env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert served.env["PREVAIL_SESSION_ID"] in result["ids"]
    assert result["refused"] == [422, "validation_failed"]
    client_dir = str(installed.python.parent.parent)
    assert not any(str(paths.REPO_ROOT) in entry for entry in result["path"])
    assert any(entry.startswith(client_dir) for entry in result["path"])
    assert [s.refused_with for s in flakies[0].seen][:3] == [503, 429, 0]
