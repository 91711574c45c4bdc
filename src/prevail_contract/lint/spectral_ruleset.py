"""The Spectral ruleset as Spectral can read it from anywhere: packages and spec paths resolved.

Spectral resolves a ruleset's ``extends`` packages and its ``overrides`` file patterns relative
to the ruleset file, so the shipped ``.spectral.yaml`` works only beside a ``node_modules`` and
the spec it names. :func:`write_resolved` writes a copy into a temporary directory with each
npm package replaced by the path of its entry file in the ``node_modules`` the Spectral binary
came from, and each override's spec path replaced by the spec actually linted.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

#: The spec path the shipped ruleset's overrides are written against.
RULESET_SPEC = "openapi/openapi.yaml"


def _entry_file(node_modules: Path, package: str) -> str | None:
    """The CommonJS entry file of an installed npm package, or ``None`` when it is absent."""
    manifest = node_modules / package / "package.json"
    try:
        main = json.loads(manifest.read_text(encoding="utf-8")).get("main") or "index.js"
    except (OSError, ValueError):
        return None
    return str(node_modules / package / main)


def _severities(rules: Any) -> Any:
    """Rules with YAML 1.1's ``off`` (read as ``False``) written back as Spectral's ``"off"``."""
    if not isinstance(rules, dict):
        return rules
    return {name: "off" if value is False else value for name, value in rules.items()}


def resolved(ruleset: dict[str, Any], node_modules: Path | None, spec: Path, where: Path) -> Any:
    """``ruleset`` with packages and override spec paths resolved for a file in ``where``."""
    out = dict(ruleset)
    if "rules" in out:
        out["rules"] = _severities(out["rules"])
    extends = out.get("extends")
    if node_modules is not None and isinstance(extends, list):
        out["extends"] = [
            (_entry_file(node_modules, item) or item)
            if isinstance(item, str) and item.startswith("@")
            else item
            for item in extends
        ]
    relative = os.path.relpath(spec.resolve(), where.resolve())
    overrides = out.get("overrides")
    if isinstance(overrides, list):
        out["overrides"] = [
            {
                **item,
                **({"rules": _severities(item["rules"])} if "rules" in item else {}),
                "files": [
                    relative + f[len(RULESET_SPEC) :]
                    if isinstance(f, str) and f.startswith(RULESET_SPEC)
                    else f
                    for f in item.get("files", [])
                ],
            }
            if isinstance(item, dict)
            else item
            for item in overrides
        ]
    return out


def write_resolved(ruleset_file: Path, node_modules: Path | None, spec: Path, where: Path) -> Path:
    """Write the resolved ruleset into directory ``where``; return its path."""
    document = yaml.safe_load(ruleset_file.read_text(encoding="utf-8"))
    target = where / "spectral-ruleset.yaml"
    text = yaml.safe_dump(resolved(document, node_modules, spec, where), sort_keys=False)
    target.write_text(text, encoding="utf-8")
    return target
