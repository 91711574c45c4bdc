"""The end of a ``check`` run: the table, the reports, what was forgiven, and the exit code.

Everything printed here that came from a target (summaries, reasons, errors) has been masked
by the run's masker and is escaped for the terminal (:func:`~prevail_contract.runtime.safety.
printable`), so an answer cannot repaint the screen or forge a summary line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any

from prevail_contract.check.baseline import Baseline
from prevail_contract.check.policy import RunEnd, Verdict, apply_selection, judge
from prevail_contract.check.report import show_table, write_reports
from prevail_contract.check.repro_writer import write_scripts
from prevail_contract.check.selection import Selection
from prevail_contract.errors import ConfigError
from prevail_contract.runtime import bounds
from prevail_contract.runtime.results import RuleResult
from prevail_contract.runtime.safety import Masker, printable

#: The exit policy as ``check --help`` and the README state it.
EXIT_CODES = """\
exit codes:
  0    the run completed, and no counted rule failed or was left not run: a documented rule
       counts when it failed or was not run, an assumed rule only when it failed under
       --strict; a rule the --baseline file excuses (not expired) is a warning instead
  1    a counted rule failed or a documented rule was not run, without a baseline entry
       excusing it; or the run's --deadline stopped it (an incomplete run is never green)
  2    a configuration error, found before any work (one line); the preflight or --sandbox
       found the target unusable; a target error stopped the run (connection broken, no
       answer within --request-timeout); or nothing was verified (no selected rule passed,
       nor failed as the baseline expects)
  130  interrupted (Ctrl-C); the reports hold what ran"""


def finish(
    results: list[RuleResult],
    *,
    strict: bool,
    selection: Selection,
    baseline: Baseline | None,
    interrupted: bool,
    masker: Masker,
    seed: int,
    report_dir: Path | None,
    report: dict[str, Any],
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> int:
    """Judge the results, show them, write the reports (``report`` holds the other
    :func:`write_reports` arguments) and return the exit code. ``out`` and ``err`` default to
    the streams ``sys`` holds when called (not when imported: they may have been replaced)."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    bounds.explain_unrun(results, interrupted=interrupted)
    apply_selection(results, selection)
    run = bounds.RUN
    end = RunEnd(
        interrupted=interrupted,
        target_error=None if run.target_error is None else masker(run.target_error),
        deadline_reached=run.deadline_reached,
        deadline=run.limits.deadline,
    )
    verdict = judge(results, strict=strict, end=end, baseline=baseline)
    if report_dir is not None:
        _write_repros(report_dir, results, masker)
    print(file=out)
    show_table(results, out)
    facts_read = report.get("read")
    if facts_read:
        print(f"Sessions were read with: {facts_read}", file=out)
    if report_dir is not None:
        json_path, junit_path = write_reports(
            report_dir, results, verdict=verdict.as_json(), **report
        )
        print(f"\nreports: {json_path} {junit_path}", file=out)
    if interrupted:
        print("interrupted (Ctrl-C): rules not reached are not_run", file=err)
    elif end.target_error is not None:
        print(f"target error: {printable(end.target_error)}", file=err)
    elif run.deadline_reached:
        print(f"deadline of {run.limits.deadline:g} s reached (--deadline)", file=err)
    _summary(results, verdict, seed, out)
    if verdict.nothing_verified and not interrupted and end.target_error is None:
        raise ConfigError(
            "no rule could be checked against the target (none passed); see the reasons above"
        )
    return verdict.code


def _write_repros(report_dir: Path, results: list[RuleResult], masker: Masker) -> None:
    """Write each listed failure's repro script and name it in the failure's entry."""
    cases = [
        (r.id, number, case)
        for r in results
        if r.status == "failed"
        for number, case in enumerate(r.repro_cases, start=1)
        if case is not None
    ]
    written = write_scripts(report_dir, cases, masker)
    for r in results:
        for number, failure in enumerate(r.failures, start=1):
            path = written.get((r.id, number))
            if path is not None:
                failure["repro"] = path


def _summary(results: list[RuleResult], verdict: Verdict, seed: int, out: IO[str]) -> None:
    def count(status: str, source: str | None = None) -> int:
        return sum(
            1 for r in results if r.status == status and (source is None or r.source == source)
        )

    parts = [
        f"{count('failed', 'documented')} documented and {count('failed', 'assumed')} assumed "
        f"rule(s) failed, {count('not_run')} not run"
    ]
    excused = sum(1 for r in results if r.excused)
    if excused:
        parts.append(f"{excused} excused by the baseline")
    if count("excluded"):
        parts.append(f"{count('excluded')} excluded")
    print(f"\n{', '.join(parts)}; rerun with --seed {seed} to repeat this run", file=out)
    for line in verdict.warnings:
        print(printable(f"warning: {line}"), file=out)
    if verdict.code == 0:
        print("result: exit 0 (no counted rule failed or was left not run)", file=out)
        return
    for line in verdict.reasons:
        print(printable(f"result: exit {verdict.code}: {line}"), file=out)
