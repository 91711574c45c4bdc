"""Edits to a copy of the spec move the suite's edge cases with them, and still catch a bad server.

The copy tightens a limit (``title`` at most 100 characters), loosens one (150 ``invites``), adds
an optional field, adds enum values (an access level and a zone) and changes the list's page
size bounds (``items`` at most 50, default 10). ``PREVAIL_SPEC`` points the mock and the suite at
the copy: the mock built from it passes, the suite probes the new edges (recorded on the way
in), and a server still keeping the old 255-character title and 1 MiB body limits fails
``field-limits`` and ``payload-limit``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.support.facts import facts, list_parameter
from contract_tests.support.order_probes import body_faults, body_limit, order_pairs
from contract_tests.support.probes import enum_values, limit_probes
from prevail_contract.spec import Spec, load_spec, read_document
from prevail_contract.spec.paths import SPEC_PATH
from tests.plugins.check import SERVED_MOCK_BASELINE, CheckRun, run_check, serve_mock

NEW_FIELD = "room_name"
NEW_LEVEL = "observer"
NEW_ZONE = ("Ciudad Juarez", "America/Ciudad_Juarez")
#: The edited list bounds: ``items`` at most 50, 10 by default.
ITEMS_MAX, ITEMS_DEFAULT = 50, 10
#: The tightened body limit of ``payload-limit`` (64 KiB instead of 1 MiB).
BODY_LIMIT = 65_536
Message = MutableMapping[str, Any]


def edited_document() -> dict[str, Any]:
    """The spec with the four kinds of edit applied."""
    doc = read_document(SPEC_PATH)
    schemas = doc["components"]["schemas"]
    edit = schemas["RemoteSessionEdit"]["properties"]
    edit["title"]["maxLength"] = 100
    edit["invites"]["maxItems"] = 150
    edit[NEW_FIELD] = {
        "type": "string",
        "description": "A room name (a field added on a branch).",
        "maxLength": 40,
        "x-violation-rules": {"type": "field-formats", "maxLength": "field-limits"},
        "examples": ["Room 4"],
    }
    schemas["Session"]["properties"][NEW_FIELD] = {"type": "string", "maxLength": 40}
    schemas["AccessLevel"]["enum"].append(NEW_LEVEL)
    schemas["TimeZoneName"]["enum"].append(NEW_ZONE[0])
    schemas["TimeZoneName"]["x-iana-zones"][NEW_ZONE[0]] = NEW_ZONE[1]
    items = doc["components"]["parameters"]["Items"]["schema"]
    items["maximum"], items["default"] = ITEMS_MAX, ITEMS_DEFAULT
    return doc


def _payload_rule(doc: dict[str, Any]) -> dict[str, Any]:
    rules = doc["paths"]["/sessions/{remote_session_id}"]["patch"]["x-rules"]
    found: dict[str, Any] = next(r for r in rules if r.get("id") == "payload-limit")
    return found


@pytest.fixture(scope="module")
def edited_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("edited-spec") / "openapi.yaml"
    path.write_text(yaml.safe_dump(edited_document(), sort_keys=False, allow_unicode=True))
    return path


@pytest.fixture(scope="module")
def tightened_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The spec with ``title``'s ``maxLength`` lowered to 100 and the body limit to 64 KiB."""
    doc = read_document(SPEC_PATH)
    doc["components"]["schemas"]["RemoteSessionEdit"]["properties"]["title"]["maxLength"] = 100
    _payload_rule(doc)["x-limits"][0]["value"] = BODY_LIMIT
    path = tmp_path_factory.mktemp("tightened-spec") / "openapi.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return path


def _purposes(spec: Spec) -> dict[str, bool]:
    return {p.purpose: p.accept for p in limit_probes(spec)}


def test_probes_follow_the_edited_bounds(edited_spec: Path) -> None:
    before, after = _purposes(load_spec()), _purposes(load_spec(edited_spec))
    assert before["title of 255 characters"]
    assert not before["title of 256 characters"]
    assert after["title of 100 characters"]
    assert not after["title of 101 characters"]
    assert "title of 255 characters" not in after
    assert after["invites of 150 items"]
    assert not after["invites of 151 items"]
    assert after[f"{NEW_FIELD} of 40 characters"]
    assert not after[f"{NEW_FIELD} of 41 characters"]
    edited = facts(load_spec(edited_spec))
    assert NEW_FIELD in edited.editable
    assert NEW_FIELD in edited.value_fields
    assert NEW_LEVEL in edited.access_levels
    assert NEW_ZONE[0] in edited.zones
    sent = [purpose for purpose, _ in enum_values(load_spec(edited_spec))]
    assert f"access_level {NEW_LEVEL!r}" in sent
    assert f"time_zone {NEW_ZONE[0]!r}" in sent
    items = list_parameter(load_spec(edited_spec), "items")
    assert (items["maximum"], items["default"]) == (ITEMS_MAX, ITEMS_DEFAULT)


def test_order_probes_follow_the_edited_spec(tightened_spec: Path) -> None:
    """The body limit comes from ``payload-limit``'s ``x-limits``; a too-long title from the
    new ``maxLength``; both are probed (and filed) under their own rules."""
    assert body_limit(load_spec()) == 1_048_576
    assert body_limit(load_spec(tightened_spec)) == BODY_LIMIT
    pairs = order_pairs(load_spec(tightened_spec))
    assert ("schedule-all-three", "field-limits") in pairs
    assert ("unknown-fields-rejected", "editable-states") in pairs
    inner = body_faults(load_spec(tightened_spec), {"field-limits"})
    assert [len(v) for v in inner.values() if isinstance(v, str)] == [101]


class BodyLog:
    """ASGI middleware keeping every request body the app received."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = app.state
        self.bodies: list[Any] = []
        self.queries: list[str] = []

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        chunks: list[bytes] = []
        if scope["type"] == "http":
            self.queries.append(scope.get("query_string", b"").decode("latin-1"))

        async def recording() -> Message:
            message: Message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    with contextlib.suppress(ValueError):
                        self.bodies.append(json.loads(b"".join(chunks) or b"null"))
            return message

        await self.app(scope, recording, send)

    def edits(self) -> list[dict[str, Any]]:
        """The ``remote_session`` objects of the well-enveloped bodies."""
        return [
            b["remote_session"]
            for b in self.bodies
            if isinstance(b, dict) and isinstance(b.get("remote_session"), dict)
        ]


def _live_check(served: Any, tmp: Path, spec: Path) -> CheckRun:
    env = {**served.env, "PREVAIL_SPEC": str(spec)}
    baseline = ("--baseline", str(SERVED_MOCK_BASELINE))
    return run_check(tmp, "--max-invites", "5000", *baseline, env=env)


@pytest.mark.slow
def test_mock_of_the_edited_spec_passes_and_sees_the_new_edges(
    edited_spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREVAIL_SPEC", str(edited_spec))
    with serve_mock(wrap=BodyLog) as served:
        run = _live_check(served, tmp_path / "live", edited_spec)
        log = served.app
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    statuses = {r["id"]: r["status"] for r in run.report["rules"]}
    assert "failed" not in statuses.values(), statuses
    assert isinstance(log, BodyLog)
    edits = log.edits()
    titles = {len(e["title"]) for e in edits if isinstance(e.get("title"), str)}
    assert {100, 101} <= titles
    invites = {len(e["invites"]) for e in edits if isinstance(e.get("invites"), list)}
    assert {150, 151} <= invites
    assert any(NEW_FIELD in e for e in edits)
    assert any(
        isinstance(i, dict) and i.get("access_level") == NEW_LEVEL
        for e in edits
        for i in e.get("invites") or []
    )
    assert any(e.get("time_zone") == NEW_ZONE[0] for e in edits)
    asked = {q for query in log.queries for q in query.split("&") if q.startswith("items=")}
    assert {f"items={ITEMS_MAX}", f"items={ITEMS_MAX + 1}", f"items={ITEMS_DEFAULT}"} <= asked


@pytest.mark.slow
def test_embedded_run_follows_the_edited_spec(edited_spec: Path, tmp_path: Path) -> None:
    run = run_check(tmp_path, env={"PREVAIL_SPEC": str(edited_spec)})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    statuses = {r["id"]: r["status"] for r in run.report["rules"]}
    assert set(statuses.values()) == {"passed"}, statuses


@pytest.mark.slow
def test_server_keeping_the_old_limit_fails_field_limits(
    tightened_spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PREVAIL_SPEC", raising=False)  # the server is built from the old spec
    with serve_mock() as served:
        run = _live_check(served, tmp_path, tightened_spec)
    failed = {r["id"] for r in run.report["rules"] if r["status"] == "failed"}
    assert failed == {"field-limits", "payload-limit"}, run.stdout[-3000:]
    assert run.returncode == 0, "assumed rules failing alone exit 0 without --strict"
    rule = next(r for r in run.report["rules"] if r["id"] == "field-limits")
    summaries = " ".join(f["summary"] for f in rule["failures"])
    assert "title of 101 characters" in summaries
    rule = next(r for r in run.report["rules"] if r["id"] == "payload-limit")
    summaries = " ".join(f["summary"] for f in rule["failures"])
    assert str(BODY_LIMIT + 1) in summaries, summaries


def test_a_keyword_without_its_rule_is_a_spec_error(tmp_path: Path) -> None:
    from contract_tests.support.body_rules import BodyRules
    from prevail_contract.errors import SpecError

    doc = read_document(SPEC_PATH)
    title = doc["components"]["schemas"]["RemoteSessionEdit"]["properties"]["title"]
    del title["x-violation-rules"]["maxLength"]
    with pytest.raises(SpecError, match=r"title: keyword 'maxLength' has no entry"):
        BodyRules(Spec(doc))
    title["x-violation-rules"]["maxLength"] = "title-rule-nobody-has"
    with pytest.raises(SpecError, match="no rule 'title-rule-nobody-has'"):
        BodyRules(Spec(doc))


def _refused_before_any_work(tmp_path: Path, doc: dict[str, Any]) -> str:
    """Run ``check`` on ``doc``; assert it stopped with exit 2 before the run, and return its
    one error line."""
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    run = run_check(tmp_path / "reports", "--spec", str(spec), timeout=60)
    assert run.returncode == 2, run.stderr[-2000:]
    errors = [line for line in run.stderr.splitlines() if "error" in line]
    assert len(errors) == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "reports" / "conformance.json").exists()  # stopped before the run
    return errors[0]


def test_check_refuses_a_field_added_without_its_rules_before_any_work(tmp_path: Path) -> None:
    doc = read_document(SPEC_PATH)
    edit = doc["components"]["schemas"]["RemoteSessionEdit"]["properties"]
    edit["notes"] = {"type": "string", "maxLength": 500}  # no x-violation-rules
    error = _refused_before_any_work(tmp_path, doc)
    assert "properties/notes: keyword 'maxLength' has no entry in x-violation-rules" in error


def test_check_refuses_a_spec_whose_examples_break_its_schema(tmp_path: Path) -> None:
    doc = read_document(SPEC_PATH)
    duration = doc["components"]["schemas"]["RemoteSessionEdit"]["properties"]
    duration["estimated_duration"].update({"maximum": 12, "multipleOf": 0.5})
    error = _refused_before_any_work(tmp_path, doc)
    assert "not a multiple of 0.5" in error
    assert "prevail-contract lint" in error
