"""The client API diff: the generated client's public surface, read with ast, and its change."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from prevail_contract.diff import client_api_diff, diff_surfaces, read_surface
from prevail_contract.spec import load_spec, paths
from tests.plugins.diff import Doc, RunDiff, minimal_doc, write_doc

S = {"type": "string"}


def write_client(root: Path, api: str, models: dict[str, str]) -> Path:
    """A tiny client tree in the generator's layout, from source text."""
    package = root / "pkg"
    (package / "api" / "things").mkdir(parents=True)
    (package / "models").mkdir()
    (package / "__init__.py").write_text("")
    (package / "api" / "things" / "update_thing.py").write_text(textwrap.dedent(api))
    for name, text in models.items():
        (package / "models" / f"{name}.py").write_text(textwrap.dedent(text))
    return root


API_V1 = """
    def _get_kwargs(thing_id: str) -> dict: ...
    def sync(thing_id: str, *, client: object, body: Thing) -> Thing | None: ...
    def sync_detailed(thing_id: str, *, client: object, body: Thing) -> Response[Thing]: ...
"""
API_V2 = """
    def sync(
        thing_id: int, *, client: object, body: Thing, dry_run: bool | Unset = UNSET
    ) -> Thing | None: ...
    def sync_detailed(
        thing_id: int, *, client: object, body: Thing, dry_run: bool | Unset = UNSET
    ) -> Response[Thing]: ...
"""
MODEL_V1 = """
    @_attrs_define
    class Thing:
        name: str
        size: int | Unset = UNSET
        additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

        def to_dict(self) -> dict:
            name = self.name
            return {}
"""
MODEL_V2 = """
    @_attrs_define
    class Thing:
        name: str | Unset = UNSET
        colour: Colour | Unset = UNSET
        additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)
"""
ENUM_V1 = """
    class Colour(StrEnum):
        RED = "red"
        BLUE = "blue"
"""
ENUM_V2 = """
    class Colour(StrEnum):
        RED = "red"
        GREEN = "green"
"""


def test_read_surface_of_the_committed_client() -> None:
    surface = read_surface(paths.GENERATED_CLIENT_DIR)
    sync = surface.functions["api.sessions.edit_session.sync_detailed"]
    names = [(p.name, p.kind) for p in sync.params]
    assert names == [
        ("remote_session_id", "positional"),
        ("client", "keyword"),
        ("body", "keyword"),
    ]
    assert sync.params[2].annotation == "EditSessionRequest"
    cancel = surface.functions["api.sessions.cancel_session.asyncio_detailed"]
    assert [(p.name, p.kind) for p in cancel.params] == [
        ("remote_session_id", "positional"),
        ("client", "keyword"),
        ("cancel_without_email", "keyword"),
    ]
    assert set(surface.functions) == {
        f"api.sessions.{op}.{n}"
        for op in (o.operation_id for o in load_spec().operations)
        for n in ("sync", "sync_detailed", "asyncio", "asyncio_detailed")
    } | {
        "api.sessions.list_sessions.iterate_sessions",
        "api.sessions.list_sessions.aiterate_sessions",
    }
    access = surface.models["AccessLevel"]
    assert access.kind == "enum"
    assert access.fields == {"HOST": "'host'", "PARTICIPANT": "'participant'"}
    edit = surface.models["RemoteSessionEdit"]
    assert edit.kind == "class"
    assert edit.fields["title"] == "str | Unset"


def test_diff_surfaces_names_each_change(tmp_path: Path) -> None:
    old = read_surface(write_client(tmp_path / "a", API_V1, {"thing": MODEL_V1, "colour": ENUM_V1}))
    new = read_surface(write_client(tmp_path / "b", API_V2, {"thing": MODEL_V2, "colour": ENUM_V2}))
    found = {(c.action, c.what, c.symbol, c.detail) for c in diff_surfaces(old, new)}
    assert found == {
        (
            "changed",
            "parameter",
            "api.things.update_thing.{sync, sync_detailed}",
            "parameter thing_id: str → thing_id: int",
        ),
        (
            "added",
            "parameter",
            "api.things.update_thing.{sync, sync_detailed}",
            "parameter dry_run: bool | Unset = UNSET",
        ),
        ("changed", "field", "models.Thing.name", "str → str | Unset"),
        ("removed", "field", "models.Thing.size", "int | Unset"),
        ("added", "field", "models.Thing.colour", "Colour | Unset"),
        ("removed", "member", "models.Colour.BLUE", "'blue'"),
        ("added", "member", "models.Colour.GREEN", "'green'"),
    }


def test_same_tree_has_no_changes() -> None:
    surface = read_surface(paths.GENERATED_CLIENT_DIR)
    assert diff_surfaces(surface, surface) == []


def test_regenerated_client_gains_the_added_field(tmp_path: Path) -> None:
    base = write_doc(tmp_path / "base.yaml", minimal_doc(response_props={"id": S}))
    head = write_doc(
        tmp_path / "head.yaml", minimal_doc(response_props={"id": S, "room": {"type": "integer"}})
    )
    result = client_api_diff(base, head)
    assert result.status == "compared"
    assert [(c.action, c.what, c.symbol, c.detail) for c in result.changes] == [
        ("added", "field", "models.Item.room", "int | Unset")
    ]


def test_base_that_does_not_generate_is_reported_not_raised(
    run_diff: RunDiff, spec_pair: Callable[[Doc, Doc], tuple[Path, Path]]
) -> None:
    broken = minimal_doc(response_props={"id": {"$ref": "#/components/schemas/Missing"}})
    base, head = spec_pair(broken, minimal_doc())
    run = run_diff("--spec", head, "--base-spec", base, "--format", "json", "--client-diff")
    report = json.loads(run.out)
    assert report["client_api"]["status"] == "failed"
    assert report["client_api"]["note"].startswith("the base spec does not generate a client")
    assert "Could not find reference" in report["client_api"]["note"]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_client_diff_is_on_by_default_for_text_and_markdown(
    run_diff: RunDiff, spec_pair: Callable[[Doc, Doc], tuple[Path, Path]], fmt: str
) -> None:
    base, head = spec_pair(minimal_doc(), minimal_doc())
    run = run_diff("--spec", head, "--base-spec", base, "--format", fmt)
    assert run.code == 0
    assert "no change to the generated client's public surface" in run.out
