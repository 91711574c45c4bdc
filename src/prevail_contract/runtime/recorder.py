"""A pytest plugin that files every contract test's outcome under the rules it checks.

Each test in ``contract_tests`` declares its rules with ``@pytest.mark.rule("id", ...)``. After
each test the recorder counts the requests it sent (from the run's exchange log) and files its
findings: a ``RuleViolationError`` under the rules its findings name, any other failure under
the test's first rule, a skip as a reason for ``not_run``.

What it keeps is bounded whatever the target sends: the log keeps a few MiB per test (see
:class:`~prevail_contract.runtime.exchange.ExchangeLog`), each finding keeps its exchange with at
most :data:`EVIDENCE_BODY_BYTES` of the answer, a rule keeps :data:`MAX_FINDINGS_KEPT`
findings with distinct summaries (the rest are counted), and the first few of them a repro
case (:mod:`~prevail_contract.runtime.repro`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest

from prevail_contract.runtime import repro
from prevail_contract.runtime.config import ENV_VARS
from prevail_contract.runtime.exchange import Batch, Exchange, RunRecord, without_answer
from prevail_contract.runtime.safety import Masker
from prevail_contract.runtime.verdict import Finding, RuleViolationError, leaf_exceptions

PLUGIN_NAME = "prevail-rule-recorder"
#: Bytes of an answer a finding keeps (its summary and request are kept whole).
EVIDENCE_BODY_BYTES = 64 * 1024
#: Findings with distinct summaries a rule keeps; later ones are only counted.
MAX_FINDINGS_KEPT = 100


@dataclass
class RuleRecord:
    """What the run learned about one rule."""

    cases: int = 0
    accepted: int = 0
    rejected: int = 0
    tests: int = 0
    findings: list[Finding] = field(default_factory=list)
    skip_reasons: list[str] = field(default_factory=list)
    #: Why an extra probe (one its rule does not need for a verdict) did not run here.
    optional_skips: list[str] = field(default_factory=list)
    #: Seconds from the start of the session to this rule's first finding (for benchmarks;
    #: kept out of the reports so that the same seed gives the same report).
    first_failure_after: float | None = None
    #: Probes that could not be made for this rule (deduplicated, in order).
    notes: list[str] = field(default_factory=list)
    #: Seconds spent in the calls of the tests that checked this rule (for junit.xml).
    seconds: float = 0.0
    #: Findings not kept (past :data:`MAX_FINDINGS_KEPT` distinct summaries), counted.
    more_findings: int = 0
    #: Repro cases of the first findings, by summary.
    repros: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Exchanges of this rule's tests kept without their answers, or only counted (the
    #: per-test evidence cap).
    evidence_dropped: int = 0


def bounded(exchange: Exchange | None) -> Exchange | None:
    """``exchange`` with at most :data:`EVIDENCE_BODY_BYTES` of its answer (a copy if cut)."""
    if exchange is None or len(exchange.response_body) <= EVIDENCE_BODY_BYTES:
        return exchange
    return dataclasses.replace(
        exchange, response_body=exchange.response_body[:EVIDENCE_BODY_BYTES], world=None
    )


def rules_of(item: pytest.Item) -> list[str]:
    """The rule ids a test declares with ``@pytest.mark.rule``."""
    found: list[str] = []
    for mark in item.iter_markers("rule"):
        for rule in mark.args:
            if rule not in found:
                found.append(str(rule))
    return found


class RuleRecorder:
    """Collects per-rule outcomes during a pytest session."""

    def __init__(self, masker: Masker | None = None, *, quiet: bool = False) -> None:
        self.masker = masker or Masker()
        #: When set, the suite does not print its own table (the ``check`` command does).
        self.quiet = quiet
        #: Every request the suite sent, across all rules.
        self.total_requests = 0
        self.started = time.perf_counter()
        self.records: dict[str, RuleRecord] = {}
        self.errors: list[str] = []
        #: Values the reproduce commands show as a variable instead (value -> variable name).
        self.variables: dict[str, str] = {}
        #: Whether the suite ran against the in-process mock (known once a test used ``target``).
        self.embedded: bool | None = None
        #: This run's exchange log, notes and facts (the target writes them, this drains them).
        self.run = RunRecord()
        #: The run's first writes, which repro cases replay to rebuild the mock's state.
        self.writes = repro.Writes([])
        #: What the per-test evidence cap dropped, for ``conformance.json`` (``run.evidence``).
        self.evidence = {
            "max_body_bytes_per_test": self.run.log.max_bytes,
            "max_exchanges_per_test": self.run.log.max_exchanges,
            "largest_kept_bytes_of_a_test": 0,
            "answers_kept_without_body": 0,
            "exchanges_only_counted": 0,
        }

    def _learn_target(self, item: pytest.Item) -> None:
        """Note the target's token and base URL, so that repro commands can name them."""
        target = getattr(item, "funcargs", {}).get("target")
        config = getattr(target, "config", None)
        if target is None or config is None:
            return
        self.embedded = bool(getattr(target, "embedded", False))
        if config.token:
            self.variables[config.token] = ENV_VARS["token"]
        if config.no_self_service_token:
            self.variables[config.no_self_service_token] = ENV_VARS["no_self_service_token"]
        if self.embedded and isinstance(getattr(target, "api_base", None), str):
            self.variables[target.api_base] = ENV_VARS["base_url"]

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.started = time.perf_counter()

    def record(self, rule: str) -> RuleRecord:
        """The record of ``rule`` (created on first use)."""
        return self.records.setdefault(rule, RuleRecord())

    def _count(self, rules: list[str], batch: Batch) -> None:
        tallies: list[tuple[bool, bool, Iterable[str], int]] = [
            (e.accepted, 400 <= e.status < 500, e.checked, 1) for e in batch.exchanges
        ]
        tallies += [(a, r, checked, n) for (a, r, checked), n in batch.counted_only.items()]
        for accepted, rejected, checked, times in tallies:
            for rule in set(rules) | set(checked):
                rec = self.record(rule)
                rec.cases += times
                rec.accepted += times if accepted else 0
                rec.rejected += times if rejected else 0
        dropped = batch.bodies_dropped + sum(batch.counted_only.values())
        for rule in rules if dropped else ():
            self.record(rule).evidence_dropped += dropped

    def _note_evidence(self, batch: Batch) -> None:
        evidence = self.evidence
        evidence["largest_kept_bytes_of_a_test"] = max(
            evidence["largest_kept_bytes_of_a_test"], batch.kept_bytes
        )
        evidence["answers_kept_without_body"] += batch.bodies_dropped
        evidence["exchanges_only_counted"] += sum(batch.counted_only.values())

    def _file(self, finding: Finding, batch: Batch, end: list[Any] | None = None) -> None:
        """Keep ``finding`` (bounded) under its rule, with a repro case for the first ones
        (``end`` holds, once taken, the mock's Sessions as the test left them)."""
        rec = self.record(finding.rule)
        if rec.first_failure_after is None:
            rec.first_failure_after = time.perf_counter() - self.started
        if any(kept.summary == finding.summary for kept in rec.findings):
            return
        if len(rec.findings) >= MAX_FINDINGS_KEPT:
            rec.more_findings += 1
            return
        context = self.run.repro
        evidence = finding.exchange
        if (
            isinstance(context, repro.ReproContext)
            and evidence is not None
            and len(rec.repros) < repro.MAX_CASES_PER_RULE
            and sum(len(r.repros) for r in self.records.values()) < repro.MAX_CASES_PER_RUN
        ):
            if end is not None and not end and context.world is not None:
                end.append(context.world.snapshot())
            case = repro.build_case(
                finding.rule,
                finding.summary,
                evidence,
                batch.exchanges,
                context,
                writes=self.writes,
                end_world=end[0] if end else None,
            )
            rec.repros[finding.summary] = case
        rec.findings.append(Finding(finding.rule, finding.summary, bounded(evidence)))

    def _findings(
        self, rules: list[str], exc: BaseException, exchanges: list[Exchange]
    ) -> list[Finding]:
        findings: list[Finding] = []
        for inner in leaf_exceptions(exc):
            if isinstance(inner, RuleViolationError):
                findings.extend(inner.findings)
                continue
            if isinstance(inner, RecursionError):
                continue  # an answer nested too deeply to read: see _too_deep
            text = str(inner).strip().splitlines()
            first = text[0] if text else ""
            summary = self.masker(f"{type(inner).__name__}: {first}"[:500])
            last = exchanges[-1] if exchanges else None
            findings.append(Finding(rules[0], summary, last))
        return findings

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, None]:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        rules = rules_of(item)
        self._learn_target(item)
        batch = self.run.log.drain()
        self.total_requests += batch.total
        self._note_evidence(batch)
        for exchange in batch.exchanges:
            self.writes.add(without_answer(exchange, keep_request=True))
        while self.run.notes:
            rule, note = self.run.notes.pop(0)
            if note not in self.record(rule).notes:
                self.record(rule).notes.append(self.masker(note))
        if not rules:
            if report.failed:
                self.errors.append(self.masker(f"{item.nodeid}: {report.longreprtext[:300]}"))
            return
        if call.when == "call":
            for rule in rules:
                self.record(rule).tests += 1
                self.record(rule).seconds += report.duration
        if report.skipped:
            # A test stopped part-way (deadline, invite cap, an answer cut or only throttled)
            # has not earned a verdict: what it sent is not counted as evidence.
            reason = _skip_reason(report)
            # an extra probe that cannot run on this target (OPTIONAL_PROBE) withholds no
            # verdict its rule earns elsewhere: only a rule with no case at all is not_run
            optional = reason.startswith(OPTIONAL_PROBE)
            for rule in rules:
                rec = self.record(rule)
                (rec.optional_skips if optional else rec.skip_reasons).append(reason)
                if reason not in rec.notes:
                    rec.notes.append(reason)
            return
        self._count(rules, batch)
        if report.failed and call.excinfo is not None:
            if call.when != "call" and not isinstance(call.excinfo.value, RuleViolationError):
                reason = self.masker(f"{item.name} could not run: {call.excinfo.value}"[:400])
                for rule in rules:
                    self.record(rule).skip_reasons.append(reason)
                return
            if _too_deep(call.excinfo.value):
                for rule in rules:
                    self.record(rule).skip_reasons.append(TOO_DEEP)
            end: list[Any] = []
            for finding in self._findings(rules, call.excinfo.value, batch.exchanges):
                self._file(finding, batch, end)


#: How a test that is an extra probe says it cannot run on this target (``pytest.skip``).
OPTIONAL_PROBE = "extra probe not run: "

#: The ``not_run`` reason of a test stopped by an answer nested too deeply to parse.
TOO_DEEP = (
    "not checked: an answer was nested too deeply to parse (RecursionError); that answer is "
    "not JSON the suite can read"
)


def _too_deep(exc: BaseException) -> bool:
    """Whether the test was stopped by a ``RecursionError`` (a hostile, deeply nested answer
    read by code outside the suite's own parsing), which is the answer's problem, not a rule's."""
    return any(isinstance(inner, RecursionError) for inner in leaf_exceptions(exc))


def find_recorder(config: pytest.Config) -> RuleRecorder | None:
    """The recorder registered with this pytest session, if any."""
    for plugin in config.pluginmanager.get_plugins():
        if isinstance(plugin, RuleRecorder):
            return plugin
    return None


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    text = str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    # the first line: Hypothesis appends its "Falsifying example" notes to a skip raised inside
    return (text.strip().splitlines() or [""])[0].removeprefix("Skipped: ")
