"""The ``prevail-contract`` command: one entry point, one subcommand per job of the kit.

Each subcommand lives in its own module exposing ``configure(parser)`` and ``run(args) -> int``;
modules are imported only when their subcommand runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from prevail_contract import __version__
from prevail_contract.cli_errors import OneLineParser, usage_hint
from prevail_contract.errors import ConfigError, ContractKitError, SpecError

#: name -> (module, one-line help). Add a line here to add a subcommand.
COMMANDS: dict[str, tuple[str, str]] = {
    "generate": (
        "prevail_contract.generate",
        "regenerate generated_client/ from the spec (--check: fail on drift)",
    ),
    "lint": (
        "prevail_contract.lint.cli",
        "validate the spec: openapi-spec-validator, Spectral, examples, rule catalogue",
    ),
    "mock": ("prevail_contract.mock.cli", "serve the stateful mock of the API (enforces rules)"),
    "docs": ("prevail_contract.docs", "build the offline API docs page (with business rules)"),
    "diff": ("prevail_contract.diff.cli", "breaking-change gate: classify spec changes vs a base"),
    "check": ("prevail_contract.check.cli", "contract suite: check a server (or mock) per rule"),
}


#: Top-level modules of the optional extras -> the extra that installs them. A plain install is
#: the mock and its pytest plugin; a command needing an extra says which, in one line (exit 2).
EXTRA_OF: dict[str, str] = {
    "schemathesis": "check",
    "hypothesis": "check",
    "pytest": "check",
    "rich": "check",
    "openapi_python_client": "tools",
    "openapi_spec_validator": "tools",
    "redis": "redis",
}


def _import(module_name: str) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing not in EXTRA_OF:
            raise
        extra = EXTRA_OF[missing]
        raise ConfigError(
            f"this command needs the kit's '{extra}' extra (module {missing} is not installed): "
            f"pip install 'prevail-contract[{extra}]'"
        ) from exc


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; only ``command``'s module is imported and configured."""
    return _build(command)[0]


def _build(
    command: str | None,
) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = OneLineParser(  # its errors, and its subcommands', are one line (cli_errors)
        prog="prevail-contract",
        description="Contract kit for the Prevail API's Edit Sessions operation.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parsers: dict[str, argparse.ArgumentParser] = {}
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        parsers[name] = command_parser
        if name == command:
            module = _import(module_name)
            module.configure(command_parser)
            command_parser.set_defaults(_module=module)
    return parser, parsers


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in arguments if not a.startswith("-")), None)
    try:
        parser, parsers = _build(chosen if chosen in COMMANDS else None)
    except (ConfigError, SpecError) as exc:  # a flag's choices are read from the spec in use
        print(f"prevail-contract {chosen}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    args, unknown = parser.parse_known_args(arguments)
    if unknown:  # exits 2 with the subcommand's own usage pointer, not the top-level one
        parsers[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return int(args._module.run(args))
    except ContractKitError as exc:
        print(f"prevail-contract {args.command}: error: {exc}", file=sys.stderr)
        if exc.exit_code == 2 and isinstance(exc, ConfigError | SpecError):
            print(usage_hint(parsers[args.command].prog), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"prevail-contract {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
