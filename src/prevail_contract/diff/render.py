"""Print a diff report three ways: plain text for CI logs, a markdown table for a pull-request
comment, and JSON for machines."""

from __future__ import annotations

import json

from prevail_contract.diff.model import ClientApiChange, DiffReport

FORMATS = ("text", "markdown", "json")
_SIGN = {"added": "+", "removed": "-", "changed": "~"}


def render(report: DiffReport, fmt: str) -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`), ending with a newline."""
    if fmt == "json":
        return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(report)
    return render_text(report)


def render_text(report: DiffReport) -> str:
    """Readable in a CI log: breaking changes first, each with its location and reason."""
    lines = [
        "Contract diff",
        f"  base: {report.base} (info.version {report.base_version or 'unset'})",
        f"  head: {report.head} (info.version {report.head_version or 'unset'})",
    ]
    breaking = report.breaking
    others = [c for c in report.changes if not c.breaking]
    additive = len(report.additive)
    needs = f" ({additive} additive: a new minor version)" if additive else ""
    lines += [f"  {len(breaking)} breaking, {len(others)} non-breaking change(s){needs}", ""]
    for title, group in (("Breaking changes", breaking), ("Non-breaking changes", others)):
        if not group:
            continue
        lines.append(f"{title} ({len(group)}):")
        for number, change in enumerate(group, 1):
            lines.append(f"  {number}. {change.location}")
            lines.append(f"     [{change.kind}, {change.side}] {change.reason}")
        lines.append("")
    if not report.changes:
        lines += ["No changes to the contract.", ""]
    lines += _text_client(report)
    lines.append(f"Result: {report.verdict}")
    return "\n".join(lines) + "\n"


def _text_client(report: DiffReport) -> list[str]:
    api = report.client_api
    if api.status == "skipped":
        return []
    if api.status == "failed":
        return ["Client API: not compared: " + api.note, ""]
    if not api.changes:
        return ["Client API: no change to the generated client's public surface.", ""]
    lines = [f"Client API changes ({len(api.changes)}):"]
    for change in api.changes:
        lines.append(f"  {_SIGN[change.action]} {change.what:<9} {change.symbol}: {change.detail}")
    return [*lines, ""]


def render_markdown(report: DiffReport) -> str:
    """A pull-request comment: a verdict line, a table of changes, the client API table."""
    breaking = report.breaking
    if report.exit_code:
        icon = "❌"
    elif breaking:
        icon = "⚠️"
    else:
        icon = "✅"
    lines = [
        f"### {icon} Contract diff: {_md(report.verdict)}",
        "",
        f"Base `{_code(report.base)}` (info.version `{report.base_version or 'unset'}`) → "
        f"head `{_code(report.head)}` (info.version `{report.head_version or 'unset'}`)",
        "",
    ]
    if report.changes:
        lines += [
            "| | Location | Change | Side | Reason |",
            "|---|---|---|---|---|",
        ]
        ordered = breaking + [c for c in report.changes if not c.breaking]
        for change in ordered:
            mark = "🔴 breaking" if change.breaking else "🟢 non-breaking"
            lines.append(
                f"| {mark} | `{_code(change.location)}` | `{change.kind}` | {change.side} | "
                f"{_md(change.reason)} |"
            )
        lines.append("")
    lines += _markdown_client(
        report.client_api.status, report.client_api.note, report.client_api.changes
    )
    return "\n".join(lines) + "\n"


def _markdown_client(status: str, note: str, changes: list[ClientApiChange]) -> list[str]:
    if status == "skipped":
        return []
    if status == "failed":
        return [f"**Client API:** not compared: {_md(note)}", ""]
    if not changes:
        return ["**Client API:** no change to the generated client's public surface.", ""]
    lines = [
        "<details><summary>Client API changes (" + str(len(changes)) + ")</summary>",
        "",
        "| | What | Symbol | Detail |",
        "|---|---|---|---|",
    ]
    for change in changes:
        lines.append(
            f"| {_SIGN[change.action]} {change.action} | {change.what} | "
            f"`{_code(change.symbol)}` | `{_code(change.detail)}` |"
        )
    return [*lines, "", "</details>", ""]


def _md(text: str) -> str:
    """Text for a table cell: pipes escaped, newlines flattened."""
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    """Text for a code span in a table cell (backticks cannot be escaped inside one)."""
    return text.replace("|", "\\|").replace("`", "'").replace("\n", " ")
