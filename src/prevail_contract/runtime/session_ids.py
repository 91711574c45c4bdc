"""Session ids the suite did not choose itself: checked against the spec and path-escaped.

An id a target lists (``GET /sessions``) is untrusted input that ends up in a URL: it is used only
when it matches the spec's ``RemoteSessionId`` parameter schema in full (``re.fullmatch``, so an
anchored ``$`` cannot let a final newline through; jsonschema's ``pattern`` is a search and would),
and every id is percent-escaped as one path segment anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from prevail_contract.spec import Spec

#: Where the spec defines the path parameter.
PARAMETER_REF = "#/components/parameters/RemoteSessionId"
#: The start of every id the suite makes up to be absent (its unknown-id probes): besides the
#: Sessions it was given, these are the only ids it sends a write to.
UNKNOWN_ID_PREFIX = "no-such-session-"


def unknown_session_id(seed: int, other: int = 0) -> str:
    """The id this run uses for "no such Session" (``other`` > 0: a second one, for controls)."""
    return f"{UNKNOWN_ID_PREFIX}{seed}" + (f"-{other}" if other else "")


def session_id_problem(spec: Spec, value: object) -> str | None:
    """Why ``value`` is not a Session id the spec allows, or ``None`` when it is one."""
    schema = spec.deref(spec.resolve(PARAMETER_REF)).get("schema", {})
    if not isinstance(value, str):
        return f"not a string: {type(value).__name__}"
    low, high = schema.get("minLength", 1), schema.get("maxLength")
    if len(value) < low or (high is not None and len(value) > high):
        return f"length {len(value)} outside {low}..{high}"
    pattern = schema.get("pattern")
    if pattern is not None and re.fullmatch(str(pattern), value) is None:
        return f"does not match {pattern}"
    return None


def listed_session_ids(spec: Spec, items: Any) -> Iterator[dict[str, Any]]:
    """The listed Sessions (objects) whose ``remote_session_id`` the spec allows."""
    for item in items if isinstance(items, list) else []:
        if (
            isinstance(item, dict)
            and session_id_problem(spec, item.get("remote_session_id")) is None
        ):
            yield item


def session_path(session_id: str) -> str:
    """``session_id`` as one escaped path segment (``/``, ``?``, ``#``, ``%`` and dots included).

    ``.`` and ``..`` stay dot segments after percent-escaping (RFC 3986 treats ``%2E`` alike), so
    they are refused outright.
    """
    if session_id.strip(".") == "" or session_id.lower().replace("%2e", ".").strip(".") == "":
        raise ValueError(f"refusing the dot-segment session id {session_id!r} in a URL")
    return quote(session_id, safe="")
