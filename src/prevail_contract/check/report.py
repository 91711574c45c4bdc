"""Turn recorded per-rule outcomes into the terminal table and ``conformance.json``.

Every rule of the spec's catalogue appears, in catalogue order, with one status: ``failed`` when
any finding names it, ``passed`` when requests were sent for it and none did, ``not_run`` (with
the reason) otherwise, and ``excluded`` when ``--only``/``--exclude`` left it out. Whether a
status fails the run is :mod:`~prevail_contract.check.policy`'s call (``counted``, ``excused``);
``junit.xml`` is :mod:`~prevail_contract.check.junit`'s.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from prevail_contract import __version__
from prevail_contract.check.exchange import MAX_TEST_BODY_BYTES, MAX_TEST_EXCHANGES
from prevail_contract.check.junit import write_junit
from prevail_contract.check.recorder import RuleRecord
from prevail_contract.check.safety import Masker, printable
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
        why = sorted({reason.removeprefix("not checked: ") for reason in skipped})
        return f"partly checked ({rec.cases} request(s) passed); not checked: " + "; ".join(why)
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


_STYLES = {"passed": "green", "failed": "bold red", "not_run": "yellow", "excluded": "dim"}


def show_table(results: list[RuleResult], stream: IO[str]) -> None:
    """Print the rule table: coloured on a terminal (unless ``NO_COLOR``), plain text elsewhere."""
    console = Console(file=stream, highlight=False)
    if not console.is_terminal:
        print(render_table(results), file=stream)
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name, justify in [
        ("rule", "left"),
        ("source", "left"),
        ("status", "left"),
        ("cases", "right"),
        ("2xx", "right"),
        ("4xx", "right"),
    ]:
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for r in results:
        style = "yellow" if r.excused else _STYLES[r.status]
        table.add_row(
            Text(r.id, style="bold red" if r.status == "failed" and r.counted else ""),
            r.source,
            Text(status_cell(r), style=style),
            str(r.cases),
            str(r.accepted),
            str(r.rejected),
        )
    console.print(table)
    notes = render_table(results).split("\n\n", 1)
    if len(notes) == 2:
        console.print(Text(notes[1]), soft_wrap=True)


def verification_stamp(spec: Spec) -> dict[str, str | None]:
    """When this verification ran, of which spec version, at which commit of the spec's repo."""
    commit: str | None = None
    spec_dir = spec.path.parent if spec.path is not None else Path.cwd()
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            ["git", "-C", str(spec_dir), "rev-parse", "HEAD"],  # noqa: S607 - git on PATH
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if done.returncode == 0:
            commit = done.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {
        "verified_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "spec_version": spec.version,
        "commit": commit,
        "kit_version": __version__,
    }


def summary_counts(results: list[RuleResult]) -> dict[str, int]:
    """How many rules ended in each status, split by source."""
    counts: dict[str, int] = {}
    for r in results:
        key = f"{r.source}_{r.status}"
        counts[key] = counts.get(key, 0) + 1
    return counts


def conformance_document(
    results: list[RuleResult],
    *,
    target: str,
    seed: int,
    profile: str,
    requests: int = 0,
    stamp: Mapping[str, str | None] | None = None,
    read: str | None = None,
    run: dict[str, Any] | None = None,
    verdict: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The content of ``conformance.json``; ``read`` says how the suite read Sessions, ``run``
    gives the run's bounds and how it ended, ``verdict`` the exit code and why."""
    doc: dict[str, Any] = {
        **(stamp or {}),
        "target": target,
        "seed": seed,
        "profile": profile,
        "requests": requests,
        "read": read,
    }
    if run is not None:
        doc["run"] = run
    if verdict is not None:
        doc["verdict"] = verdict
    doc["summary"] = summary_counts(results)
    doc["rules"] = [r.as_json() for r in results]
    return doc


def write_reports(
    report_dir: Path,
    results: list[RuleResult],
    *,
    target: str,
    seed: int,
    profile: str,
    requests: int = 0,
    stamp: Mapping[str, str | None] | None = None,
    read: str | None = None,
    run: dict[str, Any] | None = None,
    verdict: dict[str, Any] | None = None,
) -> tuple[Path, Path]:
    """Write ``conformance.json`` and ``junit.xml`` into ``report_dir``; return their paths."""
    report_dir.mkdir(parents=True, exist_ok=True)
    json_path = report_dir / "conformance.json"
    doc = conformance_document(
        results,
        target=target,
        seed=seed,
        profile=profile,
        requests=requests,
        stamp=stamp,
        read=read,
        run=run,
        verdict=verdict,
    )
    json_path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    junit_path = report_dir / "junit.xml"
    write_junit(junit_path, results, target=target, run_problems=_run_problems(verdict))
    return json_path, junit_path


def _run_problems(verdict: Mapping[str, Any] | None) -> list[str]:
    """What failed the run as a whole (not one rule): shown as junit's ``run`` test case."""
    if not verdict or not verdict.get("exit_code"):
        return []
    return [str(line) for line in verdict.get("run_problems") or []]
