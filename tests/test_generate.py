"""``generate --check`` passes on the committed client and names every drifted file."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from prevail_contract import cli
from prevail_contract.generate import compare_trees
from prevail_contract.spec import paths
from tests.plugins.spec import Mutation


@pytest.fixture
def client_copy(tmp_path: Path) -> Path:
    """A scratch copy of the committed generated_client/."""
    target = tmp_path / "client"
    shutil.copytree(
        paths.GENERATED_CLIENT_DIR, target, ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


def test_committed_client_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["generate", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_hand_edit_and_spec_change_are_both_named(
    client_copy: Path,
    spec_copy: Callable[[Mutation], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    edited = client_copy / "prevail_sessions_client" / "models" / "session.py"
    edited.write_text(edited.read_text() + "\n# hand edit\n")
    (client_copy / "prevail_sessions_client" / "extra.py").write_text("x = 1\n")

    def add_field(doc: dict[str, Any]) -> None:
        doc["components"]["schemas"]["Session"]["properties"]["room"] = {
            "type": "string",
            "maxLength": 10,
        }

    spec_file = spec_copy(add_field)
    code = cli.main(["generate", "--check", "--spec", str(spec_file), "--output", str(client_copy)])
    assert code == 1
    err = capsys.readouterr().err
    assert "changed: prevail_sessions_client/models/session.py" in err
    assert "extra: prevail_sessions_client/extra.py" in err
    assert "prevail-contract generate" in err


def test_compare_trees_reports_missing_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.py").write_text("1\n")
    (tmp_path / "a" / "y.py").write_text("1\n")
    (tmp_path / "b" / "y.py").write_text("2\n")
    assert compare_trees(tmp_path / "a", tmp_path / "b") == [
        "missing: x.py (the generator produces it)",
        "changed: y.py (-1/+1 lines against the generator)",
    ]


def test_generator_warning_fails_generation(
    spec_copy: Callable[[Mutation], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def bad_header(doc: dict[str, Any]) -> None:
        doc["paths"]["/sessions/{remote_session_id}"]["patch"]["parameters"] = [
            {"name": "X-Mode", "in": "header", "schema": {"const": "x"}}
        ]

    spec_file = spec_copy(bad_header)
    out = tmp_path / "never"
    assert cli.main(["generate", "--spec", str(spec_file), "--output", str(out)]) == 2
    assert "openapi-python-client failed" in capsys.readouterr().err
    assert not out.exists()


def test_client_version_follows_the_spec_version(
    spec_copy: Callable[[Mutation], Path], tmp_path: Path
) -> None:
    def bump(document: dict[str, Any]) -> None:
        document["info"]["version"] = "2.0.0"

    spec_file = spec_copy(bump)
    out = tmp_path / "bumped-client"
    assert cli.main(["generate", "--spec", str(spec_file), "--out", str(out)]) == 0
    pyproject = (out / "pyproject.toml").read_text(encoding="utf-8")
    assert 'version = "2.0.0"' in pyproject


def test_generate_refuses_a_spec_that_is_not_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.1.0\ninfo: [\n", encoding="utf-8")
    assert cli.main(["generate", "--spec", str(broken), "--out", str(tmp_path / "c")]) == 2
    first, usage = capsys.readouterr().err.strip().splitlines()
    assert "not valid YAML" in first
    assert "line 3" in first
    assert usage.startswith("usage: prevail-contract generate")
    assert not (tmp_path / "c").exists()


def test_unknown_flag_is_answered_with_the_subcommand_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["generate", "--no-such-flag"])
    assert exited.value.code == 2
    error, usage = capsys.readouterr().err.splitlines()
    assert "unrecognized arguments: --no-such-flag" in error
    assert usage.startswith("usage: prevail-contract generate")
