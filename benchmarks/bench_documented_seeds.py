"""Proof run: the contract suite against the mock's documented-only reading, seed after seed.

A server that keeps every documented rule but reads every assumed detail otherwise (the mock's
``--contract documented``) must pass a plain run (exit 0, no documented rule failed or left
not_run) on every seed, and a ``--strict`` run may fail only assumed rules. Each seed is one
embedded ``prevail-contract check --mock-contract documented`` subprocess; the script prints one
line per seed and a summary, and exits 1 if any seed broke the proof.

Run: ``.venv/bin/python benchmarks/bench_documented_seeds.py [--seeds 50] [--first 1]
[--workers 1] [--json OUT]`` (about 30 s a seed on a busy 2-core machine).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from prevail_contract.spec.paths import REPO_ROOT

PYTHON = sys.executable


@dataclass
class SeedResult:
    """What one seed's run showed."""

    seed: int
    returncode: int
    seconds: float
    failed_documented: list[str] = field(default_factory=list)
    not_run_documented: list[str] = field(default_factory=list)
    failed_assumed: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def holds(self) -> bool:
        """Exit 0, and no documented rule failed or went unchecked."""
        return (
            self.returncode == 0
            and not self.failed_documented
            and not self.not_run_documented
            and not self.error
        )


def _command(seed: int, report_dir: Path) -> list[str]:
    return [
        PYTHON,
        "-m",
        "prevail_contract",
        "check",
        "--mock-contract",
        "documented",
        "--seed",
        str(seed),
        "--report-dir",
        str(report_dir),
    ]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PREVAIL_")}


def _result(seed: int, returncode: int, seconds: float, report_dir: Path) -> SeedResult:
    result = SeedResult(seed, returncode, round(seconds, 1))
    try:
        report: dict[str, Any] = json.loads((report_dir / "conformance.json").read_text())
    except (OSError, ValueError) as exc:
        result.error = f"no readable conformance.json ({exc})"
        return result
    for rule in report["rules"]:
        documented = rule["source"] == "documented"
        if rule["status"] == "failed":
            (result.failed_documented if documented else result.failed_assumed).append(rule["id"])
        elif rule["status"] == "not_run" and documented:
            result.not_run_documented.append(rule["id"])
    return result


def _line(result: SeedResult) -> str:
    parts = [
        f"{'ok  ' if result.holds else 'FAIL'} seed {result.seed:>5}: exit {result.returncode}, "
        f"{result.seconds:5.1f} s, assumed failed: {', '.join(result.failed_assumed) or '-'}"
    ]
    if result.failed_documented:
        parts.append(f"DOCUMENTED failed: {', '.join(result.failed_documented)}")
    if result.not_run_documented:
        parts.append(f"documented not run: {', '.join(result.not_run_documented)}")
    if result.error:
        parts.append(result.error)
    return "; ".join(parts)


def run_seeds(seeds: list[int], workers: int, base: Path) -> list[SeedResult]:
    """Run every seed, ``workers`` at a time, and read each report."""
    pending = list(seeds)
    running: dict[int, tuple[subprocess.Popen[bytes], float]] = {}
    results: list[SeedResult] = []
    while pending or running:
        while pending and len(running) < workers:
            seed = pending.pop(0)
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                _command(seed, base / f"seed-{seed}"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=REPO_ROOT,
                env=_env(),
            )
            running[seed] = (process, time.monotonic())
        for seed, (process, started) in list(running.items()):
            code = process.poll()
            if code is None:
                continue
            del running[seed]
            result = _result(seed, code, time.monotonic() - started, base / f"seed-{seed}")
            results.append(result)
            print(_line(result), flush=True)
        time.sleep(0.2)
    return sorted(results, key=lambda r: r.seed)


def main(argv: list[str] | None = None) -> int:
    """Run the proof and print its summary; exit 1 when a seed broke it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50, help="how many seeds (default 50)")
    parser.add_argument("--first", type=int, default=1, help="the first seed (default 1)")
    parser.add_argument("--workers", type=int, default=1, help="runs at a time (default 1)")
    parser.add_argument("--json", type=Path, help="write every seed's result there as JSON")
    parser.add_argument("--keep", type=Path, help="keep the reports in this directory")
    args = parser.parse_args(argv)
    seeds = list(range(args.first, args.first + args.seeds))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="documented-seeds-") as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        results = run_seeds(seeds, max(1, args.workers), base)
    broken = [r for r in results if not r.holds]
    assumed = sorted({rule for r in results for rule in r.failed_assumed})
    print(
        f"\n{len(results)} seeds in {time.monotonic() - started:.0f} s: "
        f"{len(results) - len(broken)} held (exit 0, every documented rule passed), "
        f"{len(broken)} broke the proof; exit codes {sorted({r.returncode for r in results})}"
    )
    print(f"assumed rules that failed on some seed (what --strict fails on): {', '.join(assumed)}")
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
