"""Benchmark of ``prevail-contract check``: speed in-process and over loopback, next to plain
``schemathesis run --checks all`` with the same example budget, and time to find each planted bug.

Run: ``.venv/bin/python benchmarks/bench_check.py [--seed N] [--profile fast] [--json OUT]``.
Every server is the kit's mock, started as ``prevail-contract mock --port 0`` on 127.0.0.1 and
stopped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

import httpx

from prevail_contract.spec import load_spec
from prevail_contract.spec.paths import REPO_ROOT, spec_path

PYTHON = sys.executable
#: One planted mock bug per documented rule, named by the rule id.
PLANTABLE_BUGS = [rule.id for rule in load_spec().rules if rule.documented]
SCHEMATHESIS = str(Path(PYTHON).parent / "schemathesis")
#: Same example budget as the suite's fast schemathesis run (contract_tests/plugins/profiles.py).
EXAMPLES = {"fast": 60, "thorough": 500}


def _clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREVAIL_")}
    env.update(extra or {})
    return env


@contextmanager
def served_mock(
    workdir: Path, bugs: tuple[str, ...] = (), deadline: float = 20.0
) -> Iterator[dict[str, str]]:
    """Start the mock on a free loopback port; yield its PREVAIL_* variables; stop it."""
    env_file = workdir / f"mock-{'-'.join(bugs) or 'correct'}-{time.monotonic_ns()}.env"
    command = [PYTHON, "-m", "prevail_contract", "mock", "--port", "0", "--env-file", str(env_file)]
    for bug in bugs:
        command += ["--bug", bug]
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_clean_env()
    )
    try:
        stop_at = time.monotonic() + deadline
        env: dict[str, str] = {}
        while True:
            if env_file.exists():
                lines = env_file.read_text().splitlines()
                env = dict(line.split("=", 1) for line in lines if "=" in line)
                if "PREVAIL_BASE_URL" in env:
                    try:
                        httpx.get(env["PREVAIL_BASE_URL"] + "/sessions/x", timeout=1)
                        break
                    except httpx.HTTPError:
                        pass
            if time.monotonic() > stop_at or proc.poll() is not None:
                raise RuntimeError("the mock did not start")
            time.sleep(0.05)
        yield env
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_check(
    workdir: Path,
    name: str,
    seed: int,
    profile: str,
    env: dict[str, str] | None = None,
    bugs: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One ``prevail-contract check`` subprocess: wall time, requests, rules failed."""
    report_dir = workdir / name
    command = [
        PYTHON,
        "-m",
        "prevail_contract",
        "check",
        "--seed",
        str(seed),
        "--profile",
        profile,
        "--report-dir",
        str(report_dir),
    ]
    for bug in bugs:
        command += ["--mock-bug", bug]
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, env=_clean_env(env), cwd=REPO_ROOT, check=False
    )
    wall = time.perf_counter() - started
    report = json.loads((report_dir / "conformance.json").read_text())
    return {
        "exit": done.returncode,
        "seconds": round(wall, 2),
        "requests": report["requests"],
        "requests_per_second": round(report["requests"] / wall, 1),
        "failed": [r["id"] for r in report["rules"] if r["status"] == "failed"],
        "not_run": [r["id"] for r in report["rules"] if r["status"] == "not_run"],
    }


def run_schemathesis(workdir: Path, env: dict[str, str], seed: int, profile: str) -> dict[str, Any]:
    """Plain ``schemathesis run --checks all`` with the same budget against a served mock."""
    config = workdir / f"schemathesis-{time.monotonic_ns()}.toml"
    config.write_text(f'[parameters]\nremote_session_id = "{env["PREVAIL_SESSION_ID"]}"\n')
    command = [
        SCHEMATHESIS,
        "--config-file",
        str(config),
        "--no-color",
        "run",
        str(spec_path()),
        "--url",
        env["PREVAIL_BASE_URL"],
        "-H",
        f"Authorization: Bearer {env['PREVAIL_TOKEN']}",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing",
        "-n",
        str(EXAMPLES[profile]),
        # the suite's own generation settings (contract_tests/test_schemathesis.py)
        "--generation-allow-x00",
        "false",
        "--generation-codec",
        "utf-8",
        "--seed",
        str(seed),
    ]
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, env=_clean_env(), check=False
    )
    wall = time.perf_counter() - started
    kinds = sorted(set(re.findall(r"❌ (ST\d+ [^:\n]+): \d+", done.stdout)))
    match = re.search(r"(\d+) generated", done.stdout)
    cases = int(match.group(1)) if match else 0
    return {
        "exit": done.returncode,
        "seconds": round(wall, 2),
        "cases": cases,
        "cases_per_second": round(cases / wall, 1),
        "found_something": done.returncode != 0,
        "failure_kinds": kinds,
    }


def first_failure_times(seed: int, profile: str, bug: str) -> dict[str, Any]:
    """Run the suite in-process on the embedded mock with ``bug``; when was the rule first hit."""
    from prevail_contract.check.cli import run_suite
    from prevail_contract.runtime.config import TargetConfig

    started = time.perf_counter()
    with open(os.devnull, "w") as sink, redirect_stdout(sink):
        recorder, _ = run_suite(TargetConfig(mock_bugs=(bug,)), profile=profile, seed=seed)
    wall = time.perf_counter() - started
    record = recorder.records.get(bug)
    first = record.first_failure_after if record is not None else None
    return {
        "found": first is not None,
        "first_failure_s": None if first is None else round(first, 2),
        "run_seconds": round(wall, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", choices=["fast", "thorough"], default="fast")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--skip-bugs", action="store_true")
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {"seed": args.seed, "profile": args.profile}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        figures["check_in_process"] = run_check(work, "embedded", args.seed, args.profile)
        print("check, embedded mock in-process:", figures["check_in_process"], flush=True)
        with served_mock(work) as env:
            figures["check_loopback"] = run_check(work, "loopback", args.seed, args.profile, env)
        print("check, mock over loopback HTTP:", figures["check_loopback"], flush=True)
        with served_mock(work) as env:
            figures["schemathesis_loopback"] = run_schemathesis(work, env, args.seed, args.profile)
        print(
            "schemathesis run --checks all, loopback:", figures["schemathesis_loopback"], flush=True
        )
        if not args.skip_bugs:
            baseline = set(figures["schemathesis_loopback"]["failure_kinds"])
            bugs: dict[str, Any] = {}
            for bug in PLANTABLE_BUGS:
                ours = first_failure_times(args.seed, args.profile, bug)
                with served_mock(work, (bug,)) as env:
                    theirs = run_schemathesis(work, env, args.seed, args.profile)
                new = sorted(set(theirs["failure_kinds"]) - baseline)
                bugs[bug] = {
                    "check": ours,
                    "schemathesis_new_failure_kinds": new,
                    "schemathesis_seconds": theirs["seconds"],
                }
                print(
                    f"bug {bug}: check {ours}; schemathesis, failure kinds beyond the correct "
                    f"mock's: {new or 'none'} in {theirs['seconds']}s",
                    flush=True,
                )
            figures["planted_bugs"] = bugs
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
