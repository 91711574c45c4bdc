"""The transport every request of a run goes through: reserved invite addresses, the cap, the count.

It wraps the HTTP client's own transport, so no request made with the target's client (the
suite's checks, schemathesis's cases and its checks' own probes) can skip the invite guard, the
per-run invite cap or the request count.
"""

from __future__ import annotations

import json

import httpx

from prevail_contract.check.bounds import RUN, RunBounds
from prevail_contract.check.safety import InviteBudget, invite_addresses, is_reserved_email


class UnsafeRequestError(RuntimeError):
    """The suite was about to send an invite to a non-reserved address."""


def check_invites(body: bytes | None, budget: InviteBudget) -> None:
    """Refuse a body inviting a non-reserved address; draw its invites from ``budget``.

    Raises :class:`UnsafeRequestError` or
    :class:`~prevail_contract.check.safety.InviteCapReachedError`.
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


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that guards and counts each request before the wrapped one sends it."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        budget: InviteBudget,
        *,
        bounds: RunBounds = RUN,
        unguarded_prefix: str | None = None,
    ) -> None:
        self.inner = inner
        self.budget = budget
        self.bounds = bounds
        #: Path prefix left alone (the embedded mock's admin API, never part of a verdict).
        self.unguarded_prefix = unguarded_prefix

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.unguarded_prefix is None or not request.url.path.startswith(self.unguarded_prefix):
            self.bounds.ensure_running()
            check_invites(request.read(), self.budget)
            self.bounds.count_request()
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def guard_client(
    client: httpx.Client, budget: InviteBudget, *, unguarded_prefix: str | None = None
) -> httpx.Client:
    """Put :class:`GuardedTransport` under every transport ``client`` may use, proxies included.

    httpx has no public way to wrap a built client's transports (its default one and those it
    mounts for ``HTTP(S)_PROXY``), so the two attributes that hold them are rewritten here.
    """

    def wrap(transport: httpx.BaseTransport) -> httpx.BaseTransport:
        if isinstance(transport, GuardedTransport):
            return transport
        return GuardedTransport(transport, budget, unguarded_prefix=unguarded_prefix)

    client._transport = wrap(client._transport)
    client._mounts = {
        pattern: None if transport is None else wrap(transport)
        for pattern, transport in client._mounts.items()
    }
    return client
