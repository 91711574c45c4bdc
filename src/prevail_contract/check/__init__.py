"""The contract check: run ``contract_tests`` against a target and report every rule's verdict.

Public surface: the target configuration, the per-rule results and the report writers; the
command itself is :mod:`prevail_contract.check.cli`.
"""

from __future__ import annotations

from prevail_contract.check import tokens
from prevail_contract.check.config import TargetConfig, from_sources
from prevail_contract.check.report import RuleResult, build_results, render_table, write_reports
from prevail_contract.check.safety import InviteBudget, Masker

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
