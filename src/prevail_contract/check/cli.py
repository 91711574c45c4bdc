"""``prevail-contract check``: run the contract suite against a target and report per rule.

The suite (``contract_tests/``) runs in-process under pytest with the target passed through the
``PREVAIL_*`` variables; a :class:`~prevail_contract.runtime.recorder.RuleRecorder` collects the
per-rule outcomes, from which the terminal table, ``conformance.json`` and ``junit.xml`` are built.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from prevail_contract.check import selection
from prevail_contract.check.baseline import load_baseline
from prevail_contract.check.outcome import EXIT_CODES, finish
from prevail_contract.check.preflight import preflight
from prevail_contract.check.progress import RunProgress
from prevail_contract.check.report import verification_stamp
from prevail_contract.check.sandbox import sandbox_environment, secrets_of
from prevail_contract.check.selection import Selection, SelectionPlugin, selection_from
from prevail_contract.errors import ConfigError, SpecError, ToolError
from prevail_contract.runtime import bounds
from prevail_contract.runtime.config import (
    ENV_VARS,
    MOCK_BUGS_VAR,
    MOCK_CONTRACT_VAR,
    PROFILE_VAR,
    PROFILES,
    SEED_VAR,
    VARIABLES,
    TargetConfig,
    api_base,
    from_sources,
    read_env_file,
)
from prevail_contract.runtime.recorder import RuleRecorder
from prevail_contract.runtime.results import build_results
from prevail_contract.runtime.safety import Masker, printable
from prevail_contract.spec import Spec, load_spec
from prevail_contract.spec.examples import check_examples
from prevail_contract.spec.paths import SPEC_VAR, SUITE_DIR, SUITE_ROOT, spec_path
from prevail_contract.spec.violation_rules import check_request_annotations


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the ``check`` flags (the exit policy is the help's epilog)."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EXIT_CODES
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
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="known failures and accepted not_run rules: a previous conformance.json, or a "
        "reviewed YAML/JSON file 'known: [{rule, reason, expires?, status?}]'; they become "
        "warnings, anything new fails the run",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="ask the mock served at --base-url for a fresh sandbox and check that "
        "(parallel runs never share state)",
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        metavar="FILE",
        help="read PREVAIL_* variables from FILE (KEY=value lines, as `prevail-contract mock "
        "--env-file` writes); they win over the environment, flags win over both",
    )
    parser.add_argument(
        "--spec",
        type=Path,
        metavar="FILE",
        help="spec to check against (default: $PREVAIL_SPEC, else the kit's own openapi.yaml)",
    )
    group = parser.add_argument_group("target fixtures (override the PREVAIL_* variables)")
    for row in VARIABLES:  # the spec's x-fixture-variables table
        group.add_argument(
            row.flag,
            type=int if row.kind == "count" else str,
            metavar="N" if row.kind == "count" else row.kind.upper().replace("-", "_"),
            help=f"{row.meaning.replace('`', '').replace('**', '')} (default: ${row.name})",
        )
    selection.add_flags(parser)
    bounds.add_flags(parser)
    parser.add_argument("--mock-bug", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--mock-contract", default=None, help=argparse.SUPPRESS)


def describe_target(config: TargetConfig, masker: Masker) -> str:
    """How the reports name the target."""
    if config.embedded:
        bugs = f" with planted bugs {','.join(config.mock_bugs)}" if config.mock_bugs else ""
        reading = (
            f", {config.mock_contract}-only reading of the contract"
            if config.mock_contract != "full"
            else ""
        )
        return f"embedded mock (in-process{reading}){bugs}"
    return masker(str(config.base_url))


@contextlib.contextmanager
def suite_environment(values: dict[str, str]) -> Iterator[None]:
    """Set exactly ``values`` among the suite's variables for the duration of a run."""
    names = [
        *ENV_VARS.values(),
        *bounds.BOUNDS_VARS,
        MOCK_BUGS_VAR,
        MOCK_CONTRACT_VAR,
        PROFILE_VAR,
        SEED_VAR,
        SPEC_VAR,
    ]
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
    progress: RunProgress | None = None,
    masker: Masker | None = None,
    chosen: Selection | None = None,
) -> tuple[RuleRecorder, int]:
    """Run ``contract_tests`` in-process; return the recorder and pytest's exit code.

    Everything a run writes lives in objects made for it (the recorder with its exchange log,
    notes and facts; the target, built by a session fixture; the run bounds, restarted), so the
    suite can run again in the same process, against another spec too: its modules read the spec
    of the run (``$PREVAIL_SPEC``) when they run, never when imported.

    With ``progress``, pytest's own terminal output is replaced by that display. ``masker``
    masks every secret the run holds (default: the target's); with ``chosen``, the tests of no
    selected rule are deselected.
    """
    recorder = RuleRecorder(masker or Masker(config.secrets), quiet=True)
    plugins: list[object] = [recorder]
    if chosen is not None:
        plugins.append(SelectionPlugin(chosen))
    if progress is not None:
        progress.bind(lambda: recorder.total_requests + len(recorder.run.log))
        plugins.append(progress)
    env = {**config.to_env(), PROFILE_VAR: profile, SEED_VAR: str(seed), **(extra_env or {})}
    # With a progress display, pytest's terminal plugin (and its flags) are switched off.
    output = (
        ["-p", "no:terminal", "-o", "addopts="]
        if progress is not None
        else ["-q", "--no-header", "--tb=no"]
    )
    args = [
        str(SUITE_DIR),
        *output,
        "-p",
        "no:cacheprovider",
        "-p",
        "no:warnings",
        # its end-of-run garbage collection (five full passes over the run's heap) cost about
        # 0.3 s a run, to report exceptions raised in finalizers, which are never a verdict
        "-p",
        "no:unraisableexception",
        # the suite reports findings, not assertion diffs; rewriting its modules (and every
        # schemathesis module, a pytest plugin's package) cost seconds at each start
        "--assert=plain",
        f"--hypothesis-seed={seed}",
        "--rootdir",
        str(SUITE_ROOT),
        *(pytest_args or []),
    ]
    if str(SUITE_ROOT) not in sys.path:  # `contract_tests` must import from where it ships
        sys.path.insert(0, str(SUITE_ROOT))
    with suite_environment(env), _interrupts() as interrupted:
        code = pytest.main(args, plugins=plugins)
    if interrupted.is_set():  # a library on the way may have swallowed the KeyboardInterrupt
        code = pytest.ExitCode.INTERRUPTED
    elif code == pytest.ExitCode.INTERRUPTED:  # pytest's word for "errors during collection"
        code = pytest.ExitCode.INTERNAL_ERROR
    return recorder, int(code)


@contextlib.contextmanager
def _interrupts() -> Iterator[threading.Event]:
    """Note a Ctrl-C and stop the run's sending, then raise ``KeyboardInterrupt`` as usual.

    Stopping the bounds first means the run ends promptly and is reported as interrupted even
    where a test library catches the ``KeyboardInterrupt`` itself.
    """
    seen = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield seen
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        seen.set()
        bounds.RUN.stop("not checked: the run was interrupted (Ctrl-C)")
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGINT, previous)


def _report_dir_writable(report_dir: Path) -> None:
    """Fail before the run, not after it, when ``--report-dir`` cannot be written."""
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=report_dir, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise ConfigError(
            f"--report-dir {report_dir} is not writable: {exc.strerror or exc}"
        ) from None


def _source_env(args: argparse.Namespace) -> dict[str, str]:
    """The environment the run reads: the process's, with ``--env-file`` on top."""
    env = dict(os.environ)
    if args.env_file is not None:
        env.update(read_env_file(args.env_file))
    if args.spec is not None:
        env[SPEC_VAR] = str(args.spec)
    return env


def _check_bugs(config: TargetConfig) -> None:
    """An unknown planted bug or reading of the contract is a configuration error of this run,
    found before it starts."""
    if config.mock_bugs or config.mock_contract != "full":
        from prevail_contract.mock import create_app

        create_app(bugs=config.mock_bugs, contract=config.mock_contract)


def _examples_fit(spec: Spec, spec_file: Path) -> None:
    """Refuse a spec whose named examples break its own schemas: the suite sends them as the
    contract's cases, so a stale one would be blamed on a correct server."""
    problems = check_examples(spec)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SpecError(
            f"{spec_file}: {problems[0]}{more}; the suite sends the spec's examples, so fix them "
            "first (`prevail-contract lint` lists every problem)"
        )


def run(args: argparse.Namespace) -> int:
    """Run the check and return the process exit code (README, "Exit codes")."""
    env = _source_env(args)
    spec_file = Path(env[SPEC_VAR]) if env.get(SPEC_VAR) else spec_path()
    spec = load_spec(spec_file)
    check_request_annotations(spec)  # a schema keyword without its rule: exit 2 before any work
    _examples_fit(spec, spec_file)
    catalogue = [rule.id for rule in spec.rules]
    chosen = selection_from(args.only, args.exclude, catalogue)
    baseline = load_baseline(args.baseline, catalogue) if args.baseline is not None else None
    limits = bounds.limits_from(env, args.profile, bounds.flag_values(args))
    if args.report_dir is not None:  # made only once every flag is known to be usable
        _report_dir_writable(args.report_dir)
    masker = Masker(secrets_of(env))
    if args.sandbox:
        base_url = args.base_url or env.get(ENV_VARS["base_url"])
        sandbox_id, sandbox_env = sandbox_environment(base_url, spec, limits, masker)
        print(f"prevail-contract check: sandbox {sandbox_id}", flush=True)
        env.update(sandbox_env)
    config = from_sources(env, args)
    masker.add(*config.secrets)
    _check_bugs(config)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    limits = bounds.resolved(limits, embedded=config.embedded)
    extra: dict[str, str] = {SPEC_VAR: str(spec_file), **limits.to_env()}
    target = describe_target(config, masker)
    preflight_requests = 0
    if not config.embedded:
        assert config.base_url is not None
        preflight_requests = preflight(config, api_base(config.base_url, spec), masker)
        print(
            f"preflight: {masker(config.base_url)} answers as the API; token and Session id "
            "accepted",
            flush=True,
        )
    print(
        f"prevail-contract check: {target}, profile {args.profile}, seed {seed}, "
        f"concurrency {limits.concurrency}",
        flush=True,
    )
    progress = RunProgress(sys.stdout, live=True)
    try:
        recorder, code = run_suite(
            config,
            profile=args.profile,
            seed=seed,
            extra_env=extra,
            progress=progress,
            masker=masker,
            chosen=chosen,
        )
    finally:
        progress.close()
    interrupted = code == pytest.ExitCode.INTERRUPTED
    for error in progress.collection_errors:
        print(f"suite error: {printable(masker(error), keep_newlines=True)}", file=sys.stderr)
    if code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        shown = "; see the suite errors above" if progress.collection_errors else ""
        raise ToolError(f"the contract suite could not start (pytest exit code {code}){shown}")
    results = build_results(spec, recorder.records, recorder.masker, recorder.variables)
    for error in recorder.errors:
        print(f"suite error: {printable(error, keep_newlines=True)}", file=sys.stderr)
    facts = recorder.run.facts
    status = finish(
        results,
        strict=args.strict,
        selection=chosen,
        baseline=baseline,
        interrupted=interrupted,
        masker=recorder.masker,
        seed=seed,
        report_dir=args.report_dir,
        report={
            "target": target,
            "seed": seed,
            "profile": args.profile,
            "requests": max(recorder.total_requests, bounds.RUN.requests) + preflight_requests,
            "stamp": verification_stamp(spec),
            "read": facts.get("read"),
            "run": {
                **bounds.run_summary(interrupted=interrupted, masker=recorder.masker),
                "evidence": recorder.evidence,
            },
        },
    )
    if config.embedded and any(r.status == "failed" for r in results):
        bugs = "".join(f" --bug {bug}" for bug in config.mock_bugs)
        where = (
            f"run a script of {args.report_dir / 'repro'} (it rebuilds the run's Sessions first)"
            if args.report_dir is not None
            else "run it with --report-dir DIR for a repro script per failure, which rebuilds "
            "the run's Sessions first (a curl line alone runs on the mock's fresh state)"
        )
        print(
            f"\nto reproduce: `prevail-contract mock --port 8000{bugs} &`, then "
            f"`PREVAIL_BASE_URL=http://127.0.0.1:8000/api/v1`: {where}"
        )
    return status
