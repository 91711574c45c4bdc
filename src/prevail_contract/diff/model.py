"""The records the diff gate produces: one ``Change`` per spec difference, one report per run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Classification = Literal["breaking", "non-breaking"]
#: Which party a change affects: what a client sends, what it receives, or the operation as a
#: whole (its existence, id, security, server, rule catalogue).
Side = Literal["request", "response", "operation"]

BREAKING: Classification = "breaking"
NON_BREAKING: Classification = "non-breaking"


@dataclass(frozen=True)
class Change:
    """One classified difference between the base spec and the head spec."""

    #: Stable machine-readable name of the rule that fired, e.g. ``constraint-tightened``.
    kind: str
    side: Side
    #: Where: ``METHOD /path`` then the part (``request body``, ``response 200 body``,
    #: ``parameter query x``), the field path (``remote_session.title``) and the keyword.
    location: str
    classification: Classification
    #: One line saying what changed and why it does or does not break clients.
    reason: str

    @property
    def breaking(self) -> bool:
        """Whether this change breaks existing clients or integrations."""
        return self.classification == BREAKING

    def as_dict(self) -> dict[str, str]:
        """The JSON form (the keys the ``--format json`` output promises)."""
        return {
            "kind": self.kind,
            "side": self.side,
            "location": self.location,
            "classification": self.classification,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ClientApiChange:
    """One difference in the generated client's public Python surface."""

    #: ``added``, ``removed`` or ``changed``.
    action: Literal["added", "removed", "changed"]
    #: ``function``, ``parameter``, ``return``, ``model``, ``field``, ``enum``, ``member``.
    what: str
    #: Dotted name, e.g. ``models.Session.room`` or ``api.sessions.edit_session.sync``.
    symbol: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        """The JSON form."""
        return {
            "action": self.action,
            "what": self.what,
            "symbol": self.symbol,
            "detail": self.detail,
        }


@dataclass
class ClientApiDiff:
    """The client's public-surface diff, or why it could not be computed."""

    #: ``compared``, ``skipped`` (``--no-client-diff``) or ``failed`` (a side did not generate).
    status: Literal["compared", "skipped", "failed"]
    changes: list[ClientApiChange] = field(default_factory=list)
    #: Why the diff is missing or partial (e.g. the base spec does not generate).
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "status": self.status,
            "note": self.note,
            "changes": [c.as_dict() for c in self.changes],
        }


@dataclass
class DiffReport:
    """Everything one ``prevail-contract diff`` run found."""

    base: str
    head: str
    base_version: str
    head_version: str
    changes: list[Change]
    client_api: ClientApiDiff = field(default_factory=lambda: ClientApiDiff("skipped"))

    @property
    def breaking(self) -> list[Change]:
        """The breaking changes."""
        return [c for c in self.changes if c.breaking]

    @property
    def major_bump(self) -> bool:
        """Whether ``info.version``'s major number went up (breaking changes are then allowed)."""
        base, head = major_version(self.base_version), major_version(self.head_version)
        return base is not None and head is not None and head > base

    @property
    def exit_code(self) -> int:
        """1 when a breaking change is not covered by a major version bump, else 0."""
        return 1 if self.breaking and not self.major_bump else 0

    @property
    def verdict(self) -> str:
        """One sentence saying whether the gate passes and why."""
        count = len(self.breaking)
        if not self.changes:
            return "no changes to the contract"
        if not count:
            return f"passed: {len(self.changes)} change(s), none breaking"
        if self.major_bump:
            return (
                f"passed: {count} breaking change(s) allowed because info.version goes from "
                f"{self.base_version} to {self.head_version} (a new major version)"
            )
        return (
            f"failed: {count} breaking change(s); make them compatible, or raise the major "
            f"number of info.version (now {self.head_version or 'unset'}) to release them"
        )

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "base": self.base,
            "head": self.head,
            "base_version": self.base_version,
            "head_version": self.head_version,
            "breaking": bool(self.breaking),
            "major_bump": self.major_bump,
            "exit_code": self.exit_code,
            "verdict": self.verdict,
            "changes": [c.as_dict() for c in self.changes],
            "client_api": self.client_api.as_dict(),
        }


def major_version(version: str) -> int | None:
    """The leading integer of a version string (``"2.1.0"`` → 2, ``"v3"`` → 3), if any."""
    text = version.strip().lstrip("vV")
    digits = ""
    for char in text:
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else None
