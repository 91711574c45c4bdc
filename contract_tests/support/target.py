"""The server under test: an HTTP client, its fixtures (sessions, tokens) and safe request sending.

The target is described by the ``PREVAIL_*`` environment variables. Without ``PREVAIL_BASE_URL``
the suite starts the kit's mock in-process (only its app factory and ``target_environment`` are
used, so the suite stays an independent reading of the rules).

State is read with ``GET /sessions`` (``list_sessions``) when the target answers it, which is
found out once per run and written into the report (``read``); only a target without the list
is read by an edit that re-sends a value the Session already has, and each rule whose verdict
then leans on such a read says so in its notes.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from contract_tests.support.facts import facts
from contract_tests.support.transient import ThrottledError
from prevail_contract.check import tokens
from prevail_contract.check.bounds import RUN, RunStoppedError, is_transient
from prevail_contract.check.config import TargetConfig, from_sources
from prevail_contract.check.exchange import FACTS, LOG, NOTES, Exchange
from prevail_contract.check.guard import UnsafeRequestError, guard_client
from prevail_contract.check.safety import InviteBudget, InviteCapReachedError, Masker
from prevail_contract.check.sender import Body, send_bounded
from prevail_contract.check.session_ids import listed_session_ids, session_path
from prevail_contract.spec import Spec, load_spec

__all__ = ["DEFAULT", "Target", "UnsafeRequestError", "build_target", "session_of"]

#: Host name the in-process mock answers on.
EMBEDDED_HOST = "http://mock"
#: The marker value for "send the configured token".
DEFAULT = object()
#: Optional extra fixture: an editable session of the Organization without Self-Service.
NO_SELF_SERVICE_SESSION_VAR = "PREVAIL_NO_SELF_SERVICE_SESSION_ID"


#: What ``FACTS["read"]`` says for each way of reading a Session.
READ_BY_LIST = "GET /sessions"
READ_BY_EDIT = "edit re-sending a current value (the target has no GET /sessions)"
#: Pages a full listing may take before the suite stops (a bound for a live server).
MAX_LIST_PAGES = 200
#: Fields the edit-read may re-send, in order of preference.
READ_FIELDS = ("title", "estimated_duration", "schedule")
SCHEDULE_FIELDS = ("start_date", "start_time", "time_zone")


#: Prefix of the embedded mock's admin API (never part of a verdict, not counted as API traffic).
ADMIN_PREFIX = "/__mock__/"


def session_of(body: Any) -> dict[str, Any] | None:
    """The Session inside a success body, tolerating a missing envelope.

    Rules other than ``response-envelope`` must keep working when the envelope is wrong, so
    that only the rule actually broken is reported.
    """
    if isinstance(body, dict):
        sessions = body.get("sessions")
        if isinstance(sessions, list) and sessions and isinstance(sessions[0], dict):
            return sessions[0]
        if "remote_session_id" in body or "title" in body:
            return body
    return None


@dataclass
class Target:
    """Everything a contract test needs to talk to the server under test."""

    spec: Spec
    config: TargetConfig
    api_base: str
    client: httpx.Client
    masker: Masker
    budget: InviteBudget
    seed: int
    app: Any = None
    no_self_service_session_id: str | None = None
    last_exchange: Exchange | None = None
    #: ``READ_BY_LIST`` or ``READ_BY_EDIT`` once found out (see :attr:`reads_by_list`).
    read_mode: str | None = None
    #: The last Session each id was seen as (answers and listings), by id.
    _seen: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The last accepted edit's answered Session, by id.
    _answered: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The first accepted edit of each Session this run made (for ``state-ready-after-edit``).
    first_accepted: dict[str, Exchange] = field(default_factory=dict)
    _minted: tuple[float, str] | None = None

    # -- fixtures --------------------------------------------------------------------------

    @property
    def embedded(self) -> bool:
        """Whether the target is the in-process mock (admin API available)."""
        return self.app is not None

    @property
    def session_id(self) -> str:
        """The editable session the run edits."""
        assert self.config.session_id is not None
        return self.config.session_id

    def note(self, rule: str, text: str) -> None:
        """Record a probe of ``rule`` that this run could not make, for the reports."""
        NOTES.append((rule, text))

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

    def url(self, session_id: str | None = None) -> str:
        """The Edit Sessions URL of a session (default: the configured one)."""
        return f"{self.api_base}/sessions/{session_path(session_id or self.session_id)}"

    @property
    def list_url(self) -> str:
        """The List Sessions URL (``GET``)."""
        return self.api_base + self.spec.operation_by_id("list_sessions").path

    @property
    def max_items(self) -> int:
        """The largest ``items`` a list page may ask for (the spec's limit)."""
        for ref in self.spec.operation_by_id("list_sessions").node.get("parameters") or ():
            param = self.spec.deref(ref)
            if param.get("name") == "items":
                return int(param["schema"].get("maximum", 20))
        return 20

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
        """Send one request (through the client's guard, within the run's bounds) and record it.

        ``body`` may be a function giving chunks (sent chunked; ``shown_body`` stands for it in
        the record). An answer that cannot be evidence skips the test (its rules stay
        ``not_run`` unless other tests earn them): the run stopped, the invite cap is reached,
        the answer was cut at the response limit, or the target still answered 429 (or 503
        with ``Retry-After``) after the capped retries.
        """
        full_url = url
        if params:
            full_url = str(httpx.URL(url, params=dict(params)))
        try:
            exchange = send_bounded(
                self.client,
                method,
                full_url,
                headers=dict(headers or {}),
                body=body,
                shown_body=shown_body,
                purpose=purpose,
            )
        except (RunStoppedError, InviteCapReachedError) as exc:
            pytest.skip(str(exc))
        if is_transient(exchange.status, exchange.response_headers):
            # not logged: an answer that only says "not now" is no case of any rule
            raise ThrottledError(
                f"{method} {self.masker(full_url)} ({purpose or 'request'}) was answered "
                f"{exchange.status} on every try"
            )
        LOG.add(exchange)
        self.last_exchange = exchange
        if exchange.cut:
            pytest.skip(
                f"not checked: an answer was longer than {RUN.limits.max_response_bytes} bytes "
                "and was cut there (--max-response-bytes)"
            )
        self._learn(url, exchange)
        return exchange

    def _learn(self, url: str, exchange: Exchange) -> None:
        if not exchange.accepted or exchange.method != "PATCH":
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
        method: str = "PATCH",
        params: Mapping[str, str] | None = None,
        purpose: str = "",
    ) -> Exchange:
        """Send an Edit Sessions request; ``payload`` is JSON-encoded unless ``raw`` is given."""
        headers = self.auth_headers(token)
        body = raw
        if body is None and payload is not None:
            body = json.dumps(payload).encode("utf-8")
        if body is not None and content_type is not None:
            headers["Content-Type"] = content_type
        return self.send(
            method, self.url(session_id), headers=headers, body=body, params=params, purpose=purpose
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
            FACTS["read"] = self.read_mode
        return self.read_mode == READ_BY_LIST

    def list_page(
        self,
        *,
        params: Mapping[str, str] | None = None,
        token: Any = DEFAULT,
        purpose: str = "list Sessions",
    ) -> Exchange:
        """One ``GET /sessions`` request."""
        return self.send(
            "GET", self.list_url, headers=self.auth_headers(token), params=params, purpose=purpose
        )

    def list_all(
        self,
        *,
        token: Any = DEFAULT,
        params: Mapping[str, str] | None = None,
        items: int | None = None,
        purpose: str = "read",
    ) -> tuple[list[dict[str, Any]], list[Exchange]] | None:
        """Every listed Session, page after page (None when a page is refused or unreadable)."""
        size = str(items or self.max_items)
        found: list[dict[str, Any]] = []
        pages: list[Exchange] = []
        page = 1
        while page <= MAX_LIST_PAGES:
            query = {**(params or {}), "page": str(page), "items": size}
            ex = self.list_page(params=query, token=token, purpose=f"{purpose} (GET /sessions)")
            pages.append(ex)
            body = ex.json
            if not ex.accepted or not isinstance(body, dict):
                return None
            listed = body.get("sessions")
            if not isinstance(listed, list):
                return None
            found += [s for s in listed if isinstance(s, dict)]
            pagy = body.get("pagy")
            last = pagy.get("pages") if isinstance(pagy, dict) else None
            if not listed or not isinstance(last, int) or page >= last:
                break
            page += 1
        return found, pages

    def snapshot(
        self, session_id: str | None = None, *, avoid: Iterable[str] = (), rule: str | None = None
    ) -> dict[str, Any] | None:
        """The session's current state, read through the API itself.

        With ``GET /sessions`` this is a true read. Without it, it is an edit that re-sends a
        value the Session already has, choosing a field that is not in ``avoid`` (the fields
        whose change the caller wants to see); ``rule`` then gets a note saying so.
        """
        sid = session_id or self.session_id
        if self.reads_by_list:
            listed = self.list_all()
            if listed is None:
                return None
            for item in listed[0]:
                if item.get("remote_session_id") == sid:
                    self._seen[sid] = item
                    return item
            return None
        if rule is not None:
            self.note(
                rule,
                "verified by reading through an edit that re-sends a current value: the "
                "target does not answer GET /sessions, so each read also writes (state "
                "becomes ready) and cannot see a change to the field it re-sends",
            )
        edit = self._read_edit(sid, set(avoid))
        exchange = self.edit({"remote_session": edit}, session_id=sid, purpose="read (edit)")
        if not exchange.accepted:
            return None
        return session_of(exchange.json)

    def _read_edit(self, sid: str, avoid: set[str]) -> dict[str, Any]:
        """The harmless edit that reads ``sid``: a current value of a field not in ``avoid``."""
        seen = self._seen.get(sid) or {}
        for name in READ_FIELDS:
            if name == "schedule":
                if not avoid & set(SCHEDULE_FIELDS) and all(
                    isinstance(seen.get(f), str) for f in SCHEDULE_FIELDS
                ):
                    return {f: seen[f] for f in SCHEDULE_FIELDS}
            elif name == "estimated_duration":
                value = seen.get(name)
                if (
                    name not in avoid
                    and isinstance(value, int | float)
                    and 0 < value <= 24
                    and float(value * 4).is_integer()
                ):
                    return {name: value}
            elif name not in avoid and isinstance(seen.get(name), str) and seen[name]:
                return {name: seen[name]}
        title = seen.get("title")
        return {
            "title": title
            if isinstance(title, str) and title
            else f"Contract check run {self.seed}"
        }

    def discover_editable_session(self, token: str) -> tuple[str, str] | None:
        """An editable session (id, title) that ``token``'s Organization can list, if any.

        Uses the documented list endpoint (``GET /sessions``), a read; a server without it
        simply yields nothing.
        """
        try:
            ex = self.list_page(token=token, purpose="list sessions (fixture discovery)")
        except httpx.HTTPError:
            return None
        body = ex.json
        sessions = body.get("sessions") if isinstance(body, dict) and ex.accepted else None
        for item in listed_session_ids(self.spec, sessions):
            if item.get("state") not in facts().editable_states:
                continue
            sid, title = item["remote_session_id"], item.get("title")
            if isinstance(title, str) and title:
                return sid, title
        return None

    # -- embedded-only helpers (the mock's admin API; never used for a live verdict) -------

    def admin_session(self, session_id: str) -> dict[str, Any] | None:
        """The mock's stored copy of a session (embedded mode only)."""
        if not self.embedded:
            return None
        response = self.client.get(f"{EMBEDDED_HOST}/__mock__/sessions/{session_id}")
        return dict(response.json()) if response.status_code == 200 else None

    def admin_create(self, organization: str, state: str, **fields: Any) -> str:
        """Create a session in the mock and return its id (embedded mode only)."""
        response = self.client.post(
            f"{EMBEDDED_HOST}/__mock__/sessions",
            json={"organization": organization, "state": state, **fields},
        )
        if response.status_code != 201:
            raise RuntimeError(f"mock admin API refused to create a session: {response.text}")
        created = response.json()
        sid = created.get("remote_session_id")
        if not isinstance(sid, str):
            raise RuntimeError(f"mock admin API answered no remote_session_id: {created}")
        return sid

    def close(self) -> None:
        """Release the HTTP client."""
        self.client.close()


def _api_base(base_url: str, spec: Spec) -> str:
    base = base_url.rstrip("/")
    if urlsplit(base).path in ("", "/"):
        base += spec.base_path
    return base


def build_target(env: Mapping[str, str] | None = None, seed: int = 0) -> Target:
    """The target the environment describes (the embedded mock when no base URL is set)."""
    env = dict(os.environ if env is None else env)
    spec = load_spec()
    config = from_sources(env)
    if config.embedded:
        from starlette.testclient import TestClient

        from prevail_contract.mock import create_app, target_environment

        app = create_app(bugs=config.mock_bugs)
        mock_env = target_environment(app, EMBEDDED_HOST)
        client: httpx.Client = TestClient(
            app, base_url=EMBEDDED_HOST, raise_server_exceptions=False
        )
        client.__enter__()
        cap = config.max_invites  # no cap on the mock unless one was asked for
        budget = InviteBudget(cap)
        guard_client(client, budget, unguarded_prefix=ADMIN_PREFIX)
        live = from_sources(mock_env)
        config = TargetConfig(
            **{**live.__dict__, "base_url": None, "mock_bugs": config.mock_bugs, "max_invites": cap}
        )
        api_base = mock_env["PREVAIL_BASE_URL"].rstrip("/")
        masker = Masker(config.secrets)
        target = Target(
            spec=spec,
            config=config,
            api_base=api_base,
            client=client,
            masker=masker,
            budget=budget,
            seed=seed,
            app=app,
        )
        target.no_self_service_session_id = mock_env.get(NO_SELF_SERVICE_SESSION_VAR)
        if config.no_self_service_token and target.no_self_service_session_id is None:
            slug = tokens.claims_of(config.no_self_service_token).get("slug")
            if isinstance(slug, str):
                target.no_self_service_session_id = target.admin_create(
                    slug,
                    facts().editable_states[0],
                    title="Session of an Organization without Self-Service",
                )
        return target
    assert config.base_url is not None
    client = httpx.Client(timeout=httpx.Timeout(RUN.limits.request_timeout), follow_redirects=False)
    budget = InviteBudget(config.max_invites)
    guard_client(client, budget)
    return Target(
        spec=spec,
        config=config,
        api_base=_api_base(config.base_url, spec),
        client=client,
        masker=Masker(config.secrets),
        budget=budget,
        seed=seed,
        no_self_service_session_id=env.get(NO_SELF_SERVICE_SESSION_VAR) or None,
    )
