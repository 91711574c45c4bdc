"""A ready mock for an integrator's tests: a fresh world, its ``PREVAIL_*`` values, an
authenticated generated client pointed at it, and helpers for its admin API (faults, outbox,
stored Sessions). In-process by default (no port); served on a free loopback port on request.

The pytest plugin (``prevail_contract.pytest_plugin``) hands one to each test; ``start_mock``
gives one to any other code. The client gets the mock's transport through ``httpx_args``, not
``set_httpx_client``, so the token, retries and timeouts of the generated client all apply.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import yaml
from prevail_sessions_client import AuthenticatedClient, RetryPolicy
from starlette.applications import Starlette

from prevail_contract.errors import ConfigError
from prevail_contract.mock.app import create_app
from prevail_contract.mock.environment import target_environment
from prevail_contract.mock.inprocess import InProcessTransport
from prevail_contract.mock.server import build_config

#: The origin of an in-process mock (a reserved name: nothing on a network answers it).
IN_PROCESS_ORIGIN = "http://prevail-mock.test"
#: Seconds a served mock may take to start.
START_DEADLINE = 10.0
#: Seconds a served mock may take to stop.
STOP_DEADLINE = 10.0


@dataclass(frozen=True)
class MockOptions:
    """How to build one mock: ``create_app``'s settings, a sandbox to start from, faults."""

    fixtures: Path | None = None
    bugs: tuple[str, ...] = ()
    validate_responses: bool = False
    spec: Path | None = None
    #: False: the default world; True: a sandbox of the fixtures; a path or a mapping: a
    #: sandbox made from that fixtures document.
    sandbox: bool | Path | Mapping[str, Any] = False
    #: Served on a loopback port (True) or in-process (False).
    served: bool = False
    #: Faults injected before the test starts (``PrevailMock.fault``'s keywords).
    faults: tuple[Mapping[str, Any], ...] = ()


@dataclass
class PrevailMock:
    """One running mock, its variables and clients. Close it (or use ``start_mock``)."""

    app: Starlette
    #: ``http://HOST:PORT`` of the mock (``IN_PROCESS_ORIGIN`` in-process).
    origin: str
    #: The ``PREVAIL_*`` variables of the world the clients use.
    env: dict[str, str]
    #: The transport in-process clients need (None when served: any HTTP client will do).
    transport: InProcessTransport | None
    #: The sandbox the clients use, or None for the default world.
    sandbox_id: str | None = None
    _clients: list[AuthenticatedClient] = field(default_factory=list)
    _admin: httpx.Client | None = None
    _stop: list[Any] = field(default_factory=list)

    @property
    def served(self) -> bool:
        return self.transport is None

    @property
    def base_url(self) -> str:
        """``PREVAIL_BASE_URL``: where the API is."""
        return self.env["PREVAIL_BASE_URL"]

    @property
    def token(self) -> str:
        """``PREVAIL_TOKEN``: a valid token of the Self-Service Organization."""
        return self.env["PREVAIL_TOKEN"]

    @property
    def session_id(self) -> str:
        """``PREVAIL_SESSION_ID``: an editable Session of that Organization."""
        return self.env["PREVAIL_SESSION_ID"]

    @property
    def client(self) -> AuthenticatedClient:
        """The generated client, authenticated with ``PREVAIL_TOKEN``, pointed at the mock."""
        if not self._clients:
            self.new_client()
        return self._clients[0]

    def new_client(
        self,
        *,
        token: str | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | None = None,
        raise_on_unexpected_status: bool = False,
    ) -> AuthenticatedClient:
        """Another generated client for this mock (another token, retries, a read timeout)."""
        httpx_args: dict[str, Any] = {} if self.transport is None else {"transport": self.transport}
        client = AuthenticatedClient(
            base_url=self.base_url,
            token=token if token is not None else self.token,
            retry=retry,
            timeout=None if timeout is None else httpx.Timeout(timeout),
            raise_on_unexpected_status=raise_on_unexpected_status,
            httpx_args=httpx_args,
        )
        self._clients.append(client)
        return client

    @property
    def admin(self) -> httpx.Client:
        """An httpx client for the admin API (``/__mock__/...``, relative URLs)."""
        if self._admin is None:
            self._admin = httpx.Client(
                base_url=self.origin, transport=self.transport, timeout=httpx.Timeout(30.0)
            )
        return self._admin

    def _admin_call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        answer = self.admin.request(method, path, **kwargs)
        if answer.status_code >= 400:
            raise ConfigError(f"{method} {path}: HTTP {answer.status_code}: {answer.text[:300]}")
        return answer

    def _world_path(self, tail: str) -> str:
        if self.sandbox_id is None:
            return f"/__mock__/{tail}"
        return f"/__mock__/sandboxes/{self.sandbox_id}/{tail}"

    def fault(
        self,
        operation: str = "*",
        *,
        status: int | None = None,
        retry_after: int | None = 1,
        delay: float = 0.0,
        drop: bool = False,
        count: int | None = None,
        ratio: float | None = None,
        seed: int | None = None,
    ) -> dict[str, Any]:
        """Inject a fault into this world (see the README's fault table); the fault as stored.

        ``operation`` is an operationId or ``"*"``; ``status`` 429 or 503 (with ``retry_after``
        seconds, None for no header), or ``drop=True``, and/or ``delay`` seconds; the next
        ``count`` requests (default 1) or a ``ratio`` of them, drawn with ``seed``.
        """
        body: dict[str, Any] = {"operation": operation}
        if status is not None:
            body.update(status=status, retry_after=retry_after)
        if delay:
            body["delay"] = delay
        if drop:
            body["drop"] = True
        for name, value in (("count", count), ("ratio", ratio), ("seed", seed)):
            if value is not None:
                body[name] = value
        return dict(self._admin_call("POST", self._world_path("faults"), json=body).json())

    def faults(self) -> list[dict[str, Any]]:
        """This world's faults still active, with how often each fired."""
        return list(self._admin_call("GET", self._world_path("faults")).json()["faults"])

    def clear_faults(self) -> None:
        self._admin_call("DELETE", self._world_path("faults"))

    def outbox(self) -> list[dict[str, Any]]:
        """The notification emails this world would have sent."""
        return list(self._admin_call("GET", self._world_path("outbox")).json()["messages"])

    def stored(self, session_id: str | None = None) -> dict[str, Any]:
        """The full stored state of a Session of this world (default ``PREVAIL_SESSION_ID``)."""
        path = self._world_path(f"sessions/{session_id or self.session_id}")
        return dict(self._admin_call("GET", path).json())

    def close(self) -> None:
        """Close the clients and stop the mock."""
        for client in self._clients:
            opened = client._client  # an async client's sockets go with its event loop
            if opened is not None:
                opened.close()
        self._clients.clear()
        if self._admin is not None:
            self._admin.close()
        for stop in reversed(self._stop):
            stop()
        self._stop.clear()


@contextlib.contextmanager
def start_mock(options: MockOptions | None = None) -> Iterator[PrevailMock]:
    """A fresh mock as ``options`` say, stopped when the block ends."""
    options = options or MockOptions()
    app = create_app(
        options.fixtures,
        spec=options.spec,
        bugs=options.bugs,
        validate_responses=options.validate_responses,
    )
    mock = _served(app) if options.served else _in_process(app)
    try:
        if options.sandbox is not False:
            _enter_sandbox(mock, options.sandbox)
        for fault in options.faults:
            mock.fault(**fault)
        yield mock
    finally:
        mock.close()


def _in_process(app: Starlette) -> PrevailMock:
    transport = InProcessTransport(app)
    env = target_environment(app, IN_PROCESS_ORIGIN)
    mock = PrevailMock(app, IN_PROCESS_ORIGIN, env, transport)
    mock._stop.append(transport.shutdown)
    return mock


def _served(app: Starlette) -> PrevailMock:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    origin = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(build_config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="prevail-mock-served", daemon=True
    )
    thread.start()

    def stop() -> None:
        server.should_exit = True
        thread.join(STOP_DEADLINE)
        sock.close()

    stop_at = time.monotonic() + START_DEADLINE
    while not server.started:
        if time.monotonic() > stop_at or not thread.is_alive():
            stop()
            raise ConfigError(f"the mock did not start on {origin} within {START_DEADLINE:g} s")
        time.sleep(0.01)
    mock = PrevailMock(app, origin, target_environment(app, origin), None)
    mock._stop.append(stop)
    return mock


def _enter_sandbox(mock: PrevailMock, source: bool | Path | Mapping[str, Any]) -> None:
    """Point ``mock``'s variables and clients at a new sandbox made from ``source``."""
    content = b""
    if isinstance(source, Path):
        try:
            content = source.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read the sandbox fixtures {source}: {exc.strerror}") from exc
    elif isinstance(source, Mapping):
        content = yaml.safe_dump(dict(source)).encode()
    made = mock._admin_call("POST", "/__mock__/sandboxes", content=content).json()
    mock.sandbox_id = str(made["sandbox_id"])
    mock.env = {str(k): str(v) for k, v in made["environment"].items()}


def options_from(values: Mapping[str, Any], *, relative_to: Path | None = None) -> MockOptions:
    """``MockOptions`` from keyword values (a marker's or a parameter's), checked; relative
    paths are taken from ``relative_to``."""
    known = set(MockOptions.__dataclass_fields__)
    unknown = sorted(set(values) - known)
    if unknown:
        listed = ", ".join(sorted(known))
        raise ConfigError(f"unknown prevail_mock option(s) {', '.join(unknown)}; known: {listed}")

    def path(value: Any, name: str) -> Path | None:
        if value is None:
            return None
        if not isinstance(value, str | Path):
            raise ConfigError(f"prevail_mock {name}=: a path, got {type(value).__name__}")
        found = Path(value)
        return found if found.is_absolute() or relative_to is None else relative_to / found

    sandbox = values.get("sandbox", False)
    if isinstance(sandbox, str | Path):
        sandbox = path(sandbox, "sandbox")
    elif not isinstance(sandbox, bool | Mapping):
        raise ConfigError("prevail_mock sandbox=: True, a fixtures file or a fixtures mapping")
    bugs = values.get("bugs", ())
    faults = values.get("faults", ())
    if isinstance(bugs, str) or not isinstance(bugs, Sequence):
        raise ConfigError("prevail_mock bugs=: a list of rule ids, e.g. ['invites-additive']")
    if isinstance(faults, Mapping) or not isinstance(faults, Sequence):
        raise ConfigError("prevail_mock faults=: a list of fault mappings")
    return MockOptions(
        fixtures=path(values.get("fixtures"), "fixtures"),
        bugs=tuple(str(b) for b in bugs),
        validate_responses=bool(values.get("validate_responses", False)),
        spec=path(values.get("spec"), "spec"),
        sandbox=sandbox,
        served=bool(values.get("served", False)),
        faults=tuple(dict(f) for f in faults),
    )
