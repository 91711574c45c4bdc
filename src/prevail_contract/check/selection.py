"""``check --only RULE...`` and ``--exclude RULE...``: which rules a run checks and reports.

The ids are checked against the catalogue before any work. Tests whose rules are all outside
the selection are deselected (never run); a test that also checks a selected rule runs whole,
but rules outside the selection are reported ``excluded``, never ``passed`` or ``failed``.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pytest

from prevail_contract.errors import ConfigError
from prevail_contract.runtime.recorder import rules_of


@dataclass(frozen=True)
class Selection:
    """The rules a run checks, in catalogue order."""

    selected: tuple[str, ...]
    #: Why the others are left out, for their reports.
    excluded_because: str = ""

    def __contains__(self, rule: object) -> bool:
        return rule in self.selected

    @property
    def everything(self) -> bool:
        """Whether nothing was left out."""
        return not self.excluded_because


def add_flags(parser: argparse.ArgumentParser) -> None:
    """Declare ``--only`` and ``--exclude``."""
    group = parser.add_argument_group("rule selection (ids of the catalogue, as the table shows)")
    group.add_argument(
        "--only",
        nargs="+",
        action="extend",
        default=[],
        metavar="RULE",
        help="check only these rules (space- or comma-separated); tests of no such rule are "
        "not run, the other rules are reported as excluded",
    )
    group.add_argument(
        "--exclude",
        nargs="+",
        action="extend",
        default=[],
        metavar="RULE",
        help="leave these rules out (reported as excluded); tests of no other rule are not run",
    )


def _ids(values: Iterable[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def selection_from(
    only: Sequence[str], exclude: Sequence[str], catalogue: Sequence[str]
) -> Selection:
    """The selection the flags describe; raises :class:`ConfigError` for an unknown id, or for
    a flag given without any id (an empty selection is a mistake, not "every rule")."""
    wanted, unwanted = _ids(only), _ids(exclude)
    for flag, given, ids in (("--only", only, wanted), ("--exclude", exclude, unwanted)):
        if given and not ids:  # `--only "$RULES"` with the variable unset or empty
            raise ConfigError(
                f"{flag} {' '.join(repr(v) for v in given)}: names no rule; accepted: rule ids "
                f"of the catalogue, space- or comma-separated (e.g. {flag} "
                f"{','.join(catalogue[:2])}), or leave {flag} out to check every rule"
            )
        unknown = [rule for rule in ids if rule not in catalogue]
        if unknown:
            raise ConfigError(
                f"{flag}: unknown rule id(s) {', '.join(repr(r) for r in unknown[:5])}; the "
                f"catalogue has {', '.join(catalogue)}"
            )
    chosen = [r for r in catalogue if (not wanted or r in wanted) and r not in unwanted]
    if not chosen:
        raise ConfigError("--only and --exclude leave no rule to check")
    if len(chosen) == len(catalogue):
        return Selection(tuple(chosen))
    why = "not selected (--only)" if wanted else "excluded (--exclude)"
    if wanted and unwanted:
        why = "not selected (--only, --exclude)"
    return Selection(tuple(chosen), why)


class SelectionPlugin:
    """A pytest plugin that deselects the tests of no selected rule."""

    def __init__(self, selection: Selection) -> None:
        self.selection = selection

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        if self.selection.everything:
            return
        keep: list[pytest.Item] = []
        dropped: list[pytest.Item] = []
        for item in items:
            rules = rules_of(item)
            if rules and not any(rule in self.selection for rule in rules):
                dropped.append(item)
            else:
                keep.append(item)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = keep
