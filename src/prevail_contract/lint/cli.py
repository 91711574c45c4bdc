"""The ``lint`` command: layered checks of the spec, from OpenAPI validity to our own conventions.

Layers, each reported separately: every ``$ref`` is local, openapi-spec-validator (the
document is valid OpenAPI 3.1), Spectral with ``spectral:oas`` and the OWASP ruleset
(``.spectral.yaml``), then the kit's own checks over every operation: examples against their
schemas (:mod:`prevail_contract.spec.examples`), each operation's registry entry
(``x-operation``: role, nature, live policy, and its mock and suite modules,
:mod:`prevail_contract.spec.operation_registry`), the rule catalogue's integrity
(:mod:`prevail_contract.lint.rule_checks`), limits stated in prose against the schema
(:mod:`prevail_contract.lint.limit_checks`), what the client's paging helpers read
(:mod:`prevail_contract.lint.pagination_checks`) and each constraint filed as documented or
assumed the way its prose says (:mod:`prevail_contract.lint.provenance_checks`). Any error fails
the command with exit code 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from openapi_spec_validator import OpenAPIV31SpecValidator

from prevail_contract.errors import CheckFailed, SpecError, ToolError
from prevail_contract.lint.limit_checks import check_limits
from prevail_contract.lint.pagination_checks import check_pagination
from prevail_contract.lint.provenance_checks import check_provenance
from prevail_contract.lint.ref_checks import check_refs
from prevail_contract.lint.rule_checks import check_rules
from prevail_contract.lint.spectral_ruleset import write_resolved
from prevail_contract.spec import Spec, paths, read_document
from prevail_contract.spec.examples import check_examples
from prevail_contract.spec.operation_registry import registry_problems
from prevail_contract.spec.time_zones import unloadable_zones
from prevail_contract.spec.violation_rules import check_request_annotations

SPECTRAL_RULESET = paths.SPECTRAL_RULESET


@dataclass
class LayerResult:
    """What one lint layer found."""

    name: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``lint`` flags."""
    parser.add_argument(
        "--spec", type=Path, default=None, help=f"spec file (default: {paths.SPEC_DEFAULT})"
    )
    parser.add_argument(
        "--skip-spectral",
        action="store_true",
        help="skip the Spectral layer (for machines without Node); CI never skips it",
    )


def run(args: argparse.Namespace) -> int:
    """Run every layer, print a summary per layer, fail if any layer found an error."""
    spec_file: Path = args.spec or paths.spec_path()
    results = lint(spec_file, spectral=not args.skip_spectral)
    failed = False
    for result in results:
        status = "ok" if not result.errors else f"{len(result.errors)} error(s)"
        extra = f", {len(result.warnings)} warning(s)" if result.warnings else ""
        print(f"{result.name}: {status}{extra}")
        for line in result.errors:
            print(f"  error: {line}")
        for line in result.warnings:
            print(f"  warning: {line}")
        failed = failed or bool(result.errors)
    if failed:
        raise CheckFailed(f"{spec_file} has lint errors (listed above)")
    return 0


def lint(spec_file: Path, *, spectral: bool = True) -> list[LayerResult]:
    """Lint ``spec_file``; later layers are skipped when the document or its refs are broken."""
    document = read_document(spec_file)
    try:
        spec = Spec(document, spec_file)
    except SpecError as exc:  # the catalogue's shape: found on load, reported as a finding
        return [LayerResult("rule catalogue", [str(exc)])]
    # Refs first: the OpenAPI validator would try to fetch a non-local ref over the network.
    refs = LayerResult("local refs", check_refs(spec))
    if refs.errors:
        return [refs]
    validity = LayerResult("openapi-spec-validator")
    validity.errors = [
        f"{'/'.join(str(p) for p in error.path) or '(root)'}: {error.message}"
        for error in OpenAPIV31SpecValidator(document).iter_errors()
    ]
    results = [refs, validity]
    if validity.errors:
        return results
    if spectral:
        results.append(run_spectral(spec_file))
    results.append(LayerResult("examples", check_examples(spec)))
    results.append(LayerResult("operations (x-operation)", _operation_problems(spec)))
    results.append(LayerResult("rule catalogue", check_rules(spec) + _annotation_problems(spec)))
    results.append(LayerResult("stated limits", check_limits(spec)))
    results.append(LayerResult("pagination (x-pagination)", check_pagination(spec)))
    results.append(LayerResult("time zones (x-iana-zones)", _zone_problems(spec)))
    results.append(LayerResult("provenance", check_provenance(spec)))
    return results


def _operation_problems(spec: Spec) -> list[str]:
    """The registry's problems, the suite's package made importable first (an installed kit
    carries it as package data, not on ``sys.path``)."""
    if importlib.util.find_spec("contract_tests") is None:
        sys.path.insert(0, str(paths.SUITE_ROOT))
    return registry_problems(spec)


def _zone_problems(spec: Spec) -> list[str]:
    """IANA zones behind the zone names that zoneinfo cannot load (the mock refuses them)."""
    try:
        missing = unloadable_zones(spec)
    except SpecError as exc:  # a zone name without its IANA zone
        return [str(exc)]
    return [f"x-iana-zones: zoneinfo cannot load {iana!r}" for iana in missing]


def _annotation_problems(spec: Spec) -> list[str]:
    """A request-schema keyword without the rule its violation breaks (``x-violation-rules``)."""
    try:
        check_request_annotations(spec)
    except SpecError as exc:
        return [str(exc)]
    return []


def run_spectral(spec_file: Path) -> LayerResult:
    """Run the pinned Spectral CLI with the project ruleset and sort its findings."""
    spectral = paths.node_tool(
        "spectral", "@stoplight/spectral-cli", "@stoplight/spectral-owasp-ruleset"
    )
    node_modules = paths.node_modules_of(spectral)
    result = LayerResult("spectral (spectral:oas + OWASP)")
    with tempfile.TemporaryDirectory(prefix="prevail-spectral-") as tmp:
        report = Path(tmp) / "spectral.json"
        completed = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [
                str(spectral),
                "lint",
                str(spec_file.resolve()),
                "--ruleset",
                str(write_resolved(SPECTRAL_RULESET, node_modules, spec_file, Path(tmp))),
                "--format",
                "json",
                "--output",
                str(report),
                "--fail-severity",
                "error",
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=paths.REPO_ROOT,
        )
        try:
            findings = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ToolError(
                f"Spectral produced no readable report (exit {completed.returncode}):\n"
                f"{(completed.stdout + completed.stderr).strip()}"
            ) from exc
    for finding in findings:
        line = finding.get("range", {}).get("start", {}).get("line", -1) + 1
        where = "/".join(str(p) for p in finding.get("path", [])) or "(root)"
        text = f"{finding.get('code')}: {finding.get('message')} (line {line}, {where})"
        (result.errors if finding.get("severity") == 0 else result.warnings).append(text)
    return result
