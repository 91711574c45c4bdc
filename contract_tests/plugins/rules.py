"""Registers the ``rule`` marker, checks marker ids against the catalogue, attaches the recorder.

Plain ``pytest contract_tests`` prints the per-rule table at the end; the ``check`` command
passes its own recorder instance and builds the reports from it.
"""

from __future__ import annotations

import pytest

from prevail_contract.check.recorder import PLUGIN_NAME, RuleRecorder, find_recorder, rules_of
from prevail_contract.check.report import build_results, render_table
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
    # schemathesis and stateful runs go last: the targeted checks get the invite budget first.
    items.sort(
        key=lambda item: 1 if "schemathesis" in item.nodeid or "stateful" in item.nodeid else 0
    )


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    recorder = find_recorder(config)
    if recorder is None or recorder.quiet:
        return
    results = build_results(load_spec(), recorder.records, recorder.masker)
    terminalreporter.write_sep("=", "Prevail contract: per-rule results")
    terminalreporter.write_line(render_table(results))
