"""The breaking-change gate: classify spec changes and diff the generated client's API."""

from __future__ import annotations

from prevail_contract.diff.client_api import client_api_diff, diff_surfaces, read_surface
from prevail_contract.diff.compare import compare_documents
from prevail_contract.diff.model import (
    BREAKING,
    NON_BREAKING,
    Change,
    ClientApiChange,
    ClientApiDiff,
    DiffReport,
    major_version,
)
from prevail_contract.diff.render import render

__all__ = [
    "BREAKING",
    "NON_BREAKING",
    "Change",
    "ClientApiChange",
    "ClientApiDiff",
    "DiffReport",
    "client_api_diff",
    "compare_documents",
    "diff_surfaces",
    "major_version",
    "read_surface",
    "render",
]
