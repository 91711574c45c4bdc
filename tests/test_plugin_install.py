"""The integrator's install: the kit's wheel with no extra (the mock and its pytest plugin) and the
client's wheel, in a fresh venv without the contract suite's dependencies, runs the README's
plugin test.

Offline, as ``test_client_wheel``: both wheels are built with hatchling (no isolation) and
installed with ``--no-deps --no-index`` into a venv without pip; the distributions their plain
requirements need, and pytest (the integrator's own), are copied out of this environment into
one directory that a ``.pth`` line puts on the venv's path. ``pip check`` proves nothing is
missing; schemathesis, hypothesis, openapi-python-client and rich are not there at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

import pytest
from hatchling.build import build_wheel
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from prevail_contract.spec.paths import CHECKOUT
from tests.test_client_wheel import _closure, _copy_distribution, _metadata_name
from tests.test_pytest_plugin import integrator_example

pytestmark = pytest.mark.slow

#: The two distributions installed from the wheels just built (never copied).
OURS = {"prevail-contract", "prevail-sessions-client"}
#: What the contract suite and the spec tools need, and a plain install must not bring.
SUITE_ONLY = (
    "schemathesis",
    "hypothesis",
    "openapi_python_client",
    "openapi_spec_validator",
    "rich",
)


@dataclass
class Project:
    """A fresh venv with the plain install, and an integrator's project directory."""

    python: Path
    workdir: Path
    copied: set[str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PREVAIL_", "PYTHON", "PYTEST"))
        }
        return subprocess.run(  # noqa: S603 - the venv's own interpreter
            [str(self.python), *args],
            cwd=self.workdir,
            env=clean,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )


def _requires(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        meta = Parser().parsestr(archive.read(_metadata_name(archive)).decode())
    return meta.get_all("Requires-Dist") or []


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    assert CHECKOUT is not None, "the kit's tests run in its checkout"
    root = tmp_path_factory.mktemp("plugin-install")
    here = Path.cwd()
    wheels = []
    for folder in (CHECKOUT, CHECKOUT / "generated_client"):
        os.chdir(folder)  # hatchling builds the project in the current directory
        try:
            wheels.append(root / build_wheel(str(root)))
        finally:
            os.chdir(here)
    wanted = [r for wheel in wheels for r in _requires(wheel) if Requirement(r).name not in OURS]
    copied = _closure([*wanted, "pytest"]) - OURS
    dependencies = root / "dependencies"
    for name in sorted(copied):
        _copy_distribution(name, dependencies)
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run(  # noqa: S603
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "zz-dependencies.pth").write_text(f"{dependencies}\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    subprocess.run(  # noqa: S603
        [*pip, "install", "--quiet", "--no-deps", "--no-index", *map(str, wheels)],
        check=True,
        capture_output=True,
    )
    workdir = root / "integrator"
    workdir.mkdir()
    return Project(python, workdir, copied)


def test_the_plain_install_leaves_the_suite_out(project: Project) -> None:
    assert project.copied.isdisjoint({canonicalize_name(m) for m in SUITE_ONLY})
    pip = [sys.executable, "-m", "pip", "--python", str(project.python)]
    checked = subprocess.run(  # noqa: S603
        [*pip, "check"], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = subprocess.run(  # noqa: S603
        [*pip, "list", "--format", "json"], capture_output=True, text=True, check=True
    )
    names = {canonicalize_name(d["name"]) for d in json.loads(listed.stdout)}
    assert names >= OURS
    for module in SUITE_ONLY:
        done = project.run("-c", f"import {module}")
        assert "ModuleNotFoundError" in done.stderr, f"{module} is importable in the plain install"


def test_the_readme_plugin_test_passes_there(project: Project) -> None:
    (project.workdir / "test_integrator.py").write_text(integrator_example(), encoding="utf-8")
    done = project.run("-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    where = project.run("-c", "import prevail_contract, sys; print(prevail_contract.__file__)")
    assert str(project.python.parent.parent) in where.stdout, where.stdout + where.stderr


def test_a_command_needing_an_extra_says_which(project: Project) -> None:
    done = project.run("-m", "prevail_contract", "check", "--help")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "pip install 'prevail-contract[check]'" in done.stderr
    assert "Traceback" not in done.stderr
    served = project.run("-m", "prevail_contract", "mock", "--help")
    assert served.returncode == 0, served.stderr
