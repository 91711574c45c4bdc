"""A generated block of the README: its markers, and how its content is replaced.

A block stands between ``<!-- NAME:start (generated from SOURCE) -->`` and the matching ``end``
marker; :mod:`devtools.readme_blocks` lists every block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prevail_contract.errors import SpecError
from prevail_contract.spec import Spec
from prevail_contract.spec.paths import REPO_ROOT

README = REPO_ROOT / "README.md"


@dataclass(frozen=True)
class Block:
    """One generated block: its marker name, where its facts come from, and how to render it."""

    name: str
    source: str
    render: Callable[[Spec | None], str]

    def marker(self, end: bool) -> str:
        """The block's start or end marker line."""
        return f"<!-- {self.name}:{'end' if end else 'start'} (generated from {self.source}) -->"


def replace_block(text: str, block: Block, body: str) -> str:
    """``text`` with ``block``'s content replaced by ``body``."""
    start, end = block.marker(False), block.marker(True)
    if text.count(start) != 1 or text.count(end) != 1:
        raise SpecError(f"README must hold exactly one {start!r} ... {end!r} block")
    head, rest = text.split(start)
    _, tail = rest.split(end)
    return f"{head}{start}\n{body}\n{end}{tail}"
