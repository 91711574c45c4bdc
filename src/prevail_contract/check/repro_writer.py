"""Write the repro scripts: each case built by :mod:`prevail_contract.runtime.repro` as a script.

A script is the runner of :mod:`~prevail_contract.runtime.repro_script` with the case in front,
written to ``DIR/repro/<rule>-<n>.py`` by :func:`write_scripts`.
"""

from __future__ import annotations

import pprint
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from prevail_contract.runtime import repro_script
from prevail_contract.runtime.safety import Masker

#: A script larger than this is not written (the case is listed without it).
MAX_SCRIPT_BYTES = 4 * 1024 * 1024
_CASE_LINE = "CASE: dict[str, Any] = {}  # each script replaces this line with its case"


def script_text(case: Mapping[str, Any], masker: Masker) -> str:
    """The whole script of ``case`` (its runner is :mod:`repro_script`'s source)."""
    runner = Path(repro_script.__file__).read_text(encoding="utf-8")
    literal = pprint.pformat(dict(case), width=100, sort_dicts=False)
    if _CASE_LINE not in runner:
        raise RuntimeError("repro_script.py lost its CASE line")
    serve = "prevail-contract mock --port 8000" + "".join(
        f" --bug {bug}" for bug in case.get("bugs") or []
    )
    if case.get("world") is not None:
        how = (
            f"#   {serve} &\n"
            "#   PREVAIL_BASE_URL=http://127.0.0.1:8000/api/v1 python3 THIS_FILE\n"
            "# (with PREVAIL_MOCK_ADMIN_TOKEN set when the mock has an admin token)"
        )
    else:
        how = "#   set -a; . ./your.env; set +a; python3 THIS_FILE   (the PREVAIL_* of the run)"
    head = (
        "#!/usr/bin/env python3\n"
        f"# Repro of {masker(str(case['rule']))}: {masker(str(case['summary']))[:300]!r}\n"
        "# written by `prevail-contract check`; run it as\n"
        f"{how}\n"
        "# Exit 1: the breach reproduced (every answer the failing run's); 0: an answer differs;\n"
        "# 2: it could not run.\n"
    )
    text = runner.replace(_CASE_LINE, f"CASE: dict[str, Any] = {literal}", 1)
    return head + masker.only_known(text)


def write_scripts(
    report_dir: Path, cases: Sequence[tuple[str, int, Mapping[str, Any]]], masker: Masker
) -> dict[tuple[str, int], str]:
    """Write ``DIR/repro/<rule>-<n>.py`` for each (rule, n, case); return their relative paths."""
    written: dict[tuple[str, int], str] = {}
    folder = report_dir / "repro"
    for rule, number, case in cases:
        text = script_text(case, masker)
        if len(text.encode("utf-8")) > MAX_SCRIPT_BYTES:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{rule}-{number}.py"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o755)
        written[(rule, number)] = f"repro/{path.name}"
    return written
