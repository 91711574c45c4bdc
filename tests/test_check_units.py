"""Unit tests of the check command's parts: safety, tokens, configuration, reports, body rules."""

from __future__ import annotations

import argparse
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import jwt
import pytest

from contract_tests.support.body_rules import broken_rules, rule_broken_by
from contract_tests.support.facts import facts
from contract_tests.support.st_checks import RuleBreachError, file_failures
from prevail_contract.check.policy import RunEnd, judge
from prevail_contract.check.report import write_reports
from prevail_contract.errors import ConfigError
from prevail_contract.runtime import tokens
from prevail_contract.runtime.config import from_sources
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.recorder import RuleRecord
from prevail_contract.runtime.results import build_results, render_table
from prevail_contract.runtime.safety import (
    InviteBudget,
    InviteCapReachedError,
    Masker,
    is_reserved_email,
    make_body_safe,
)
from prevail_contract.runtime.verdict import Finding
from prevail_contract.spec import Spec

KEY = "k" * 40


@pytest.mark.parametrize(
    ("address", "reserved"),
    [
        ("a@example.com", True),
        ("a@EXAMPLE.org", True),
        ("a@sub.example.net", True),
        ("a@team.test", True),
        ("a@x.invalid", True),
        ("a@gmail.com", False),
        ("a@example.com.evil.io", False),
        ("not-an-email", True),
        ("a@", True),
    ],
)
def test_reserved_addresses(address: str, reserved: bool) -> None:
    assert is_reserved_email(address) is reserved


def test_make_body_safe_rewrites_only_deliverable_foreign_addresses() -> None:
    body = {"remote_session": {"invites": ["a@gmail.com", {"email": "b@corp.io"}, "c@x.test", 7]}}
    safe = make_body_safe(body)
    assert safe["remote_session"]["invites"] == [
        "a@example.com",
        {"email": "b@example.com"},
        "c@x.test",
        7,
    ]
    assert body["remote_session"]["invites"][0] == "a@gmail.com"  # input untouched


def test_invite_budget_caps_a_run() -> None:
    budget = InviteBudget(5)
    budget.take(3)
    assert budget.remaining() == 2
    with pytest.raises(InviteCapReachedError, match="--max-invites"):
        budget.take(3)
    assert InviteBudget(None).remaining() is None


def test_masker_hides_known_and_jwt_shaped_secrets() -> None:
    token = tokens.mint("acme", KEY)
    forged = tokens.unsigned({"slug": "acme"})
    mask = Masker([KEY])
    text = mask(
        f"curl -H 'Authorization: Bearer {token}' 'http://h/x?jwt_payload={forged}&a=1' key={KEY}"
    )
    assert token not in text
    assert forged not in text
    assert KEY not in text
    assert "Bearer ***" in text
    assert "jwt_payload=***&a=1" in text
    assert '"remote_session"' in mask('{"remote_session": {"title": "x"}}')


def test_tokens_are_hs256_with_slug_and_exp() -> None:
    claims = jwt.decode(tokens.mint("acme", KEY), KEY, algorithms=["HS256"])
    assert claims["slug"] == "acme"
    assert claims["exp"] > time.time()
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(tokens.expired("acme", KEY), KEY, algorithms=["HS256"])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tokens.wrong_signature({"slug": "acme"}), KEY, algorithms=["HS256"])
    assert jwt.get_unverified_header(tokens.unsigned({"slug": "acme"}))["alg"] == "none"
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(tokens.unsigned({"slug": "acme"}), KEY, algorithms=["HS256"])


def test_config_embedded_without_base_url() -> None:
    config = from_sources({})
    assert config.embedded
    assert config.max_invites is None


def test_config_live_flags_without_base_url_are_an_error() -> None:
    with pytest.raises(ConfigError, match=r"--session-id.*PREVAIL_BASE_URL"):
        from_sources({}, argparse.Namespace(session_id="s1", base_url=None))


def test_config_flags_override_environment() -> None:
    env = {
        "PREVAIL_BASE_URL": "http://a.test/api/v1",
        "PREVAIL_SESSION_ID": "s1",
        "PREVAIL_TOKEN": "t1",
    }
    args = argparse.Namespace(session_id="s2", base_url=None, max_invites=10)
    config = from_sources(env, args)
    assert (config.base_url, config.session_id, config.token) == (
        "http://a.test/api/v1",
        "s2",
        "t1",
    )
    assert config.max_invites == 10
    assert config.to_env()["PREVAIL_SESSION_ID"] == "s2"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PREVAIL_BASE_URL": "http://a.test", "PREVAIL_TOKEN": "t"}, "PREVAIL_SESSION_ID"),
        ({"PREVAIL_BASE_URL": "http://a.test", "PREVAIL_SESSION_ID": "s"}, "PREVAIL_API_KEY"),
        (
            {
                "PREVAIL_BASE_URL": "http://a.test",
                "PREVAIL_SESSION_ID": "s",
                "PREVAIL_COMPANY_ID": "c",
            },
            "PREVAIL_API_KEY",
        ),
        ({"PREVAIL_BASE_URL": "ftp://a.test", "PREVAIL_SESSION_ID": "s"}, "PREVAIL_BASE_URL"),
        (
            {
                "PREVAIL_BASE_URL": "http://a.test",
                "PREVAIL_SESSION_ID": "a b",
                "PREVAIL_TOKEN": "t",
            },
            "PREVAIL_SESSION_ID",
        ),
        ({"PREVAIL_MAX_INVITES": "many"}, "PREVAIL_MAX_INVITES"),
    ],
)
def test_config_errors_name_what_is_missing(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        from_sources(env)


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        ({"title": "x"}, "request-envelope"),
        # the documentation only wraps the fields: "at least one" is our assumption
        ({"remote_session": {}}, "field-limits"),
        # the documented form of an address, outside the assumed grammar, and neither
        ({"remote_session": {"invites": ["x" * 70 + "@example.com"]}}, "email-grammar"),
        ({"remote_session": {"invites": ["jade@example"]}}, "email-grammar"),
        ({"remote_session": {"invites": ["not-an-email"]}}, "field-formats"),
        ({"remote_session": {"title": "x"}, "extra": 1}, "unknown-fields-rejected"),
        ({"remote_session": {"start_date": "2025-01-30"}}, "schedule-all-three"),
        ({"remote_session": {"title": 5}}, "field-formats"),
        (
            {
                "remote_session": {
                    "start_date": "2025-01-30",
                    "start_time": "14:30",
                    "time_zone": "UTC",
                }
            },
            "field-formats",
        ),
        ({"remote_session": {"title": "x" * 256}}, "field-limits"),
        ({"remote_session": {"estimated_duration": 1.1}}, "field-limits"),
        ({"remote_session": {"location": "Room 4"}}, "unknown-fields-rejected"),
        (
            {"remote_session": {"invites": [{"email": "a@b.test", "access_level": "owner"}]}},
            "field-formats",
        ),
        ({"remote_session": {"title": "ok", "estimated_duration": 1.25}}, None),
    ],
)
def test_body_rules_blame_the_right_rule(body: object, rule: str | None) -> None:
    assert rule_broken_by(body) == rule


def test_remembered_bodies_are_told_apart_by_json_type_and_stay_unshared() -> None:
    duration = {"remote_session": {"title": "ok", "estimated_duration": 1}}
    # asked twice each, so that the second answer comes from the memory
    for _ in range(2):
        assert broken_rules(duration) == set()
        assert broken_rules({"remote_session": {"title": "ok", "estimated_duration": True}}) == {
            "field-formats"
        }
        assert broken_rules({"remote_session": {"title": "ok", "estimated_duration": 1.1}}) == {
            "field-limits"
        }
    broken_rules(duration).add("mutated by a caller")
    assert broken_rules(duration) == set()


@pytest.mark.parametrize("first", [0, 1])
def test_remembered_bodies_that_jsonschema_reads_otherwise_are_told_apart(first: int) -> None:
    # each pair has one JSON text (json.dumps), but jsonschema reads them differently: a tuple
    # is no array, and a title's length counts code points (a surrogate pair is two)
    longest = int(facts().field("title")["maxLength"])  # in code points
    pairs = (
        [
            ({"remote_session": {"invites": ["a@example.com"]}}, set()),
            ({"remote_session": {"invites": ("a@example.com",)}}, {"field-formats"}),
        ],
        [
            ({"remote_session": {"title": "\U0001f600" * longest}}, set()),
            ({"remote_session": {"title": "\ud83d\ude00" * longest}}, {"field-limits"}),
        ],
    )
    for pair in pairs:
        # whichever is asked first, each answer is its own, also when asked again
        ordered = pair if first == 0 else pair[::-1]
        for _ in range(2):
            for body, rules in ordered:
                assert broken_rules(body) == rules, body


def test_a_body_that_holds_itself_or_nests_deep_is_read_not_remembered() -> None:
    cyclic: list[object] = []
    cyclic.append(cyclic)
    assert broken_rules({"remote_session": {"invites": cyclic}}) == {"field-formats"}
    deep: list[object] = []
    inner = deep
    for _ in range(5000):  # deeper than json.dumps goes
        inner.append([])
        inner = inner[0]  # type: ignore[assignment]
    body = {"remote_session": {"title": "ok"}, "extra": deep}
    assert broken_rules(body) == {"unknown-fields-rejected"}


def test_the_failures_of_one_case_are_filed_in_the_same_order_however_they_come() -> None:
    # schemathesis gathers a case's failures in a set: their order changes from run to run
    failures = [
        SimpleNamespace(exception=RuleBreachError(rule, "x"), title=title, message="m")
        for rule, title in (
            ("unknown-fields-rejected", "Unknown field accepted"),
            ("field-limits", "Schema-violating request accepted"),
            ("field-limits", "Custom check failed: `rule_body_rules`"),
        )
    ]
    filed = [
        [(f.rule, f.summary) for f in file_failures(SimpleNamespace(exceptions=order), _exchange())]
        for order in (failures, failures[::-1], failures[1:] + failures[:1])
    ]
    assert filed[0] == filed[1] == filed[2]
    assert [rule for rule, _ in filed[0]] == [
        "field-limits",
        "field-limits",
        "unknown-fields-rejected",
    ]


def test_documented_request_examples_break_no_rule(spec: Spec) -> None:
    for name in ("EditRequestDocumented", "EditRequestTitleOnly", "EditRequestInviteObjects"):
        assert broken_rules(spec.example(name).value) == set()


def _exchange() -> Exchange:
    return Exchange(
        method="PATCH",
        url="http://h/api/v1/sessions/s1",
        headers={"Authorization": "Bearer secret-token-value", "Content-Type": "application/json"},
        body=b'{"remote_session": {"start_date": "2025-01-30"}}',
        status=200,
        response_headers={},
        response_body=b"{}",
    )


def test_reports_list_every_rule_and_mask_tokens(spec: Spec, tmp_path: Path) -> None:
    records = {
        "schedule-all-three": RuleRecord(
            cases=3, accepted=1, findings=[Finding("schedule-all-three", "accepted", _exchange())]
        ),
        "title-rule-nobody-has": RuleRecord(cases=1),
        "fields-applied": RuleRecord(cases=2, accepted=2),
        "org-ownership": RuleRecord(skip_reasons=["needs another Organization's session: set X"]),
    }
    masker = Masker(["secret-token-value"])
    results = build_results(spec, records, masker)
    assert [r.id for r in results] == [r.id for r in spec.rules]
    by_id = {r.id: r for r in results}
    assert by_id["schedule-all-three"].status == "failed"
    assert by_id["fields-applied"].status == "passed"
    assert by_id["org-ownership"].status == "not_run"
    assert "set X" in (by_id["org-ownership"].reason or "")
    assert by_id["id-stable"].status == "not_run"
    verdict = judge(results, strict=False, end=RunEnd())
    assert verdict.code == 1
    json_path, junit_path = write_reports(
        tmp_path, results, target="t", seed=3, profile="fast", verdict=verdict.as_json()
    )
    doc = json.loads(json_path.read_text())
    assert doc["seed"] == 3
    failure = doc["rules"][[r.id for r in spec.rules].index("schedule-all-three")]["failures"][0]
    assert failure["reproduce"].startswith("curl ")
    assert "Bearer ***" in failure["reproduce"]
    for path in (json_path, junit_path):
        assert "secret-token-value" not in path.read_text()
    suite = ET.parse(junit_path).getroot()  # noqa: S314 - a file this test just wrote
    assert suite.get("tests") == str(len(spec.rules) + 1)  # one per rule, and the run
    # a failed documented rule and every documented rule left not_run fail the run
    assert suite.get("failures") == str(sum(1 for r in results if r.counted))
    assert by_id["schedule-all-three"].counted
    assert by_id["id-stable"].counted
    assert doc["verdict"]["exit_code"] == 1
    assert "schedule-all-three" in render_table(results)


def test_every_named_example_is_sent_or_compared(spec: Spec) -> None:
    from contract_tests.test_examples import _cases

    used: set[str] = set()
    for case in _cases(spec):
        request_name, _rule, response_name = case.values
        used.add(str(request_name))
        if response_name is not None:
            used.add(str(response_name))
    # error examples reached only through a response's examples list are compared by code
    for response in spec.document["components"]["responses"].values():
        for node in (
            response.get("content", {}).get("application/json", {}).get("examples") or {}
        ).values():
            used.add(str(node["$ref"]).rsplit("/", 1)[-1])
    assert set(spec.examples()) <= used
