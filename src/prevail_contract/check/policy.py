"""The exit policy of ``check``: which outcomes fail a run, given ``--strict`` and a baseline.

Per rule: a ``failed`` documented rule counts (with ``--strict`` any failed rule does), and so
does a documented rule left ``not_run``; a baseline entry (not expired, for that status)
excuses a rule that would count, which is then shown as a warning. An assumed failure without
``--strict`` and an assumed ``not_run`` never count (they are shown, not fatal). For the run:
Ctrl-C is 130; a target error 2; a counted failure 1; nothing verified 2 (no selected rule
passed, nor failed as the baseline expects); the deadline reached 1, since an incomplete run is
never green; a counted ``not_run`` 1; otherwise 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from prevail_contract.check.baseline import Baseline
from prevail_contract.check.selection import Selection
from prevail_contract.runtime.results import RuleResult, cause_of

#: Exit codes (README, "Exit codes").
OK, FAILED, ERROR, INTERRUPTED = 0, 1, 2, 130


@dataclass
class RunEnd:
    """How the run ended, as the run's bounds saw it."""

    interrupted: bool = False
    target_error: str | None = None
    deadline_reached: bool = False
    deadline: float = 0.0


@dataclass
class Verdict:
    """The run's exit code, why it is not 0, and what was forgiven or merely shown."""

    code: int
    #: Why the code is not 0, one line each (rules and the run as a whole).
    reasons: list[str] = field(default_factory=list)
    #: What was forgiven or not counted, one line each.
    warnings: list[str] = field(default_factory=list)
    #: The reasons that concern the run as a whole (deadline, target error, Ctrl-C, nothing
    #: verified), for junit's ``run`` test case.
    run_problems: list[str] = field(default_factory=list)
    #: Set when no selected rule passed (the command reports it as a configuration error).
    nothing_verified: bool = False

    def as_json(self) -> dict[str, object]:
        """The verdict as ``conformance.json`` holds it."""
        return {
            "exit_code": self.code,
            "reasons": self.reasons,
            "warnings": self.warnings,
            "run_problems": self.run_problems,
        }


def apply_selection(results: list[RuleResult], selection: Selection) -> None:
    """Mark the rules outside ``selection`` as ``excluded`` (whatever their tests saw)."""
    for result in results:
        if result.id not in selection:
            result.status = "excluded"
            result.reason = selection.excluded_because
            result.failures, result.failure_count = [], 0


def _would_count(result: RuleResult, strict: bool) -> bool:
    documented = result.source == "documented"
    if result.status == "failed":
        return documented or strict
    return result.status == "not_run" and documented


def judge(
    results: list[RuleResult],
    *,
    strict: bool,
    end: RunEnd,
    baseline: Baseline | None = None,
    today: dt.date | None = None,
) -> Verdict:
    """Mark each result ``counted`` or ``excused`` and decide the exit code."""
    today = today or dt.date.today()
    warnings: list[str] = []
    counted: list[RuleResult] = []
    for result in results:
        entry = baseline.entry(result.id) if baseline is not None else None
        if result.status == "excluded":
            continue
        if result.status == "passed":
            if entry is not None:
                warnings.append(f"{result.id} passed: its baseline entry can go ({entry.reason})")
            continue
        if not _would_count(result, strict):
            why = "assumed rule, counted only with --strict" if result.status == "failed" else ""
            warnings.append(f"{result.id} {result.status} (not counted: {why or 'assumed rule'})")
            continue
        if entry is not None and entry.covers(result.status) and not entry.expired(today):
            result.excused = entry.reason
            until = f", until {entry.expires.isoformat()}" if entry.expires else ""
            warnings.append(
                f"{result.id} {result.status}, excused by the baseline{until}: {entry.reason}"
            )
            continue
        result.counted = True
        if entry is not None and entry.expired(today) and entry.expires is not None:
            result.expired_entry = entry.expires.isoformat()
        counted.append(result)
    reasons = _counted_reasons(counted)

    def whole(code: int, problem: str, **extra: bool) -> Verdict:
        return Verdict(code, [problem, *reasons], warnings, [problem], **extra)

    if end.interrupted:
        return whole(INTERRUPTED, "interrupted (Ctrl-C): rules not reached are not_run")
    if end.target_error is not None:
        return whole(ERROR, f"the run stopped on a target error: {end.target_error}")
    if any(r.status == "failed" for r in counted):
        return Verdict(FAILED, reasons, warnings)
    if not any(r.status == "passed" or (r.status == "failed" and r.excused) for r in results):
        return whole(
            ERROR, "no selected rule could be checked (none passed)", nothing_verified=True
        )
    if end.deadline_reached:
        return whole(
            FAILED, f"the run's deadline of {end.deadline:g} s stopped it: incomplete, not green"
        )
    if counted:
        return Verdict(FAILED, reasons, warnings)
    return Verdict(OK, [], warnings)


def _counted_reasons(counted: list[RuleResult]) -> list[str]:
    """One line per counted failure, and one per cause the counted rules were not run for (a
    target gone mid-run leaves the documented rules not run for one cause: one line names them
    all, placed where its first rule stands in the catalogue; how many requests each had passed
    before stays in its own result)."""
    entries: list[str | list[RuleResult]] = []
    groups: dict[tuple[str, str], list[RuleResult]] = {}
    for result in counted:
        if result.status == "failed":
            expired = (
                f" (its baseline entry expired on {result.expired_entry})"
                if result.expired_entry
                else ""
            )
            entries.append(f"{result.source} rule {result.id} failed{expired}")
            continue
        key = (result.expired_entry or "", cause_of(result.reason or ""))
        group = groups.get(key)
        if group is None:
            group = groups[key] = []
            entries.append(group)
        group.append(result)
    return [entry if isinstance(entry, str) else _not_run_line(entry) for entry in entries]


def _not_run_line(group: list[RuleResult]) -> str:
    """The line of documented rules not run for one cause (one rule keeps its whole reason)."""
    expired = group[0].expired_entry
    if len(group) == 1:
        until = f" (its baseline entry expired on {expired})" if expired else ""
        return f"documented rule {group[0].id} was not run{until}: {group[0].reason or ''}"
    until = f" (their baseline entries expired on {expired})" if expired else ""
    names = ", ".join(r.id for r in group)
    return f"documented rules {names} were not run{until}: {cause_of(group[0].reason or '')}"
