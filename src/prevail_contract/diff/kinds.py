"""The registry of diff rule kinds: each kind the gate can emit, its verdict, direction, meaning.

The walker emits only kinds listed here and takes a kind's verdict (and, where it is fixed,
its direction) from this table, so the documented list (``prevail-contract diff --list-rules``)
cannot drift from what the code does.

A kind's ``verdict`` is ``breaking`` or ``non-breaking`` when it is the same on every side,
or ``by side`` when it depends on the side: a request must not *narrow* (accept less than
before) and a response must not *widen* (return something an old client was not promised).
For a ``by side`` kind, ``direction`` says whether the change narrows, widens, does both, or
``varies`` (worked out from the values, e.g. ``integer`` to ``number`` only widens). Inside
an odd number of ``not`` the direction is reversed.

A kind's ``bump`` is the least ``info.version`` change it needs: a breaking change a new major
version, any other change a new minor version (the contract grew or moved, so the generated
client differs), except the informational kinds, which change nothing a client sends, receives
or is generated from (``none``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Literal

from prevail_contract.diff.model import BREAKING, NON_BREAKING, Classification

Verdict = Literal["breaking", "non-breaking", "by side"]
Direction = Literal["", "narrows", "widens", "both", "varies"]
BY_SIDE: Verdict = "by side"


@dataclass(frozen=True)
class Kind:
    """One rule of the diff gate."""

    name: str
    #: ``operation``, ``request``, ``response`` or ``schema``: where the rule looks.
    group: str
    verdict: Verdict
    #: For a ``by side`` kind: ``narrows``, ``widens``, ``both`` or ``varies``; else empty.
    direction: Direction
    summary: str
    #: A widening that is still fine in a response (clients must ignore unknown fields).
    response_widening_ok: bool = False
    #: Changes nothing a client sends, receives or is generated from: needs no new version.
    informational: bool = False

    @property
    def bump(self) -> str:
        """The least ``info.version`` change this kind needs: ``major``, ``minor``, ``none``,
        or ``major/minor`` for a kind judged by side (major where it breaks)."""
        if self.informational:
            return "none"
        if self.verdict == BY_SIDE:
            return "major/minor"
        return "major" if self.verdict == BREAKING else "minor"

    @property
    def classification(self) -> Classification:
        """The fixed verdict of a kind that does not depend on the side."""
        if self.verdict == BY_SIDE:
            raise ValueError(f"diff kind {self.name} is judged by side, not fixed")
        return BREAKING if self.verdict == BREAKING else NON_BREAKING


_B, _N, _S = "breaking", "non-breaking", BY_SIDE
#: Widenings that a response may make: clients must already ignore fields they do not know,
#: and accept any value of an open enum.
_RESPONSE_WIDENING_OK = {"additional-properties-allowed", "open-enum-values-added"}
#: Kinds that change nothing a client sends, receives or is generated from.
_INFORMATIONAL = {
    "rule-added",
    "rule-removed",
    "rule-changed",
    "security-scheme-renamed",
    "operation-role-changed",
}
_TABLE: list[tuple[str, str, str, str, str]] = [
    # (name, group, verdict, direction, summary)
    ("operation-removed", "operation", _B, "", "an operation is gone: clients that call it fail"),
    ("operation-moved", "operation", _B, "", "the same operationId on another path or method"),
    ("operation-id-changed", "operation", _B, "", "operationId changed: client function renamed"),
    ("operation-added", "operation", _N, "", "a new operation"),
    ("operation-deprecated", "operation", _N, "", "an operation marked deprecated"),
    ("operation-became-write", "operation", _B, "", "a read (x-operation nature) now writes"),
    ("operation-became-read", "operation", _N, "", "a write (x-operation nature) now only reads"),
    (
        "operation-role-changed",
        "operation",
        _N,
        "",
        "x-operation role or live policy changed (informational)",
    ),
    ("server-removed", "operation", _B, "", "a server URL removed"),
    ("server-added", "operation", _N, "", "a server URL added"),
    ("security-added", "operation", _B, "", "authentication now required where none was"),
    ("security-alternative-removed", "operation", _B, "", "a way to authenticate removed"),
    (
        "security-scheme-changed",
        "operation",
        _B,
        "",
        "a scheme's type, HTTP scheme, API key location or name changed",
    ),
    ("security-scopes-added", "operation", _B, "", "an alternative needs more scopes"),
    ("security-alternative-added", "operation", _N, "", "a new way to authenticate"),
    ("security-scopes-removed", "operation", _N, "", "an alternative needs fewer scopes"),
    ("security-removed", "operation", _N, "", "authentication no longer required"),
    ("security-scheme-renamed", "operation", _N, "", "a scheme renamed, same definition"),
    ("rule-added", "operation", _N, "", "an x-rules id added (informational)"),
    ("rule-removed", "operation", _N, "", "an x-rules id removed (informational)"),
    ("rule-changed", "operation", _N, "", "an x-rules status or code changed (informational)"),
    ("parameter-removed", "request", _B, "", "a parameter removed"),
    ("path-parameter-renamed", "request", _B, "", "a path parameter renamed at its position"),
    ("parameter-added-required", "request", _B, "", "a required parameter or header added"),
    ("parameter-became-required", "request", _B, "", "a parameter made required"),
    ("parameter-style-changed", "request", _B, "", "style, explode or allowReserved changed"),
    ("parameter-added", "request", _N, "", "an optional parameter added"),
    ("parameter-became-optional", "request", _N, "", "a parameter made optional"),
    ("parameter-deprecated", "request", _N, "", "a parameter marked deprecated"),
    ("request-body-removed", "request", _B, "", "the request body removed"),
    ("request-body-added-required", "request", _B, "", "a required request body added"),
    ("request-body-became-required", "request", _B, "", "the request body made required"),
    ("request-body-added", "request", _N, "", "an optional request body added"),
    ("request-body-became-optional", "request", _N, "", "the request body made optional"),
    ("media-type-removed", "request", _B, "", "a request or response media type removed"),
    ("media-type-added", "request", _N, "", "a request or response media type added"),
    ("response-status-removed", "response", _B, "", "a response status removed"),
    ("response-status-added", "response", _N, "", "a response status added"),
    ("response-header-removed", "response", _B, "", "a response header removed"),
    ("response-header-became-optional", "response", _B, "", "a response header made optional"),
    ("response-header-added", "response", _N, "", "a response header added"),
    ("response-header-became-required", "response", _N, "", "a response header made required"),
    ("field-removed", "schema", _B, "", "a field removed (or made readOnly/writeOnly)"),
    ("field-added-required", "schema", _B, "", "a new required request field"),
    ("field-added", "schema", _N, "", "a new field (optional in requests)"),
    ("model-renamed", "schema", _B, "", "a named schema replaced: client class renamed"),
    ("discriminator-changed", "schema", _B, "", "a discriminator's property or mapping changed"),
    ("default-changed", "schema", _N, "", "a default changed (informational)"),
    ("field-deprecated", "schema", _N, "", "a field marked deprecated (informational)"),
    ("field-became-required", "schema", _S, "narrows", "a field made required"),
    ("field-became-optional", "schema", _S, "widens", "a field made optional"),
    ("required-entry-added", "schema", _S, "narrows", "a required name without a property"),
    ("required-entry-removed", "schema", _S, "widens", "a required name without a property"),
    ("type-changed", "schema", _S, "varies", "type changed; integer is inside number"),
    ("nullable-added", "schema", _S, "widens", "made nullable"),
    ("nullable-removed", "schema", _S, "narrows", "no longer nullable"),
    ("enum-restriction-added", "schema", _S, "narrows", "an enum or const introduced"),
    ("enum-restriction-removed", "schema", _S, "widens", "an enum or const dropped"),
    ("enum-values-removed", "schema", _S, "narrows", "enum values removed"),
    (
        "open-enum-values-added",
        "schema",
        _S,
        "widens",
        "values added to an open enum (x-extensible-enum; clients accept any value)",
    ),
    (
        "open-enum-values-removed",
        "schema",
        _S,
        "narrows",
        "values removed from an open enum (x-extensible-enum)",
    ),
    (
        "enum-values-added",
        "schema",
        _S,
        "widens",
        "enum values added (generated clients raise on unknown values)",
    ),
    ("format-added", "schema", _S, "narrows", "a format added"),
    ("format-removed", "schema", _S, "widens", "a format removed"),
    ("format-changed", "schema", _S, "varies", "a format changed; int32→int64, float→double widen"),
    ("pattern-added", "schema", _S, "narrows", "a pattern added"),
    ("pattern-removed", "schema", _S, "widens", "a pattern removed"),
    ("pattern-changed", "schema", _S, "both", "a pattern changed (containment not worked out)"),
    (
        "bound-tightened",
        "schema",
        _S,
        "narrows",
        "a min/max, exclusive bound, length, item or property count tightened",
    ),
    (
        "bound-relaxed",
        "schema",
        _S,
        "widens",
        "a min/max, exclusive bound, length, item or property count relaxed",
    ),
    ("multiple-of-changed", "schema", _S, "varies", "multipleOf changed"),
    ("unique-items-added", "schema", _S, "narrows", "items must now be unique"),
    ("unique-items-removed", "schema", _S, "widens", "items no longer need to be unique"),
    ("additional-properties-restricted", "schema", _S, "narrows", "unlisted fields now refused"),
    (
        "additional-properties-allowed",
        "schema",
        _S,
        "widens",
        "unlisted fields allowed again (fine in responses: clients ignore unknown fields)",
    ),
    ("dependent-required-added", "schema", _S, "narrows", "a dependentRequired entry added"),
    ("dependent-required-removed", "schema", _S, "widens", "a dependentRequired entry removed"),
    ("variant-removed", "schema", _S, "narrows", "a oneOf/anyOf variant removed"),
    ("variant-added", "schema", _S, "widens", "a oneOf/anyOf variant added"),
    ("composition-added", "schema", _S, "narrows", "a oneOf/anyOf introduced"),
    ("composition-removed", "schema", _S, "widens", "a oneOf/anyOf dropped"),
    ("composition-changed", "schema", _S, "varies", "oneOf turned anyOf or back"),
    ("not-added", "schema", _S, "narrows", "a `not` added"),
    ("not-removed", "schema", _S, "widens", "a `not` removed"),
    ("all-of-member-added", "schema", _S, "narrows", "an unpaired allOf member added"),
    ("all-of-member-removed", "schema", _S, "widens", "an unpaired allOf member removed"),
    (
        "schema-changed",
        "schema",
        _S,
        "both",
        "any other validation keyword or an unresolved $ref changed (treated as breaking)",
    ),
]

#: Every kind by name, in documentation order.
KINDS: dict[str, Kind] = {
    name: Kind(
        name,
        group,
        verdict,  # type: ignore[arg-type]
        direction,  # type: ignore[arg-type]
        summary,
        response_widening_ok=name in _RESPONSE_WIDENING_OK,
        informational=name in _INFORMATIONAL,
    )
    for name, group, verdict, direction, summary in _TABLE
}


def kind(name: str) -> Kind:
    """The registered kind ``name``; an unregistered name is a bug in the gate."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"diff kind {name!r} is not in the registry (diff/kinds.py)") from None


def list_rules(fmt: str = "text") -> str:
    """The registry as a table: plain text, Markdown, or JSON (a list of objects)."""
    if fmt == "json":
        return json.dumps([{**asdict(k), "bump": k.bump} for k in KINDS.values()], indent=2) + "\n"
    rows = [
        (k.name, k.group, k.verdict, k.direction or "-", k.bump, k.summary) for k in KINDS.values()
    ]
    if fmt == "markdown":
        lines = [
            "| kind | where | verdict | direction | version bump | what |",
            "|---|---|---|---|---|---|",
        ]
        lines += [f"| `{n}` | {g} | {v} | {d} | {b} | {s} |" for n, g, v, d, b, s in rows]
        return "\n".join(lines) + "\n"
    width = max(len(r[0]) for r in rows)
    return "".join(
        f"{n:<{width}}  {g:<9}  {v:<12}  {d:<7}  {b:<11}  {s}\n" for n, g, v, d, b, s in rows
    )
