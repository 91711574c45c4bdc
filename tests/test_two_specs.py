"""One process, two specs: nothing reads a spec when imported, so each run and each reader gets the
facts of the spec it is given (or of ``$PREVAIL_SPEC`` when it is read), never the first one's.

The fast tests load two spec files in one process and hold the registry, the suite's facts, the
fixture variable table and the list bounds of each to its own file, and import every module of
the kit and the suite with ``$PREVAIL_SPEC`` naming no file. The slow one runs the suite twice
in one process, on the kit's spec and then on a copy with other list bounds, and both pass.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contract_tests.support import st_checks
from contract_tests.support.facts import facts, list_parameter
from contract_tests.support.strategies import schedule_fields
from contract_tests.test_list import bounds
from prevail_contract.errors import SpecError
from prevail_contract.runtime.config import ENV_VARS, VARIABLES
from prevail_contract.spec import Spec, load_spec
from prevail_contract.spec.operation_registry import LIST_ROLE, operation_registry
from prevail_contract.spec.paths import REPO_ROOT, SPEC_VAR
from tests.plugins.check import clean_env
from tests.plugins.spec import Mutation
from tests.test_operation_registry import add_get_session

#: The list bounds of the second spec (the kit's are 1..100, 20 by default).
OTHER_ITEMS = {"maximum": 7, "default": 3}
NEW_ROW = {
    "name": "PREVAIL_ROOM_SESSION_ID",
    "required": "no",
    "kind": "session-id",
    "meaning": "a Session held in a room (a variable only the second spec has)",
}


def other_bounds(doc: dict[str, Any]) -> None:
    """The list's ``items`` parameter with other bounds."""
    doc["components"]["parameters"]["Items"]["schema"].update(OTHER_ITEMS)


def other_spec(doc: dict[str, Any]) -> None:
    """Other list bounds, a read of one Session, and one more fixture variable."""
    other_bounds(doc)
    add_get_session(doc)
    doc["x-fixture-variables"].append(NEW_ROW)


def _ids(spec: Spec) -> set[str]:
    return {entry.operation_id for entry in operation_registry(spec)}


def test_two_specs_in_one_process_each_have_their_own_facts(
    spec: Spec,
    spec_copy: Callable[[Mutation], Path],
    monkeypatch: pytest.MonkeyPatch,
    extra_operation_modules: None,
) -> None:
    other = load_spec(spec_copy(other_spec))
    assert "get_session" not in _ids(spec)
    assert "get_session" in _ids(other)
    assert operation_registry(other).role(LIST_ROLE).operation_id == "list_sessions"
    assert int(list_parameter(spec, "items")["default"]) == 20
    assert int(list_parameter(other, "items")["default"]) == 3
    assert facts(spec) is not facts(other)
    assert (bounds(spec).items_max, bounds(other).items_max) == (100, 7)
    # the readers with no spec argument read the spec in use when called, not when imported
    monkeypatch.setenv(SPEC_VAR, str(other.path))
    assert facts() is facts(other)
    assert "room_session_id" in ENV_VARS
    assert "PREVAIL_ROOM_SESSION_ID" in [row.name for row in VARIABLES]
    assert "get_session" in _ids(load_spec())
    assert st_checks._operation_id(LIST_ROLE) == "list_sessions"
    assert schedule_fields() == tuple(facts(other).schedule)
    monkeypatch.delenv(SPEC_VAR)
    assert facts() is facts(spec)
    assert "room_session_id" not in ENV_VARS
    assert "get_session" not in _ids(load_spec())


IMPORT_ALL = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    import contract_tests, prevail_contract
    failed = []
    for package in (prevail_contract, contract_tests):
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
            if info.name.endswith("__main__"):
                continue
            try:
                importlib.import_module(info.name)
            except Exception as exc:
                failed.append(f"{info.name}: {exc!r}")
    print("\\n".join(failed))
    sys.exit(1 if failed else 0)
    """
)


def test_no_module_reads_a_spec_when_imported(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-spec.yaml"
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", IMPORT_ALL],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=clean_env({SPEC_VAR: str(missing), "PYTHONPATH": str(REPO_ROOT)}),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"modules that read the spec when imported:\n{done.stdout}"


RUN_TWICE = textwrap.dedent(
    """
    import json, sys
    from prevail_contract.check.cli import run_suite
    from prevail_contract.runtime.config import from_sources
    from prevail_contract.runtime.results import build_results
    from prevail_contract.spec import load_spec

    out = []
    chosen = "test_pages_neither_repeat_nor_skip or test_query_values_outside_the_limits"
    for spec_file in sys.argv[1:]:
        config = from_sources({})
        recorder, code = run_suite(
            config,
            profile="fast",
            seed=5,
            extra_env={"PREVAIL_SPEC": spec_file},
            pytest_args=["-k", chosen],
        )
        results = build_results(load_spec(spec_file), recorder.records, recorder.masker)
        out.append({"code": code, "statuses": {r.id: r.status for r in results}})
    print("RESULT " + json.dumps(out))
    """
)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_suite_runs_on_two_specs_in_one_process(
    spec: Spec, spec_copy: Callable[[Mutation], Path]
) -> None:
    other = spec_copy(other_bounds)
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", RUN_TWICE, str(spec.path), str(other)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=clean_env(None),
        timeout=280,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    shown = done.stdout[-3000:] + done.stderr[-3000:]
    assert done.returncode == 0, shown
    assert lines, shown
    runs = json.loads(lines[-1].removeprefix("RESULT "))
    assert len(runs) == 2
    for run in runs:  # the second run probed the second spec's bounds (7 a page, 3 by default)
        assert run["code"] == pytest.ExitCode.OK, run
        assert run["statuses"]["list-pagination-consistent"] == "passed", run
        assert run["statuses"]["list-query-validated"] == "passed", run


def test_a_spec_is_kept_per_place_and_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit = load_spec().path
    assert kit is not None
    source = kit.read_text(encoding="utf-8")
    first, linked = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    linked.mkdir()
    (first / "openapi.yaml").write_text(source, encoding="utf-8")
    (linked / "openapi.yaml").hardlink_to(first / "openapi.yaml")
    monkeypatch.chdir(first)
    here = load_spec("openapi.yaml")
    assert load_spec("openapi.yaml") is here  # kept
    monkeypatch.chdir(linked)
    # the same file (a hard link) by the same relative name: its Spec says where it was found
    assert load_spec("openapi.yaml").path == (linked / "openapi.yaml").resolve()
    # changed in place (through the other name): read again
    (linked / "openapi.yaml").write_text(source.replace("title:", "title: ", 1), encoding="utf-8")
    again = load_spec(first / "openapi.yaml")
    assert again is not here
    assert again.path == here.path
    monkeypatch.setenv(SPEC_VAR, "openapi.yaml")
    assert load_spec().path == (linked / "openapi.yaml").resolve()
    monkeypatch.setenv(SPEC_VAR, str(tmp_path / "absent.yaml"))
    with pytest.raises(SpecError, match=r"spec file not found: .*absent\.yaml"):
        load_spec()
