"""Read a ``conformance.json`` of ``prevail-contract check`` so the docs show each rule's result.

The file's shape is checked with a JSON Schema (via jsonschema, as everywhere in the kit); the
rule ids are then checked against the spec's rule catalogue, because a report that names a rule
the spec does not have was made from another spec version and must not be published as proof.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import jsonschema

from prevail_contract.errors import ConfigError
from prevail_contract.spec import Rule

ResultStatus = Literal["passed", "failed", "not_run", "excluded"]

#: The report format written by ``prevail-contract check --report-dir``.
REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["target", "rules"],
    "properties": {
        "target": {"type": "string", "minLength": 1},
        "seed": {"type": ["integer", "string", "null"]},
        "profile": {"type": ["string", "null"]},
        "verified_at": {"type": ["string", "null"]},
        "spec_version": {"type": ["string", "null"]},
        "commit": {"type": ["string", "null"]},
        "rules": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "status"],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "source": {"enum": ["documented", "assumed"]},
                    "status": {"enum": ["passed", "failed", "not_run", "excluded"]},
                    "cases": {"type": "integer", "minimum": 0},
                    "failures": {"type": "array"},
                    "failures_not_listed": {"type": "integer", "minimum": 0},
                    "reason": {"type": ["string", "null"]},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome in a conformance run."""

    id: str
    status: ResultStatus
    cases: int | None
    failures: tuple[str, ...]
    reason: str | None
    #: Failures beyond the listed ones (the check lists a bounded number).
    unlisted: int = 0

    @property
    def failure_count(self) -> int:
        """How many failures the rule had in all."""
        return len(self.failures) + self.unlisted


@dataclass(frozen=True)
class ConformanceReport:
    """A validated ``conformance.json``: the target it ran against and each rule's result."""

    path: Path
    target: str
    seed: int | str | None
    results: Mapping[str, RuleResult]
    profile: str | None = None
    #: When the check ran (ISO 8601, UTC), the spec version it checked, the spec's commit.
    verified_at: str | None = None
    spec_version: str | None = None
    commit: str | None = None


def load_conformance(path: Path, rules: Sequence[Rule]) -> ConformanceReport:
    """Read and validate ``path`` against the report format and the spec's ``rules``.

    Raises :class:`ConfigError` naming the file and the offending place when the file is
    missing, is not JSON, breaks the format, names a rule the spec does not have, lists a rule
    twice, or disagrees with the spec on whether a rule is documented or assumed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--conformance: cannot read {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"--conformance: {path} is not JSON ({exc.msg} at line {exc.lineno}, column "
            f"{exc.colno}); expected the conformance.json that `prevail-contract check "
            "--report-dir DIR` writes"
        ) from exc
    problems = sorted(
        jsonschema.Draft202012Validator(REPORT_SCHEMA).iter_errors(data),
        key=lambda error: list(error.absolute_path),
    )
    if problems:
        lines = [f"  {_where(error.absolute_path)}: {error.message}" for error in problems[:10]]
        raise ConfigError(
            f"--conformance: {path} is not a conformance report:\n"
            + "\n".join(lines)
            + '\naccepted: {"target": str, "seed": int|str, "rules": [{"id", "source", '
            '"status": "passed"|"failed"|"not_run"|"excluded", "cases": int, "failures": [...], '
            '"reason"?}]}'
        )
    by_id = {rule.id: rule for rule in rules}
    results: dict[str, RuleResult] = {}
    unknown: list[str] = []
    for index, raw in enumerate(data["rules"]):
        rule_id = raw["id"]
        if rule_id not in by_id:
            unknown.append(rule_id)
            continue
        if rule_id in results:
            raise ConfigError(f"--conformance: {path}: rules[{index}] repeats rule {rule_id!r}")
        source = raw.get("source")
        if source is not None and source != by_id[rule_id].source:
            raise ConfigError(
                f"--conformance: {path}: rules[{index}] says {rule_id!r} is {source}, the spec "
                f"says {by_id[rule_id].source}; the report was made from another spec version"
            )
        results[rule_id] = RuleResult(
            id=rule_id,
            status=raw["status"],
            cases=raw.get("cases"),
            failures=tuple(_failure_text(item) for item in raw.get("failures") or ()),
            reason=raw.get("reason"),
            unlisted=raw.get("failures_not_listed", 0),
        )
    if unknown:
        raise ConfigError(
            f"--conformance: {path} names rule ids the spec does not have: "
            f"{', '.join(repr(u) for u in unknown)}; known ids: {', '.join(by_id)}"
        )
    return ConformanceReport(
        path=path,
        target=data["target"],
        seed=data.get("seed"),
        results=results,
        profile=data.get("profile"),
        verified_at=data.get("verified_at"),
        spec_version=data.get("spec_version"),
        commit=data.get("commit"),
    )


def _where(path: Sequence[Any]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or (
        "(top level)"
    )


def _failure_text(item: Any) -> str:
    """One failure as a line of text, whatever shape the check gave it."""
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        for key in ("message", "summary", "detail", "reason"):
            if isinstance(item.get(key), str):
                return str(item[key])
    return json.dumps(item, sort_keys=True, ensure_ascii=False)
