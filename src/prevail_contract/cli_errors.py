"""Command-line errors in one line: what was wrong and what is accepted, then where to look.

argparse prints its whole usage block before an error, and a long ``choices`` list in full; the
kit's other configuration errors are one line followed by a short usage pointer, so every
subcommand's argument errors are given the same shape here. argparse hands ``error`` only a
message, so its (stable, documented-by-use) message forms are recognized and completed from
the parser's own actions; a form not recognized is kept as argparse wrote it.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import NoReturn

#: A ``choices`` list longer than this is named by a few of its values and a pointer to ``--help``.
SHOWN_CHOICES = 8
#: How many values of a long list are named.
EXAMPLE_CHOICES = 3

#: What a value of a built-in ``type`` must look like (argparse names the type by ``__name__``).
TYPE_WORDS = {"int": "a whole number", "float": "a number"}

_ARGUMENT = re.compile(r"argument (?P<name>[^:]+): (?P<rest>.*)", re.DOTALL)
_CHOICE = re.compile(r"invalid choice: (?P<value>.*) \(choose from .*\)", re.DOTALL)
_TYPE = re.compile(r"invalid (?P<type>\w+) value: (?P<value>.*)", re.DOTALL)
_EXPECTED = re.compile(r"expected (?:one|at least one|at most one) argument")
_REQUIRED = re.compile(r"the following arguments are required: (?P<names>.*)", re.DOTALL)


def usage_hint(prog: str, *, command: bool = False) -> str:
    """The line after every configuration error: where the options (or commands) are listed."""
    return f"usage: {prog}{' COMMAND' if command else ''} [options] (`{prog} --help` lists them)"


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line saying what is accepted, then the usage
    pointer (exit 2). Subparsers made from it are of this class too; ``--help`` is argparse's."""

    def error(self, message: str) -> NoReturn:
        line = explain(self, message).replace("\r", "\\r").replace("\n", "\\n")
        hint = usage_hint(self.prog, command=self._subparsers is not None)
        self.exit(2, f"{self.prog}: error: {line}\n{hint}\n")


def explain(parser: argparse.ArgumentParser, message: str) -> str:
    """argparse's ``message``, with what the argument accepts when argparse did not say it."""
    required = _REQUIRED.fullmatch(message)
    if required is not None:
        accepted = [
            f"{name} is one of {_choices(parser, action)}"
            for name in required["names"].split(", ")
            if (action := _action(parser, name)) is not None and action.choices is not None
        ]
        return "; ".join([message, *accepted])
    found = _ARGUMENT.fullmatch(message)
    action = _action(parser, found["name"]) if found is not None else None
    if found is None or action is None:
        return message
    name, rest = found["name"], found["rest"]
    choice = _CHOICE.fullmatch(rest)
    if choice is not None and action.choices is not None:
        return (
            f"argument {name}: invalid choice {choice['value']}; accepted: "
            f"{_choices(parser, action)}"
        )
    typed = _TYPE.fullmatch(rest)
    if typed is not None and typed["type"] in TYPE_WORDS:
        return (
            f"argument {name}: invalid value {typed['value']}; accepted: "
            f"{TYPE_WORDS[typed['type']]} ({_form(action)})"
        )
    if _EXPECTED.fullmatch(rest):
        form = _form(action)
        if action.choices is not None:
            values = _choices(parser, action)
            one_of = "" if values.startswith("one of") else "one of "
            form += f", where {form.split()[-1]} is {one_of}{values}"
        return f"argument {name}: {rest}; accepted: {form}"
    return message


def _action(parser: argparse.ArgumentParser, name: str) -> argparse.Action | None:
    """The action argparse names ``name`` in its messages (option strings, metavar or dest)."""
    for action in parser._actions:  # argparse keeps no public list of them
        if name in ("/".join(action.option_strings), action.metavar, action.dest):
            return action
    return None


def _choices(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    values: Sequence[str] = [str(value) for value in action.choices or ()]
    if len(values) <= SHOWN_CHOICES:
        return ", ".join(values)
    return (
        f"one of {len(values)} values such as {', '.join(values[:EXAMPLE_CHOICES])} "
        f"(`{parser.prog} --help` lists them all)"
    )


def _form(action: argparse.Action) -> str:
    """How the argument is written, ``--seed N``."""
    metavar = action.metavar if isinstance(action.metavar, str) else action.dest.upper()
    if not action.option_strings:
        return metavar
    return f"{action.option_strings[-1]} {metavar}"
