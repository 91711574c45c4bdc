"""Write the sections no renderer shows on its own: Authentication and Business rules.

Redoc shows a security scheme's description only in a dialog, and no renderer shows
``x-rules``, so both sections are generated as Markdown from the spec (the
``components/securitySchemes`` descriptions and the operation's rule catalogue, plus a check
report when given) and appended to a copy of ``info.description``, which every OpenAPI
renderer displays. Each rule row carries its rule id as an HTML anchor (``#rule-<id>``) so that
reports and tickets can link to a rule.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from prevail_contract.docs.conformance import ConformanceReport, RuleResult
from prevail_contract.spec import Rule
from prevail_contract.spec.operation_registry import LIVE_POLICIES, entry_problems, read_entry
from prevail_contract.spec.operations import Operation

AUTH_TITLE = "Authentication"
SECTION_TITLE = "Business rules"
#: Prefix of each rule row's anchor id.
ANCHOR_PREFIX = "rule-"

_CODE_SPAN = re.compile(r"(`[^`]*`)")
_SPACE = re.compile(r"\s+")
#: Plain words, not emoji: a page opened offline may have no emoji font to draw them.
_RESULT_LABEL = {
    "passed": "passed",
    "failed": "**FAILED**",
    "not_run": "not run",
    "excluded": "excluded from the run",
}
#: Inline styles as well as the template's classes: the page must read right in any renderer.
_NOWRAP = "white-space: nowrap"
_FAILED_STYLE = "color: #b3261e; font-weight: bold"


def docs_document(
    document: dict[str, Any],
    rules: Sequence[Rule],
    report: ConformanceReport | None = None,
    operations: Sequence[Operation] = (),
    extra: Sequence[str] = (),
) -> dict[str, Any]:
    """A copy of ``document`` whose ``info.description`` ends with the generated sections
    (and the Markdown sections in ``extra``, after the Business rules)."""
    published = copy.deepcopy(document)
    info = published.setdefault("info", {})
    parts = [str(info.get("description") or "").rstrip()]
    schemes = (published.get("components") or {}).get("securitySchemes") or {}
    if schemes:
        parts.append(auth_markdown(schemes))
    parts.append(rules_markdown(rules, report, operations))
    parts += list(extra)
    info["description"] = "\n\n".join(part for part in parts if part)
    return published


def auth_markdown(schemes: Mapping[str, Mapping[str, Any]]) -> str:
    """One subsection per security scheme: how the credential is sent, then its description."""
    lines = [
        f"## {AUTH_TITLE}",
        "",
        "Each request is authenticated in one of these ways (from the spec's "
        "`components/securitySchemes`).",
        "",
    ]
    for name, scheme in schemes.items():
        lines += [f"### `{name}`: {_scheme_kind(scheme)}", ""]
        description = str(scheme.get("description") or "").strip()
        if description:
            lines += [description, ""]
    return "\n".join(lines).rstrip() + "\n"


def _scheme_kind(scheme: Mapping[str, Any]) -> str:
    kind = str(scheme.get("type", ""))
    if kind == "http":
        fmt = f", {scheme['bearerFormat']}" if scheme.get("bearerFormat") else ""
        return f"HTTP {scheme.get('scheme', '')}{fmt}"
    if kind == "apiKey":
        return f"`{scheme.get('name')}` in the {scheme.get('in')}"
    return kind


def rules_markdown(
    rules: Sequence[Rule],
    report: ConformanceReport | None = None,
    operations: Sequence[Operation] = (),
) -> str:
    """The Business rules section: a lead paragraph, then per operation one table row per rule
    it declares and a line naming the rules declared elsewhere that apply to it too."""
    documented = sum(1 for rule in rules if rule.documented)
    lines = [
        f"## {SECTION_TITLE}",
        "",
        f"Every rule this contract states, from the operations' `x-rules` catalogues: "
        f"{len(rules)} rules, {documented} documented by Prevail and "
        f"{len(rules) - documented} assumed by this contract. The id is stable: the mock "
        "server enforces the rule under it and `prevail-contract check` verifies it. "
        "**Shown by** is the answer that shows the rule at work: the refusal (status and "
        "error `code`) when a request breaks it, or the successful answer it governs.",
        "",
    ]
    if report is not None:
        lines += [_verification_line(report), ""]
    groups: list[tuple[str, str, list[Rule], list[str]]] = []
    if operations:
        declared = {r.id for r in rules}
        for op in operations:
            own = [r for r in rules if r.operation == op.operation_id]
            shared = [i for i in op.rules if i in declared and i not in {r.id for r in own}]
            summary = str(op.node.get("summary") or op.operation_id)
            groups.append((f"### {op.label}: {summary}", nature_line(op), own, shared))
    else:
        groups.append(("", "", list(rules), []))
    for heading, nature, own, shared in groups:
        if heading:
            lines += [heading, ""]
        if nature:
            lines += [nature, ""]
        if shared:
            links = ", ".join(f"[`{i}`](#{ANCHOR_PREFIX}{i})" for i in shared)
            lines += [f"Also applies here: {links}.", ""]
        lines += _rules_table(own, report)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def nature_line(op: Operation) -> str:
    """What the operation's ``x-operation`` says, in words ("" when it has no sound entry)."""
    if entry_problems(op):
        return ""
    entry = read_entry(op)
    effect = "changes nothing" if entry.nature == "read" else "may change a Session"
    return (
        f"A {entry.nature} ({effect}); role `{entry.role}`. Against a live server "
        f"`prevail-contract check` sends it {LIVE_POLICIES[entry.live]} (live policy "
        f"`{entry.live}`)."
    )


def _rules_table(rules: Sequence[Rule], report: ConformanceReport | None) -> list[str]:
    lines: list[str] = []
    header = ["Rule", "Statement", "Source", "Shown by"]
    if report is not None:
        header.append("Last result")
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for rule in rules:
        result = report.results.get(rule.id) if report is not None else None
        failed = result is not None and result.status == "failed"
        id_style = f"{_NOWRAP}; {_FAILED_STYLE}" if failed else _NOWRAP
        cells = [
            f'<a id="{ANCHOR_PREFIX}{rule.id}"></a>'
            f'<span class="rule-id{" rule-failed" if failed else ""}" style="{id_style}">'
            f"<code>{rule.id}</code></span>",
            _cell(rule.statement),
            "documented" if rule.documented else "**assumed**",
            _status_cell(rule),
        ]
        if report is not None:
            cells.append(_result_cell(result))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _verification_line(report: ConformanceReport) -> str:
    counts = {status: 0 for status in _RESULT_LABEL}
    for result in report.results.values():
        counts[result.status] += 1
    details = [f"seed `{report.seed}`"] if report.seed is not None else []
    if report.profile:
        details.append(f"profile `{_code(report.profile)}`")
    seed = f" ({', '.join(details)})" if details else ""
    stamp = []
    if report.verified_at:
        stamp.append(
            f"on {_escape(report.verified_at.replace('T', ' ').replace('+00:00', ' UTC'))}"
        )
    if report.spec_version:
        stamp.append(f"spec version `{_code(report.spec_version)}`")
    if report.commit:
        stamp.append(f"commit `{_code(report.commit[:12])}`")
    when = f", {', '.join(stamp)}" if stamp else ", undated (the report carries no stamp)"
    failed = f"{counts['failed']} failed"
    if counts["failed"]:
        failed = f'<strong style="{_FAILED_STYLE}">{failed}</strong>'
    return (
        f"**Last verification:** `prevail-contract check` against `{_code(report.target)}`"
        f"{seed}{when}: {counts['passed']} passed, {failed}, {counts['not_run']} not run."
    )


def _status_cell(rule: Rule) -> str:
    status = str(rule.status)
    if rule.kind == "rejection":
        code = f" `{rule.code}`" if rule.code else ""
        return f"refusal **{status}**{code}"
    if status == "200":
        return "the **200** answer"
    return f"every **{status}** answer"


def _result_cell(result: RuleResult | None) -> str:
    if result is None:
        return "not in the report"
    text = _RESULT_LABEL[result.status]
    if result.status == "failed":
        text = f'<strong class="rule-failed" style="{_FAILED_STYLE}">FAILED</strong>'
    if result.cases is not None:
        text += f" ({result.cases} case{'s' if result.cases != 1 else ''})"
    if result.status == "failed" and result.failures:
        first = result.failures[0]
        if len(first) > 160:
            first = first[:157] + "..."
        more = f" (+{result.failure_count - 1} more)" if result.failure_count > 1 else ""
        text += f": {_escape(first)}{more}"
    elif result.reason:
        text += f": {_escape(result.reason)}"
    return text


def _cell(text: str) -> str:
    """Markdown text made safe for a table cell: pipes escaped, HTML outside code spans escaped."""
    parts = _CODE_SPAN.split(text)
    return "".join(
        part.replace("|", "\\|") if i % 2 else _escape(part) for i, part in enumerate(parts)
    )


def _escape(text: str) -> str:
    return (
        _SPACE.sub(" ", text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
    )


def _code(text: str) -> str:
    return text.replace("`", "'")
