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
#: The least ``info.version`` change a change needs.
Bump = Literal["major", "minor", "none"]


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
    #: Changes nothing a client sends, receives or is generated from (the kind says so).
    informational: bool = False

    @property
    def breaking(self) -> bool:
        """Whether this change breaks existing clients or integrations."""
        return self.classification == BREAKING

    @property
    def bump(self) -> Bump:
        """The least ``info.version`` change it needs: a new major, a new minor, or none."""
        if self.breaking:
            return "major"
        return "none" if self.informational else "minor"

    def as_dict(self) -> dict[str, str]:
        """The JSON form (the keys the ``--format json`` output promises)."""
        return {
            "kind": self.kind,
            "side": self.side,
            "location": self.location,
            "classification": self.classification,
            "bump": self.bump,
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
    def additive(self) -> list[Change]:
        """The changes that break nothing but need a new minor version."""
        return [c for c in self.changes if c.bump == "minor"]

    @property
    def major_bump(self) -> bool:
        """Whether ``info.version``'s major number went up (breaking changes are then allowed)."""
        base, head = major_version(self.base_version), major_version(self.head_version)
        return base is not None and head is not None and head > base

    @property
    def minor_bump(self) -> bool:
        """Whether ``info.version`` went up by at least a minor version (major included)."""
        base, head = minor_version(self.base_version), minor_version(self.head_version)
        return base is not None and head is not None and head > base

    @property
    def exit_code(self) -> int:
        """1 when a breaking change lacks a new major version or an additive change a new minor
        version, else 0."""
        breaking = self.breaking and not self.major_bump
        return 1 if breaking or (self.additive and not self.minor_bump) else 0

    @property
    def verdict(self) -> str:
        """One sentence saying whether the gate passes and why."""
        count, additive = len(self.breaking), len(self.additive)
        if not self.changes:
            return "no changes to the contract"
        if count and not self.major_bump:
            return (
                f"failed: {count} breaking change(s); make them compatible, or raise the major "
                f"number of info.version (now {self.head_version or 'unset'}) to release them"
            )
        if additive and not self.minor_bump:
            return (
                f"failed: {additive} additive change(s) need a new minor version, so that two "
                f"different clients never share one: raise info.version from "
                f"{self.base_version or 'unset'} to at least {self._next_minor()} (it is "
                f"{self.head_version or 'unset'})"
            )
        if count:
            return (
                f"passed: {count} breaking change(s) allowed because info.version goes from "
                f"{self.base_version} to {self.head_version} (a new major version)"
            )
        if additive:
            return (
                f"passed: {len(self.changes)} change(s), none breaking; info.version goes from "
                f"{self.base_version} to {self.head_version} for the {additive} additive one(s)"
            )
        return f"passed: {len(self.changes)} change(s), none breaking or additive (informational)"

    def _next_minor(self) -> str:
        base = minor_version(self.base_version)
        return f"{base[0]}.{base[1] + 1}.0" if base is not None else "a MAJOR.MINOR.PATCH version"

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "base": self.base,
            "head": self.head,
            "base_version": self.base_version,
            "head_version": self.head_version,
            "breaking": bool(self.breaking),
            "additive": bool(self.additive),
            "major_bump": self.major_bump,
            "minor_bump": self.minor_bump,
            "exit_code": self.exit_code,
            "verdict": self.verdict,
            "changes": [c.as_dict() for c in self.changes],
            "client_api": self.client_api.as_dict(),
        }


def major_version(version: str) -> int | None:
    """The leading integer of a version string (``"2.1.0"`` → 2, ``"v3"`` → 3), if any."""
    numbers = _leading_numbers(version)
    return numbers[0] if numbers else None


def minor_version(version: str) -> tuple[int, int] | None:
    """(major, minor) of a version string (``"2.1.0"`` → (2, 1), ``"v3"`` → (3, 0)), if any."""
    numbers = _leading_numbers(version)
    if not numbers:
        return None
    return (numbers[0], numbers[1] if len(numbers) > 1 else 0)


def _leading_numbers(version: str) -> list[int]:
    """The dot-separated numbers a version string starts with (``"1.4.0-rc1"`` → [1, 4, 0])."""
    numbers: list[int] = []
    for part in version.strip().lstrip("vV").split("."):
        digits = ""
        for char in part:
            if not (char.isascii() and char.isdigit()):
                break
            digits += char
        if not digits or len(digits) > 18:
            break
        numbers.append(int(digits))
        if len(digits) != len(part):
            break  # "0-rc1": the numbers end here
    return numbers
