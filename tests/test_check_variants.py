"""Faithful variants pass under ``--strict``: the suite raises no false alarm where the
contract leaves the server freedom (throttling, message texts, extra response members)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugins.check import SERVED_MOCK_BASELINE, run_check
from tests.plugins.variants import (
    OneWriteAtATime,
    RewrittenJson,
    Throttled,
    extra_fields,
    other_messages,
    serve_variant,
)

#: Served over loopback; throttled runs wait out each Retry-After.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def _assert_strict_pass(run_dir: Path, env: dict[str, str]) -> dict[str, str]:
    run = run_check(
        run_dir, "--strict", "--baseline", str(SERVED_MOCK_BASELINE), env=env, timeout=400
    )
    statuses = {r["id"]: r["status"] for r in run.report["rules"]}
    failed = {r["id"]: r["failures"][:2] for r in run.report["rules"] if r["status"] == "failed"}
    assert run.returncode == 0, (failed, run.stdout[-2000:], run.stderr[-1500:])
    return statuses


def test_throttling_now_and_then_passes_strict(tmp_path: Path) -> None:
    """429 on every 97th request and 503 + Retry-After on every 113th, all through the run (about
    forty answers, each a one-second wait): waited out, no alarm."""
    holder: list[Throttled] = []

    def wrap(app: object) -> Throttled:
        holder.append(Throttled(app, every=97))  # type: ignore[arg-type]
        return Throttled(holder[0], every=113, status=503)

    with serve_variant(wrap) as (served, _):
        statuses = _assert_strict_pass(tmp_path, served.env)
    assert holder[0].throttled > 5, "the variant must really have throttled the run"
    assert "failed" not in statuses.values()


def test_a_server_refusing_simultaneous_writes_passes_strict(tmp_path: Path) -> None:
    """Optimistic locking: a write to a Session while another is in flight gets 409. Only the
    probe of simultaneous invites sends such writes, and it takes the 409 as their clash."""
    holder: list[OneWriteAtATime] = []

    def wrap(app: object) -> OneWriteAtATime:
        holder.append(OneWriteAtATime(app))  # type: ignore[arg-type]
        return holder[0]

    with serve_variant(wrap) as (served, _):
        _assert_strict_pass(tmp_path, served.env)
    assert holder[0].refused > 0, "the simultaneous invites must really have clashed"


def _messages_and_extras(status: int, body: object) -> object:
    return extra_fields(status, other_messages(status, body))


def test_other_messages_and_extra_fields_pass_strict(tmp_path: Path) -> None:
    with serve_variant(lambda app: RewrittenJson(app, _messages_and_extras)) as (served, _):
        _assert_strict_pass(tmp_path, served.env)


def test_evidence_only_ever_throttled_is_not_run(tmp_path: Path) -> None:
    """Every request to the foreign Session is throttled: org-ownership has no verdict."""
    with serve_variant(lambda app: app) as (probe, _):
        foreign = probe.env["PREVAIL_FOREIGN_SESSION_ID"]
    with serve_variant(lambda app: Throttled(app, every=1, only=foreign)) as (served, _):
        run = run_check(tmp_path, "--strict", env=served.env, timeout=400)
    rules = {r["id"]: r for r in run.report["rules"]}
    assert run.returncode == 1, run.stdout[-2000:]  # a documented rule not run: not green
    assert "documented rule org-ownership was not run" in run.stdout
    assert rules["org-ownership"]["status"] == "not_run"
    assert "throttled" in rules["org-ownership"]["reason"]
