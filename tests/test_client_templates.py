"""The client templates: copies of the pinned generator's where they change it, a client that
type-checks strictly and imports only what it declares, and helpers built from the spec."""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openapi_python_client
import pytest

from prevail_contract import cli
from prevail_contract.spec import Spec, paths
from tests.plugins.spec import Mutation

UPSTREAM = Path(openapi_python_client.__file__).parent / "templates"
TEMPLATES = paths.CLIENT_TEMPLATES_DIR
CLIENT = paths.GENERATED_CLIENT_DIR
PACKAGE = CLIENT / "prevail_sessions_client"
ROW = re.compile(r"^\| `(?P<name>[^`]+)` \| (?P<base>[^|]+) \|")


def _documented_templates() -> dict[str, str]:
    """Template name → the sha256 it is based on, or ``new``, from the folder's README table."""
    rows = (ROW.match(line) for line in (TEMPLATES / "README.md").read_text().splitlines())
    found = {m["name"]: m["base"].strip() for m in rows if m and m["name"].endswith(".jinja")}
    return {
        name: base.strip("`") if base.startswith("`") else "new" for name, base in found.items()
    }


def test_each_template_is_listed_with_the_upstream_file_it_is_based_on() -> None:
    documented = _documented_templates()
    assert sorted(documented) == sorted(p.name for p in TEMPLATES.glob("*.jinja"))
    for name, base in documented.items():
        upstream = UPSTREAM / name
        if base == "new" and name != "README.md.jinja":
            assert not upstream.exists(), f"{name} is listed as new but the generator has one"
            continue
        if base == "new":
            continue
        digest = hashlib.sha256(upstream.read_bytes()).hexdigest()
        pinned = importlib.metadata.version("openapi-python-client")
        assert digest == base, (
            f"openapi-python-client {pinned} changed its {name}: carry the kit's changes over "
            f"to the new version and update {TEMPLATES / 'README.md'}"
        )


def test_the_generated_client_passes_mypy_strict(tmp_path: Path) -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter's mypy
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), PACKAGE.name],
        cwd=CLIENT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _imported_distributions() -> set[str]:
    """The distributions the client's modules import (standard library and itself left out)."""
    by_module = importlib.metadata.packages_distributions()
    names: set[str] = set()
    for source in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    third_party = names - set(sys.stdlib_module_names) - {PACKAGE.name}
    return {by_module[name][0].lower() for name in third_party}


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((CLIENT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_client_declares_exactly_what_it_imports() -> None:
    declared = _pyproject()["project"]["dependencies"]
    names = {re.split(r"[<>=!~ ]", requirement, maxsplit=1)[0].lower() for requirement in declared}
    assert names == _imported_distributions() == {"httpx", "attrs"}
    assert declared == ["httpx>=0.23.1,<0.29.0", "attrs>=22.2.0"]


def test_the_client_is_built_with_the_kits_hatchling_and_versioned_by_the_spec(spec: Spec) -> None:
    client = _pyproject()
    kit = tomllib.loads((paths.REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert client["build-system"] == kit["build-system"]
    assert client["project"]["name"] == "prevail-sessions-client"
    assert client["project"]["version"] == spec.version
    assert client["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == [PACKAGE.name]


def test_api_error_carries_the_model_of_every_error_response(spec: Spec) -> None:
    names: set[str] = set()
    for operation in spec.operations:
        for status, response in operation.node["responses"].items():
            if status[0] in "45":
                schema = spec.deref(response)["content"]["application/json"]["schema"]
                names.add(schema["$ref"].rsplit("/", 1)[1])
    errors = (PACKAGE / "errors.py").read_text(encoding="utf-8")
    body = " | ".join(sorted(names))
    assert f"def parsed_or_raise(response: Response[T | {body}]) -> T:" in errors
    assert f"error: {body}, response: Response[Any]" in errors


def _generate(spec_file: Path, out: Path) -> str:
    assert cli.main(["generate", "--spec", str(spec_file), "--out", str(out)]) == 0
    return (out / PACKAGE.name / "api" / "sessions" / "list_sessions.py").read_text()


def _list_200(document: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = document["paths"]["/sessions"]["get"]["responses"]["200"]
    return response


def test_the_page_size_and_first_page_come_from_the_spec(
    spec_copy: Callable[[Mutation], Path], tmp_path: Path
) -> None:
    def smaller_pages(document: dict[str, Any]) -> None:
        document["components"]["parameters"]["Items"]["schema"]["maximum"] = 50
        document["components"]["schemas"]["ListSessionsResponse"]["properties"]["sessions"][
            "maxItems"
        ] = 50
        page = document["components"]["parameters"]["Page"]["schema"]
        page["minimum"] = page["default"] = 0

    module = _generate(spec_copy(smaller_pages), tmp_path / "client")
    helper = module[module.index("def iterate_sessions(") :]
    assert "    items: int = 50,\n" in helper
    assert "    page, walked = 0, 0\n" in helper


def test_without_x_pagination_there_is_no_paging_helper(
    spec_copy: Callable[[Mutation], Path], tmp_path: Path
) -> None:
    module = _generate(spec_copy(lambda d: _list_200(d).pop("x-pagination")), tmp_path / "c")
    assert "def iterate_" not in module
    assert "def aiterate_" not in module
    assert "Iterator" not in module


def test_an_x_pagination_that_does_not_resolve_stops_generation(
    spec_copy: Callable[[Mutation], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def wrong_field(document: dict[str, Any]) -> None:
        _list_200(document)["x-pagination"]["pages"] = "pagy.last_page"

    out = tmp_path / "never"
    assert cli.main(["generate", "--spec", str(spec_copy(wrong_field)), "--out", str(out)]) == 2
    assert "x_pagination_pages_names_no_required_field" in capsys.readouterr().err
    assert not out.exists()
