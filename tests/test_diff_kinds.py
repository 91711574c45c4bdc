"""The diff kind registry is complete both ways, and the walker emits only from it."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from devtools.blocks import README
from devtools.readme_blocks import drifted
from prevail_contract import cli
from prevail_contract.diff import kinds
from prevail_contract.diff.context import Ctx, Recorder

DIFF_PACKAGE = Path(kinds.__file__).parent
#: The Recorder methods that emit a change, and the position of their kind argument.
EMITTERS = {"emit": 0, "fixed": 2, "directional": 2}


def _literal_kinds(node: ast.expr, where: str) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literal_kinds(node.body, where) + _literal_kinds(node.orelse, where)
    raise AssertionError(f"{where}: a kind must be a string literal, got {ast.unparse(node)}")


def _emitted_in_code() -> dict[str, str]:
    """Every kind some emit call in diff/ can pass, with the first place it stands."""
    found: dict[str, str] = {}
    for path in sorted(DIFF_PACKAGE.glob("*.py")):
        if path.name == "context.py":
            continue  # the Recorder itself, which forwards the kind it is given
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            position = EMITTERS.get(node.func.attr)
            if position is None or not isinstance(node.func.value, ast.Name):
                continue
            if node.func.value.id != "self":
                continue
            where = f"{path.name}:{node.lineno}"
            for name in _literal_kinds(node.args[position], where):
                found.setdefault(name, where)
    return found


def test_every_kind_the_code_emits_is_registered() -> None:
    emitted = _emitted_in_code()
    unknown = {name: where for name, where in emitted.items() if name not in kinds.KINDS}
    assert not unknown, f"kinds emitted but missing from diff/kinds.py: {unknown}"


def test_every_registered_kind_is_emitted_somewhere() -> None:
    emitted = _emitted_in_code()
    assert len(emitted) > 50, "the scan found too few emit calls: has the walker moved?"
    assert sorted(set(kinds.KINDS) - set(emitted)) == []


def test_an_unregistered_kind_cannot_be_emitted() -> None:
    recorder = Recorder({}, {})
    with pytest.raises(KeyError, match="not in the registry"):
        recorder.emit("made-up-kind", "request", "somewhere", "reason")


def test_a_kind_is_emitted_only_the_way_the_registry_judges_it() -> None:
    recorder = Recorder({}, {})
    ctx = Ctx("request", "PATCH /x request body")
    with pytest.raises(ValueError, match="judged by side"):
        recorder.emit("bound-tightened", "request", "here", "reason")
    with pytest.raises(ValueError, match="fixed verdict"):
        recorder.directional(ctx, None, "field-removed", "what", narrows=True, widens=False)
    with pytest.raises(ValueError, match="comes from the registry"):
        recorder.directional(ctx, None, "nullable-added", "what", narrows=True, widens=False)
    with pytest.raises(ValueError, match="varies"):
        recorder.directional(ctx, None, "type-changed", "what")


def test_the_registry_gives_the_verdict_and_direction() -> None:
    recorder = Recorder({}, {})
    request, response = Ctx("request", "req"), Ctx("response", "resp")
    recorder.directional(request, "maxLength", "bound-tightened", "maxLength changed")
    recorder.directional(response, "maxLength", "bound-tightened", "maxLength changed")
    recorder.directional(response, None, "additional-properties-allowed", "open again")
    recorder.emit("operation-added", "operation", "GET /x", "new")
    assert [c.classification for c in recorder.changes] == [
        "breaking",
        "non-breaking",
        "non-breaking",
        "non-breaking",
    ]


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_list_rules_prints_the_whole_registry(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["diff", "--list-rules", "--format", fmt]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        assert [k["name"] for k in json.loads(out)] == list(kinds.KINDS)
        return
    lines = out.splitlines()
    for rule in kinds.KINDS.values():
        start = f"| `{rule.name}` |" if fmt == "markdown" else f"{rule.name} "
        line = next(line for line in lines if line.startswith(start))
        assert rule.verdict in line
        assert rule.summary in line


def test_the_readme_lists_the_registry_as_it_is(tmp_path: Path) -> None:
    assert drifted() == [], "the README's generated blocks drifted: run " + (
        "`python -m devtools.readme_blocks`"
    )
    text = README.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `operation-moved` |"))
    stale = tmp_path / "README.md"
    stale.write_text(text.replace(row + "\n", ""), encoding="utf-8")
    assert drifted(stale) == ["diff-kinds"]
