"""Regenerate the client for both specs and diff its public Python surface.

The surface is what a user of the generated client writes against: the functions in
``api/**`` (parameters, their kinds, types and defaults, and return types), the model
classes in ``models/`` with their fields and types, and enum members with their values.

It is read by parsing the generated sources with :mod:`ast`, not by importing them: both
trees define the same package name (``prevail_sessions_client``), which one interpreter
cannot hold twice, and the committed copy is already importable from ``generated_client/``
and would shadow them; importing also executes code from a spec under review, and a tree
that does not import (a half-broken generation) can still be described from its text.
"""

from __future__ import annotations

import ast
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from prevail_contract.diff.model import ClientApiChange, ClientApiDiff
from prevail_contract.errors import ToolError

_ENUM_BASES = {"Enum", "StrEnum", "IntEnum", "IntFlag", "Flag"}


@dataclass(frozen=True)
class Param:
    """One parameter of a generated function."""

    name: str
    #: ``positional`` (may be passed by position) or ``keyword`` (keyword-only).
    kind: str
    annotation: str
    #: The default's source text, or ``None`` when the argument is required.
    default: str | None

    def show(self) -> str:
        text = f"{self.name}: {self.annotation}" if self.annotation else self.name
        return text if self.default is None else f"{text} = {self.default}"


@dataclass(frozen=True)
class Function:
    """A public function of an ``api`` module."""

    params: tuple[Param, ...]
    returns: str

    def show(self) -> str:
        positional = [p.show() for p in self.params if p.kind == "positional"]
        keyword = [p.show() for p in self.params if p.kind == "keyword"]
        parts = positional + (["*", *keyword] if keyword else [])
        return f"({', '.join(parts)}) -> {self.returns}"


@dataclass(frozen=True)
class Model:
    """A model class (fields: name → annotation) or an enum (members: name → value)."""

    kind: str  # "class" or "enum"
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Surface:
    """The public surface of one generated client tree."""

    functions: dict[str, Function] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)


def read_surface(root: Path) -> Surface:
    """Parse a generated client tree (the project directory or the package itself)."""
    package = _package_dir(root)
    surface = Surface()
    for path in sorted((package / "api").rglob("*.py")):
        if path.name == "__init__.py":
            continue
        module = ".".join(path.relative_to(package).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef
            ) and not node.name.startswith("_"):
                surface.functions[f"{module}.{node.name}"] = _function(node)
    for path in sorted((package / "models").glob("*.py")):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                surface.models[node.name] = _model(node)
    return surface


def _package_dir(root: Path) -> Path:
    if (root / "api").is_dir() and (root / "models").is_dir():
        return root
    for candidate in sorted(root.iterdir()):
        if (candidate / "api").is_dir() and (candidate / "models").is_dir():
            return candidate
    raise ToolError(f"{root} does not hold a generated client (no package with api/ and models/)")


def _function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Function:
    args = node.args
    params: list[Param] = []
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += list(args.defaults)
    for arg, default in zip(positional, defaults, strict=True):
        params.append(_param(arg, "positional", default))
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        params.append(_param(arg, "keyword", kw_default))
    returns = ast.unparse(node.returns) if node.returns is not None else ""
    return Function(tuple(params), returns)


def _param(arg: ast.arg, kind: str, default: ast.expr | None) -> Param:
    annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
    return Param(arg.arg, kind, annotation, ast.unparse(default) if default is not None else None)


def _model(node: ast.ClassDef) -> Model:
    bases = {ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases}
    if bases & _ENUM_BASES:
        members: dict[str, str] = {}
        for item in node.body:
            if (
                isinstance(item, ast.Assign)
                and len(item.targets) == 1
                and isinstance(item.targets[0], ast.Name)
                and not item.targets[0].id.startswith("_")
            ):
                members[item.targets[0].id] = ast.unparse(item.value)
        return Model("enum", members)
    fields: dict[str, str] = {}
    for item in node.body:
        if (
            isinstance(item, ast.AnnAssign)
            and isinstance(item.target, ast.Name)
            and not item.target.id.startswith("_")
        ):
            fields[item.target.id] = ast.unparse(item.annotation)
    return Model("class", fields)


def diff_surfaces(base: Surface, head: Surface) -> list[ClientApiChange]:
    """The changes a user of the client feels, functions first, then models."""
    changes: list[ClientApiChange] = []
    changes += _group_by_module(_function_changes(base, head))
    for name in sorted(base.models.keys() | head.models.keys()):
        symbol = f"models.{name}"
        old, new = base.models.get(name), head.models.get(name)
        if new is None:
            assert old is not None
            changes.append(ClientApiChange("removed", "model", symbol, f"{old.kind} removed"))
            continue
        if old is None:
            shown = ", ".join(
                f"{k}: {v}" if new.kind == "class" else k for k, v in new.fields.items()
            )
            changes.append(ClientApiChange("added", "model", symbol, f"new {new.kind} ({shown})"))
            continue
        if old.kind != new.kind:
            changes.append(
                ClientApiChange("changed", "model", symbol, f"{old.kind} became {new.kind}")
            )
            continue
        what = "member" if new.kind == "enum" else "field"
        for key in old.fields:
            if key not in new.fields:
                changes.append(
                    ClientApiChange(
                        "removed",
                        what,
                        f"{symbol}.{key}",
                        old.fields[key],
                    )
                )
        for key, value in new.fields.items():
            if key not in old.fields:
                changes.append(
                    ClientApiChange(
                        "added",
                        what,
                        f"{symbol}.{key}",
                        value,
                    )
                )
            elif old.fields[key] != value:
                changes.append(
                    ClientApiChange(
                        "changed", what, f"{symbol}.{key}", f"{old.fields[key]} → {value}"
                    )
                )
    return changes


def _function_changes(base: Surface, head: Surface) -> list[ClientApiChange]:
    changes: list[ClientApiChange] = []
    for name in sorted(base.functions.keys() | head.functions.keys()):
        old, new = base.functions.get(name), head.functions.get(name)
        if new is None:
            assert old is not None
            changes.append(ClientApiChange("removed", "function", name, f"{old.show()}"))
            continue
        if old is None:
            changes.append(ClientApiChange("added", "function", name, f"{new.show()}"))
            continue
        old_params = {p.name: p for p in old.params}
        new_params = {p.name: p for p in new.params}
        for pname, param in old_params.items():
            if pname not in new_params:
                changes.append(
                    ClientApiChange("removed", "parameter", name, f"parameter {param.show()}")
                )
        for pname, param in new_params.items():
            if pname not in old_params:
                required = " (required)" if param.default is None else ""
                changes.append(
                    ClientApiChange(
                        "added", "parameter", name, f"parameter {param.show()}{required}"
                    )
                )
            elif old_params[pname] != param:
                changes.append(
                    ClientApiChange(
                        "changed",
                        "parameter",
                        name,
                        f"parameter {_show_param_change(old_params[pname], param)}",
                    )
                )
        if old.returns != new.returns:
            changes.append(
                ClientApiChange("changed", "return", name, f"returns {old.returns} → {new.returns}")
            )
    return changes


def _show_param_change(old: Param, new: Param) -> str:
    notes = []
    if old.kind != new.kind:
        notes.append(f"now {new.kind}")
    if old.default is not None and new.default is None:
        notes.append("now required")
    elif old.default is None and new.default is not None:
        notes.append("now optional")
    suffix = f" ({', '.join(notes)})" if notes else ""
    return f"{old.show()} → {new.show()}{suffix}"


def _group_by_module(changes: list[ClientApiChange]) -> list[ClientApiChange]:
    """Fold one change made to every function of a module (sync, asyncio, ...) into one."""
    grouped: dict[tuple[str, str, str, str], list[str]] = {}
    for change in changes:
        module, _, function = change.symbol.rpartition(".")
        grouped.setdefault((change.action, change.what, module, change.detail), []).append(function)
    out: list[ClientApiChange] = []
    for (action, what, module, detail), functions in grouped.items():
        symbol = (
            f"{module}.{functions[0]}"
            if len(functions) == 1
            else f"{module}.{{{', '.join(functions)}}}"
        )
        out.append(ClientApiChange(action, what, symbol, detail))  # type: ignore[arg-type]
    return out


Generator = Callable[[Path, Path], None]

_TELLING = ("Unable", "Could not", "Cannot", "ERROR", "WARNING", "Error", "error:")


def _gist(error: str) -> str:
    """The telling lines of a generator failure, shortened to fit one report line."""
    lines = [ln.strip() for ln in error.splitlines() if ln.strip()]
    telling = [ln for ln in lines if any(word in ln for word in _TELLING)]
    chosen = telling[:2] or lines[-1:]
    return " / ".join(ln if len(ln) <= 160 else ln[:157] + "..." for ln in chosen)


def client_api_diff(
    base_spec: Path, head_spec: Path, generate: Generator | None = None
) -> ClientApiDiff:
    """Generate the client for both specs (in parallel) and diff their public surfaces.

    A spec that does not generate is reported in the result's ``note``, never raised.
    """
    if generate is None:
        from prevail_contract.generate import generate_into

        generate = generate_into
    with tempfile.TemporaryDirectory(prefix="prevail-diff-") as tmp:
        targets = {"base": Path(tmp) / "base", "head": Path(tmp) / "head"}
        specs = {"base": base_spec, "head": head_spec}

        def build(side: str) -> str | None:
            try:
                generate(specs[side], targets[side])
            except ToolError as exc:
                return str(exc)
            return None

        with ThreadPoolExecutor(max_workers=2) as pool:
            errors = dict(zip(targets, pool.map(build, targets), strict=True))
        failed = {side: error for side, error in errors.items() if error}
        if failed:
            notes = []
            for side, error in failed.items():
                notes.append(
                    f"the {side} spec does not generate a client, so there is no client API "
                    f"diff ({_gist(error)})"
                )
            return ClientApiDiff("failed", note="; ".join(notes))
        changes = diff_surfaces(read_surface(targets["base"]), read_surface(targets["head"]))
    return ClientApiDiff("compared", changes)
