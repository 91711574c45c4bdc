"""The README's generated blocks follow the spec: a restated limit or a reordered check shows up."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from devtools.blocks import README
from devtools.readme_blocks import drifted, render_readme
from prevail_contract.spec import load_spec
from tests.plugins.spec import Mutation

WriteCopy = Callable[[Mutation], Path]
EDIT = "/sessions/{remote_session_id}"


def test_no_generated_block_has_drifted() -> None:
    assert drifted() == [], "run `python -m devtools.readme_blocks`"


def test_limits_and_check_order_come_from_the_spec_in_use(spec_copy: WriteCopy) -> None:
    def edit(doc: dict[str, Any]) -> None:
        op = doc["paths"][EDIT]["patch"]
        rule = next(r for r in op["x-rules"] if isinstance(r, dict) and r["id"] == "field-limits")
        rule["statement"] = rule["statement"].replace("1 to 255", "1 to 100")
        order = op["x-check-order"]
        order[3], order[4] = order[4], order[3]

    text = render_readme(README.read_text(encoding="utf-8"), load_spec(spec_copy(edit)))
    assert "`title` has 1 to 100 characters" in text
    assert "`title` has 1 to 255 characters" not in text
    assert "404 `org-ownership` → 413 `payload-limit` → 415 `media-type`" in text
