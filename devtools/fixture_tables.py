"""The README's two fixture variable tables, rendered from the spec's ``x-fixture-variables``.

What ``check`` reads and what ``mock`` prints, one row per variable of
:mod:`prevail_contract.spec.fixture_variables`; :mod:`devtools.readme_blocks` writes them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from devtools.blocks import README, Block, replace_block
from prevail_contract.spec import Spec
from prevail_contract.spec.fixture_variables import (
    FixtureVariable,
    credentials_text,
    fixture_variables,
)


def check_table(rows: tuple[FixtureVariable, ...]) -> str:
    """The markdown table of what ``check`` reads."""
    lines = [
        "| variable | flag | needed | rules that need it | what it is |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        needed = f"yes: {credentials_text(rows)}" if row.required == "credentials" else row.required
        rules = ", ".join(f"`{r}`" for r in row.rules) or "every rule"
        lines.append(f"| `{row.name}` | `{row.flag}` | {needed} | {rules} | {row.meaning} |")
    return "\n".join(lines)


def mock_table(rows: tuple[FixtureVariable, ...]) -> str:
    """The markdown table of what ``mock`` prints."""
    lines = ["| variable | value |", "|---|---|"]
    lines += [f"| `{row.name}` | {row.mock} |" for row in rows if row.mock is not None]
    return "\n".join(lines)


#: The README block each table is rendered into.
TABLES = {"fixture-variables": check_table, "mock-variables": mock_table}


def _from_spec(table: Callable[[tuple[FixtureVariable, ...]], str]) -> Callable[[Spec | None], str]:
    return lambda spec: table(fixture_variables(spec))


#: The README blocks of this table, for :mod:`devtools.readme_blocks`.
BLOCKS = tuple(Block(name, "x-fixture-variables", _from_spec(t)) for name, t in TABLES.items())


def render_readme(text: str, rows: tuple[FixtureVariable, ...]) -> str:
    """``text`` with each fixture variable block rewritten from ``rows``."""
    for block in BLOCKS:
        text = replace_block(text, block, TABLES[block.name](rows))
    return text


def readme_drift(path: Path = README, spec: Spec | None = None) -> bool:
    """Whether the README's fixture variable blocks differ from the spec's table."""
    text = path.read_text(encoding="utf-8")
    return render_readme(text, fixture_variables(spec)) != text
