"""Serving the mock with several uvicorn worker processes, each building its app from the
environment (uvicorn's own process model needs an import string, not an app object)."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Collection
from pathlib import Path

from starlette.applications import Starlette
from uvicorn.supervisors import Multiprocess

from prevail_contract.errors import ConfigError
from prevail_contract.mock.app import create_app
from prevail_contract.mock.server import build_config

#: The JSON settings every worker's app is built from.
SETTINGS_VAR = "PREVAIL_MOCK_SETTINGS"
FACTORY = f"{__name__}:app_from_environment"


def settings(
    fixtures: Path | None,
    bugs: Collection[str],
    validate_responses: bool,
    store: str | None,
    sandbox_ttl: float,
    admin_api: bool = True,
    admin_token: str | None = None,
    spec: Path | None = None,
    contract: str = "full",
) -> str:
    """The value of ``SETTINGS_VAR`` for these ``create_app`` arguments."""
    return json.dumps(
        {
            "fixtures": None if fixtures is None else str(fixtures.resolve()),
            "bugs": sorted(bugs),
            "validate_responses": validate_responses,
            "store": store,
            "sandbox_ttl": sandbox_ttl,
            "admin_api": admin_api,
            "admin_token": admin_token,
            "spec": None if spec is None else str(spec.resolve()),
            "contract": contract,
        }
    )


def app_from_environment() -> Starlette:
    """The app described by ``$PREVAIL_MOCK_SETTINGS`` (uvicorn calls this in each worker).

    The command checked the store before starting the workers; a worker that starts while
    Redis is away does not fail (uvicorn would start it again and again): it answers 503
    ``store_unavailable`` until Redis is back."""
    raw = os.environ.get(SETTINGS_VAR)
    if raw is None:
        raise ConfigError(f"{SETTINGS_VAR} is not set; start workers with prevail-contract mock")
    values = json.loads(raw)
    app = create_app(
        Path(values["fixtures"]) if values["fixtures"] else None,
        bugs=values["bugs"],
        validate_responses=values["validate_responses"],
        store=values["store"],
        sandbox_ttl=values["sandbox_ttl"],
        admin_api=values.get("admin_api", True),
        admin_token=values.get("admin_token"),
        spec=values.get("spec"),
        contract=values.get("contract", "full"),
        store_check=False,
    )
    # Faults are counted in the process that applies them; a worker cannot see the others'.
    app.state.mock.faults.unavailable = (
        "fault injection needs one mock process: serve with --workers 1 (each of several "
        "workers would count its own faults)"
    )
    return app


def serve_workers(sock: socket.socket, workers: int, log_level: str, app_settings: str) -> None:
    """Serve on ``sock`` with ``workers`` processes until SIGINT/SIGTERM; SIGHUP restarts them
    one by one."""
    os.environ[SETTINGS_VAR] = app_settings
    config = build_config(
        FACTORY,
        factory=True,
        workers=workers,
        log_level=log_level,
        access_log=log_level in ("info", "debug"),
    )
    Multiprocess(config, sockets=[sock]).run()
