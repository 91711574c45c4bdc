"""Preflight verdicts, --env-file parsing, plain progress lines and the rule table's colours."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from prevail_contract.check.preflight import Answer, judge
from prevail_contract.check.report import show_table
from prevail_contract.errors import ConfigError
from prevail_contract.runtime.config import TargetConfig, read_env_file
from prevail_contract.runtime.results import RuleResult
from prevail_contract.runtime.safety import Masker
from prevail_contract.spec import load_spec

CONFIG = TargetConfig(base_url="https://api.invalid/api/v1", session_id="s1", token="t0ken-value")
SESSION = "PREVAIL_SESSION_ID (--session-id)"


def _answer(status: int, body: object, content_type: str = "application/json") -> Answer:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Answer(status, content_type, raw)


def test_a_422_refusal_proves_url_token_and_session() -> None:
    judge(CONFIG, _answer(422, {"code": "validation_failed"}), Masker(), session_var=SESSION)


@pytest.mark.parametrize(
    "answer",
    [_answer(422, b"", "text/html"), _answer(422, b"Unprocessable", "text/plain")],
)
def test_the_right_refusal_without_a_json_body_goes_on(answer: Answer) -> None:
    # the body of a refusal is the assumed error-shape's business (a Rails `head 422`)
    judge(CONFIG, answer, Masker(), session_var=SESSION)


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        (_answer(401, {"code": "unauthorized"}), "PREVAIL_TOKEN"),
        (_answer(403, {"code": "self_service_disabled"}), "PREVAIL_TOKEN"),
        (_answer(404, {"code": "session_not_found"}), "PREVAIL_SESSION_ID"),
        (_answer(404, {"code": "not_found"}), "PREVAIL_BASE_URL"),
        (_answer(404, b"<html>Not Found</html>", "text/html"), "PREVAIL_BASE_URL"),
        (_answer(200, {"sessions": []}), "PREVAIL_BASE_URL"),
        (_answer(502, b"Bad Gateway", "text/plain"), "PREVAIL_BASE_URL"),
    ],
)
def test_each_wrong_fixture_is_named_with_the_answer(answer: Answer, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        judge(CONFIG, answer, Masker(), session_var=SESSION)
    message = str(caught.value)
    assert named in message
    assert f"HTTP {answer.status}" in message
    assert "\n" not in message


def test_a_locked_session_refused_for_its_state_first_is_a_right_fixture() -> None:
    """A server checking the state before the body is check-order's business, not a
    configuration error that would stop the whole run."""
    spec = load_spec()
    state = spec.rule("editable-states")
    answer = _answer(int(state.status), {"code": state.code})
    locked_var = "PREVAIL_LOCKED_SESSION_ID (--locked-session-id)"
    judge(CONFIG, answer, Masker(), session_var=locked_var, locked=True)
    wanted = r"PREVAIL_SESSION_ID \(--session-id\) is in a state that cannot be"
    with pytest.raises(ConfigError, match=wanted):
        judge(CONFIG, answer, Masker(), session_var=SESSION)


def test_the_answer_quoted_never_shows_the_token() -> None:
    answer = _answer(401, {"code": "unauthorized", "messages": "bad token t0ken-value"})
    with pytest.raises(ConfigError) as caught:
        judge(CONFIG, answer, Masker([CONFIG.token]), session_var=SESSION)
    assert "t0ken-value" not in str(caught.value)


def test_env_file_reads_what_the_mock_writes(tmp_path: Path) -> None:
    path = tmp_path / "mock.env"
    path.write_text(
        "# written by prevail-contract mock\nPREVAIL_BASE_URL=http://127.0.0.1:1/api/v1\n\n"
        "export PREVAIL_TOKEN='a.b.c'\nPREVAIL_SESSION_ID=\"s=1\"\n"
    )
    assert read_env_file(path) == {
        "PREVAIL_BASE_URL": "http://127.0.0.1:1/api/v1",
        "PREVAIL_TOKEN": "a.b.c",
        "PREVAIL_SESSION_ID": "s=1",
    }


def test_env_file_line_that_is_not_key_value_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.env"
    path.write_text("PREVAIL_TOKEN=x\nthis is not a variable\n")
    with pytest.raises(ConfigError, match="line 2"):
        read_env_file(path)


def _results() -> list[RuleResult]:
    return [
        RuleResult(
            "id-stable", "documented", "failed", 3, 2, 1, [{"summary": "x", "reproduce": ""}]
        ),
        RuleResult("media-type", "assumed", "passed", 4, 1, 3),
        RuleResult("payload-limit", "assumed", "not_run", 0, 0, 0, reason="no body limit"),
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_table_is_plain_text_in_a_log() -> None:
    stream = io.StringIO()
    show_table(_results(), stream)
    text = stream.getvalue()
    assert "\x1b[" not in text
    assert "id-stable" in text
    assert "payload-limit: not run: no body limit" in text


def test_table_is_coloured_on_a_terminal_unless_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    coloured = _Terminal()
    show_table(_results(), coloured)
    assert "\x1b[1;31mfailed" in coloured.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = _Terminal()
    show_table(_results(), plain)
    assert "31m" not in plain.getvalue()  # no colour; bold may stay (NO_COLOR is about colour)
    assert "failed" in plain.getvalue()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--spec", "{broken}"], "not valid YAML"),
        (["--report-dir", "{file}/reports"], "--report-dir"),
        (["--mock-bug", "no-such-rule"], "unknown planted bug"),
        (["--env-file", "{missing}"], "--env-file"),
    ],
)
def test_check_configuration_errors_stop_before_the_run(
    args: list[str], said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from prevail_contract.cli import main

    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.1.0\ninfo: [\n", encoding="utf-8")
    a_file = tmp_path / "plain-file"
    a_file.write_text("x")
    names = {"broken": broken, "file": a_file, "missing": tmp_path / "none.env"}
    assert main(["check", *(arg.format(**names) for arg in args)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing ran
    lines = captured.err.strip().splitlines()
    assert said in lines[0]
    assert lines[-1].startswith("usage: prevail-contract check")


def test_the_right_refusal_with_unreadable_json_is_a_broken_target() -> None:
    with pytest.raises(ConfigError, match="cannot be read") as caught:
        judge(CONFIG, _answer(422, b"[" * 5000 + b"]" * 5000), Masker(), session_var=SESSION)
    assert "\n" not in str(caught.value)
