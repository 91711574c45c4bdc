"""``check`` against hostile targets: bounded memory and time, a clear exit, nothing unguarded sent.

Each target is a raw-socket server on loopback (``tests/plugins/hostile.py``); each run uses small
limits through the flags so that it ends in seconds.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from prevail_contract.runtime.safety import invite_addresses, is_reserved_email
from prevail_contract.runtime.session_ids import UNKNOWN_ID_PREFIX
from prevail_contract.spec.paths import REPO_ROOT
from tests.plugins.check import check_command, clean_env, run_check
from tests.plugins.hostile import (
    GIVEN_SESSION,
    LISTED_SESSION,
    PREFLIGHT_BODY,
    HostileTarget,
    Received,
    answer_reads,
    reset,
    respond,
    run_check_measured,
    serve_hostile,
    session_body,
)

#: Every test here runs ``check`` against a hostile target: the slow tier.
pytestmark = pytest.mark.slow

#: Start-up and wind-down of a check run (imports, schema loading, collection, ~70 skipped tests)
#: on a busy 2-core machine; the unbounded runs these tests guard against take many minutes.
STARTUP_SLACK = 60.0
#: Peak resident memory a whole check run stays under (a normal run peaks near 200 MiB; before
#: the response limit, 50 MB answers took it past 7 GB).
MAX_RSS_MIB = 450.0


def _report(report_dir: Path) -> dict[str, Any]:
    return dict(json.loads((report_dir / "conformance.json").read_text()))


def _reasons(report: dict[str, Any]) -> str:
    return " ".join(str(r.get("reason", "")) for r in report["rules"])


def huge(target: HostileTarget, conn: Any, request: Received) -> bool:
    """Every answer after the preflight claims 50 MB and streams them as fast as it is read."""
    if len(target.received) == 1 and answer_reads(target, conn, request):
        return True
    total = 50 * 1024 * 1024
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {total}\r\nContent-Type: application/json\r\n\r\n"
    if request.method == "HEAD":  # no body to cut: a 200 that fails the assumed 405 rule
        respond(conn, 200, b"", method="HEAD")
        return True
    conn.sendall(head.encode())
    chunk = b"[" + b" " * 65535
    for _ in range(total // len(chunk)):
        if target.stopping.is_set():
            return False
        conn.sendall(chunk)
    return True


def test_huge_answers_are_cut_and_memory_stays_bounded(tmp_path: Path) -> None:
    with serve_hostile(huge) as target:
        run = run_check_measured(
            tmp_path,
            "--max-response-bytes",
            "65536",
            "--deadline",
            "60",
            env=target.env(),
            memory=True,
        )
    assert run.returncode == 2, run.stderr[-2000:]
    assert "no rule could be checked" in run.stderr
    report = _report(tmp_path)
    assert report["run"]["responses_cut"] > 0
    # nothing passed: not a green run, although the only failure is of an assumed rule
    assert [r["id"] for r in report["rules"] if r["status"] == "failed"] == ["method-not-allowed"]
    assert not [r for r in report["rules"] if r["status"] == "passed"]
    assert "cut" in _reasons(report)
    assert run.max_rss_mib is not None
    assert run.max_rss_mib < MAX_RSS_MIB, run.max_rss_mib
    assert run.seconds < 60 + STARTUP_SLACK


def slow(target: HostileTarget, conn: Any, request: Received) -> bool:
    """Reads are answered; every edit waits 10 s before its answer."""
    if answer_reads(target, conn, request):
        return True
    if target.stopping.wait(10):
        return False
    respond(conn, 200, session_body(GIVEN_SESSION))
    return True


def test_a_slow_target_is_a_target_error_within_the_request_timeout(tmp_path: Path) -> None:
    with serve_hostile(slow) as target:
        run = run_check_measured(tmp_path, "--request-timeout", "1", env=target.env())
    assert run.returncode == 2, run.stderr[-2000:]
    assert "target error:" in run.stderr
    assert "within 1 s" in run.stderr
    assert _report(tmp_path)["run"]["target_error"]
    assert run.seconds < 1 + STARTUP_SLACK
    slow_edits = [r for r in target.received if r.method == "PATCH" and r.body != PREFLIGHT_BODY]
    assert len(slow_edits) == 1  # then it stopped


def drip(target: HostileTarget, conn: Any, request: Received) -> bool:
    """Edits get a status line, then one header byte every 0.2 s, forever."""
    if answer_reads(target, conn, request):
        return True
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Drip: ")
    while not target.stopping.wait(0.2):
        conn.sendall(b"x")
    return False


def test_a_trickled_header_is_cut_off_by_the_request_timeout(tmp_path: Path) -> None:
    # each byte comes well within httpx's read timeout: only the wall-clock limit ends this
    with serve_hostile(drip) as target:
        run = run_check_measured(tmp_path, "--request-timeout", "1.5", env=target.env())
    assert run.returncode == 2, run.stderr[-2000:]
    assert "target error:" in run.stderr
    assert run.seconds < 1.5 + STARTUP_SLACK


def throttle(target: HostileTarget, conn: Any, request: Received) -> bool:
    """The preflight is answered; every later request gets 429 with Retry-After: 3600."""
    if len(target.received) == 1 and answer_reads(target, conn, request):
        return True
    respond(conn, 429, b'{"code": "rate_limited"}', {"Retry-After": "3600"})
    return True


def test_retry_after_3600_does_not_stall_and_throttled_rules_are_not_run(tmp_path: Path) -> None:
    with serve_hostile(throttle) as target:
        run = run_check_measured(tmp_path, "--max-retry-wait", "0.01", env=target.env())
    assert run.returncode == 2, run.stderr[-2000:]
    report = _report(tmp_path)
    assert {r["status"] for r in report["rules"]} == {"not_run"}
    assert "429" in _reasons(report)
    assert report["run"]["answers_throttled"] > 0
    assert run.seconds < 60 + STARTUP_SLACK


def test_the_deadline_ends_a_throttled_run_with_the_default_waits(tmp_path: Path) -> None:
    with serve_hostile(throttle) as target:
        run = run_check_measured(tmp_path, "--deadline", "8", env=target.env())
        received = len(target.received)
    assert received > 2  # the preflight, then throttled edits until the deadline
    report = _report(tmp_path)
    assert report["run"]["deadline_reached"], run.stderr[-2000:]
    assert run.returncode != 0  # an incomplete run is never green (here: nothing verified)
    assert "deadline of 8 s" in _reasons(report)
    assert run.seconds < 8 + STARTUP_SLACK


def resetting(target: HostileTarget, conn: Any, request: Received) -> bool:
    """Reads are answered; every edit's connection is reset."""
    if answer_reads(target, conn, request):
        return True
    reset(conn)
    return False


def test_a_connection_reset_mid_run_is_a_target_error_not_a_rule_failure(tmp_path: Path) -> None:
    with serve_hostile(resetting) as target:
        run = run_check_measured(tmp_path, env=target.env())
    assert run.returncode == 2, run.stderr[-2000:]
    errors = [line for line in run.stderr.splitlines() if line.startswith("target error:")]
    assert len(errors) == 1, run.stderr
    report = _report(tmp_path)
    assert not [r for r in report["rules"] if r["status"] == "failed"]
    assert report["run"]["target_error"]


def accept_all(target: HostileTarget, conn: Any, request: Received) -> bool:
    """A target that accepts everything: what would a broken server be sent?"""
    if answer_reads(target, conn, request):
        return True
    if target.stopping.wait(getattr(target, "delay", 0.0)):
        return False
    sid = request.path.split("?", 1)[0].rsplit("/", 1)[-1]
    respond(conn, 200, session_body(sid), method=request.method)
    return True


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def _session_id(path: str) -> str:
    """The Session a request's path names (``.../sessions/{id}`` or ``.../sessions/{id}/...``)."""
    return path.split("?")[0].split("/sessions/", 1)[-1].split("/")[0]


def test_a_wrongly_accepting_target_is_sent_only_guarded_requests(tmp_path: Path) -> None:
    env_extra = {"PREVAIL_NO_SELF_SERVICE_TOKEN": "no-self-service-token-0123456789"}
    with serve_hostile(accept_all) as target:
        run = run_check_measured(tmp_path, "--deadline", "40", env=target.env(**env_extra))
        received = list(target.received)
    assert run.returncode == 1, run.stderr[-2000:]  # it accepts what it must refuse
    report = _report(tmp_path)
    writes = [r for r in received if r.method not in ("GET", "HEAD", "OPTIONS", "TRACE")]
    assert writes
    assert not [r for r in received if "__mock__" in r.path]
    listed = [r for r in writes if r.path.split("?")[0].endswith("/" + LISTED_SESSION)]
    assert listed, "the listed Session was not probed"
    assert not [r for r in listed if _is_json(r.body)], "a listed Session got an appliable body"
    # the list path gets another method only with a body that does not parse, never DELETE
    on_list = [r for r in writes if r.path.split("?")[0].endswith("/sessions")]
    assert not [r for r in on_list if r.method == "DELETE" or _is_json(r.body)]
    others = [r for r in writes if r not in listed and r not in on_list]
    # besides the given Session, only ids the suite made up to be absent (unknown-id probes,
    # undeclared methods)
    # (an operation of one Session, such as its cancel, is named by the id after /sessions/)
    ids = {_session_id(r.path) for r in others} - {GIVEN_SESSION}
    assert all(i.startswith(UNKNOWN_ID_PREFIX) for i in ids), ids
    for request in writes:
        if _is_json(request.body):
            for address in invite_addresses(json.loads(request.body)):
                assert is_reserved_email(address), address
    # every request went through the suite's sender (or the preflight) and was counted,
    # schemathesis's own (no-token and invalid-token probes) included
    # (a read whose keep-alive connection was found closed is sent again: it may count twice
    # and arrive once)
    resent = report["run"]["reads_sent_again"]
    assert len(received) <= report["requests"] <= len(received) + resent
    assert [r for r in received if "authorization" not in r.headers and r.method == "PATCH"]


def test_ctrl_c_writes_the_reports_and_exits_130(tmp_path: Path) -> None:
    def slowly(target: HostileTarget, conn: Any, request: Received) -> bool:
        target.delay = 0.05  # type: ignore[attr-defined]
        return accept_all(target, conn, request)

    with serve_hostile(slowly) as target:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            check_command(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
            env=clean_env(target.env()),
        )
        stop_at = time.monotonic() + 60
        while len(target.received) < 10 and time.monotonic() < stop_at and proc.poll() is None:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=30)
        finally:
            proc.kill()
    assert proc.returncode == 130, err[-2000:]
    report = _report(tmp_path)
    assert report["run"]["interrupted"] is True
    assert "interrupted" in _reasons(report)
    assert (tmp_path / "junit.xml").exists()


def test_a_base_url_with_credentials_is_refused_and_the_password_never_shown(
    tmp_path: Path,
) -> None:
    run = run_check(
        tmp_path,
        "--base-url",
        "http://jade:hunter2@127.0.0.1:9/api/v1",
        "--session-id",
        "s1",
        "--token",
        "t" * 20,
    )
    assert run.returncode == 2
    assert "hunter2" not in run.stdout + run.stderr
    errors = [line for line in run.stderr.splitlines() if "error" in line]
    assert len(errors) == 1, run.stderr  # one line (then the usage hint)
    assert "must not carry credentials" in errors[0]
    assert "jade:***@" in errors[0]


def deep(target: HostileTarget, conn: Any, request: Received) -> bool:
    """The preflight is answered; every later answer is 422 with JSON nested 200,000 deep."""
    if request.body == PREFLIGHT_BODY and answer_reads(target, conn, request):
        return True
    respond(conn, 422, b"[" * 200_000 + b"]" * 200_000, method=request.method)
    return True


def test_answers_too_deep_to_parse_are_their_own_problem_not_23_rules(tmp_path: Path) -> None:
    with serve_hostile(deep) as target:
        run = run_check_measured(tmp_path, "--deadline", "120", env=target.env())
    report = _report(tmp_path)
    shown = run.stdout + run.stderr + json.dumps(report)
    assert "RecursionError" not in shown  # before: filed as the failure of 23 rules
    assert "Traceback" not in run.stderr
    # what is left are findings about the answers themselves (a refusal body that is not JSON)
    shape = next(r for r in report["rules"] if r["id"] == "error-shape")
    assert shape["status"] == "failed"
    assert all("not JSON" in f["summary"] for f in shape["failures"])
