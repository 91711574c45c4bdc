"""The served mock with several uvicorn workers on a real Redis: the whole contract suite
passes, concurrent invites over every worker are all kept exactly once, restarting every worker
loses nothing, and two suite runs in two sandboxes at once both pass."""

from __future__ import annotations

import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.plugins import warm
from tests.plugins.check import (
    SERVED_MOCK_BASELINE,
    CheckRun,
    check_command,
    clean_env,
    run_check,
)
from tests.plugins.redis_server import (
    DEADLINE,
    RedisServer,
    serve_mock_process,
    wait_ready,
    worker_pids,
)

pytestmark = pytest.mark.slow
INVITES = 200
CONNECTIONS = 50


def _passed(run: CheckRun) -> None:
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    statuses = {r["id"]: r["status"] for r in run.report["rules"]}
    assert "failed" not in statuses.values(), statuses


def _wait_workers(process: subprocess.Popen[bytes], count: int) -> list[int]:
    stop_at = time.monotonic() + DEADLINE
    while len(pids := worker_pids(process)) < count:
        assert time.monotonic() < stop_at, f"only {len(pids)} of {count} workers came up"
        time.sleep(0.1)
    return pids


def test_contract_suite_passes_on_four_workers(redis_url: str, tmp_path: Path) -> None:
    with serve_mock_process(redis_url, workers=4) as served:
        assert len(_wait_workers(served.process, 4)) >= 4
        _passed(run_check(tmp_path, "--baseline", str(SERVED_MOCK_BASELINE), env=served.env))


def test_concurrent_invites_over_workers_are_each_kept_once(redis_url: str) -> None:
    with serve_mock_process(redis_url, workers=4) as served:
        _wait_workers(served.process, 4)
        env = served.env
        url = f"{env['PREVAIL_BASE_URL']}/sessions/{env['PREVAIL_SESSION_ID']}"
        headers = {"Authorization": f"Bearer {env['PREVAIL_TOKEN']}", "Connection": "close"}
        emails = [f"worker-probe-{n}@example.com" for n in range(INVITES)]

        def invite(email: str) -> int:
            body = {"remote_session": {"invites": [email]}}
            # a new connection each time, so that the kernel hands them to every worker
            return httpx.patch(url, json=body, headers=headers, timeout=60).status_code

        with ThreadPoolExecutor(CONNECTIONS) as pool:
            statuses = list(pool.map(invite, emails))
        assert statuses == [200] * INVITES
        stored = httpx.get(f"{served.root}/__mock__/sessions/{env['PREVAIL_SESSION_ID']}").json()
        outbox = httpx.get(f"{served.root}/__mock__/outbox").json()["messages"]
    invited = [i["email"] for i in stored["invitees"] if i["email"] in set(emails)]
    assert sorted(invited) == sorted(emails)  # every one, exactly once
    assert sorted(m["to"] for m in outbox) == sorted(emails)  # one email each


def test_restarting_every_worker_loses_nothing(redis_server: RedisServer, redis_url: str) -> None:
    body = {"remote_session": {"title": "Survives restarts", "invites": ["kept@example.com"]}}
    with serve_mock_process(redis_url, workers=2) as served:
        env = served.env
        headers = {"Authorization": f"Bearer {env['PREVAIL_TOKEN']}"}
        url = f"{env['PREVAIL_BASE_URL']}/sessions/{env['PREVAIL_SESSION_ID']}"
        assert httpx.patch(url, json=body, headers=headers).status_code == 200
        sandbox = httpx.post(f"{served.root}/__mock__/sandboxes").json()
        before = httpx.get(f"{served.root}/__mock__/sessions/{env['PREVAIL_SESSION_ID']}").json()
        old = set(_wait_workers(served.process, 2))
        served.process.send_signal(signal.SIGHUP)  # uvicorn replaces its workers one by one
        stop_at = time.monotonic() + DEADLINE
        while old & set(worker_pids(served.process)):
            assert time.monotonic() < stop_at, "the workers were not replaced"
            time.sleep(0.1)
        wait_ready(served.root, served.process)
        after = httpx.get(f"{served.root}/__mock__/sessions/{env['PREVAIL_SESSION_ID']}").json()
        assert after == before
    # the whole mock stopped; a new one on the same store loads no fixtures over the edits
    with serve_mock_process(redis_url, workers=2) as again:
        root = again.root
        assert httpx.get(f"{root}/__mock__/sessions/{env['PREVAIL_SESSION_ID']}").json() == before
        assert [m["to"] for m in httpx.get(f"{root}/__mock__/outbox").json()["messages"]] == [
            "kept@example.com"
        ]
        box = sandbox["environment"]
        edited = httpx.patch(
            f"{again.env['PREVAIL_BASE_URL']}/sessions/{box['PREVAIL_SESSION_ID']}",  # new port
            json=body,
            headers={"Authorization": f"Bearer {box['PREVAIL_TOKEN']}"},
        )
        assert edited.status_code == 200  # the sandbox survived too


def test_two_suite_runs_in_two_sandboxes_at_once_both_pass(redis_url: str, tmp_path: Path) -> None:
    with serve_mock_process(redis_url, workers=2) as served:
        title = httpx.get(
            f"{served.root}/__mock__/sessions/{served.env['PREVAIL_SESSION_ID']}"
        ).json()["title"]
        runs: dict[str, warm.CheckProcess] = {}
        for name in ("one", "two"):
            (tmp_path / name).mkdir()
            command = check_command(
                tmp_path / name, "--sandbox", "--baseline", str(SERVED_MOCK_BASELINE)
            )
            command += ["--base-url", served.env["PREVAIL_BASE_URL"]]
            runs[name] = warm.start(command, clean_env())
        results = {}
        try:
            for name, process in runs.items():
                process.wait(timeout=400)
                out, err = process.communicate()
                results[name] = CheckRun(process.wait(), out, err, tmp_path / name)
        finally:
            for process in runs.values():
                if process.poll() is None:
                    process.kill()
                    process.communicate()
        for run in results.values():
            _passed(run)
        sandboxes = {run.stdout.split("sandbox ", 1)[1].split()[0] for run in results.values()}
        assert len(sandboxes) == 2
        # the default world was not touched by either run
        after = httpx.get(f"{served.root}/__mock__/sessions/{served.env['PREVAIL_SESSION_ID']}")
        assert after.json()["title"] == title
