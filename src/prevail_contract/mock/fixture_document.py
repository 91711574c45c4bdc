"""Reading a fixtures document posted for a sandbox: plain YAML (or JSON), within caps, checked
before anything is built.

YAML aliases let a one-kilobyte document stand for millions of values (an "alias bomb"), and
merge keys (``<<``) let one line stand for a whole Session, so a document is first read as
parser events (libyaml's, when PyYAML has it): an alias, an anchor, a merge key, more than
``MAX_EVENTS`` values, or a document over ``MAX_DOCUMENT_BYTES`` is refused there, naming the
line, and only a plain document is built. A JSON document is read as JSON (YAML's reader
refuses the escape pairs JSON writes for astral characters), its values counted the same way.
Its Organizations, Sessions and invitees are then counted against ``MAX_ORGANIZATIONS``,
``MAX_SESSIONS`` and ``MAX_INVITEES`` before any Session is checked against the spec. Every
message names a place and a problem and is cut to ``MAX_MESSAGE`` characters; no part of the
document is echoed beyond ``shown``'s few characters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml

from prevail_contract.errors import MockError
from prevail_contract.spec.yaml_values import FastMarkedLoader

#: Largest fixtures document accepted for a sandbox, in bytes (mock limit, assumed).
MAX_DOCUMENT_BYTES = 256 * 1024
#: Most YAML values (scalars, lists and mappings) in one document (mock limit, assumed).
MAX_EVENTS = 50_000
#: Most Organizations, Sessions and invitees (over all its Sessions) one sandbox is given.
MAX_ORGANIZATIONS = 100
MAX_SESSIONS = 500
MAX_INVITEES = 5_000
#: Longest message about a document, in characters.
MAX_MESSAGE = 500

#: A bad typed value (`2026-02-30`) is a YAML error at its line, like a syntax error.
_Loader: Any = FastMarkedLoader


class DocumentError(MockError, ValueError):
    """The document cannot be read (400) or breaks a cap (422); ``status`` says which."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(cut(message))
        self.status = status


def cut(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text``, cut to ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value: Any, limit: int = 40) -> str:
    """A short, safe rendering of a value from a document, for messages."""
    if isinstance(value, str):
        text = value if len(value) <= limit else value[:limit] + "…"
        return repr(text)
    if isinstance(value, Mapping):
        return f"a mapping of {len(value)} keys"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    return cut(repr(value), limit)


def read_document(raw: bytes) -> Any:
    """The parsed document; a ``DocumentError`` for one that is too large, is not YAML, or
    uses aliases, anchors or merge keys."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DocumentError(413, f"The fixtures document is over {MAX_DOCUMENT_BYTES // 1024} KiB.")
    try:
        # JSON first: YAML's reader refuses what JSON allows (a "\ud83d\ude00" escape pair, as
        # json.dumps writes an astral character), and JSON has no aliases or merge keys
        document = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        pass  # not JSON: read as YAML
    else:
        if _values(document) > MAX_EVENTS:
            raise DocumentError(422, f"the document holds more than {MAX_EVENTS} values.")
        return document
    try:
        _check_events(raw)
        return yaml.load(raw, Loader=_Loader)  # noqa: S506 - a safe loader, plain events only
    except DocumentError:
        raise
    except (yaml.YAMLError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise DocumentError(400, f"The body is neither JSON nor YAML{where}: {problem}.") from exc


def _values(document: Any) -> int:
    """How many values (scalars, lists and mappings) a parsed JSON document holds."""
    count, pending = 0, [document]
    while pending:
        value = pending.pop()
        count += 1
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return count


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _check_events(raw: bytes) -> None:
    for count, event in enumerate(yaml.parse(raw, Loader=_Loader), 1):
        mark = event.start_mark
        line = f"line {mark.line + 1}" if mark is not None else "the document"
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise DocumentError(
                422, f"{line}: YAML anchors and aliases (&name, *name) are not accepted."
            )
        if isinstance(event, yaml.ScalarEvent) and event.value == "<<" and event.implicit[0]:
            raise DocumentError(422, f"{line}: YAML merge keys (<<) are not accepted.")
        if count > MAX_EVENTS:
            raise DocumentError(422, f"{line}: the document holds more than {MAX_EVENTS} values.")


def check_counts(document: Any) -> None:
    """Refuse (422) a document with more Organizations, Sessions or invitees than a sandbox
    may hold, before any of them is built."""
    if not isinstance(document, Mapping):
        return  # the fixtures check says what is wrong with its shape
    orgs, sessions = document.get("organizations"), document.get("sessions")
    if isinstance(orgs, list) and len(orgs) > MAX_ORGANIZATIONS:
        raise DocumentError(
            422,
            f"organizations: {len(orgs)} Organizations; a sandbox holds at most "
            f"{MAX_ORGANIZATIONS}.",
        )
    if not isinstance(sessions, list):
        return
    if len(sessions) > MAX_SESSIONS:
        raise DocumentError(
            422, f"sessions: {len(sessions)} Sessions; a sandbox holds at most {MAX_SESSIONS}."
        )
    invitees = 0
    for session in sessions:
        if isinstance(session, Mapping):
            for key in ("invites", "invitees"):
                listed = session.get(key)
                invitees += len(listed) if isinstance(listed, list) else 0
    if invitees > MAX_INVITEES:
        raise DocumentError(
            422,
            f"sessions: {invitees} invitees in all; a sandbox holds at most {MAX_INVITEES}.",
        )
