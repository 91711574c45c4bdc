"""The README's "Following one rule through the kit" tables name places that hold the rule.

Each table follows one rule: every file it names exists and mentions the rule's id, every
``file.py::name`` is defined there, every other code name it gives for the check is defined in
the suite, and its docs anchor is the one the docs builder writes.
"""

from __future__ import annotations

import re

import pytest

from prevail_contract.docs.sections import ANCHOR_PREFIX
from prevail_contract.spec import Spec
from prevail_contract.spec.paths import REPO_ROOT

README = REPO_ROOT / "README.md"
PLACES = ("spec", "mock", "check", "docs")


def _trails() -> dict[str, dict[str, str]]:
    """rule id -> place -> the table row's text, for each table of the section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Following one rule through the kit", 1)[1].split("\n## ", 1)[0]
    trails: dict[str, dict[str, str]] = {}
    for chunk in re.split(r"\n(?=(?:Every rule id|And for)[^\n]*`[a-z-]+`)", section):
        named = re.search(r"`([a-z][a-z-]+)`:?\s*$", chunk.split("\n", 1)[0])
        if named is None:
            continue
        rows = dict(re.findall(r"^\| (spec|mock|check|docs) \| (.+) \|$", chunk, re.M))
        trails[named[1]] = rows
    return trails


TRAILS = _trails()


def test_the_section_follows_at_least_two_rules_through_every_place() -> None:
    assert len(TRAILS) >= 2, TRAILS
    for rule_id, rows in TRAILS.items():
        assert tuple(rows) == PLACES, f"{rule_id}: rows {tuple(rows)}"


@pytest.mark.parametrize("rule_id", list(TRAILS))
def test_every_place_named_exists_and_holds_the_rule(spec: Spec, rule_id: str) -> None:
    spec.rule(rule_id)  # raises for an id the catalogue does not have
    rows = TRAILS[rule_id]
    components = {n for section in spec.document["components"].values() for n in section}
    problems: list[str] = []
    for place, row in rows.items():
        for token in re.findall(r"`([^`]+)`", row):
            path, _, name = token.partition("::")
            if re.fullmatch(r"[\w/]+\.py", path):
                file = REPO_ROOT / path
                if not file.is_file():
                    problems.append(f"{place}: {path} does not exist")
                    continue
                source = file.read_text(encoding="utf-8")
                if rule_id not in source:
                    problems.append(f"{place}: {path} does not mention {rule_id}")
                if name and not re.search(rf"^def {re.escape(name)}\(", source, re.M):
                    problems.append(f"{place}: {path} defines no {name}")
            elif token.startswith("--bug "):
                if token != f"--bug {rule_id}":
                    problems.append(f"{place}: {token} plants another rule's bug")
            elif token.startswith("#"):
                if token != f"#{ANCHOR_PREFIX}{rule_id}":
                    problems.append(f"{place}: anchor {token} is not #{ANCHOR_PREFIX}{rule_id}")
            elif token.startswith("@pytest.mark.rule("):
                if f'"{rule_id}"' not in token:
                    problems.append(f"{place}: {token} marks another rule")
            elif place == "spec" and re.fullmatch(r"[a-z]+_[a-z_]+", token):
                if token not in {op.operation_id for op in spec.operations}:
                    problems.append(f"spec: no operation {token}")
            elif place == "spec" and re.fullmatch(r"[A-Z]\w+", token):
                if token not in components:
                    problems.append(f"spec: no component {token}")
            elif place == "check" and re.fullmatch(r"[a-z_]+", token):
                suite = "".join(
                    p.read_text(encoding="utf-8")
                    for p in (REPO_ROOT / "contract_tests").rglob("*.py")
                )
                if not re.search(rf"^def {token}\(", suite, re.M):
                    problems.append(f"check: the suite defines no {token}")
    assert not problems, "\n".join(problems)
