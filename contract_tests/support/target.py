"""The server under test as the tests see it: its fixtures (Sessions, tokens), edits, reads and
snapshots; sending is :mod:`~contract_tests.support.transport`'s job and the embedded mock's
admin API :mod:`~contract_tests.support.mock_admin`'s.

The target is described by the ``PREVAIL_*`` environment variables. Without ``PREVAIL_BASE_URL``
the suite starts the kit's mock in-process.

State is read with the spec's list operation (``GET /sessions``) when the target answers it
(bounded: :mod:`~contract_tests.support.list_reads`), which is found out once per run and
written into the report (``read``); only a target without
the list is read by an edit that re-sends a value the Session already has, and each rule whose
verdict then leans on such a read says so in its notes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from contract_tests.support.answers import session_of
from contract_tests.support.facts import list_operation, list_parameter
from contract_tests.support.list_reads import (
    PAGE_BUDGET,
    WINDOW_PAGES,
    ReadCutError,
    not_earned,
    read_pages,
    start_instant,
    window_around,
)
from contract_tests.support.mock_admin import MockAdmin
from contract_tests.support.read_edit import read_edit
from contract_tests.support.transport import Transport
from prevail_contract.runtime import tokens
from prevail_contract.runtime.config import TargetConfig
from prevail_contract.runtime.exchange import Exchange, RunRecord
from prevail_contract.runtime.guard import UnsafeRequestError
from prevail_contract.runtime.safety import InviteBudget, Masker
from prevail_contract.runtime.sender import Body
from prevail_contract.runtime.session_ids import session_path
from prevail_contract.spec import Spec
from prevail_contract.spec.operation_registry import (
    EDIT_ROLE,
    LIST_ROLE,
    OperationEntry,
    OperationRegistry,
    operation_registry,
)

__all__ = ["DEFAULT", "Target", "UnsafeRequestError"]

#: The marker value for "send the configured token".
DEFAULT = object()
#: What the run's ``read`` fact says for each way of reading a Session.
READ_BY_LIST = "GET /sessions"
READ_BY_EDIT = "edit re-sending a current value (the target has no GET /sessions)"


@dataclass
class Target:
    """Everything a contract test needs to talk to the server under test."""

    spec: Spec
    config: TargetConfig
    api_base: str
    transport: Transport
    budget: InviteBudget
    seed: int
    #: This run's notes and facts (its exchange log is the transport's).
    record: RunRecord
    #: The mock's admin API: the embedded mock's, or a served mock's (``PREVAIL_MOCK_ADMIN_URL``);
    #: ``None`` against any other server.
    admin: MockAdmin | None = None
    no_self_service_session_id: str | None = None
    #: ``READ_BY_LIST`` or ``READ_BY_EDIT`` once found out (see :attr:`reads_by_list`).
    read_mode: str | None = None
    #: The last Session each id was seen as (answers and listings), by id.
    _seen: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The last accepted edit's answered Session, by id.
    _answered: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The first accepted edit of each Session this run made (for ``state-ready-after-edit``).
    first_accepted: dict[str, Exchange] = field(default_factory=dict)
    _minted: tuple[float, str] | None = None
    #: Ids of Sessions a test created once per run (through the admin API), by purpose.
    created: dict[str, list[str]] = field(default_factory=dict)
    #: The ``PREVAIL_FRESH_SESSION_IDS`` this run has taken (each is edited once).
    fresh_taken: list[str] = field(default_factory=list)

    # -- fixtures --------------------------------------------------------------------------

    @property
    def embedded(self) -> bool:
        """Whether the target is the in-process mock."""
        return self.config.embedded

    @property
    def is_mock(self) -> bool:
        """Whether the target is known to be the kit's mock (embedded, or served with its admin
        API given): Sessions can be made there, and undeclared methods harm nothing real."""
        return self.admin is not None

    @property
    def masker(self) -> Masker:
        """Masks every secret of the run in what is shown."""
        return self.transport.masker

    @property
    def last_exchange(self) -> Exchange | None:
        """The last exchange sent and recorded."""
        return self.transport.last_exchange

    @property
    def session_id(self) -> str:
        """The editable session the run edits."""
        assert self.config.session_id is not None
        return self.config.session_id

    @property
    def organization(self) -> str | None:
        """The Company ID of the run's Organization (configured, or the token's ``slug``)."""
        slug = self.config.company_id or tokens.claims_of(self.token).get("slug")
        return slug if isinstance(slug, str) else None

    def note(self, rule: str, text: str) -> None:
        """Record a probe of ``rule`` that this run could not make, for the reports."""
        self.record.notes.append((rule, text))

    def require(self, attr: str, why: str) -> str:
        """A configured fixture value, or skip the test naming the variable that is missing."""
        value = getattr(self.config, attr, None)
        if value is None:
            var = "PREVAIL_" + attr.upper()
            pytest.skip(f"{why}: set {var} (or --{attr.replace('_', '-')})")
        return str(value)

    @property
    def token(self) -> str:
        """A valid token of the editing Organization (configured, or minted from the API key)."""
        if self.config.token is not None:
            return self.config.token
        now = time.monotonic()
        if self._minted is None or now - self._minted[0] > 120:
            assert self.config.company_id is not None
            assert self.config.api_key is not None
            minted = tokens.mint(self.config.company_id, self.config.api_key)
            self.masker.add(minted)
            self._minted = (now, minted)
        return self._minted[1]

    @property
    def operations(self) -> OperationRegistry:
        """The spec's operations, each with its role, nature and live policy."""
        return operation_registry(self.spec)

    @property
    def edit_operation(self) -> OperationEntry:
        """The edit (the operation whose ``x-operation`` role is ``edit``)."""
        return self.operations.role(EDIT_ROLE)

    def url(self, session_id: str | None = None) -> str:
        """The Edit Sessions URL of a session (default: the configured one)."""
        path = self.edit_operation.path_for(session_path(session_id or self.session_id))
        return self.api_base + path

    @property
    def list_url(self) -> str:
        """The List Sessions URL (``GET``)."""
        return self.api_base + list_operation(self.spec).path

    @property
    def max_items(self) -> int:
        """The largest ``items`` a list page may ask for (the parameter's ``maximum``)."""
        return int(list_parameter(self.spec, "items")["maximum"])

    # -- sending ---------------------------------------------------------------------------

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: Body = None,
        shown_body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        purpose: str = "",
    ) -> Exchange:
        """Send one request through the transport (see :meth:`Transport.send`) and learn from
        an accepted edit's answer."""
        exchange = self.transport.send(
            method,
            url,
            headers=headers,
            body=body,
            shown_body=shown_body,
            params=params,
            purpose=purpose,
        )
        self._learn(url, exchange)
        return exchange

    def _learn(self, url: str, exchange: Exchange) -> None:
        if not exchange.accepted:
            return
        called = self.operations.match(exchange.method, httpx.URL(url).path)
        if called is None or called.role != EDIT_ROLE:
            return
        self.first_accepted.setdefault(url.rsplit("/", 1)[-1], exchange)
        session = session_of(exchange.json)
        if session is not None:
            self._seen[url.rsplit("/", 1)[-1]] = session
            self._answered[url.rsplit("/", 1)[-1]] = session

    def last_answer(self, session_id: str | None = None) -> dict[str, Any]:
        """The Session as the last accepted edit of it answered (empty before any)."""
        return self._answered.get(session_id or self.session_id) or {}

    def auth_headers(self, token: Any = DEFAULT) -> dict[str, str]:
        """``Authorization`` (unless ``token`` is ``None``) and the JSON headers."""
        headers = {"Accept": "application/json"}
        if token is DEFAULT:
            token = self.token
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def edit(
        self,
        payload: Any = None,
        *,
        session_id: str | None = None,
        token: Any = DEFAULT,
        raw: bytes | None = None,
        content_type: str | None = "application/json",
        method: str | None = None,
        params: Mapping[str, str] | None = None,
        purpose: str = "",
    ) -> Exchange:
        """Send an Edit Sessions request (``method``: the edit's own, unless another is asked
        for); ``payload`` is JSON-encoded unless ``raw`` is given."""
        headers = self.auth_headers(token)
        body = raw
        if body is None and payload is not None:
            body = json.dumps(payload).encode("utf-8")
        if body is not None and content_type is not None:
            headers["Content-Type"] = content_type
        return self.send(
            method or self.edit_operation.method,
            self.url(session_id),
            headers=headers,
            body=body,
            params=params,
            purpose=purpose,
        )

    # -- reading ---------------------------------------------------------------------------

    @property
    def reads_by_list(self) -> bool:
        """Whether the target answers ``GET /sessions`` (asked once per run, then remembered)."""
        if self.read_mode is None:
            ex = self.list_page(params={"items": "1"}, purpose="does the target list Sessions?")
            body = ex.json
            listed = (
                ex.accepted and isinstance(body, dict) and isinstance(body.get("sessions"), list)
            )
            self.read_mode = READ_BY_LIST if listed else READ_BY_EDIT
            self.record.facts["read"] = self.read_mode
        return self.read_mode == READ_BY_LIST

    def list_page(
        self,
        *,
        params: Mapping[str, str] | None = None,
        token: Any = DEFAULT,
        purpose: str = "list Sessions",
    ) -> Exchange:
        """One ``GET /sessions`` request."""
        method = operation_registry(self.spec).role(LIST_ROLE).method
        return self.send(
            method, self.list_url, headers=self.auth_headers(token), params=params, purpose=purpose
        )

    def list_all(
        self,
        *,
        token: Any = DEFAULT,
        params: Mapping[str, str] | None = None,
        items: int | None = None,
        purpose: str = "read",
    ) -> tuple[list[dict[str, Any]], list[Exchange]] | None:
        """Every listed Session, page after page (None when a page is refused or unreadable).

        Bounded (:mod:`~contract_tests.support.list_reads`): a list longer than a read's page
        or time budget skips the test, whose verdict is then not earned.
        """
        fetch, size = self._fetcher(token, purpose), items or self.max_items
        try:
            listing = read_pages(fetch, params or {}, size)
        except ReadCutError as error:
            not_earned(error, purpose)
        return None if listing is None else (listing.sessions, listing.pages)

    def has_seen(self, session_id: str) -> bool:
        """Whether a read of the run has shown ``session_id`` (so a window can find it)."""
        return session_id in self._seen

    def list_whole(
        self, *, token: Any = DEFAULT, purpose: str = "read"
    ) -> tuple[list[dict[str, Any]], list[Exchange]] | ReadCutError | None:
        """Like :meth:`list_all`, but a list too long for a read's budgets is answered with
        the :class:`ReadCutError` instead of skipping the test (the caller reads less)."""
        try:
            listing = read_pages(self._fetcher(token, purpose), {}, self.max_items)
        except ReadCutError as error:
            return error
        return None if listing is None else (listing.sessions, listing.pages)

    def _fetcher(self, token: Any, purpose: str) -> Callable[[dict[str, str]], Exchange]:
        def fetch(query: dict[str, str]) -> Exchange:
            return self.list_page(params=query, token=token, purpose=f"{purpose} (GET /sessions)")

        return fetch

    def snapshot(
        self,
        session_id: str | None = None,
        *,
        avoid: Iterable[str] = (),
        rule: str | None = None,
        token: Any = DEFAULT,
    ) -> dict[str, Any] | None:
        """The session's current state, read through the API itself.

        With ``GET /sessions`` this is a true read (as ``token``'s Organization sees it): in
        the window around the start instant the Session was last seen with, else page by page
        up to the page that holds it, within a read's budgets. Without it, it is an edit that
        re-sends a value the Session already has, choosing a field that is not in ``avoid``
        (the fields whose change the caller wants to see); ``rule`` then gets a note saying so.
        """
        sid = session_id or self.session_id
        if self.reads_by_list:
            return self._listed(sid, token)
        if rule is not None:
            self.note(
                rule,
                "verified by reading through an edit that re-sends a current value: the "
                "target does not answer GET /sessions, so each read also writes (state "
                "becomes ready) and cannot see a change to the field it re-sends",
            )
        edit = read_edit(self.spec, self._seen.get(sid) or {}, set(avoid), self.seed)
        exchange = self.edit({"remote_session": edit}, session_id=sid, purpose="read (edit)")
        if not exchange.accepted:
            return None
        return session_of(exchange.json)

    def _listed(self, sid: str, token: Any) -> dict[str, Any] | None:
        """``sid`` as the list shows it (None when refused or not listed)."""

        def wanted(item: dict[str, Any]) -> bool:
            return item.get("remote_session_id") == sid

        seen = self._seen.get(sid)
        at = start_instant(self.spec, seen) if seen is not None else None
        queries: list[tuple[dict[str, str], int]] = [({}, PAGE_BUDGET)]
        if at is not None:
            queries.insert(0, (window_around(self.spec, at), WINDOW_PAGES))
        for query, pages in queries:
            fetch = self._fetcher(token, "read" if query else "read, page by page")
            try:
                listing = read_pages(fetch, query, self.max_items, pages=pages, until=wanted)
            except ReadCutError as error:
                if query:
                    continue  # a window that is not narrow: page through everything
                not_earned(error, f"reading the Session {sid!r}")
            found = next((s for s in listing.sessions if wanted(s)), None) if listing else None
            if found is not None:
                self._seen[sid] = found
                return found
        return None

    def close(self) -> None:
        """Release the HTTP clients."""
        if self.admin is not None and self.admin.client is not self.transport.client:
            self.admin.client.close()
        self.transport.close()
