"""``prevail-contract mock``: serve the mock with uvicorn and print how to target it.

A bind that is not loopback needs ``--admin-token`` (or ``--no-admin``): the admin API can
reset the mock and hands out its API keys and tokens, so it is never open to a network.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import ipaddress
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Generator
from pathlib import Path

import uvicorn

from prevail_contract.errors import ConfigError
from prevail_contract.mock import access_log
from prevail_contract.mock.app import create_app
from prevail_contract.mock.bugs import CHOICES
from prevail_contract.mock.environment import ADMIN_TOKEN_VARIABLE, target_environment
from prevail_contract.mock.presentation import CONTRACTS
from prevail_contract.mock.sandboxes import DEFAULT_TTL
from prevail_contract.mock.server import build_config
from prevail_contract.spec import load_spec

MIN_ADMIN_TOKEN = 16


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's options."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8000, help="port to bind; 0 picks a free one (default 8000)"
    )
    parser.add_argument(
        "--spec",
        type=Path,
        metavar="FILE",
        help="spec to serve: its schemas, rules, limits and x-check-order (default: "
        "$PREVAIL_SPEC, else the kit's own openapi.yaml)",
    )
    parser.add_argument(
        "--fixtures",
        type=Path,
        help="YAML file of organizations and Sessions (default: the shipped fixtures.yaml)",
    )
    parser.add_argument(
        "--env-file", type=Path, help="also write the PREVAIL_* variables there as KEY=value lines"
    )
    parser.add_argument(
        "--ready-file",
        type=Path,
        metavar="PATH",
        help="removed at start, written (the base URL) once the mock answers requests, after "
        "--env-file; removed when it stops: wait for it before reading --env-file",
    )
    parser.add_argument(
        "--bug",
        action="append",
        default=[],
        metavar="RULE_ID",
        choices=CHOICES,
        help="break this rule on purpose, to see a contract run catch it (repeatable): "
        + ", ".join(CHOICES),
    )
    parser.add_argument(
        "--contract",
        default="full",
        choices=CONTRACTS,
        help="full (default): the contract, documented rules and our assumptions; documented: "
        "every assumed refusal and behaviour relaxed (other statuses, codes, error body, check "
        "order, page sizes; no caps or length limits), every documented rule kept",
    )
    parser.add_argument(
        "--validate-responses",
        action="store_true",
        help="check every answer against the spec; a mismatch becomes a 500 naming it",
    )
    parser.add_argument(
        "--admin-token",
        help="require 'Authorization: Bearer TOKEN' on the admin API (at least "
        f"{MIN_ADMIN_TOKEN} characters; default ${ADMIN_TOKEN_VARIABLE}); needed on a "
        "non-loopback --host unless --no-admin",
    )
    parser.add_argument(
        "--no-admin", action="store_true", help="switch the admin API (/__mock__/) off"
    )
    parser.add_argument(
        "--store",
        default="memory",
        metavar="memory|redis://HOST:PORT/DB",
        help="where the state lives: this process (default) or a Redis database shared by "
        "workers and hosts (needs prevail-contract[redis])",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes (more than 1 needs --store redis)"
    )
    parser.add_argument(
        "--sandbox-ttl",
        type=float,
        default=DEFAULT_TTL,
        metavar="SECONDS",
        help=f"remove a sandbox idle this long (default {DEFAULT_TTL:g})",
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="uvicorn and mock log level (default warning)",
    )
    access_log.add_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Bind, print the target variables, serve until SIGINT/SIGTERM."""
    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port must be 0..65535, got {args.port}")
    admin_token = args.admin_token or os.environ.get(ADMIN_TOKEN_VARIABLE) or None
    if admin_token is not None and len(admin_token) < MIN_ADMIN_TOKEN:
        raise ConfigError(f"--admin-token must have at least {MIN_ADMIN_TOKEN} characters")
    if args.no_admin and admin_token is not None:
        raise ConfigError("--no-admin and --admin-token exclude each other; choose one")
    if not _is_loopback(args.host) and admin_token is None and not args.no_admin:
        raise ConfigError(
            f"--host {args.host} is not a loopback address: give --admin-token TOKEN (or "
            f"${ADMIN_TOKEN_VARIABLE}) to protect the admin API, or --no-admin to switch it off"
        )
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    if args.workers < 1 or (args.workers > 1 and args.store == "memory"):
        raise ConfigError(
            f"--workers {args.workers}: use 1, or several with --store redis://HOST:PORT/DB "
            "(the in-memory store lives in one process, so workers would not share state)"
        )
    if args.ready_file is not None:
        _remove(args.ready_file, "--ready-file")
    spec = load_spec(args.spec)
    options = (
        args.fixtures,
        args.bug,
        args.validate_responses,
        args.store,
        args.sandbox_ttl,
        not args.no_admin,
        admin_token,
        spec.path,
        args.contract,
    )
    app = create_app(
        args.fixtures,
        spec=spec,
        bugs=args.bug,
        validate_responses=args.validate_responses,
        admin_api=not args.no_admin,
        admin_token=admin_token,
        store=args.store,
        sandbox_ttl=args.sandbox_ttl,
        contract=args.contract,
    )
    sock = _bind(args.host, args.port)
    bound, port = sock.getsockname()[:2]
    listen = f"[{bound}]:{port}" if ":" in bound else f"{bound}:{port}"
    base_url = f"http://{listen}"
    env = target_environment(app, base_url)
    lines = [f"{key}={value}" for key, value in env.items()]
    if args.env_file is not None:
        try:
            _write_whole(args.env_file, "\n".join(lines) + "\n", "--env-file")
        except ConfigError:
            sock.close()
            raise
    admin_text = (
        "off"
        if args.no_admin
        else f"{base_url}/__mock__/" + (", Bearer admin token required" if admin_token else "")
    )
    print(f"Prevail mock serving {env['PREVAIL_BASE_URL']} (admin API: {admin_text})")
    if ipaddress.ip_address(bound).is_unspecified:
        print(f"listening on every interface ({listen}): reachable from other machines")
    if args.bug:
        print(f"planted bugs: {', '.join(args.bug)}")
    if args.contract != "full":
        print(f"serving the {args.contract}-only reading of the contract (assumed rules relaxed)")
    print("\n".join(lines), flush=True)
    if args.workers > 1:
        from prevail_contract.mock.workers import serve_workers, settings

        try:
            if args.ready_file is not None:  # listening: connections wait for the workers
                _write_whole(args.ready_file, base_url + "\n", "--ready-file")
            serve_workers(sock, args.workers, args.log_level, settings(*options))
        finally:
            sock.close()
            if args.ready_file is not None:
                _remove(args.ready_file, "--ready-file", quiet=True)
        print("Prevail mock stopped.", file=sys.stderr, flush=True)
        return 0
    config = build_config(
        access_log.wrap(app, args),
        log_level=args.log_level,
        access_log=args.log_level in ("info", "debug"),
    )
    server = _Server(config)
    if args.ready_file is not None:
        server.ready = lambda: _write_whole(args.ready_file, base_url + "\n", "--ready-file")
    # The spec, validators and fixtures live as long as the process: moving them out of the
    # collector's reach keeps full collections (and so latency spikes) short.
    gc.collect()
    gc.freeze()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        if args.ready_file is not None:
            _remove(args.ready_file, "--ready-file", quiet=True)
    print("Prevail mock stopped.", file=sys.stderr, flush=True)
    return 0


class _Server(uvicorn.Server):
    """uvicorn's server, but SIGINT/SIGTERM end ``run`` normally instead of being re-raised,
    and ``ready`` is called once it serves."""

    ready: Callable[[], None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and self.ready is not None:
            self.ready()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in _STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _is_loopback(host: str) -> bool:
    """Whether every address ``host`` names is a loopback address (unresolvable: no)."""
    try:
        infos = socket.getaddrinfo(host or None, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = {str(info[4][0]).split("%")[0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a).is_loopback for a in addresses)


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket bound before the server starts, so the chosen port is known.

    ``IPPROTO_TCP`` is given explicitly: asyncio sets ``TCP_NODELAY`` on accepted connections
    only when the socket says it is TCP, and without it keep-alive answers stall ~40 ms on
    Nagle's algorithm meeting delayed ACKs.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot bind {host}:{port}: {exc.strerror}") from exc
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _write_whole(path: Path, text: str, flag: str) -> None:
    """Write ``text`` to ``path`` at once (a reader never sees half of it)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        raise ConfigError(f"cannot write {flag} {path}: {exc.strerror}") from exc


def _remove(path: Path, flag: str, *, quiet: bool = False) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        if not quiet:
            raise ConfigError(f"cannot remove {flag} {path}: {exc.strerror}") from exc
