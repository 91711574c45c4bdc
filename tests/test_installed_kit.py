"""The kit as a new user gets it: the built wheels in a fresh venv, used outside the repository.

Offline and fast: the kit's wheel and the client's (its own distribution, installed beside the
kit as the README says) are built with hatchling (no isolation), installed with ``--no-deps
--no-index`` into a venv without pip, and that venv reaches the already-installed dependencies
through a ``.pth`` line naming this environment's site-packages (a plain path entry, so this
environment's editable install of the kit is not visible there). The dependencies' scripts
(openapi-python-client, ruff) come after the venv's own ``bin`` on ``PATH``, as they would after
``pip install``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest
from hatchling.build import build_wheel

from prevail_contract.spec.paths import CHECKOUT
from tests.plugins.check import SERVED_MOCK_BASELINE, serve_mock

pytestmark = pytest.mark.slow


@dataclass
class InstalledKit:
    """A venv holding only the kit's wheel, and a working directory outside any checkout."""

    bin: Path
    workdir: Path

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 240
    ) -> subprocess.CompletedProcess[str]:
        """Run the installed ``prevail-contract`` in ``workdir``."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith("PREVAIL_")}
        path = os.pathsep.join(
            [str(self.bin), clean.get("PATH", ""), str(Path(sys.executable).parent)]
        )
        clean.update({"PATH": path, **(env or {})})
        return subprocess.run(  # noqa: S603 - the venv's own entry point
            [str(self.bin / "prevail-contract"), *args],
            cwd=self.workdir,
            env=clean,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> InstalledKit:
    assert CHECKOUT is not None, "the kit's tests run in its checkout"
    root = tmp_path_factory.mktemp("installed-kit")
    here = Path.cwd()
    wheels = []
    for project in (CHECKOUT, CHECKOUT / "generated_client"):
        os.chdir(project)  # hatchling builds the project in the current directory
        try:
            wheels.append(str(root / build_wheel(str(root))))
        finally:
            os.chdir(here)
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    bin_dir = env_dir / "bin"
    site = Path(
        subprocess.run(  # noqa: S603
            [
                str(bin_dir / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "zz-kit-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(bin_dir / "python"),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            *wheels,
        ],
        check=True,
        capture_output=True,
    )
    workdir = root / "elsewhere"
    workdir.mkdir()
    return InstalledKit(bin_dir, workdir)


def test_installed_kit_uses_its_package_data_not_a_checkout(kit: InstalledKit) -> None:
    code = (
        "import json, prevail_contract.spec.paths as p, prevail_sessions_client as c; "
        "print(json.dumps([str(p.CHECKOUT), str(p.spec_path()), str(p.SUITE_DIR), c.__file__]))"
    )
    done = subprocess.run(  # noqa: S603
        [str(kit.bin / "python"), "-c", code], cwd=kit.workdir, capture_output=True, text=True
    )
    checkout, spec, suite, client = json.loads(done.stdout)
    venv_dir = str(kit.bin.parent)
    assert checkout == "None"
    assert spec.startswith(venv_dir)
    assert spec.endswith("openapi.yaml")
    assert suite.startswith(venv_dir)
    assert Path(suite, "conftest.py").is_file()
    assert client.startswith(venv_dir)


def test_the_client_files_belong_to_the_client_distribution_alone(kit: InstalledKit) -> None:
    code = (
        "import importlib.metadata as m; print(sorted(d.metadata['Name'] for d in "
        "m.distributions() if any(f.parts[0] == 'prevail_sessions_client' for f in d.files or [])))"
    )
    done = subprocess.run(  # noqa: S603
        [str(kit.bin / "python"), "-c", code], cwd=kit.workdir, capture_output=True, text=True
    )
    assert done.stdout.strip() == "['prevail-sessions-client']", done.stdout + done.stderr


def test_installed_check_passes_a_served_mock_from_outside_the_repo(kit: InstalledKit) -> None:
    with serve_mock() as served:
        done = kit.run(
            "check",
            "--seed",
            "20261124",
            "--report-dir",
            "reports",
            "--baseline",
            str(SERVED_MOCK_BASELINE),
            env=served.env,
        )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "preflight:" in done.stdout
    report = json.loads((kit.workdir / "reports" / "conformance.json").read_text())
    statuses = {r["id"]: r["status"] for r in report["rules"]}
    assert "failed" not in statuses.values()
    # The stateful test must run within the default invite budget over HTTP.
    assert statuses["invites-additive"] == "passed"
    assert report["spec_version"]
    assert report["verified_at"]


def test_installed_check_refuses_a_wrong_session_id_before_any_rule(kit: InstalledKit) -> None:
    with serve_mock() as served:
        env = {**served.env, "PREVAIL_SESSION_ID": "no-such-session"}
        done = kit.run("check", "--report-dir", "wrong", env=env)
    assert done.returncode == 2
    assert "PREVAIL_SESSION_ID" in done.stderr
    assert "session_not_found" in done.stderr
    assert not (kit.workdir / "wrong" / "conformance.json").exists()


def test_installed_generate_diff_lint_and_docs_work_outside_the_repo(kit: InstalledKit) -> None:
    generated = kit.run("generate", "--out", "client")
    assert generated.returncode == 0, generated.stderr
    assert (kit.workdir / "client" / "prevail_sessions_client" / "__init__.py").is_file()
    listing = kit.workdir / "client" / "prevail_sessions_client" / "api" / "sessions"
    assert "def iterate_sessions(" in (listing / "list_sessions.py").read_text()  # the templates
    spec = kit.workdir / "spec.yaml"
    assert CHECKOUT is not None
    spec.write_text((CHECKOUT / "openapi" / "openapi.yaml").read_text(encoding="utf-8"))
    same = kit.run("diff", "--spec", str(spec), "--base-spec", str(spec), "--no-client-diff")
    assert same.returncode == 0, same.stdout + same.stderr
    no_node = kit.run("lint", env={"PREVAIL_NODE_BIN": str(kit.workdir / "nowhere")})
    assert no_node.returncode == 2
    assert "npm install --no-save @stoplight/spectral-cli@" in no_node.stderr
    node_bin = CHECKOUT / "node_modules" / ".bin"
    linted = kit.run("lint", env={"PREVAIL_NODE_BIN": str(node_bin)})
    assert linted.returncode == 0, linted.stdout + linted.stderr
    docs = kit.run("docs", "--out", "site", env={"PREVAIL_NODE_BIN": str(node_bin)})
    assert docs.returncode == 0, docs.stdout + docs.stderr
    assert (kit.workdir / "site" / "index.html").is_file()
