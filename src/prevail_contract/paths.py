"""Where the kit finds its own files: the spec, the generator config and the Node tools."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository checkout this package was installed from (editable install).
REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT / "openapi" / "openapi.yaml"
CLIENT_CONFIG_PATH = REPO_ROOT / "openapi" / "client-config.yaml"
GENERATED_CLIENT_DIR = REPO_ROOT / "generated_client"
NODE_BIN = REPO_ROOT / "node_modules" / ".bin"


def spec_path() -> Path:
    """Return the spec to use: ``$PREVAIL_SPEC`` when set, else the repository's own."""
    override = os.environ.get("PREVAIL_SPEC")
    return Path(override) if override else SPEC_PATH
