"""Benchmark: wall time of ``prevail-contract diff`` on this repository's spec.

Runs the installed command as a separate process (as CI does) in five shapes, each
``--repeat`` times, and prints the median and the slowest run:

- the spec against itself as a file, without and with the client API diff (two client
  generations);
- the working spec against the merge base with ``main`` (a ``git show``), without and with
  the client API diff;
- a heavily edited copy (two dozen edits) against the spec, without the client diff, to
  show the walk does not grow with the number of changes.

    .venv/bin/python benchmarks/bench_diff.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "openapi" / "openapi.yaml"
COMMAND = Path(sys.executable).parent / "prevail-contract"


def edited_copy(target: Path) -> Path:
    """The spec with many edits spread over requests, responses and parameters."""
    doc = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    head = copy.deepcopy(doc)
    schemas = head["components"]["schemas"]
    for index in range(10):
        schemas["Session"]["properties"][f"extra_{index}"] = {"type": "string"}
        schemas["RemoteSessionEdit"]["properties"][f"extra_{index}"] = {"type": "integer"}
    schemas["RemoteSessionEdit"]["properties"]["title"]["maxLength"] = 100
    schemas["TimeZoneName"]["enum"] = schemas["TimeZoneName"]["enum"][:-3]
    schemas["Error"]["properties"]["messages"]["maxLength"] = 4000
    target.write_text(yaml.safe_dump(head, sort_keys=False), encoding="utf-8")
    return target


def timed(args: list[str], repeat: int) -> tuple[float, float, int]:
    """(median seconds, slowest seconds, exit code of the last run)."""
    times: list[float] = []
    code = 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = subprocess.run(  # noqa: S603 - fixed argv
            [str(COMMAND), "diff", *args], cwd=REPO, capture_output=True, text=True, check=False
        )
        times.append(time.perf_counter() - start)
        code = result.returncode
        if code == 2:
            raise SystemExit(f"diff {' '.join(args)} failed:\n{result.stderr}")
    return statistics.median(times), max(times), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        edited = edited_copy(Path(tmp) / "edited.yaml")
        shapes = [
            ("spec vs itself, --no-client-diff", ["--base-spec", str(SPEC), "--no-client-diff"]),
            ("spec vs itself, with client diff", ["--base-spec", str(SPEC), "--client-diff"]),
            ("working tree vs merge base, --no-client-diff", ["--no-client-diff"]),
            ("working tree vs merge base, with client diff", ["--client-diff"]),
            (
                "two dozen edits vs spec, --no-client-diff",
                ["--spec", str(edited), "--base-spec", str(SPEC), "--no-client-diff"],
            ),
        ]
        print(f"prevail-contract diff on {SPEC.relative_to(REPO)}, {args.repeat} runs each")
        for label, shape in shapes:
            median, slowest, code = timed(shape, args.repeat)
            print(f"  {label:<48} median {median:6.2f} s   max {slowest:6.2f} s   exit {code}")


if __name__ == "__main__":
    main()
