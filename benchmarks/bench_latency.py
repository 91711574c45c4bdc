"""Benchmark: a live run against a server that answers every API request after a fixed latency.

The kit's mock is served on 127.0.0.1 behind an ASGI wrapper that waits ``--latency`` seconds
before each API request (its admin API answers at once), and ``prevail-contract check`` runs
against it as a live target with the variables the mock writes (its admin API included, so no
rule is left not_run). Printed: the concurrency, wall time, requests sent, and the latency the
requests add up to (requests times latency), which is the floor of a run that sends one request
at a time; the failed and not_run rules are in ``--json``, to compare verdicts between
concurrencies.

Run: ``.venv/bin/python benchmarks/bench_latency.py [--latency 0.05] [--profile fast]
[--seed 20261124] [--concurrency N] [--json OUT]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from prevail_contract.mock import create_app
from prevail_contract.mock.environment import ADMIN_PREFIX, target_environment
from prevail_contract.spec.paths import REPO_ROOT


class Delayed:
    """Waits ``seconds`` before passing each API request (not the admin API's) to ``app``."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app, self.seconds = app, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not str(scope.get("path", "")).startswith(ADMIN_PREFIX):
            await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(latency: float, profile: str, seed: int, concurrency: int | None) -> dict[str, Any]:
    """One check run against the delayed mock; its figures."""
    app = create_app()
    port = _free_port()
    config = uvicorn.Config(
        Delayed(app, latency), host="127.0.0.1", port=port, log_level="error", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    stop_at = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > stop_at:
            raise RuntimeError("the mock did not start within 20 s")
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREVAIL_")}
    env.update(target_environment(app, base))
    try:
        with tempfile.TemporaryDirectory() as reports:
            command = [
                sys.executable,
                "-m",
                "prevail_contract",
                "check",
                "--profile",
                profile,
                "--seed",
                str(seed),
                "--report-dir",
                reports,
                *(["--concurrency", str(concurrency)] if concurrency is not None else []),
            ]
            started = time.monotonic()
            done = subprocess.run(  # noqa: S603 - our own interpreter and module
                command, env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=False
            )
            seconds = time.monotonic() - started
            report = json.loads((Path(reports) / "conformance.json").read_text(encoding="utf-8"))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    requests = int(report.get("requests", 0))
    return {
        "latency_s": latency,
        "profile": profile,
        "concurrency": report["run"]["concurrency"],
        "exit": done.returncode,
        "wall_s": round(seconds, 1),
        "requests": requests,
        "waiting_s": round(requests * latency, 1),
        "not_run": sorted(r["id"] for r in report["rules"] if r["status"] == "not_run"),
        "failed": sorted(r["id"] for r in report["rules"] if r["status"] == "failed"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds (default 0.05)")
    parser.add_argument("--profile", default="fast", help="check profile (default fast)")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument(
        "--concurrency", type=int, help="check --concurrency (default: the check's own, 4)"
    )
    parser.add_argument("--json", type=Path, help="write the figures there as JSON")
    args = parser.parse_args()
    figures = run(args.latency, args.profile, args.seed, args.concurrency)
    print(
        f"latency {figures['latency_s'] * 1000:.0f} ms, profile {figures['profile']}, "
        f"concurrency {figures['concurrency']}: "
        f"{figures['wall_s']} s for {figures['requests']} requests "
        f"({figures['waiting_s']} s of it waiting), exit {figures['exit']}"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if figures["exit"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
