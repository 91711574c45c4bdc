"""The ``PREVAIL_*`` fixture variables: one table in the spec (``x-fixture-variables``), read here.

The check's flags and environment reading, the mock's printed variables and ``--env-file``, and
the README's two variable tables (written by ``python -m devtools.readme_blocks``) all come from
this table, so a new variable is one row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from prevail_contract.errors import SpecError
from prevail_contract.spec.model import Spec, load_spec

Required = Literal["yes", "no", "credentials"]
Kind = Literal["url", "session-id", "token", "text", "count"]
KINDS = ("url", "session-id", "token", "text", "count")
REQUIRED = ("yes", "no", "credentials")
PREFIX = "PREVAIL_"


@dataclass(frozen=True)
class FixtureVariable:
    """One row of ``x-fixture-variables``."""

    name: str
    required: Required
    kind: Kind
    meaning: str
    rules: tuple[str, ...] = ()
    secret: bool = False
    #: What the mock sets it to; ``None`` when the mock does not set it.
    mock: str | None = None

    @property
    def attr(self) -> str:
        """The configuration attribute (``PREVAIL_SESSION_ID`` -> ``session_id``)."""
        return self.name.removeprefix(PREFIX).lower()

    @property
    def flag(self) -> str:
        """The ``check`` flag of the same name (``--session-id``)."""
        return "--" + self.attr.replace("_", "-")


def _row(raw: Any, index: int, known_rules: set[str]) -> FixtureVariable:
    where = f"x-fixture-variables[{index}]"
    if not isinstance(raw, Mapping):
        raise SpecError(f"{where} must be a mapping")
    missing = [k for k in ("name", "required", "kind", "meaning") if k not in raw]
    if missing:
        raise SpecError(f"{where} lacks {', '.join(missing)}")
    name = str(raw["name"])
    if not re.fullmatch(r"PREVAIL_[A-Z][A-Z0-9_]*", name):
        raise SpecError(f"{where}: name {name!r} must look like PREVAIL_SOME_NAME")
    if raw["required"] not in REQUIRED:
        raise SpecError(f"{where} ({name}): required must be one of {', '.join(REQUIRED)}")
    if raw["kind"] not in KINDS:
        raise SpecError(f"{where} ({name}): kind must be one of {', '.join(KINDS)}")
    rules = tuple(str(r) for r in raw.get("rules") or ())
    unknown = [r for r in rules if r not in known_rules]
    if unknown:
        raise SpecError(f"{where} ({name}): no rule {', '.join(unknown)} in x-rules")
    mock = raw.get("mock")
    return FixtureVariable(
        name=name,
        required=raw["required"],
        kind=raw["kind"],
        meaning=" ".join(str(raw["meaning"]).split()),
        rules=rules,
        secret=bool(raw.get("secret", False)),
        mock=None if mock is None else " ".join(str(mock).split()),
    )


def read_variables(spec: Spec) -> tuple[FixtureVariable, ...]:
    """The rows of ``spec``'s ``x-fixture-variables``, checked."""
    raw = spec.document.get("x-fixture-variables")
    if not isinstance(raw, list) or not raw:
        raise SpecError("the spec has no top-level 'x-fixture-variables' table")
    known = {rule.id for rule in spec.rules}
    rows = tuple(_row(item, i, known) for i, item in enumerate(raw))
    names = [r.name for r in rows]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise SpecError(f"x-fixture-variables lists {', '.join(doubled)} twice")
    return rows


def fixture_variables(spec: Spec | None = None) -> tuple[FixtureVariable, ...]:
    """The fixture variables (default: of the spec in use)."""
    return read_variables(spec if spec is not None else load_spec())


def credentials_text(rows: tuple[FixtureVariable, ...]) -> str:
    """The ways to give credentials: a token alone, or the other credential rows together."""
    group = [r for r in rows if r.required == "credentials"]
    tokens = [f"`{r.name}`" for r in group if r.kind == "token"]
    together = " + ".join(f"`{r.name}`" for r in group if r.kind != "token")
    return ", or ".join([*tokens, together] if together else tokens)
