"""Show and write the per-rule results: the terminal table, ``conformance.json`` and its stamp.

The results themselves are built by :mod:`prevail_contract.runtime.results`; ``junit.xml`` is
:mod:`~prevail_contract.check.junit`'s.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from prevail_contract import __version__
from prevail_contract.check.junit import write_junit
from prevail_contract.runtime.results import RuleResult, render_table, status_cell
from prevail_contract.spec import Spec

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
