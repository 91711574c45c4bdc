"""Reproduce commands and repro scripts, on hand-made exchanges: never cut, never a secret,
forged tokens made again, and a script that replays against a served mock.

The bug matrix (``tests/test_check_bugs.py``) runs the scripts of every planted bug; these are
the fast checks of the parts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import jwt

from prevail_contract.check.repro_writer import script_text, write_scripts
from prevail_contract.runtime import tokens
from prevail_contract.runtime.exchange import Exchange, shell_quote
from prevail_contract.runtime.repro import (
    ReproContext,
    Writes,
    build_case,
)
from prevail_contract.runtime.results import RuleResult, render_table
from prevail_contract.runtime.safety import Masker
from tests.plugins.check import serve_mock

KEY = "repro-test-key-0123456789abcdef0123456789"
TOKEN = "configured-token-0123456789abcdef"
BASE = "http://target.test/api/v1"


def _exchange(headers: dict[str, str], url: str = f"{BASE}/sessions/s1", seq: int = 0) -> Exchange:
    ex = Exchange(
        "PATCH",
        url,
        {"Content-Type": "application/json", **headers},
        b'{"remote_session": {"title": "x"}}',
        401,
        {"content-type": "application/json"},
        b'{"code": "unauthorized"}',
        sent_at=time.time(),
    )
    ex.seq = seq
    return ex


def _context() -> ReproContext:
    return ReproContext(
        BASE, "/api/v1", {TOKEN: "PREVAIL_TOKEN", KEY: "PREVAIL_API_KEY"}, KEY, "acme"
    )


def test_the_terminal_shows_a_long_reproduce_command_whole() -> None:
    command = "curl -sS -i -X PATCH --data-binary '" + "x" * 5000 + "' http://t/api/v1/sessions/s"
    failure = {"summary": "broke", "reproduce": command, "repro": "repro/field-limits-1.py"}
    result = RuleResult("field-limits", "assumed", "failed", 1, 1, 0, [failure], 1)
    table = render_table([result])
    assert command in table
    assert "repro script: repro/field-limits-1.py" in table


def test_a_body_with_control_characters_prints_safely_and_still_sends_it() -> None:
    body = "title \x1b[2K0 failed\r\n\u202e"
    quoted = shell_quote(body)
    assert quoted.isprintable()
    sent = subprocess.run(  # noqa: S603 - bash reading back what the quoting says
        ["bash", "-c", f"printf %s {quoted}"],  # noqa: S607
        capture_output=True,
        check=True,
    )
    assert sent.stdout.decode("utf-8") == body
    ex = _exchange({})
    ex.body = body.encode()
    assert ex.curl(Masker()).isprintable()


def test_tokens_become_variables_or_recipes_and_no_secret_reaches_the_script() -> None:
    forged = {
        "expired": tokens.expired("acme", KEY),
        "other org": tokens.signed_for_other("globex", KEY),
        "wrong signature": tokens.wrong_signature({"slug": "acme"}),
        "alg none": tokens.unsigned({"slug": "acme"}),
    }
    steps = [_exchange({"Authorization": f"Bearer {TOKEN}"}, seq=0)]
    steps += [
        _exchange({"Authorization": f"Bearer {t}"}, seq=n + 1)
        for n, t in enumerate(forged.values())
    ]
    steps.append(_exchange({}, url=f"{BASE}/sessions/s1?jwt_payload={TOKEN}", seq=9))
    case = build_case("auth-required", "accepted", steps[-1], steps, _context())
    recipes = case["tokens"]
    assert {"var": "PREVAIL_TOKEN"} in recipes
    by_claims = {r["claims"].get("slug"): r for r in recipes if "claims" in r}
    assert by_claims["globex"]["key"] == "api_key"  # another Organization's slug, our key
    expired = next(r for r in recipes if r.get("exp_in") is not None and r["exp_in"] < 0)
    assert expired["key"] == "api_key"
    assert -3700 < expired["exp_in"] < -3500  # an hour before the sending, kept as a distance
    assert any(r.get("key") == "random" for r in recipes)
    assert any(r.get("header", {}).get("alg") == "none" for r in recipes)
    assert "⟪token:0⟫" in case["steps"][-1]["url"]
    text = script_text(case, Masker([TOKEN, KEY]))
    for secret in (TOKEN, KEY, *forged.values()):
        assert secret not in text


def test_a_script_replays_with_made_tokens_against_a_served_mock(tmp_path: Path) -> None:
    """A live-target case (no setup): the edit with an expired token signed with the key is
    made again and refused by a correct mock exactly as in the 'failing' run."""
    with serve_mock() as served:
        env = served.env
        api_key, company = env["PREVAIL_API_KEY"], env["PREVAIL_COMPANY_ID"]
        base = env["PREVAIL_BASE_URL"]
        expired = tokens.expired(company, api_key)
        sid = env["PREVAIL_SESSION_ID"]
        ex = _exchange({"Authorization": f"Bearer {expired}"}, url=f"{base}/sessions/{sid}")
        assert jwt.get_unverified_header(expired)["alg"] == "HS256"
        context = ReproContext(base, "/api/v1", {api_key: "PREVAIL_API_KEY"}, api_key, company)
        case = build_case("auth-required", "an expired token", ex, [ex], context)
        case["steps"][0]["answer"].pop("body")  # compared on status and media type
        case["steps"][0]["answer"]["body"] = None
        written = write_scripts(tmp_path, [("auth-required", 1, case)], Masker([api_key]))
        script = tmp_path / written[("auth-required", 1)]
        done = subprocess.run(  # noqa: S603 - the script just written, our interpreter
            [sys.executable, "-I", "-S", str(script)],
            capture_output=True,
            text=True,
            env={"PATH": os.environ.get("PATH", ""), **env},
            timeout=60,
            check=False,
        )
    assert done.returncode == 1, done.stdout + done.stderr  # 401 again: as in the run
    assert "BREACH REPRODUCED" in done.stdout
    assert api_key not in script.read_text()


def test_writes_in_flight_together_end_the_replayable_prefix() -> None:
    # the order a target applied two writes sent together is unknown: a case after them does
    # not replay the prefix (it starts from a sandbox holding the Sessions of the run)
    first, second, together, after = (_exchange({}, seq=n) for n in range(4))
    first.sent_at, first.elapsed = 100.0, 0.5
    second.sent_at, second.elapsed = 101.0, 0.5  # one after the other
    together.sent_at, together.elapsed = 101.2, 0.5  # sent before the second's answer
    after.sent_at, after.elapsed = 103.0, 0.1
    writes = Writes([])
    for write in (first, second, together, after):
        writes.add(write)
    assert writes.before(3) is None
    assert writes.before(2) == [first, second]
    assert writes.overflow_at == 2
