"""Turn recorded per-rule outcomes into the terminal table, ``conformance.json`` and ``junit.xml``.

Every rule of the spec's catalogue appears, in catalogue order, with one status: ``failed`` when
any finding names it, ``passed`` when requests were sent for it and none did, ``not_run`` (with
the reason) otherwise. junit.xml is written here rather than by pytest's ``--junitxml`` so that
it has one test case per rule and goes through the same token masking as everything else.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from prevail_contract.check.recorder import RuleRecord
from prevail_contract.check.safety import Masker
from prevail_contract.spec import Spec

Status = Literal["passed", "failed", "not_run"]
#: Failures listed per rule in the reports (the count is always complete).
MAX_FAILURES_LISTED = 20


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

    def as_json(self) -> dict[str, Any]:
        """The rule's entry in ``conformance.json``."""
        out: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "status": self.status,
            "cases": self.cases,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "failures": self.failures,
        }
        if self.failure_count > len(self.failures):
            out["failures_not_listed"] = self.failure_count - len(self.failures)
        if self.reason:
            out["reason"] = self.reason
        if self.notes and self.status != "not_run":
            out["notes"] = self.notes
        return out


def build_results(spec: Spec, records: dict[str, RuleRecord], masker: Masker) -> list[RuleResult]:
    """One :class:`RuleResult` per catalogue rule, in catalogue order."""
    results: list[RuleResult] = []
    for rule in spec.rules:
        rec = records.get(rule.id, RuleRecord())
        failures: list[dict[str, str]] = []
        seen: set[str] = set()
        for finding in rec.findings:
            summary = masker(finding.summary)
            if summary in seen:
                continue
            seen.add(summary)
            reproduce = finding.exchange.curl(masker) if finding.exchange is not None else ""
            failures.append({"summary": summary, "reproduce": reproduce})
        status: Status
        reason: str | None = None
        if failures:
            status = "failed"
        elif rec.cases > 0:
            status = "passed"
        else:
            status = "not_run"
            reasons = sorted(set(rec.skip_reasons))
            reason = masker("; ".join(reasons)) if reasons else "no check sent a request for it"
        results.append(
            RuleResult(
                id=rule.id,
                source=rule.source,
                status=status,
                cases=rec.cases,
                accepted=rec.accepted,
                rejected=rec.rejected,
                failures=failures[:MAX_FAILURES_LISTED],
                failure_count=len(failures),
                reason=reason,
                notes=[masker(n) for n in rec.notes],
            )
        )
    return results


def render_table(results: list[RuleResult]) -> str:
    """The per-rule table shown in the terminal."""
    header = ("rule", "source", "status", "cases", "2xx", "4xx")
    rows = [
        (r.id, r.source, r.status, str(r.cases), str(r.accepted), str(r.rejected)) for r in results
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
            for failure in r.failures[:3]:
                notes.append(f"  {r.id}: {failure['summary']}")
                if failure["reproduce"]:
                    notes.append(f"    reproduce: {failure['reproduce'][:600]}")
        elif r.status == "not_run":
            notes.append(f"  {r.id}: not run: {r.reason}")
        else:
            notes.extend(f"  {r.id}: note: {note}" for note in r.notes)
    if notes:
        out += ["", *notes]
    return "\n".join(out)


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
    read: str | None = None,
) -> dict[str, Any]:
    """The content of ``conformance.json``; ``read`` says how the suite read Sessions."""
    return {
        "target": target,
        "seed": seed,
        "profile": profile,
        "requests": requests,
        "read": read,
        "summary": summary_counts(results),
        "rules": [r.as_json() for r in results],
    }


def junit_tree(results: list[RuleResult], *, target: str) -> ET.ElementTree[ET.Element]:
    """A JUnit XML tree: one test case per catalogue rule."""
    failures = sum(1 for r in results if r.status == "failed")
    skipped = sum(1 for r in results if r.status == "not_run")
    suite = ET.Element(
        "testsuite",
        name="prevail-contract check",
        tests=str(len(results)),
        failures=str(failures),
        skipped=str(skipped),
        errors="0",
    )
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="target", value=target)
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=f"rules.{r.source}", name=r.id, time="0")
        if r.status == "failed":
            element = ET.SubElement(
                case, "failure", message=r.failures[0]["summary"][:500], type="RuleFailed"
            )
            element.text = "\n\n".join(
                f"{f['summary']}\nreproduce: {f['reproduce']}" for f in r.failures
            )
        elif r.status == "not_run":
            ET.SubElement(case, "skipped", message=r.reason or "not run")
        out = ET.SubElement(case, "system-out")
        out.text = f"cases={r.cases} accepted={r.accepted} rejected={r.rejected}"
    return ET.ElementTree(suite)


def write_reports(
    report_dir: Path,
    results: list[RuleResult],
    *,
    target: str,
    seed: int,
    profile: str,
    requests: int = 0,
    read: str | None = None,
) -> tuple[Path, Path]:
    """Write ``conformance.json`` and ``junit.xml`` into ``report_dir``; return their paths."""
    report_dir.mkdir(parents=True, exist_ok=True)
    json_path = report_dir / "conformance.json"
    doc = conformance_document(
        results, target=target, seed=seed, profile=profile, requests=requests, read=read
    )
    json_path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    junit_path = report_dir / "junit.xml"
    tree = junit_tree(results, target=target)
    ET.indent(tree)
    tree.write(junit_path, encoding="utf-8", xml_declaration=True)
    return json_path, junit_path
