"""``junit.xml``: one test case per catalogue rule, agreeing with the run's exit code.

A rule whose status fails the run (``counted``) is a ``<failure>``: a failed rule, or a
documented rule left ``not_run``. Everything else that did not pass is ``<skipped>`` with the
reason in its message: ``not_run`` rules that do not count, an assumed rule's failure in a run
without ``--strict``, a failure the baseline excuses, and excluded rules (the failure text of
a skipped failure is kept in ``system-out``). Whatever fails the run as a whole (its deadline,
a target error, Ctrl-C, nothing verified) is an ``<error>`` of one more test case, ``run``. So
the file has a failure or an error exactly when the exit code is not 0. Each rule's ``time`` is
the time spent in the tests that checked it. It is written here rather than by pytest's
``--junitxml`` so that it goes through the same masking as everything else.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prevail_contract.runtime.results import RuleResult

#: Characters of a message attribute (the element text holds the whole).
MESSAGE_CHARS = 500


def _skip_message(result: RuleResult) -> str:
    if result.status == "excluded":
        return result.reason or "excluded"
    if result.excused:
        return f"{result.status}, excused by the baseline: {result.excused}"
    if result.status == "failed":
        return "failed, not counted: an assumed rule counts only with --strict"
    return result.reason or "not run"


def _failure_text(result: RuleResult) -> str:
    return "\n\n".join(f"{f['summary']}\nreproduce: {f['reproduce']}" for f in result.failures)


def junit_tree(
    results: Sequence[RuleResult], *, target: str, run_problems: Sequence[str] = ()
) -> ET.ElementTree[ET.Element]:
    """The JUnit XML tree of a run."""
    failures = sum(1 for r in results if r.counted)
    skipped = sum(1 for r in results if r.status != "passed" and not r.counted)
    suite = ET.Element(
        "testsuite",
        name="prevail-contract check",
        tests=str(len(results) + 1),
        failures=str(failures),
        skipped=str(skipped),
        errors="1" if run_problems else "0",
    )
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="target", value=target)
    for r in results:
        case = ET.SubElement(
            suite, "testcase", classname=f"rules.{r.source}", name=r.id, time=f"{r.seconds:.3f}"
        )
        case_props = ET.SubElement(case, "properties")
        ET.SubElement(case_props, "property", name="status", value=r.status)
        ET.SubElement(case_props, "property", name="counted", value=str(r.counted).lower())
        if r.counted and r.status == "failed":
            element = ET.SubElement(
                case,
                "failure",
                message=r.failures[0]["summary"][:MESSAGE_CHARS] if r.failures else "failed",
                type="RuleFailed",
            )
            element.text = _failure_text(r)
        elif r.counted:
            element = ET.SubElement(
                case, "failure", message=(r.reason or "not run")[:MESSAGE_CHARS], type="NotRun"
            )
            element.text = f"a documented rule was not run: {r.reason}"
        elif r.status != "passed":
            ET.SubElement(case, "skipped", message=_skip_message(r)[:MESSAGE_CHARS])
        out = ET.SubElement(case, "system-out")
        lines = [f"cases={r.cases} accepted={r.accepted} rejected={r.rejected}"]
        if r.status == "failed" and not r.counted:
            lines += ["", f"WARNING: {_skip_message(r)}", _failure_text(r)]
        out.text = "\n".join(lines)
    run = ET.SubElement(suite, "testcase", classname="run", name="run", time="0.000")
    if run_problems:
        error = ET.SubElement(
            run, "error", message=run_problems[0][:MESSAGE_CHARS], type="RunIncomplete"
        )
        error.text = "\n".join(run_problems)
    return ET.ElementTree(suite)


def write_junit(
    path: Path, results: Sequence[RuleResult], *, target: str, run_problems: Sequence[str] = ()
) -> None:
    """Write :func:`junit_tree` to ``path``."""
    tree = junit_tree(results, target=target, run_problems=run_problems)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
