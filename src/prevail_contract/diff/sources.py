"""Find the two specs to compare: the working file, and the base from a git ref or a file."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prevail_contract.errors import ConfigError
from prevail_contract.spec import parse_document, read_document

#: Branches tried, in order, for the default base (the merge base of HEAD with main).
DEFAULT_BRANCHES = ("main", "origin/main")


@dataclass(frozen=True)
class SpecSource:
    """A parsed spec, its raw text (to regenerate the client from) and a label for reports."""

    label: str
    document: dict[str, Any]
    text: str

    @property
    def version(self) -> str:
        info = self.document.get("info") or {}
        return str(info.get("version", "")) if isinstance(info, dict) else ""


def from_file(path: Path, label: str | None = None) -> SpecSource:
    """Load a spec file; a missing or unreadable file is a usage error."""
    if not path.is_file():
        raise ConfigError(f"spec file not found: {path}")
    document = read_document(path)
    return SpecSource(label or str(path), document, path.read_text(encoding="utf-8"))


def from_git(spec: Path, ref: str | None) -> SpecSource:
    """The spec as committed at ``ref`` (default: the merge base of HEAD with main)."""
    spec = spec.resolve()
    top = _git(spec.parent, "rev-parse", "--show-toplevel")
    if top is None:
        raise ConfigError(
            f"{spec.parent} is not inside a git checkout, so there is no base to compare with; "
            "pass --base-spec FILE"
        )
    root = Path(top.strip()).resolve()
    try:
        relative = spec.relative_to(root).as_posix()
    except ValueError as exc:
        raise ConfigError(f"{spec} is outside the git checkout {root}") from exc
    if ref is None:
        ref, label = _merge_base(root)
    else:
        if _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") is None:
            raise ConfigError(
                f"unknown git ref {ref!r}: give a branch, tag or commit (e.g. --base main)"
            )
        label = ref
    text = _git(root, "show", f"{ref}:{relative}")
    if text is None:
        raise ConfigError(f"{relative} does not exist at {label}; pass --base-spec FILE instead")
    where = f"{relative} at {label}"
    return SpecSource(where, parse_document(text, where), text)


def _merge_base(root: Path) -> tuple[str, str]:
    for branch in DEFAULT_BRANCHES:
        if _git(root, "rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}") is None:
            continue
        found = _git(root, "merge-base", "HEAD", branch)
        if found:
            commit = found.strip()
            return commit, f"{commit[:10]} (merge base of HEAD and {branch})"
    raise ConfigError(
        "cannot find the merge base of HEAD with main (tried "
        + ", ".join(DEFAULT_BRANCHES)
        + "); pass --base REF or --base-spec FILE"
    )


def _git(cwd: Path, *args: str) -> str | None:
    """Run git; its stdout, or ``None`` when it fails (not a checkout, unknown ref, ...)."""
    try:
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            ["git", *args],  # noqa: S607 - git from PATH is the user's git
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ConfigError("git is not installed; pass --base-spec FILE") from exc
    return result.stdout if result.returncode == 0 else None
