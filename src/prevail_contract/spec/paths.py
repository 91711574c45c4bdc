"""Where the kit finds its own files: inside its checkout, or as package data of an installed wheel.

A wheel carries the spec, the generator config and templates, the Spectral ruleset,
``package.json`` (the pinned Node tools) and the contract suite under
``prevail_contract/_data/`` (hatch ``force-include``); they are found through
:mod:`importlib.resources`. In a checkout (an editable install) the repository's own copies
are used instead, so that an edit of ``openapi/openapi.yaml`` takes effect at once. Node
tools (Spectral, Redocly) are looked up in ``$PREVAIL_NODE_BIN``, then the checkout's
``node_modules/.bin``, then ``./node_modules/.bin`` and ``PATH``.
"""

from __future__ import annotations

import json
import os
import shutil
from importlib import resources
from pathlib import Path

from prevail_contract.errors import ToolError

#: Variable naming another spec file to use by default.
SPEC_VAR = "PREVAIL_SPEC"
#: What ``--spec`` defaults to, as the commands' help says it.
SPEC_DEFAULT = f"${SPEC_VAR}, else the kit's own openapi.yaml"
#: Variable naming the directory holding the Node tools' executables (a ``node_modules/.bin``).
NODE_BIN_VAR = "PREVAIL_NODE_BIN"

#: ``src/prevail_contract`` (this module is ``src/prevail_contract/spec/paths.py``).
_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_CANDIDATE_ROOT = _PACKAGE_DIR.parents[1]


def _is_checkout(root: Path) -> bool:
    return (
        (root / "pyproject.toml").is_file()
        and (root / "openapi" / "openapi.yaml").is_file()
        and (root / "contract_tests" / "conftest.py").is_file()
        and (root / "src" / "prevail_contract").is_dir()
    )


#: The repository checkout this package runs from (editable install), or ``None`` when installed.
CHECKOUT: Path | None = _CANDIDATE_ROOT if _is_checkout(_CANDIDATE_ROOT) else None
#: The package-data directory of an installed wheel (absent in a checkout).
DATA_DIR = Path(str(resources.files("prevail_contract") / "_data"))
#: Where the kit's files are: the checkout, else the wheel's package data.
ROOT = CHECKOUT if CHECKOUT is not None else DATA_DIR
#: Kept for the kit's own tests and benchmarks, which run in the checkout.
REPO_ROOT = ROOT
SPEC_PATH = ROOT / "openapi" / "openapi.yaml"
CLIENT_CONFIG_PATH = ROOT / "openapi" / "client-config.yaml"
#: The generator templates the client uses instead of openapi-python-client's own (same names).
CLIENT_TEMPLATES_DIR = ROOT / "openapi" / "client-templates"
SPECTRAL_RULESET = ROOT / ".spectral.yaml"
PACKAGE_JSON = ROOT / "package.json"
#: The directory that holds the ``contract_tests`` package (put first on ``sys.path`` to run it).
SUITE_ROOT = ROOT if CHECKOUT is not None else DATA_DIR / "suite"
SUITE_DIR = SUITE_ROOT / "contract_tests"
#: The committed client of the checkout (``generate``'s default output only in a checkout).
GENERATED_CLIENT_DIR = ROOT / "generated_client"


def spec_path() -> Path:
    """Return the spec to use: ``$PREVAIL_SPEC`` when set, else the kit's own."""
    override = os.environ.get(SPEC_VAR)
    return Path(override) if override else SPEC_PATH


def node_packages(*names: str) -> list[str]:
    """``name@version`` for each Node package, with the version pinned in ``package.json``."""
    try:
        pins = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))["devDependencies"]
    except (OSError, ValueError, KeyError):
        pins = {}
    return [f"{name}@{pins[name]}" if name in pins else name for name in names]


def node_tool(executable: str, *packages: str) -> Path:
    """The Node tool ``executable``, or a :class:`ToolError` saying how to install and name it."""
    candidates: list[Path] = []
    override = os.environ.get(NODE_BIN_VAR)
    if override:
        candidates.append(Path(override).expanduser())
    else:
        if CHECKOUT is not None:
            candidates.append(CHECKOUT / "node_modules" / ".bin")
        candidates.append(Path.cwd() / "node_modules" / ".bin")
    for directory in candidates:
        if (directory / executable).is_file():
            return directory / executable
    if not override:
        found = shutil.which(executable)
        if found:
            return Path(found)
    pinned = " ".join(node_packages(*packages))
    if override:
        where = f"${NODE_BIN_VAR}={override} has no {executable}"
    elif CHECKOUT is not None:
        where = f"{executable} is not installed; run `npm ci` in {CHECKOUT}, or"
    else:
        where = f"{executable} is not installed;"
    raise ToolError(
        f"{where} install it with `npm install --no-save {pinned}` (Node 20+) and set "
        f"{NODE_BIN_VAR}=$PWD/node_modules/.bin (or put {executable} on PATH)"
    )


def node_modules_of(tool: Path) -> Path | None:
    """The ``node_modules`` directory a tool found by :func:`node_tool` was installed into."""
    parent = tool.parent
    if parent.name == ".bin" and parent.parent.name == "node_modules":
        return parent.parent
    return None
