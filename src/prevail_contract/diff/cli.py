"""The ``prevail-contract diff`` subcommand: the breaking-change gate for spec edits.

Exit codes: 0 when ``info.version`` moved as far as the changes need (a new major version for
a breaking change, a new minor one for an additive change, none for an informational one), 1
when it did not, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from prevail_contract.diff import sources
from prevail_contract.diff.client_api import client_api_diff
from prevail_contract.diff.compare import compare_documents
from prevail_contract.diff.kinds import list_rules
from prevail_contract.diff.model import ClientApiDiff, DiffReport
from prevail_contract.diff.render import FORMATS, render
from prevail_contract.spec import paths


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``diff`` flags."""
    parser.add_argument(
        "--spec",
        metavar="FILE",
        type=Path,
        default=None,
        help=f"the new spec (default: {paths.SPEC_DEFAULT}, as in the working tree)",
    )
    base = parser.add_mutually_exclusive_group()
    base.add_argument(
        "--base",
        metavar="REF",
        default=None,
        help="git ref holding the old spec (default: the merge base of HEAD with main)",
    )
    base.add_argument(
        "--base-spec", metavar="FILE", type=Path, default=None, help="the old spec as a file"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text for CI logs (default), markdown for a pull-request comment, json for tools",
    )
    parser.add_argument(
        "--list-rules",
        action="store_true",
        help="print every kind of change the gate reports, with its verdict and direction, "
        "and exit (in --format text, markdown or json)",
    )
    parser.add_argument(
        "--client-diff",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="regenerate the client for both specs and show the change in its public Python "
        "API (default: on for text and markdown, off for json)",
    )


def run(args: argparse.Namespace) -> int:
    """Compare, print the report, and return 1 if the version does not cover the changes."""
    if args.list_rules:
        sys.stdout.write(list_rules(args.format))
        return 0
    head_path: Path = args.spec or paths.spec_path()
    if args.base_spec is not None:
        head = sources.from_file(head_path, label=_shown(head_path))
        base = sources.from_file(args.base_spec, label=_shown(args.base_spec))
    else:
        head = sources.from_file(head_path, label=f"{_shown(head_path)} (working tree)")
        base = sources.from_git(head_path, args.base)
    report = DiffReport(
        base=base.label,
        head=head.label,
        base_version=base.version,
        head_version=head.version,
        changes=compare_documents(base.document, head.document),
    )
    wanted = args.client_diff if args.client_diff is not None else args.format != "json"
    if wanted:
        report.client_api = _client_diff(base, head_path)
    else:
        why = "--no-client-diff" if args.client_diff is False else "off for json; --client-diff"
        report.client_api = ClientApiDiff("skipped", note=why)
    sys.stdout.write(render(report, args.format))
    sys.stdout.flush()
    return report.exit_code


def _client_diff(base: sources.SpecSource, head_path: Path) -> ClientApiDiff:
    with tempfile.TemporaryDirectory(prefix="prevail-diff-base-") as tmp:
        base_path = Path(tmp) / "openapi.yaml"
        base_path.write_text(base.text, encoding="utf-8")
        return client_api_diff(base_path, head_path.resolve())


def _shown(path: Path) -> str:
    """A path relative to the working directory when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
