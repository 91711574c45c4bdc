"""How a contract test states that a rule was broken: findings collected into one exception.

A single request can show several problems at once (a documented rule broken *and* an assumed
error code differing), so tests collect :class:`Finding` objects and raise them together as a
:class:`RuleViolationError`, which the rule recorder files under each finding's rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from prevail_contract.errors import RunError
from prevail_contract.runtime.exchange import Exchange


@dataclass(frozen=True)
class Finding:
    """One broken rule, what showed it and the request that did."""

    rule: str
    summary: str
    exchange: Exchange | None = None


class RuleViolationError(RunError, AssertionError):
    """Raised at the end of a test with every finding it made."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = list(findings)
        lines = [f"[{f.rule}] {f.summary}" for f in self.findings]
        super().__init__("; ".join(lines))


@dataclass
class Verdicts:
    """Collects findings during a test; :meth:`raise_if_any` ends the test when there are some."""

    findings: list[Finding] = field(default_factory=list)

    def fail(self, rule: str, summary: str, exchange: Exchange | None = None) -> None:
        """Record that ``rule`` is broken."""
        self.findings.append(Finding(rule, summary, exchange))

    def raise_if_any(self) -> None:
        """Raise :class:`RuleViolationError` if anything was recorded."""
        if self.findings:
            raise RuleViolationError(self.findings)


def leaf_exceptions(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, or each exception inside it when it is a group (groups within groups too)."""
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from leaf_exceptions(inner)
    else:
        yield exc
