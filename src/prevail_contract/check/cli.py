"""``prevail-contract check``: run the contract suite against a target and report per rule.

The suite (``contract_tests/``) runs in-process under pytest with the target passed through the
``PREVAIL_*`` variables; a :class:`~prevail_contract.check.recorder.RuleRecorder` collects the
per-rule outcomes, from which the terminal table, ``conformance.json`` and ``junit.xml`` are built.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from prevail_contract.check.config import (
    ENV_VARS,
    MOCK_BUGS_VAR,
    PROFILE_VAR,
    PROFILES,
    SEED_VAR,
    TargetConfig,
    from_sources,
)
from prevail_contract.check.exchange import FACTS
from prevail_contract.check.recorder import RuleRecorder
from prevail_contract.check.report import RuleResult, build_results, render_table, write_reports
from prevail_contract.check.safety import Masker
from prevail_contract.errors import ConfigError, ToolError
from prevail_contract.paths import REPO_ROOT
from prevail_contract.spec import load_spec

SUITE_DIR = REPO_ROOT / "contract_tests"
NO_SELF_SERVICE_SESSION_VAR = "PREVAIL_NO_SELF_SERVICE_SESSION_ID"


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the ``check`` flags."""
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="API base URL of a live target, e.g. "
        "https://staging.example.test/api/v1 (default: $PREVAIL_BASE_URL; "
        "neither: the embedded mock)",
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        metavar="DIR",
        help="write conformance.json and junit.xml into this directory",
    )
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="fast",
        help="fast (CI, default) or thorough (more examples, shrinking)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="seed for every generator (default: random, printed so that the run can be repeated)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when an assumed rule fails too"
    )
    group = parser.add_argument_group("target fixtures (override the PREVAIL_* variables)")
    group.add_argument("--session-id", help="editable session the run may edit")
    group.add_argument("--token", help="valid token of the session's Organization")
    group.add_argument("--company-id", help="Company ID (JWT slug), to mint tokens with --api-key")
    group.add_argument("--api-key", help="the Organization's API key (HS256 signing key)")
    group.add_argument(
        "--locked-session-id", help="session of the same Organization that is not scheduled/ready"
    )
    group.add_argument("--foreign-session-id", help="session of another Organization")
    group.add_argument(
        "--no-self-service-token", help="token of an Organization without Self-Service"
    )
    group.add_argument(
        "--no-self-service-session-id",
        help="editable session of that "
        "Organization (makes the Self-Service probe a one-fault request)",
    )
    group.add_argument(
        "--max-invites",
        type=int,
        help="cap on invite addresses sent per run (default 200 on a live target)",
    )
    parser.add_argument("--mock-bug", action="append", default=[], help=argparse.SUPPRESS)


def describe_target(config: TargetConfig, masker: Masker) -> str:
    """How the reports name the target."""
    if config.embedded:
        bugs = f" with planted bugs {','.join(config.mock_bugs)}" if config.mock_bugs else ""
        return f"embedded mock (in-process){bugs}"
    return masker(str(config.base_url))


def preflight(config: TargetConfig) -> None:
    """Fail with exit code 2 when a live target cannot be reached at all."""
    if config.embedded:
        return
    url = f"{config.base_url}/sessions/{config.session_id}"
    try:
        httpx.get(url, timeout=10.0, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise ConfigError(
            f"cannot reach the target {config.base_url} ({type(exc).__name__}: {exc}); check "
            "--base-url / PREVAIL_BASE_URL and that the server is up"
        ) from None


@contextlib.contextmanager
def suite_environment(values: dict[str, str]) -> Iterator[None]:
    """Set exactly ``values`` among the suite's variables for the duration of a run."""
    names = [*ENV_VARS.values(), MOCK_BUGS_VAR, PROFILE_VAR, SEED_VAR, NO_SELF_SERVICE_SESSION_VAR]
    saved = {name: os.environ.get(name) for name in names}
    try:
        for name in names:
            os.environ.pop(name, None)
        os.environ.update(values)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_suite(
    config: TargetConfig,
    *,
    profile: str,
    seed: int,
    extra_env: dict[str, str] | None = None,
    pytest_args: list[str] | None = None,
) -> tuple[RuleRecorder, int]:
    """Run ``contract_tests`` in-process; return the recorder and pytest's exit code."""
    recorder = RuleRecorder(Masker(config.secrets), quiet=True)
    FACTS.clear()
    env = {**config.to_env(), PROFILE_VAR: profile, SEED_VAR: str(seed), **(extra_env or {})}
    # Modules of a previous in-process run hold that run's target: import them afresh.
    for name in [
        m for m in sys.modules if m == "contract_tests" or m.startswith("contract_tests.")
    ]:
        del sys.modules[name]
    args = [
        str(SUITE_DIR),
        "-q",
        "--no-header",
        "--tb=no",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:warnings",
        f"--hypothesis-seed={seed}",
        "--rootdir",
        str(REPO_ROOT),
        *(pytest_args or []),
    ]
    with suite_environment(env):
        code = pytest.main(args, plugins=[recorder])
    return recorder, int(code)


def exit_code(results: list[RuleResult], *, strict: bool) -> int:
    """0 when no documented rule failed (with ``strict``: no rule at all), else 1."""
    failed = [r for r in results if r.status == "failed"]
    if any(r.source == "documented" for r in failed) or (strict and failed):
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    """Run the check and return the process exit code."""
    config = from_sources(os.environ, args)
    masker = Masker(config.secrets)
    preflight(config)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    extra: dict[str, str] = {}
    ns_session = args.no_self_service_session_id or os.environ.get(NO_SELF_SERVICE_SESSION_VAR)
    if ns_session and not config.embedded:
        extra[NO_SELF_SERVICE_SESSION_VAR] = ns_session
    target = describe_target(config, masker)
    print(f"prevail-contract check: {target}, profile {args.profile}, seed {seed}", flush=True)
    recorder, code = run_suite(config, profile=args.profile, seed=seed, extra_env=extra)
    if code in (pytest.ExitCode.INTERRUPTED,):
        raise KeyboardInterrupt
    if code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        raise ToolError(f"the contract suite could not run (pytest exit code {code})")
    results = build_results(load_spec(), recorder.records, recorder.masker)
    print()
    print(render_table(results))
    if "read" in FACTS:
        print(f"Sessions were read with: {FACTS['read']}")
    for error in recorder.errors:
        print(f"suite error: {error}", file=sys.stderr)
    if args.report_dir is not None:
        json_path, junit_path = write_reports(
            args.report_dir,
            results,
            target=target,
            seed=seed,
            profile=args.profile,
            requests=recorder.total_requests,
            read=FACTS.get("read"),
        )
        print(f"\nreports: {json_path} {junit_path}")
    if all(r.status == "not_run" for r in results):
        raise ConfigError("no rule could be checked against the target; see the reasons above")
    status = exit_code(results, strict=args.strict)
    documented = sum(1 for r in results if r.status == "failed" and r.source == "documented")
    assumed = sum(1 for r in results if r.status == "failed" and r.source == "assumed")
    print(
        f"\n{documented} documented and {assumed} assumed rule(s) failed; "
        f"rerun with --seed {seed} to repeat this run"
    )
    return status
