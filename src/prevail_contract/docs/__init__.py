"""The ``docs`` command: publish the spec as one offline HTML page, with its business rules.

``prevail-contract docs [--out DIR] [--spec FILE] [--conformance FILE]`` writes
``DIR/index.html`` (default ``build/docs/``) and the spec beside it as ``openapi.yaml`` and
``openapi.json``. Everything on the page comes from the spec: Redoc renders the operation,
its path parameter, request fields with formats and limits, the invite item variants and every
response with its examples; :mod:`.sections` adds the Authentication section (from the
security schemes) and the Business rules table (from ``x-rules``, with each rule's last result
when a ``conformance.json`` is given), and :mod:`.provenance` the table of which constraint of
each field is documented and which assumed.

Renderer choice: Redocly CLI 2.77.0 ``build-docs --inlineBundle`` (Redoc 3), already pinned
in ``package.json`` for the kit. Measured on this spec (Node 20, 2 cores): 0.9 s per
``prevail-contract docs`` run, one 2.5 MiB file, prerendered (the content is in the HTML before
any script runs) and hydrated by the inlined bundle; with its few outside URLs neutralised
(see :mod:`.render`) the browser test records no request leaving the page, and search works
offline. Redoc 3 renders a tag's operations only when the current route is in that tag, and
mounts the sections above the route's lazily: so a plain address opens on the operation's route
(:func:`start_route`, every section on the page) and the page template then returns to the top,
where the introduction renders, instead of leaving the reader at the operation below a blank
band. It uses the ``stacked`` layout, which gives the rules table the full width. As it
renders everything the page must show, a second renderer (Scalar, the Redoc 2 standalone
bundle) would only add an npm package to pin, so none was measured or added.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from prevail_contract.docs.conformance import ConformanceReport, load_conformance
from prevail_contract.docs.provenance import provenance_markdown
from prevail_contract.docs.render import render_page
from prevail_contract.docs.sections import ANCHOR_PREFIX, SECTION_TITLE, docs_document
from prevail_contract.spec import Spec, paths, read_document

DEFAULT_OUT = Path("build") / "docs"

__all__ = ["DEFAULT_OUT", "BuiltDocs", "build_docs", "configure", "run"]


@dataclass(frozen=True)
class BuiltDocs:
    """The files one ``docs`` run wrote."""

    page: Path
    spec_yaml: Path
    spec_json: Path
    rules: int
    conformance: ConformanceReport | None


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``docs`` flags."""
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"output directory (default: {DEFAULT_OUT}/); index.html and the spec go here",
    )
    parser.add_argument(
        "--spec",
        type=Path,
        default=None,
        help=f"spec file (default: {paths.SPEC_DEFAULT})",
    )
    parser.add_argument(
        "--conformance",
        type=Path,
        default=None,
        metavar="FILE",
        help="conformance.json of a `check --report-dir` run: show each rule's last result",
    )


def run(args: argparse.Namespace) -> int:
    """Build the docs and say where they are."""
    built = build_docs(args.out, spec_file=args.spec, conformance=args.conformance)
    verified = (
        f", last results from {built.conformance.path} (target {built.conformance.target})"
        if built.conformance
        else ""
    )
    print(f"docs: wrote {built.page} ({built.rules} business rules{verified})")
    print(f"docs: spec beside it as {built.spec_yaml.name} and {built.spec_json.name}")
    return 0


def build_docs(
    out: Path, *, spec_file: Path | None = None, conformance: Path | None = None
) -> BuiltDocs:
    """Write ``out/index.html``, ``out/openapi.yaml`` and ``out/openapi.json`` from the spec."""
    source = spec_file or paths.spec_path()
    document = read_document(source)
    spec = Spec(document, source)
    report = load_conformance(conformance, spec.rules) if conformance else None
    out.mkdir(parents=True, exist_ok=True)
    page = out / "index.html"
    with tempfile.TemporaryDirectory(prefix="prevail-docs-") as tmp:
        published = Path(tmp) / "openapi.json"
        published.write_text(
            json.dumps(
                docs_document(
                    document,
                    spec.rules,
                    report,
                    spec.operations,
                    extra=[provenance_markdown(spec)],
                ),
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        staged = Path(tmp) / "index.html"
        render_page(
            published,
            staged,
            start_route=start_route(spec),
            anchor_routes=(ANCHOR_PREFIX, "/section/" + _slug(SECTION_TITLE)),
        )
        shutil.move(staged, page)
    spec_yaml = out / "openapi.yaml"
    spec_json = out / "openapi.json"
    if source.suffix in (".yaml", ".yml"):
        shutil.copyfile(source, spec_yaml)
    else:
        spec_yaml.write_text(_to_yaml(document), encoding="utf-8")
    spec_json.write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return BuiltDocs(page, spec_yaml, spec_json, len(spec.rules), report)


def start_route(spec: Spec) -> str:
    """Redoc's route of the operation (``/<first tag>/<operationId>``), the route a plain address
    gets so that every operation is on the page (which then shows its top, the introduction)."""
    operation = spec.operations[0].node
    tags = operation.get("tags") or []
    parts = [str(tags[0])] if tags else []
    return "/" + "/".join([*parts, str(operation.get("operationId", ""))])


def _slug(heading: str) -> str:
    """Redoc's route slug of a Markdown heading (lower case, words joined by dashes)."""
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def _to_yaml(document: object) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
