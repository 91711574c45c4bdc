"""The runner: ``prevail-contract check`` runs ``contract_tests`` and reports every rule's verdict.

The top layer of the check (above the suite and its runtime, :mod:`prevail_contract.runtime`):
the command (:mod:`~prevail_contract.check.cli`), the preflight and sandbox set-up before a run,
rule selection and the baseline, the exit policy, the progress display, and the reports
(terminal table, ``conformance.json``, ``junit.xml``, repro scripts) after it. Nothing below it
imports it. Public surface: the target configuration, the per-rule results and the report
writers.
"""

from __future__ import annotations

from prevail_contract.check.report import write_reports
from prevail_contract.runtime import tokens
from prevail_contract.runtime.config import TargetConfig, from_sources
from prevail_contract.runtime.results import RuleResult, build_results, render_table
from prevail_contract.runtime.safety import InviteBudget, Masker

__all__ = [
    "InviteBudget",
    "Masker",
    "RuleResult",
    "TargetConfig",
    "build_results",
    "from_sources",
    "render_table",
    "tokens",
    "write_reports",
]
