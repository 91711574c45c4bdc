"""Per-rule results: the verdict on each catalogue rule, built from what the suite recorded.

Every rule of the spec's catalogue appears, in catalogue order, with one status: ``failed`` when
any finding names it, ``passed`` when requests were sent for it and none did, ``not_run`` (with
the reason) otherwise, and ``excluded`` when ``--only``/``--exclude`` left it out. Whether a
status fails the run is :mod:`~prevail_contract.check.policy`'s call (``counted``, ``excused``).
The plain-text table is here too: a plain ``pytest contract_tests`` prints it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from prevail_contract.runtime.exchange import MAX_TEST_BODY_BYTES, MAX_TEST_EXCHANGES
from prevail_contract.runtime.recorder import RuleRecord
from prevail_contract.runtime.safety import Masker, printable
from prevail_contract.spec import Rule, Spec

Status = Literal["passed", "failed", "not_run", "excluded"]
#: Failures listed per rule in the reports (the count is always complete).
MAX_FAILURES_LISTED = 20
#: Failures shown per rule in the terminal (the reports list more).
SHOWN_FAILURES = 3


@dataclass
class RuleResult:
    """The verdict on one catalogue rule."""

    id: str
    source: str
    status: Status
    cases: int
    accepted: int
    rejected: int
    failures: list[dict[str, str]] = field(default_factory=list)
    failure_count: int = 0
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    #: Whether this status fails the run (set by the exit policy).
    counted: bool = False
    #: The baseline's reason, when a baseline entry excused this status.
    excused: str | None = None
    #: The last day of an expired baseline entry that no longer excused it.
    expired_entry: str | None = None
    #: Seconds spent in the tests that checked the rule (junit.xml only: times vary per run).
    seconds: float = 0.0
    #: The repro case of each listed failure (``None`` where there is none), for the scripts.
    repro_cases: list[dict[str, Any] | None] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The rule's entry in ``conformance.json``."""
        out: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "status": self.status,
            "counted": self.counted,
            "cases": self.cases,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "failures": self.failures,
        }
        if self.failure_count > len(self.failures):
            out["failures_not_listed"] = self.failure_count - len(self.failures)
        if self.reason:
            out["reason"] = self.reason
        if self.excused:
            out["excused_by_baseline"] = self.excused
        if self.expired_entry:
            out["baseline_entry_expired"] = self.expired_entry
        if self.notes and self.status != "not_run":
            out["notes"] = self.notes
        return out


def build_results(
    spec: Spec,
    records: dict[str, RuleRecord],
    masker: Masker,
    variables: Mapping[str, str] | None = None,
) -> list[RuleResult]:
    """One :class:`RuleResult` per catalogue rule, in catalogue order.

    A rule passes only when it saw the case it needs: a rejection rule a 4xx answer, a
    behaviour rule an accepted edit; a test of it that was skipped makes it ``not_run``.
    """
    results: list[RuleResult] = []
    for rule in spec.rules:
        rec = records.get(rule.id, RuleRecord())
        failures: list[dict[str, str]] = []
        cases: list[dict[str, Any] | None] = []
        seen: set[str] = set()
        for finding in rec.findings:
            summary = masker(finding.summary)
            if summary in seen:
                continue
            seen.add(summary)
            reproduce = (
                finding.exchange.curl(masker, variables) if finding.exchange is not None else ""
            )
            failures.append({"summary": summary, "reproduce": reproduce})
            cases.append(rec.repros.get(finding.summary))
        status: Status
        reason: str | None = None
        missing = _missing_case(rule, rec)
        if failures:
            status = "failed"
        elif missing is None:
            status = "passed"
        else:
            status = "not_run"
            reason = masker(missing)
        results.append(
            RuleResult(
                id=rule.id,
                source=rule.source,
                status=status,
                cases=rec.cases,
                accepted=rec.accepted,
                rejected=rec.rejected,
                failures=failures[:MAX_FAILURES_LISTED],
                failure_count=len(failures) + rec.more_findings,
                reason=reason,
                notes=[masker(n) for n in [*rec.notes, *_evidence_note(rec)]],
                seconds=rec.seconds,
                repro_cases=cases[:MAX_FAILURES_LISTED],
            )
        )
    return results


#: What follows a ``not_run`` reason's count of the requests that passed (see :func:`cause_of`).
NOT_CHECKED = "not checked: "


def cause_of(reason: str) -> str:
    """Why a rule was not run, without how many of its requests passed before (rules stopped by
    one cause share it, whatever each had checked)."""
    if reason.startswith("partly checked (") and f"; {NOT_CHECKED}" in reason:
        return NOT_CHECKED + reason.split(f"; {NOT_CHECKED}", 1)[1]
    return reason


def _evidence_note(rec: RuleRecord) -> list[str]:
    """The note of a rule whose tests' evidence was capped (see ``ExchangeLog``)."""
    if not rec.evidence_dropped:
        return []
    return [
        f"evidence capped: {rec.evidence_dropped} exchange(s) of its tests were kept without "
        f"their bodies or only counted (each test keeps at most {MAX_TEST_BODY_BYTES} bytes "
        f"of bodies and {MAX_TEST_EXCHANGES} exchanges)"
    ]


def _missing_case(rule: Rule, rec: RuleRecord) -> str | None:
    """Why ``rule`` cannot be called passed from what was seen, or ``None`` when it can."""
    skipped = sorted(set(rec.skip_reasons))
    if rec.cases == 0:
        skipped = sorted({*skipped, *rec.optional_skips})
        return "; ".join(skipped) if skipped else "no check sent a request for it"
    if skipped:
        why = sorted({reason.removeprefix(NOT_CHECKED) for reason in skipped})
        return f"partly checked ({rec.cases} request(s) passed); {NOT_CHECKED}" + "; ".join(why)
    shown_by_success = isinstance(rule.status, int) and 200 <= rule.status < 300
    if shown_by_success and rec.accepted == 0:
        return f"no edit was accepted in {rec.cases} request(s), so the rule was never exercised"
    if not shown_by_success and rec.rejected == 0:
        return f"no request was refused in {rec.cases} request(s), so the rule was never exercised"
    return None


def status_cell(result: RuleResult) -> str:
    """The status as the table shows it: ``(excused)`` when the baseline forgave it."""
    return f"{result.status} (excused)" if result.excused else result.status


def render_table(results: list[RuleResult]) -> str:
    """The per-rule table shown in the terminal (every line of a target's text escaped).

    Reproduce commands are shown whole, never cut: a long one is still the command to run.
    """
    header = ("rule", "source", "status", "cases", "2xx", "4xx")
    rows = [
        (r.id, r.source, status_cell(r), str(r.cases), str(r.accepted), str(r.rejected))
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell.ljust(w) if i < 3 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows]
    notes: list[str] = []
    for r in results:
        if r.status == "failed":
            for failure in r.failures[:SHOWN_FAILURES]:
                notes.append(f"  {r.id}: {failure['summary']}")
                if failure["reproduce"]:
                    notes.append(f"    reproduce: {failure['reproduce']}")
                if failure.get("repro"):
                    notes.append(f"    repro script: {failure['repro']}")
        elif r.status == "not_run":
            notes.append(f"  {r.id}: not run: {r.reason}")
        elif r.status == "passed":
            notes.extend(f"  {r.id}: note: {note}" for note in r.notes)
    if notes:
        out += ["", *(printable(line) for line in notes)]
    return "\n".join(out)
