"""Tests of ``prevail-contract docs``: files written, the sealed page, the generated sections."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from prevail_contract.cli import main
from prevail_contract.docs import BuiltDocs, build_docs
from prevail_contract.docs.conformance import load_conformance
from prevail_contract.docs.render import CSP, seal
from prevail_contract.docs.sections import auth_markdown, rules_markdown
from prevail_contract.errors import ConfigError, ToolError
from prevail_contract.spec import Spec, load_spec, paths, read_document
from tests.plugins.docs import require_chromium

ALL_THREE = "`start_date`, `start_time` and `time_zone` are sent all together or not at all."


def page_text(built: BuiltDocs) -> str:
    return built.page.read_text(encoding="utf-8")


def test_writes_the_page_and_the_spec_beside_it(built_docs: BuiltDocs) -> None:
    assert built_docs.page.name == "index.html"
    assert built_docs.page.stat().st_size > 100_000
    assert built_docs.spec_yaml.read_bytes() == paths.SPEC_PATH.read_bytes()
    assert json.loads(built_docs.spec_json.read_text(encoding="utf-8")) == read_document(
        paths.SPEC_PATH
    )
    assert built_docs.page.parent == built_docs.spec_yaml.parent == built_docs.spec_json.parent


def test_page_loads_nothing_from_outside(built_docs: BuiltDocs) -> None:
    html = page_text(built_docs)
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in html
    assert '"disableTelemetry":true' in html
    # No element may fetch from a network address: scripts, styles, preloads, images, fonts.
    assert not re.search(r"<script[^>]*\ssrc=", html)
    assert not re.search(r"<link[^>]*\shref=[\"']?(https?:)?//", html)
    assert not re.search(r"<img[^>]*\ssrc=[\"']?(https?:)?//", html)
    assert not re.search(r"@import\s+(url\(|[\"'])|url\(\s*[\"']?(https?:)?//", html)
    for host in ("cdn.redoc.ly", "cdn.redocly.com/redoc/", "fonts.googleapis", "fonts.gstatic"):
        assert host not in html, host


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}"><script type="module">'
            'import { hydrate } from "https://cdn.redocly.com/redoc/v3.0.1/bundles/x.js";',
            "renderer script is loaded from the Redocly CDN",
        ),
        (
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<link href="https://fonts.googleapis.com/css?family=Roboto" rel="stylesheet">',
            "Google Fonts",
        ),
        (
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            'const __redoc_options = {"disableTelemetry":false};',
            "telemetry is on",
        ),
        ("<html><body>no policy</body></html>", "Content-Security-Policy"),
    ],
)
def test_seal_refuses_a_page_that_would_reach_out(html: str, reason: str) -> None:
    with pytest.raises(ToolError, match=reason):
        seal(html)


def test_seal_inlines_the_redocly_logo() -> None:
    html = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' + (
        "src:e?`https://cdn.redoc.ly/redoc/logo-mini-full.svg`:`https://cdn.redoc.ly/redoc/logo-mini.svg`"
    )
    sealed = seal(html)
    assert "cdn.redoc.ly" not in sealed
    assert sealed.count("`data:image/svg+xml,") == 2


def test_every_rule_is_in_the_page_with_its_anchor(built_docs: BuiltDocs, spec: Spec) -> None:
    html = page_text(built_docs)
    assert "Business rules" in html
    for rule in spec.rules:
        assert f'id="rule-{rule.id}"' in html, rule.id
    assert spec.rule("schedule-all-three").statement == ALL_THREE


def test_rules_table_has_source_status_and_code(spec: Spec) -> None:
    rows = {
        line.split("<code>", 1)[1].split("</code>", 1)[0]: line
        for line in rules_markdown(spec.rules).splitlines()
        if line.startswith('| <a id="rule-')
    }
    assert list(rows) == [rule.id for rule in spec.rules]
    for rule in spec.rules:
        row = rows[rule.id]
        assert ("documented" if rule.documented else "**assumed**") in row
        assert f"**{rule.status}**" in row
        if rule.code:
            assert f"`{rule.code}`" in row
    # A pipe inside a statement must not split the row into extra cells.
    assert "hh:mm AM\\|PM" in rows["field-formats"]


def test_auth_section_comes_from_the_security_schemes(spec: Spec) -> None:
    schemes = spec.document["components"]["securitySchemes"]
    section = auth_markdown(schemes)
    for name, scheme in schemes.items():
        assert f"`{name}`" in section
        assert scheme["description"].strip() in section
    assert "HTTP bearer, JWT" in section
    assert "`jwt_payload` in the query" in section


def test_changing_a_rule_statement_changes_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    new_statement = "The three schedule fields travel together, as one unit, or stay at home."
    text = paths.SPEC_PATH.read_text(encoding="utf-8")
    assert text.count(ALL_THREE) == 1
    edited = tmp_path / "openapi.yaml"
    edited.write_text(text.replace(ALL_THREE, new_statement), encoding="utf-8")
    monkeypatch.setenv("PREVAIL_SPEC", str(edited))

    assert main(["docs", "--out", str(tmp_path / "site")]) == 0

    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert new_statement in html
    assert "are sent all together or not at all" not in html
    assert (tmp_path / "site" / "openapi.yaml").read_text(encoding="utf-8") == edited.read_text(
        encoding="utf-8"
    )
    assert f"{len(load_spec(edited).rules)} business rules" in capsys.readouterr().out


def conformance_report(spec: Spec, **overrides: dict[str, Any]) -> dict[str, Any]:
    """A report where every rule passed, except the ones given in ``overrides``."""
    rules = []
    for rule in spec.rules:
        entry: dict[str, Any] = {
            "id": rule.id,
            "source": rule.source,
            "status": "passed",
            "cases": 12,
            "failures": [],
        }
        entry.update(overrides.get(rule.id.replace("-", "_"), {}))
        rules.append(entry)
    return {"target": "http://127.0.0.1:8765/api/v1", "seed": 4242, "rules": rules}


def test_conformance_results_appear_in_the_page(
    tmp_path: Path, spec: Spec, capsys: pytest.CaptureFixture[str]
) -> None:
    report = conformance_report(
        spec,
        schedule_all_three={
            "status": "failed",
            "cases": 9,
            "failures": [{"message": "a start_date and start_time without time_zone got 200"}],
        },
        payload_limit={"status": "not_run", "cases": 0, "reason": "target has no body limit"},
    )
    report_file = tmp_path / "conformance.json"
    report_file.write_text(json.dumps(report), encoding="utf-8")

    out = tmp_path / "site"
    assert main(["docs", "--out", str(out), "--conformance", str(report_file)]) == 0

    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Last result" in html
    assert "Last verification" in html
    assert "http://127.0.0.1:8765/api/v1" in html
    assert f"{len(spec.rules) - 2} passed, <strong" in html
    assert ">1 failed</strong>, 1 not run" in html
    assert (
        "FAILED</strong> (9 cases): a start_date and start_time without time_zone got 200" in html
    )
    assert "not run (0 cases): target has no body limit" in html
    assert "passed (12 cases)" in html
    assert "target http://127.0.0.1:8765/api/v1" in capsys.readouterr().out


def test_reads_the_report_that_check_writes(tmp_path: Path, spec: Spec) -> None:
    """The shape ``prevail-contract check --report-dir`` writes, extra members included."""
    report = conformance_report(
        spec,
        field_formats={
            "status": "failed",
            "accepted": 3,
            "rejected": 40,
            "failures": [
                {"summary": "start_time '14:30' was accepted", "reproduce": "curl -X PATCH ..."},
                {"summary": "time_zone 'Mars/Olympus' was accepted", "reproduce": "curl ..."},
            ],
            "failures_not_listed": 5,
        },
    )
    report.update(profile="quick", requests=412, summary={"documented_passed": 11})
    report_file = tmp_path / "conformance.json"
    report_file.write_text(json.dumps(report), encoding="utf-8")

    loaded = load_conformance(report_file, spec.rules)

    result = loaded.results["field-formats"]
    assert result.failures[0] == "start_time '14:30' was accepted"
    assert result.failure_count == 7
    markdown = rules_markdown(spec.rules, loaded)
    assert "(seed `4242`, profile `quick`)" in markdown
    assert "start_time '14:30' was accepted (+6 more)" in markdown


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON"),
        ('{"rules": []}', "'target' is a required property"),
        (
            '{"target": "x", "rules": [{"id": "auth-required", "status": "green"}]}',
            r"rules\[0\]\.status: 'green' is not one of",
        ),
        (
            '{"target": "x", "rules": [{"id": "no-such-rule", "status": "passed"}]}',
            "names rule ids the spec does not have: 'no-such-rule'",
        ),
        (
            '{"target": "x", "rules": [{"id": "id-stable", "status": "passed"}, '
            '{"id": "id-stable", "status": "failed"}]}',
            r"rules\[1\] repeats rule 'id-stable'",
        ),
        (
            '{"target": "x", "rules": [{"id": "id-stable", "source": "assumed", '
            '"status": "passed"}]}',
            "another spec version",
        ),
    ],
)
def test_bad_conformance_file_is_a_clear_error(
    tmp_path: Path, spec: Spec, content: str, message: str
) -> None:
    report_file = tmp_path / "conformance.json"
    report_file.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_conformance(report_file, spec.rules)
    assert str(report_file) in str(caught.value)


def test_bad_conformance_file_fails_the_command_before_building(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report_file = tmp_path / "conformance.json"
    report_file.write_text('{"target": "x", "rules": [{"id": "nope", "status": "passed"}]}')
    out = tmp_path / "site"

    assert main(["docs", "--out", str(out), "--conformance", str(report_file)]) == 2

    err = capsys.readouterr().err
    assert "prevail-contract docs: error: --conformance" in err
    assert "'nope'" in err
    assert "known ids: auth-required" in err
    assert not (out / "index.html").exists()


def test_missing_conformance_file_is_a_clear_error(tmp_path: Path, spec: Spec) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_conformance(tmp_path / "absent.json", spec.rules)


def test_build_docs_takes_an_explicit_spec(tmp_path: Path) -> None:
    text = paths.SPEC_PATH.read_text(encoding="utf-8")
    edited = tmp_path / "spec.yaml"
    edited.write_text(text.replace("Edit a Session (Self-Service)", "Edit one Session"))
    built = build_docs(tmp_path / "site", spec_file=edited)
    assert "Edit one Session" in page_text(built)


def test_missing_chromium_skips_loudly_but_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        require_chromium()
    assert "SKIPPING THE DOCS BROWSER TEST" in capsys.readouterr().out
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set but headless Chromium"):
        require_chromium()


def test_rules_table_keeps_ids_whole_marks_failures_and_stamps_the_run(
    tmp_path: Path, spec: Spec
) -> None:
    report = conformance_report(spec, field_formats={"status": "failed", "failures": ["x"]})
    report.update(
        verified_at="2026-12-01T10:11:12+00:00",
        spec_version="1.0.0",
        commit="49a76c618c88d01026286380ccf1efa463083720",
    )
    report_file = tmp_path / "conformance.json"
    report_file.write_text(json.dumps(report), encoding="utf-8")
    markdown = rules_markdown(spec.rules, load_conformance(report_file, spec.rules))
    rows = [line for line in markdown.splitlines() if line.startswith('| <a id="rule-')]
    assert rows
    assert all('style="white-space: nowrap' in row for row in rows)
    failed = [row for row in rows if "rule-failed" in row]
    assert [row.split("<code>", 1)[1].split("</code>", 1)[0] for row in failed] == ["field-formats"]
    assert "on 2026-12-01 10:11:12 UTC, spec version `1.0.0`, commit `49a76c618c88`" in markdown
