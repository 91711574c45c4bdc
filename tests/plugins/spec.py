"""Fixtures that hand tests the loaded spec, its parts, and mutated copies of it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from prevail_contract.spec import Spec, load_spec

#: Changes a copy of the spec document in place.
Mutation = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="session")
def spec() -> Spec:
    """The repository's spec, loaded once."""
    return load_spec()


@pytest.fixture
def spec_copy(spec: Spec, tmp_path: Path) -> Callable[[Mutation], Path]:
    """Write a copy of the spec, changed by ``mutate``, and return its path."""

    def write(mutate: Mutation) -> Path:
        document = copy.deepcopy(spec.document)
        mutate(document)
        path = tmp_path / "openapi.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return path

    return write
