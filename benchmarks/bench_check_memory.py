"""Peak memory of ``prevail-contract check`` against a hostile list: ~0.9 MB pages, 10^9 pages.

Run: ``.venv/bin/python benchmarks/bench_check_memory.py [--deadline 40] [--kit-src DIR]``.
The target is ``tests/plugins/hostile.py``'s ``endless_list`` served on 127.0.0.1; the check
runs in a subprocess whose peak resident memory ``os.wait4`` reports. ``--kit-src`` runs another
checkout's kit (e.g. an ``git archive`` of main, to compare before and after), with its suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.plugins.hostile import ENDLESS_PAGE, endless_list, serve_hostile  # noqa: E402


def measure(deadline: float, kit_src: Path | None) -> dict[str, object]:
    """One check run against the endless list: peak RSS, seconds, pages served, evidence."""
    with tempfile.TemporaryDirectory() as workdir, serve_hostile(endless_list) as target:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREVAIL_")}
        env.update(target.env())
        cwd = REPO_ROOT
        if kit_src is not None:
            env["PYTHONPATH"] = str(kit_src / "src")
            cwd = kit_src
        command = [sys.executable, "-m", "prevail_contract", "check", "--seed", "20261124"]
        command += ["--deadline", str(deadline), "--report-dir", workdir]
        started = time.monotonic()
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
        pages = sum(1 for r in target.received if r.method == "GET")
        report_path = Path(workdir) / "conformance.json"
        report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return {
        "exit_code": os.waitstatus_to_exitcode(status),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
        "seconds": round(seconds, 1),
        "pages_served": pages,
        "page_bytes": len(ENDLESS_PAGE),
        "evidence": (report.get("run") or {}).get("evidence"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--deadline", type=float, default=40.0)
    parser.add_argument("--kit-src", type=Path, help="checkout whose kit to run (default: this)")
    args = parser.parse_args()
    print(json.dumps(measure(args.deadline, args.kit_src), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
