"""Every argument error of every subcommand is one line saying what is accepted (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevail_contract import cli
from prevail_contract.check import cli as check_cli
from prevail_contract.mock.bugs import CHOICES
from prevail_contract.spec.paths import SPEC_VAR


def _error_lines(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err.splitlines()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["check", "--seed", "abc"],
            "argument --seed: invalid value 'abc'; accepted: a whole number",
        ),
        (["check", "--profile", "slow"], "invalid choice 'slow'; accepted: fast, thorough"),
        (["check", "--profile"], "expected one argument; accepted: --profile PROFILE, where "),
        (["check", "--no-such-flag"], "unrecognized arguments: --no-such-flag"),
        (["check", "--max-invites", "x"], "--max-invites: invalid value 'x'; accepted: a whole"),
        (["mock", "--port", "x"], "argument --port: invalid value 'x'; accepted: a whole number"),
        (["mock", "--sandbox-ttl", "soon"], "accepted: a number (--sandbox-ttl SECONDS)"),
        (["diff", "--format", "html"], "invalid choice 'html'; accepted: text, markdown, json"),
        (["generate", "--no-such-flag"], "unrecognized arguments: --no-such-flag"),
        (["lint", "--no-such-flag"], "unrecognized arguments: --no-such-flag"),
        (["docs", "--out"], "argument --out: expected one argument; accepted: --out"),
    ],
)
def test_an_argument_error_is_one_line_then_the_usage_pointer(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    error, usage = _error_lines(argv, capsys)
    prog = f"prevail-contract {argv[0]}"
    assert error.startswith(f"{prog}: error: "), error
    assert said in error
    assert usage == f"usage: {prog} [options] (`{prog} --help` lists them)"


def test_a_long_choices_list_is_named_by_a_few_and_the_command_listing_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    error, _ = _error_lines(["mock", "--bug", "nosuch"], capsys)
    assert "invalid choice 'nosuch'" in error
    assert f"one of {len(CHOICES)} values such as {', '.join(CHOICES[:3])}" in error
    assert "`prevail-contract mock --help` lists them all" in error
    assert CHOICES[-1] not in error


def test_an_unknown_or_missing_command_lists_the_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    commands = ", ".join(cli.COMMANDS)
    for argv in (["chek"], []):
        error, usage = _error_lines(argv, capsys)
        assert error.startswith("prevail-contract: error: ")
        assert commands in error
        assert usage.startswith("usage: prevail-contract COMMAND [options]")


def test_help_is_argparses_own(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["check", "--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith("usage: prevail-contract check [-h]")
    assert "--profile {fast,thorough}" in shown


@pytest.mark.parametrize("flag", ["--only", "--exclude"])
@pytest.mark.parametrize("value", ["", ",", " , "])
def test_an_empty_selection_is_a_configuration_error_before_any_work(
    flag: str, value: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_run(*args: object, **kwargs: object) -> object:
        raise AssertionError("the suite ran")

    monkeypatch.setattr(check_cli, "run_suite", no_run)
    assert cli.main(["check", flag, value]) == 2
    error, usage = capsys.readouterr().err.splitlines()
    assert error.startswith(f"prevail-contract check: error: {flag} {value!r}: names no rule; ")
    assert "accepted: rule ids of the catalogue" in error
    assert usage.startswith("usage: prevail-contract check")


@pytest.mark.parametrize("command", ["check", "mock", "lint"])
def test_a_missing_spec_is_one_line_and_exit_2(
    command: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    missing = tmp_path / "nope.yaml"
    monkeypatch.setenv(SPEC_VAR, str(missing))
    assert cli.main([command]) == 2
    error = capsys.readouterr().err
    assert "Traceback" not in error
    first = error.splitlines()[0]
    assert first.startswith(f"prevail-contract {command}: error: ")
    assert first.endswith(
        (f"spec file not found: {missing}", f"{missing}: No such file or directory")
    )
