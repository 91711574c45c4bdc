"""Helpers for the diff-gate tests: a minimal OpenAPI 3.1 document built around one change,
and fixtures that write documents and run ``prevail-contract diff``."""

from __future__ import annotations

import copy
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from prevail_contract.cli import main as cli_main
from prevail_contract.diff import Change, compare_documents

Doc = dict[str, Any]

#: The one operation of a minimal document.
PATH = "/items/{item_id}"
METHOD = "patch"
OP = f"PATCH {PATH}"


def _object(
    props: dict[str, Any] | None,
    default_field: str,
    required: list[str] | None,
    extra: dict[str, Any] | None,
) -> dict[str, Any]:
    """An object schema of ``props`` (default: one string ``default_field``), copied."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": copy.deepcopy(props)
        if props is not None
        else {default_field: {"type": "string"}},
    }
    if required:
        schema["required"] = list(required)
    schema.update(copy.deepcopy(extra or {}))
    return schema


def minimal_doc(
    *,
    request_props: dict[str, Any] | None = None,
    request_required: list[str] | None = None,
    request_extra: dict[str, Any] | None = None,
    response_props: dict[str, Any] | None = None,
    response_required: list[str] | None = None,
    response_extra: dict[str, Any] | None = None,
    parameters: list[dict[str, Any]] | None = None,
    responses: dict[str, Any] | None = None,
    schemas: dict[str, Any] | None = None,
    security: list[dict[str, list[str]]] | None = None,
    security_schemes: dict[str, Any] | None = None,
    operation: dict[str, Any] | None = None,
    path: str = PATH,
    version: str = "1.0.0",
) -> Doc:
    """A small valid OpenAPI 3.1 document: ``PATCH /items/{item_id}`` (operationId
    ``update_item``) with a JSON request body ``{"item": {request_props}}`` and a 200 answer
    ``{response_props}``. Every argument replaces or extends one part, so a test states only
    the part its change touches; the rest stays identical between base and head."""
    request_schema = _object(request_props, "name", request_required, request_extra)
    response_schema = _object(response_props, "id", response_required, response_extra)
    op: dict[str, Any] = {
        "operationId": "update_item",
        "parameters": copy.deepcopy(parameters)
        if parameters is not None
        else [{"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["item"],
                        "properties": {"item": {"$ref": "#/components/schemas/ItemEdit"}},
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "The item.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
            },
            **copy.deepcopy(responses or {}),
        },
    }
    op.update(copy.deepcopy(operation or {}))
    doc: Doc = {
        "openapi": "3.1.0",
        "info": {"title": "Minimal", "version": version},
        "servers": [{"url": "https://api.example.com/v1"}],
        "paths": {path: {METHOD: op}},
        "components": {
            "schemas": {"ItemEdit": request_schema, "Item": response_schema},
        },
    }
    doc["components"]["schemas"].update(copy.deepcopy(schemas or {}))
    if security is not None:
        doc["security"] = copy.deepcopy(security)
    if security_schemes is not None:
        doc["components"]["securitySchemes"] = copy.deepcopy(security_schemes)
    return doc


def changes(base: Doc, head: Doc) -> list[Change]:
    """The classified changes from ``base`` to ``head``."""
    return compare_documents(base, head)


def only_change(base: Doc, head: Doc) -> Change:
    """The single change between two documents (fails listing them if there are more)."""
    found = changes(base, head)
    assert len(found) == 1, "expected exactly one change, got:\n" + "\n".join(
        f"  {c.classification} {c.kind} at {c.location}: {c.reason}" for c in found
    )
    return found[0]


def write_doc(path: Path, doc: Doc) -> Path:
    """Write ``doc`` as YAML to ``path`` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


@dataclass(frozen=True)
class DiffRun:
    """The outcome of one ``prevail-contract diff`` run."""

    code: int
    out: str
    err: str


#: Runs ``prevail-contract diff`` with the given arguments.
RunDiff = Callable[..., DiffRun]


@pytest.fixture
def run_diff(capsys: pytest.CaptureFixture[str]) -> RunDiff:
    """Run the diff subcommand in-process and capture its output."""

    def run(*args: str | Path) -> DiffRun:
        code = cli_main(["diff", *(str(a) for a in args)])
        captured = capsys.readouterr()
        return DiffRun(code, captured.out, captured.err)

    return run


@pytest.fixture
def spec_pair(tmp_path: Path) -> Callable[[Doc, Doc], tuple[Path, Path]]:
    """Write a base and a head document to files; return (base path, head path)."""

    def write(base: Doc, head: Doc) -> tuple[Path, Path]:
        return write_doc(tmp_path / "base.yaml", base), write_doc(tmp_path / "head.yaml", head)

    return write


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed identity; return stdout."""
    result = subprocess.run(  # noqa: S603 - fixed argv
        [  # noqa: S607 - git from PATH
            "git",
            "-c",
            "user.name=Diff Test",
            "-c",
            "user.email=diff@example.com",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """A fresh git repository on branch ``main`` with ``openapi/openapi.yaml`` committed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    write_doc(repo / "openapi" / "openapi.yaml", minimal_doc())
    git(repo, "add", "openapi/openapi.yaml")
    git(repo, "commit", "--quiet", "-m", "base spec")
    return repo
