"""The README's generated blocks: each rendered from the one place its facts live.

A block stands between ``<!-- NAME:start (generated from SOURCE) -->`` and the matching
``end`` marker. The fixture variable tables come from the spec's ``x-fixture-variables``, the
limits from the statements of the rules that declare ``x-limits`` (which lint holds to the
schema), the check order from ``x-check-order``, the diff kinds table from the registry in
:mod:`prevail_contract.diff.kinds`. Run
``python -m devtools.readme_blocks`` to rewrite them; ``tests/`` fail when the README has
drifted. A development tool: it is not part of the kit's wheel.
"""

from __future__ import annotations

import sys
from pathlib import Path

from devtools.blocks import README, Block, replace_block
from devtools.fixture_tables import BLOCKS as FIXTURE_BLOCKS
from prevail_contract.spec import Spec, load_spec


def _diff_kinds(_: Spec | None) -> str:
    from prevail_contract.diff.kinds import list_rules

    return list_rules("markdown").rstrip("\n")


def _stated_limits(spec: Spec | None) -> str:
    """Each rule that states a limit, with its statement (lint holds it to the schema)."""
    spec = spec if spec is not None else load_spec()
    return "\n".join(
        f"- `{rule.id}` ({rule.source}): {rule.statement}"
        for op in spec.operations
        for entry in op.entries
        if entry.get("x-limits")
        for rule in [spec.rule(str(entry["id"]))]
    )


def _check_order(spec: Spec | None) -> str:
    """Each operation's ``x-check-order``: the rule ids in order, with the status each answers."""
    spec = spec if spec is not None else load_spec()
    lines = []
    for op in spec.operations:
        order = op.node.get("x-check-order")
        if isinstance(order, list) and order:
            steps = " → ".join(f"{spec.rule(str(r)).status} `{r}`" for r in order)
            lines.append(f"- {op.label}: {steps}")
    return "\n".join(lines)


def blocks() -> tuple[Block, ...]:
    """Every generated block of the README."""
    return (
        *FIXTURE_BLOCKS,
        Block("stated-limits", "x-limits", _stated_limits),
        Block("check-order", "x-check-order", _check_order),
        Block("diff-kinds", "diff/kinds.py", _diff_kinds),
    )


def render_readme(text: str, spec: Spec | None = None) -> str:
    """``text`` with every generated block rewritten (fixture variables from ``spec``)."""
    for block in blocks():
        text = replace_block(text, block, block.render(spec))
    return text


def drifted(path: Path = README, spec: Spec | None = None) -> list[str]:
    """The names of the blocks of ``path`` that differ from what they are generated from."""
    text = path.read_text(encoding="utf-8")
    return [b.name for b in blocks() if replace_block(text, b, b.render(spec)) != text]


def main() -> int:
    """Rewrite the README's generated blocks."""
    text = README.read_text(encoding="utf-8")
    README.write_text(render_readme(text), encoding="utf-8")
    print(f"rewrote the generated blocks in {README}: {', '.join(b.name for b in blocks())}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
