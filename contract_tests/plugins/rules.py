"""Registers the ``rule`` marker, checks marker ids against the catalogue, attaches the recorder.

Plain ``pytest contract_tests`` prints the per-rule table at the end; the ``check`` command
passes its own recorder instance and builds the reports from it.
"""

from __future__ import annotations

import pytest

from prevail_contract.runtime.recorder import PLUGIN_NAME, RuleRecorder, find_recorder, rules_of
from prevail_contract.runtime.results import build_results, render_table
from prevail_contract.spec import load_spec


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rule(*ids): the catalogue rules this test checks")
    if find_recorder(config) is None:
        config.pluginmanager.register(RuleRecorder(), PLUGIN_NAME)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    known = {rule.id for rule in load_spec().rules}
    for item in items:
        unknown = [r for r in rules_of(item) if r not in known]
        if unknown:
            raise pytest.UsageError(f"{item.nodeid} names unknown rule ids {unknown}")
    items.sort(key=_budget_order)


#: Who gets the invite budget first: list growth past one request, then the stateful model
#: test (so it always runs within the default cap), the targeted checks, schemathesis last.
_FIRST = ("test_invites_at_scale", "test_stateful")


def _budget_order(item: pytest.Item) -> int:
    for rank, name in enumerate(_FIRST):
        if name in item.nodeid:
            return rank - len(_FIRST)
    return 1 if "schemathesis" in item.nodeid else 0


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    recorder = find_recorder(config)
    if recorder is None or recorder.quiet:
        return
    results = build_results(load_spec(), recorder.records, recorder.masker)
    terminalreporter.write_sep("=", "Prevail contract: per-rule results")
    terminalreporter.write_line(render_table(results))
