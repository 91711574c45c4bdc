"""The transport every request of a run goes through: reserved invite addresses, the cap, the
count, and (against a live server) no request that could remove or replace a real Session.

It wraps the HTTP client's own transport, so no request made with the target's client (the
suite's checks, schemathesis's cases and its checks' own probes) can skip the invite guard, the
per-run invite cap, the request count or the method guard. The method guard lets ``DELETE``,
``PUT`` and ``POST`` through to a live server only when the path ends in an id the run made up
to be absent (``no-such-session-...``, see ``session_ids``), or, for ``PUT`` and ``POST``, when
the body is declared JSON but does not parse (nothing in it could be applied): a server that
obeys such a request harms nothing and still answers something other than 405. On a declared
path under a Session (``/sessions/{id}``, ``/sessions/{id}/cancel``) an undeclared method of
any kind, ``GET`` included, goes only to such an absent id. A request
of a declared operation is held to that operation's live policy (its ``x-operation``, read
through :mod:`prevail_contract.spec.operation_registry`): one whose policy is ``absent-only`` goes
to a live server only with a made-up absent id, and one whose policy is ``disposable-sessions``
(a cancel) only with such an id or one of the Sessions the user listed as disposable (the ids
in its path are what is judged, not its last segment). The embedded mock, and a served mock whose
admin API the run was given, are not guarded this way.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import httpx

from prevail_contract.errors import RunError
from prevail_contract.runtime.bounds import RUN, RunBounds
from prevail_contract.runtime.media import is_json
from prevail_contract.runtime.safety import InviteBudget, invite_addresses, is_reserved_email
from prevail_contract.runtime.session_ids import UNKNOWN_ID_PREFIX
from prevail_contract.spec.operation_registry import OperationEntry, OperationRegistry

#: Methods that may remove, replace or create what a path names.
UNSAFE_METHODS = frozenset({"DELETE", "PUT", "POST"})


class UnsafeRequestError(RunError, RuntimeError):
    """The suite was about to send an invite to a non-reserved address, or a method that could
    harm a real Session to a live server."""


def check_invites(body: bytes | None, budget: InviteBudget) -> None:
    """Refuse a body inviting a non-reserved address; draw its invites from ``budget``.

    Raises :class:`UnsafeRequestError` or
    :class:`~prevail_contract.runtime.safety.InviteCapReachedError`.
    """
    if not body:
        return
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return
    addresses = invite_addresses(parsed)
    unsafe = [a for a in addresses if not is_reserved_email(a)]
    if unsafe:
        raise UnsafeRequestError(
            f"refusing to invite non-reserved addresses {unsafe[:3]}: every invite must use "
            "example.com/.org/.net, *.test or *.invalid"
        )
    budget.take(len(addresses))


def check_method(
    request: httpx.Request,
    operations: OperationRegistry | None = None,
    disposable: frozenset[str] = frozenset(),
) -> None:
    """Refuse (:class:`UnsafeRequestError`) a request that a live server could carry out on a
    real Session: an undeclared ``DELETE``, ``PUT`` or ``POST``, any undeclared method on a
    declared path under a Session but to a made-up absent id, a request of an operation
    whose live policy is ``absent-only``, or of one whose policy is ``disposable-sessions`` to
    a Session not in ``disposable`` (see the module docstring)."""
    method = request.method.upper()
    last = unquote(request.url.path.rstrip("/").rsplit("/", 1)[-1])
    called = operations.match(method, request.url.path) if operations is not None else None
    if called is not None:
        assert operations is not None
        ids = _path_ids(operations.base_path, called, request.url.path)
        absent = bool(ids) and all(i.startswith(UNKNOWN_ID_PREFIX) for i in ids)
        if called.live == "absent-only" and not absent:
            raise UnsafeRequestError(
                f"refusing to send {method} {request.url.path} to a live server: "
                f"{called.operation_id}'s x-operation live policy is absent-only, so it goes "
                f"only to a made-up absent id ({UNKNOWN_ID_PREFIX}...)"
            )
        if called.live == "disposable-sessions" and not (
            absent or (ids and all(i in disposable for i in ids))
        ):
            raise UnsafeRequestError(
                f"refusing to send {method} {request.url.path} to a live server: "
                f"{called.operation_id}'s x-operation live policy is disposable-sessions, so it "
                "goes only to a Session listed as disposable or to a made-up absent id "
                f"({UNKNOWN_ID_PREFIX}...)"
            )
        return
    path = request.url.path.rstrip("/") or "/"
    ids = _declared_path_ids(operations, path) if operations is not None else []
    if ids and all(i.startswith(UNKNOWN_ID_PREFIX) for i in ids):
        return
    if ids:
        # a path under a Session (its edit, its cancel): an undeclared method of any kind
        # goes only to a made-up absent id (a server may obey a GET on a cancel path)
        raise UnsafeRequestError(
            f"refusing to send {method} {request.url.path} to a live server: undeclared "
            f"methods on a path under a Session go only to a made-up absent id "
            f"({UNKNOWN_ID_PREFIX}...)"
        )
    if method not in UNSAFE_METHODS or last.startswith(UNKNOWN_ID_PREFIX):
        return
    if method != "DELETE" and _unapplicable(request):
        return
    raise UnsafeRequestError(
        f"refusing to send {method} {request.url.path} to a live server: undeclared methods "
        f"go only to a made-up absent id ({UNKNOWN_ID_PREFIX}...)"
        + ("" if method == "DELETE" else " or carry a body no server can apply")
    )


def _path_ids(base_path: str, entry: OperationEntry, path: str) -> list[str]:
    """The values of the path parameters of ``entry`` in ``path`` (decoded)."""
    parts = re.split(r"(\{[^}]+\})", base_path + entry.operation.path)
    pattern = "".join(
        "([^/]+)" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts
    )
    found = re.fullmatch(pattern, path)
    return [unquote(v) for v in found.groups()] if found else []


def _declared_path_ids(operations: OperationRegistry, path: str) -> list[str]:
    """The path parameter values of ``path`` on the first declared path it matches, whatever
    the method (``/sessions/{id}/cancel``: the id, not ``cancel``)."""
    for entry in operations:
        ids = _path_ids(operations.base_path, entry, path)
        if ids:
            return ids
    return []


def _unapplicable(request: httpx.Request) -> bool:
    """A body declared JSON that does not parse: nothing in it can be applied."""
    if not is_json(request.headers.get("content-type")):
        return False
    body = request.read()
    try:
        json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return bool(body.strip())
    return False


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that guards and counts each request before the wrapped one sends it."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        budget: InviteBudget,
        *,
        bounds: RunBounds = RUN,
        unguarded_prefix: str | None = None,
        live: bool = False,
        operations: OperationRegistry | None = None,
        disposable: frozenset[str] = frozenset(),
    ) -> None:
        self.inner = inner
        self.budget = budget
        self.bounds = bounds
        #: Path prefix left alone (the embedded mock's admin API, never part of a verdict).
        self.unguarded_prefix = unguarded_prefix
        #: Whether the target is a live server (the method guard applies).
        self.live = live
        #: The spec's operations, whose live policies the method guard applies.
        self.operations = operations
        #: The Sessions the user listed as disposable (a ``disposable-sessions`` policy's own).
        self.disposable = disposable

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.unguarded_prefix is None or not request.url.path.startswith(self.unguarded_prefix):
            self.bounds.ensure_running()
            if self.live:
                check_method(request, self.operations, self.disposable)
            check_invites(request.read(), self.budget)
            self.bounds.count_request()
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def guard_client(
    client: httpx.Client,
    budget: InviteBudget,
    *,
    unguarded_prefix: str | None = None,
    live: bool = False,
    operations: OperationRegistry | None = None,
    disposable: frozenset[str] = frozenset(),
) -> httpx.Client:
    """Put :class:`GuardedTransport` under every transport ``client`` may use, proxies included
    (``live``: with the method guard, the live policies of ``operations`` and the
    ``disposable`` Sessions).

    httpx has no public way to wrap a built client's transports (its default one and those it
    mounts for ``HTTP(S)_PROXY``), so the two attributes that hold them are rewritten here.
    """

    def wrap(transport: httpx.BaseTransport) -> httpx.BaseTransport:
        if isinstance(transport, GuardedTransport):
            return transport
        return GuardedTransport(
            transport,
            budget,
            unguarded_prefix=unguarded_prefix,
            live=live,
            operations=operations,
            disposable=disposable,
        )

    client._transport = wrap(client._transport)
    client._mounts = {
        pattern: None if transport is None else wrap(transport)
        for pattern, transport in client._mounts.items()
    }
    return client
