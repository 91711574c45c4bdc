"""The fixture variable table (``x-fixture-variables``) drives the check, mock and README."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from devtools.blocks import README
from devtools.fixture_tables import readme_drift, render_readme
from prevail_contract.errors import SpecError
from prevail_contract.mock import create_app, target_environment
from prevail_contract.spec import Spec, read_document
from prevail_contract.spec.fixture_variables import fixture_variables, read_variables
from prevail_contract.spec.paths import REPO_ROOT, SPEC_PATH

NEW_ROW = {
    "name": "PREVAIL_ROOM_SESSION_ID",
    "required": "no",
    "kind": "session-id",
    "rules": ["editable-states"],
    "meaning": "a Session held in a room (a variable added on a branch)",
}


def test_readme_tables_are_generated_from_the_spec() -> None:
    assert not readme_drift(), (
        "README's fixture variable tables differ from x-fixture-variables: run "
        "`.venv/bin/python -m devtools.readme_blocks`"
    )


def test_mock_prints_exactly_the_rows_it_sets() -> None:
    env = target_environment(create_app(), "http://127.0.0.1:8000")
    assert list(env) == [row.name for row in fixture_variables() if row.mock is not None]
    assert "PREVAIL_MAX_INVITES" not in env


def _with_new_row(tmp_path: Path, **changes: object) -> Path:
    doc = read_document(SPEC_PATH)
    doc["x-fixture-variables"].append({**NEW_ROW, **changes})
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return path


def test_a_new_variable_is_one_row(tmp_path: Path) -> None:
    spec_file = _with_new_row(tmp_path)
    rows = read_variables(Spec(read_document(spec_file), spec_file))
    readme = render_readme(README.read_text(encoding="utf-8"), rows)
    assert "| `PREVAIL_ROOM_SESSION_ID` | `--room-session-id` | no | `editable-states` |" in readme
    probe = (
        "import json, os\n"
        "from prevail_contract.check import cli\n"
        "from prevail_contract.runtime import config\n"
        "import argparse\n"
        "p = argparse.ArgumentParser(); cli.configure(p)\n"
        "args = p.parse_args(['--base-url', 'http://a.test', '--session-id', 's1',"
        " '--token', 't1', '--room-session-id', 'room-1'])\n"
        "flag = config.from_sources({}, args).to_env()\n"
        "env = config.from_sources({'PREVAIL_BASE_URL': 'http://a.test', 'PREVAIL_SESSION_ID':"
        " 's', 'PREVAIL_TOKEN': 't', 'PREVAIL_ROOM_SESSION_ID': 'room-2'}).to_env()\n"
        "try:\n"
        "    config.from_sources({'PREVAIL_BASE_URL': 'http://a.test', 'PREVAIL_SESSION_ID':"
        " 's', 'PREVAIL_TOKEN': 't', 'PREVAIL_ROOM_SESSION_ID': 'a b'})\n"
        "    bad = ''\n"
        "except Exception as exc:\n"
        "    bad = str(exc)\n"
        "print(json.dumps([flag, env, bad]))\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={"PREVAIL_SPEC": str(spec_file), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    flag, env, bad = json.loads(done.stdout)
    assert flag["PREVAIL_ROOM_SESSION_ID"] == "room-1"
    assert env["PREVAIL_ROOM_SESSION_ID"] == "room-2"
    assert "PREVAIL_ROOM_SESSION_ID must be a session id" in bad


def test_a_row_the_mock_cannot_produce_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREVAIL_SPEC", str(_with_new_row(tmp_path, mock="a room Session")))
    with pytest.raises(SpecError, match="mock sets PREVAIL_ROOM_SESSION_ID, but the mock cannot"):
        target_environment(create_app(), "http://127.0.0.1:8000")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"required": "maybe"}, "required must be one of"),
        ({"kind": "colour"}, "kind must be one of"),
        ({"rules": ["rule-nobody-has"]}, "no rule rule-nobody-has"),
        ({"name": "ROOM"}, "must look like PREVAIL_SOME_NAME"),
        ({"name": "PREVAIL_TOKEN"}, "lists PREVAIL_TOKEN twice"),
    ],
)
def test_a_bad_row_is_a_spec_error(tmp_path: Path, change: dict[str, object], message: str) -> None:
    spec_file = _with_new_row(tmp_path, **change)
    with pytest.raises(SpecError, match=message):
        read_variables(Spec(read_document(spec_file), spec_file))
