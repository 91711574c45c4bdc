"""Live-mode safety: reserved-domain invites, the per-run invite cap and secret masking.

A contract run against staging must never email a real person and never leak a token, so
every invite address the suite sends passes through :func:`safe_email`, every request with
invites draws on an :class:`InviteBudget`, and every text that reaches a report or a log goes
through :class:`Masker`.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from prevail_contract.errors import RunError, SpecError
from prevail_contract.spec import Spec, load_spec

#: Domains reserved by RFC 2606 / RFC 6761: mail to them never reaches a person.
RESERVED_DOMAINS: tuple[str, ...] = ("example.com", "example.org", "example.net")
#: Reserved top-level domains: any host under them is safe too.
RESERVED_TLDS: tuple[str, ...] = ("test", "invalid", "example")
#: The replacement shown wherever a token was.
MASK = "***"
#: Default cap on invite addresses a single run may send.
DEFAULT_MAX_INVITES = 200


class InviteCapReachedError(RunError, RuntimeError):
    """The run already sent as many invites as its cap allows."""


def is_reserved_domain(domain: str) -> bool:
    """Whether mail to ``domain`` can never reach anyone (reserved names and TLDs)."""
    domain = domain.strip().rstrip(".").lower()
    if domain in RESERVED_DOMAINS or any(domain.endswith("." + d) for d in RESERVED_DOMAINS):
        return True
    return domain.rsplit(".", 1)[-1] in RESERVED_TLDS


def is_reserved_email(address: str) -> bool:
    """Whether ``address`` has a domain part that is reserved."""
    if "@" not in address:
        return True  # not an address: nothing to deliver to
    domain = address.rsplit("@", 1)[1].strip().rstrip(".").lower()
    if not domain:
        return True  # "jade@": no domain at all
    if "." not in domain:
        # A dotless name is delivered locally or through the resolver's search list
        # ("x@localhost", "x@mailhost"): only the reserved top-level names themselves are safe.
        return domain in RESERVED_TLDS
    return is_reserved_domain(domain)


def safe_email(address: str, domain: str = "example.com") -> str:
    """``address`` with its domain replaced by a reserved one unless it already is reserved.

    Strings without ``@`` cannot be delivered and are returned unchanged, so that invalid
    addresses used by negative tests stay invalid.
    """
    if "@" not in address or is_reserved_email(address):
        return address
    return address.rsplit("@", 1)[0] + "@" + domain


@dataclass(frozen=True)
class InviteNames:
    """Where a request body carries invite addresses, as the spec names it."""

    #: The request's envelope property (``remote_session``).
    envelope: str
    #: The edit's list of invitees (its one array property).
    field: str
    #: The address member of an invite given as an object.
    email: str


@functools.lru_cache(maxsize=8)
def _read_invite_names(spec: Spec) -> InviteNames:
    schemas = spec.document["components"]["schemas"]
    request = schemas["EditSessionRequest"]
    envelope = str((request.get("required") or [None])[0])
    edit = spec.deref(request["properties"][envelope])
    arrays = [
        n for n, node in edit["properties"].items() if spec.deref(node).get("type") == "array"
    ]
    if len(arrays) != 1:
        raise SpecError(f"the edit schema must have one list of invitees, found {arrays}")
    return InviteNames(envelope, str(arrays[0]), str(schemas["InviteObject"]["required"][0]))


def invite_names(spec: Spec | None = None) -> InviteNames:
    """The spec's names for the invite addresses in a body (default: the spec in use)."""
    return _read_invite_names(spec if spec is not None else load_spec())


def invite_addresses(body: Any) -> list[str]:
    """The invite addresses inside a request body (``remote_session.invites``), in order."""
    if not isinstance(body, dict):
        return []
    names = invite_names()
    edit = body.get(names.envelope)
    invites = edit.get(names.field) if isinstance(edit, dict) else None
    if not isinstance(invites, list):
        return []
    found: list[str] = []
    for item in invites:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict) and isinstance(item.get(names.email), str):
            found.append(item[names.email])
    return found


def make_body_safe(body: Any) -> Any:
    """A copy of a request body whose invite addresses all use reserved domains."""
    if not isinstance(body, dict):
        return body
    names = invite_names()
    edit = body.get(names.envelope)
    if not isinstance(edit, dict) or not isinstance(edit.get(names.field), list):
        return body
    invites: list[Any] = []
    for item in edit[names.field]:
        if isinstance(item, str):
            invites.append(safe_email(item))
        elif isinstance(item, dict) and isinstance(item.get(names.email), str):
            invites.append({**item, names.email: safe_email(item[names.email])})
        else:
            invites.append(item)
    return {**body, names.envelope: {**edit, names.field: invites}}


class InviteBudget:
    """Counts invite addresses sent during a run and refuses to exceed the cap."""

    def __init__(self, cap: int | None) -> None:
        self.cap = cap
        self.used = 0
        self._lock = threading.Lock()

    def remaining(self) -> int | None:
        """Addresses still allowed, or ``None`` when there is no cap."""
        return None if self.cap is None else max(self.cap - self.used, 0)

    def take(self, count: int) -> None:
        """Reserve ``count`` addresses or raise :class:`InviteCapReachedError`."""
        if count <= 0:
            return
        with self._lock:
            if self.cap is not None and self.used + count > self.cap:
                raise InviteCapReachedError(
                    f"the invite cap of {self.cap} addresses per run is reached "
                    f"({self.used} sent, {count} more requested); raise it with --max-invites"
                )
            self.used += count


#: ``Authorization: <scheme> <credential>`` as shown in curl commands and header dumps.
_AUTH_HEADER = re.compile(r"(?i)(authorization:\s*)([A-Za-z]+\s+)?([^\s'\"]+)")
#: ``Bearer <word>``: masked only when the word looks like a credential (see ``_looks_secret``).
_BEARER = re.compile(r"(?i)(bearer\s+)([A-Za-z0-9._~+/=-]+)")
#: A query value whose name says it is a credential (``jwt_payload``, ``api_key``, ``token``, ...).
_QUERY = re.compile(
    r"(?i)((?:\bjwt_payload|[?&][a-z_]*(?:token|key|secret|password|passwd|signature|sig))=)"
    r"[^&#\s'\"]+"
)
_ANY_QUERY_VALUE = re.compile(r"([?&][^=&#\s'\"]*=)[^&#\s'\"]+")
_JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
#: ``scheme://user:password@``: the password of a URL's user information.
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/@\s:'\"]*:)([^/@\s'\"]*)@")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every character a terminal could act on written as an escape (``\\x1b``).

    A target's text (an answer, an id, an error message) is untrusted: raw escape sequences
    could repaint the terminal (forge a "0 failed" line), and bidirectional or invisible
    characters could hide what is printed. Everything ``str.isprintable`` rejects is escaped
    the way Python's ``repr`` writes it; ``keep_newlines`` leaves line breaks alone.
    """
    if text.isprintable():
        return text
    out: list[str] = []
    for char in text:
        if char.isprintable() or char == " " or (keep_newlines and char == "\n"):
            out.append(char)
        else:
            out.append(repr(char)[1:-1] if char not in "'\"" else char)
    return "".join(out)


def _looks_secret(word: str) -> bool:
    """Whether the word after ``Bearer`` is a credential rather than prose ("Bearer token")."""
    return len(word) >= 16 or any(not c.isalpha() for c in word)


#: ``Authorization`` schemes whose credential is always masked, whatever it looks like.
_SCHEMES = ("bearer", "basic", "token", "digest")


def _mask_auth_header(match: re.Match[str]) -> str:
    scheme = (match.group(2) or "").strip().lower()
    if match.group(3).startswith("$"):
        return match.group(0)  # a shell variable reference ($PREVAIL_TOKEN), not a value
    if scheme in _SCHEMES or _looks_secret(match.group(3)):
        return match.group(1) + (match.group(2) or "") + MASK
    return match.group(0)  # prose: "Authorization: required"


def mask_url_query(text: str) -> str:
    """``text`` with every URL query value masked (a base URL's query may hold a key)."""
    return _ANY_QUERY_VALUE.sub(lambda m: m.group(1) + MASK, text)


def mask_url_password(text: str) -> str:
    """``text`` with the password of every ``scheme://user:password@host`` URL masked."""
    return _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + "@", text)


class Masker:
    """Replaces secrets (tokens, API keys, URL passwords) in any text with ``***``.

    Known secrets are replaced wherever they occur; in addition, the credential of an
    ``Authorization:`` header, a credential-like word after ``Bearer``, any ``jwt_payload=``
    query value, anything shaped like a JWT and the password of a URL are masked, which also
    covers the forged tokens the suite builds during a run. Prose such as "a valid Bearer token"
    is left as it is.
    """

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: set[str] = {s for s in secrets if s and len(s) >= 4}

    def add(self, *secrets: str | None) -> None:
        """Remember more secrets to mask."""
        self._secrets.update(s for s in secrets if s and len(s) >= 4)

    def only_known(self, text: str) -> str:
        """``text`` with the known secrets masked, and nothing else touched (for a script,
        whose own code the patterns would mangle)."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    def __call__(self, text: str) -> str:
        text = self.only_known(text)
        text = _AUTH_HEADER.sub(_mask_auth_header, text)
        text = _BEARER.sub(
            lambda m: m.group(1) + MASK if _looks_secret(m.group(2)) else m.group(0), text
        )
        text = _QUERY.sub(lambda m: m.group(1) + MASK, text)
        text = mask_url_password(text)
        return _JWT_SHAPE.sub(MASK, text)
