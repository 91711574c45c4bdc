"""The suite runs twice in one process and each run earns its own verdicts (no module surgery).

One child process calls ``run_suite`` twice against the embedded mock: first with a planted bug
that only schemathesis's phase sees (``response-envelope``) and one seed, then against the
correct mock with another seed. The first run must fail exactly that rule, the second pass every
rule: a target, log or schema left over from the first run would carry the bug (or its
findings) into the second. The child keeps the outer pytest's Hypothesis and signal state
untouched.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.plugins.check import run_python

BUG = "response-envelope"
SCRIPT = textwrap.dedent(
    """
    import json, sys
    from prevail_contract.check.cli import run_suite
    from prevail_contract.runtime.config import from_sources
    from prevail_contract.runtime.results import build_results
    from prevail_contract.spec import load_spec

    out = []
    for seed, bugs in ((11, (sys.argv[1],)), (12, ())):
        config = from_sources({"PREVAIL_MOCK_BUGS": ",".join(bugs)})  # as `check` reads it
        recorder, code = run_suite(config, profile="fast", seed=seed)
        results = build_results(load_spec(), recorder.records, recorder.masker)
        out.append({
            "code": code,
            "statuses": {r.id: r.status for r in results},
            "requests": recorder.total_requests,
            "read": recorder.run.facts.get("read"),
        })
    print("RESULT " + json.dumps(out))
    """
)

pytestmark = pytest.mark.timeout(600)


@pytest.mark.slow
def test_two_runs_in_one_process_each_get_their_own_verdicts() -> None:
    done = run_python("-c", SCRIPT, BUG, timeout=540)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    shown = done.stdout[-3000:] + done.stderr[-3000:]
    assert done.returncode == 0, shown
    assert lines, shown
    first, second = json.loads(lines[-1].removeprefix("RESULT "))
    failed = {rule for rule, status in first["statuses"].items() if status == "failed"}
    assert failed == {BUG}, first["statuses"]
    assert first["code"] == pytest.ExitCode.TESTS_FAILED
    assert set(second["statuses"].values()) == {"passed"}, second["statuses"]
    assert second["code"] == pytest.ExitCode.OK
    # each run sent its own requests and found its own facts (nothing carried over)
    assert first["requests"] > 1000
    assert second["requests"] > 1000
    assert first["read"] == second["read"] == "GET /sessions"
